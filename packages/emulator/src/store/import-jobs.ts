/**
 * User import jobs (operations/import-jobs.ts): each job as a JSON document beside its pool, the
 * CSV file uploaded to its pre-signed URL, and the outcome of each row — what AWS writes to the
 * job's CloudWatch log stream, one line per user ("[SKIPPED] Line Number 5 - The user already
 * exists."). A job goes with its pool (ON DELETE CASCADE), its log with the job.
 *
 * Like `hosted.ts`, the tables belong to this module and are created here if missing, so an
 * existing database gains them on its next start.
 */
import type { Db } from "./database.ts";

export type ImportJobStatus =
  "Created" | "Pending" | "InProgress" | "Stopping" | "Stopped" | "Succeeded" | "Failed" | "Expired";

export type PasswordHashingAlgorithm = "BCRYPT" | "SCRYPT" | "ARGON2ID" | "PBKDF2_SHA256";

/** UserImportJobType as kept: dates in ms, plus what only the emulator needs. */
export interface ImportJob {
  readonly JobName: string;
  readonly JobId: string;
  readonly UserPoolId: string;
  readonly PreSignedUrl: string;
  readonly CreationDate: number;
  readonly StartDate?: number;
  readonly CompletionDate?: number;
  readonly Status: ImportJobStatus;
  readonly CloudWatchLogsRoleArn: string;
  readonly ImportedUsers: number;
  readonly SkippedUsers: number;
  readonly FailedUsers: number;
  readonly CompletionMessage?: string;
  readonly PasswordHashingAlgorithm?: PasswordHashingAlgorithm;
  /** The secret the PreSignedUrl carries; an upload must present it. */
  readonly uploadToken: string;
  /** How many data rows have been processed, so a restarted emulator resumes after them. */
  readonly rowsDone: number;
}

export type ImportOutcome = "SUCCEEDED" | "SKIPPED" | "FAILED";

export interface ImportEvent {
  readonly lineNumber: number;
  readonly outcome: ImportOutcome;
  readonly message: string;
}

/** A position in a pool's jobs, newest first (ListUserImportJobs' PaginationToken). */
export interface ImportJobCursor {
  readonly createdAt: number;
  readonly jobId: string;
}

const schema = `
CREATE TABLE IF NOT EXISTS user_import_jobs (
  job_id TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  created_at REAL NOT NULL,
  job TEXT NOT NULL,
  csv BLOB
);
CREATE INDEX IF NOT EXISTS user_import_jobs_by_pool ON user_import_jobs(pool_id, created_at, job_id);
CREATE TABLE IF NOT EXISTS user_import_events (
  job_id TEXT NOT NULL REFERENCES user_import_jobs(job_id) ON DELETE CASCADE,
  line_number INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (job_id, line_number)
);
`;

export function importJobRepository(db: Db) {
  db.exec(schema);
  const insert = db.prepare<[string, string, number, string]>(
    "INSERT INTO user_import_jobs (job_id, pool_id, created_at, job) VALUES (?, ?, ?, ?)",
  );
  const byId = db.prepare<[string], { job: string }>("SELECT job FROM user_import_jobs WHERE job_id = ?");
  const save = db.prepare<[string, string]>("UPDATE user_import_jobs SET job = ? WHERE job_id = ?");
  const setCsv = db.prepare<[Buffer | null, string]>("UPDATE user_import_jobs SET csv = ? WHERE job_id = ?");
  const getCsv = db.prepare<[string], { csv: Buffer | null }>("SELECT csv FROM user_import_jobs WHERE job_id = ?");
  const first = db.prepare<[string, number], { job: string }>(
    "SELECT job FROM user_import_jobs WHERE pool_id = ? ORDER BY created_at DESC, job_id DESC LIMIT ?",
  );
  const after = db.prepare<[string, number, number, string, number], { job: string }>(
    `SELECT job FROM user_import_jobs WHERE pool_id = ? AND (created_at < ? OR (created_at = ? AND job_id < ?))
     ORDER BY created_at DESC, job_id DESC LIMIT ?`,
  );
  const addEvent = db.prepare<[string, number, string, string]>(
    `INSERT INTO user_import_events (job_id, line_number, outcome, message) VALUES (?, ?, ?, ?)
     ON CONFLICT (job_id, line_number) DO UPDATE SET outcome = excluded.outcome, message = excluded.message`,
  );
  const events = db.prepare<[string, number, number], { line_number: number; outcome: ImportOutcome; message: string }>(
    `SELECT line_number, outcome, message FROM user_import_events WHERE job_id = ? AND line_number > ?
     ORDER BY line_number LIMIT ?`,
  );
  const parse = (row: { job: string } | undefined): ImportJob | undefined =>
    row ? (JSON.parse(row.job) as ImportJob) : undefined;
  return {
    insert(job: ImportJob): void {
      insert.run(job.JobId, job.UserPoolId, job.CreationDate, JSON.stringify(job));
    },
    get(jobId: string): ImportJob | undefined {
      return parse(byId.get(jobId));
    },
    save(job: ImportJob): void {
      save.run(JSON.stringify(job), job.JobId);
    },
    /** The uploaded file, replacing an earlier upload; `null` forgets it. */
    putCsv(jobId: string, csv: Buffer | null): void {
      setCsv.run(csv, jobId);
    },
    csvOf(jobId: string): Buffer | null {
      return getCsv.get(jobId)?.csv ?? null;
    },
    /** Up to `limit` jobs of the pool, newest first, after `cursor`. */
    page(poolId: string, cursor: ImportJobCursor | null, limit: number): ImportJob[] {
      const rows = cursor
        ? after.all(poolId, cursor.createdAt, cursor.createdAt, cursor.jobId, limit)
        : first.all(poolId, limit);
      return rows.map((row) => JSON.parse(row.job) as ImportJob);
    },
    addEvent(jobId: string, event: ImportEvent): void {
      addEvent.run(jobId, event.lineNumber, event.outcome, event.message);
    },
    /** Up to `limit` outcomes after line `afterLine`, in line order. */
    events(jobId: string, afterLine: number, limit: number): ImportEvent[] {
      return events.all(jobId, afterLine, limit).map((row) => ({
        lineNumber: row.line_number,
        outcome: row.outcome,
        message: row.message,
      }));
    },
  };
}
