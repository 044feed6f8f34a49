/**
 * Runs started user import jobs in the background, as Cognito does: StartUserImportJob answers
 * `Pending`, the job turns `InProgress` on a later turn of the event loop and imports its rows
 * a batch per turn (so the emulator keeps answering, and StopUserImportJob can stop it between
 * batches), then ends `Succeeded` — or `Failed` when the file cannot be read or, in AWS's words,
 * "Too many users have failed or been skipped during the import." AWS names no threshold; the
 * emulator fails a job that imported no one while some rows failed or were skipped.
 *
 * Progress (counts and rows done) is written with each batch, in the batch's transaction, so an
 * emulator restarted mid-job resumes after the last batch: any operation that reads a running
 * job not running in this process starts it again (`keepRunning`).
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-cloudwatch.html
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Context } from "./context.ts";
import { CsvFormatError, parseCsv, type ParsedCsv } from "./import-csv.ts";
import { checkHeader, importRow } from "./import-rows.ts";
import type { ImportJob, ImportJobStatus } from "./store/import-jobs.ts";

const rowsPerTurn = 250;
const tooManyFailures = "Too many users have failed or been skipped during the import.";
/** The emulator's wording; AWS documents messages for stopped and failed jobs only. */
const completed = "Import Job Completed Successfully.";
const internalFailure = "The import job stopped because of an internal error.";

const expiresAfterMs = 24 * 60 * 60 * 1000;

const running = new WeakMap<Context, Set<string>>();

function runningIn(ctx: Context): Set<string> {
  const jobs = running.get(ctx) ?? new Set<string>();
  running.set(ctx, jobs);
  return jobs;
}

/** The job ended: its file is no longer needed (AWS deletes a job's data once it is done). */
export function finishJob(ctx: Context, job: ImportJob, Status: ImportJobStatus, CompletionMessage: string): ImportJob {
  const finished: ImportJob = { ...job, Status, CompletionMessage, CompletionDate: ctx.clock.now() };
  ctx.store.importJobs.save(finished);
  ctx.store.importJobs.putCsv(job.JobId, null);
  return finished;
}

/** The job's file, parsed and its header checked; a CsvFormatError fails the job. */
function readFile(ctx: Context, job: ImportJob): ParsedCsv {
  const file = ctx.store.importJobs.csvOf(job.JobId);
  if (file === null) throw new CsvFormatError("No CSV file was uploaded to the job's pre-signed URL.");
  const pool = ctx.store.pools.get(job.UserPoolId);
  const parsed = parseCsv(file);
  if (pool) checkHeader(pool, parsed.header, job.PasswordHashingAlgorithm !== undefined);
  return parsed;
}

/** One batch of rows in one transaction; false once there is nothing more to do. */
function importBatch(ctx: Context, jobId: string, file: () => ParsedCsv): boolean {
  return ctx.store.transaction(() => {
    const job = ctx.store.importJobs.get(jobId);
    const pool = job && ctx.store.pools.get(job.UserPoolId);
    if (!job || !pool || (job.Status !== "Pending" && job.Status !== "InProgress")) return false;
    let parsed: ParsedCsv;
    try {
      parsed = file();
    } catch (error) {
      if (!(error instanceof CsvFormatError)) throw error;
      finishJob(ctx, job, "Failed", error.message);
      return false;
    }
    const counts = { ImportedUsers: job.ImportedUsers, SkippedUsers: job.SkippedUsers, FailedUsers: job.FailedUsers };
    const batch = parsed.rows.slice(job.rowsDone, job.rowsDone + rowsPerTurn);
    for (const row of batch) {
      const event = importRow(ctx, pool, parsed.header, row);
      ctx.store.importJobs.addEvent(jobId, event);
      if (event.outcome === "SUCCEEDED") counts.ImportedUsers += 1;
      else if (event.outcome === "SKIPPED") counts.SkippedUsers += 1;
      else counts.FailedUsers += 1;
    }
    const progressed: ImportJob = { ...job, ...counts, Status: "InProgress", rowsDone: job.rowsDone + batch.length };
    if (progressed.rowsDone < parsed.rows.length) {
      ctx.store.importJobs.save(progressed);
      return true;
    }
    const failed = counts.ImportedUsers === 0 && counts.SkippedUsers + counts.FailedUsers > 0;
    finishJob(ctx, progressed, failed ? "Failed" : "Succeeded", failed ? tooManyFailures : completed);
    return false;
  });
}

async function run(ctx: Context, jobId: string): Promise<void> {
  let parsed: ParsedCsv | null = null;
  const file = (): ParsedCsv => {
    if (parsed) return parsed;
    const job = ctx.store.importJobs.get(jobId);
    if (!job) throw new CsvFormatError("The job no longer exists.");
    parsed = readFile(ctx, job);
    return parsed;
  };
  try {
    do {
      await nextTurn();
      // The emulator was stopped meanwhile; the job resumes when it next starts.
      if (!ctx.store.db.open) return;
    } while (importBatch(ctx, jobId, file));
  } catch (error) {
    if (!ctx.store.db.open) return;
    console.error(error);
    const job = ctx.store.importJobs.get(jobId);
    if (job && (job.Status === "Pending" || job.Status === "InProgress"))
      finishJob(ctx, job, "Failed", internalFailure);
  } finally {
    runningIn(ctx).delete(jobId);
  }
}

/**
 * The job as it stands now: a Created job not started within a day is Expired ("You created a
 * job, but did not start the job within 24-48 hours. All data associated with the job was
 * deleted"), and a running one is running in this process.
 */
export function currentJob(ctx: Context, job: ImportJob): ImportJob {
  if (job.Status === "Created" && ctx.clock.now() - job.CreationDate > expiresAfterMs) {
    const expired: ImportJob = { ...job, Status: "Expired" };
    ctx.store.importJobs.save(expired);
    ctx.store.importJobs.putCsv(job.JobId, null);
    return expired;
  }
  keepRunning(ctx, job);
  return job;
}

/** Starts the background import of a Pending or InProgress job unless it runs already. */
export function keepRunning(ctx: Context, job: ImportJob): void {
  if (job.Status !== "Pending" && job.Status !== "InProgress") return;
  const jobs = runningIn(ctx);
  if (jobs.has(job.JobId)) return;
  jobs.add(job.JobId);
  void run(ctx, job.JobId);
}
