/**
 * User import from a CSV file: GetCSVHeader, CreateUserImportJob, DescribeUserImportJob,
 * ListUserImportJobs, StartUserImportJob, StopUserImportJob.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html
 *
 * The job's PreSignedUrl is the emulator's own upload route (import-upload.ts) rather than S3;
 * it takes the file as S3 would (`curl -T users.csv -H "x-amz-server-side-encryption:aws:kms"
 * "<PreSignedUrl>"`). Starting runs the job in the background (import-runner.ts). A job that
 * cannot be started or stopped in its status is PreconditionNotMetException, the exception both
 * operations declare for it; the messages are the emulator's wording. Jobs are listed "from last
 * created to first created" (developer guide).
 */
import type { Context } from "../context.ts";
import { CognitoError } from "../errors.ts";
import { newImportJobId, newOpaque } from "../ids.ts";
import { csvHeaderOf } from "../import-rows.ts";
import { currentJob, finishJob, keepRunning } from "../import-runner.ts";
import type { Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import type { ImportJob, ImportJobCursor } from "../store/import-jobs.ts";
import { epochSeconds, paginationToken, requirePool, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, pageOf } from "./pagination.ts";

const jobId = shape.string({ required: true, min: 1, max: 55, pattern: "import-[0-9a-zA-Z-]+" });
const jobRequest = shape.structure({ UserPoolId: userPoolId, JobId: jobId });

/** UserImportJobType as AWS returns it. */
function describeJob({ uploadToken: _token, rowsDone: _rows, ...job }: ImportJob) {
  return {
    ...job,
    CreationDate: epochSeconds(job.CreationDate),
    ...(job.StartDate === undefined ? {} : { StartDate: epochSeconds(job.StartDate) }),
    ...(job.CompletionDate === undefined ? {} : { CompletionDate: epochSeconds(job.CompletionDate) }),
  };
}

function requireJob(ctx: Context, pool: Pool, id: string): ImportJob {
  const job = ctx.store.importJobs.get(id);
  if (!job || job.UserPoolId !== pool.id) {
    throw new CognitoError("ResourceNotFoundException", `Import job ${id} does not exist.`);
  }
  return currentJob(ctx, job);
}

const preconditionNotMet = (message: string): CognitoError => new CognitoError("PreconditionNotMetException", message);

const isCursor = (value: unknown): value is ImportJobCursor =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { createdAt?: unknown }).createdAt === "number" &&
  typeof (value as { jobId?: unknown }).jobId === "string";

export const importJobOperations = {
  GetCSVHeader: defineOperation(shape.structure({ UserPoolId: userPoolId }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return { UserPoolId: pool.id, CSVHeader: csvHeaderOf(pool) };
  }),

  CreateUserImportJob: defineOperation(
    shape.structure({
      JobName: shape.string({ required: true, min: 1, max: 128, pattern: String.raw`[\w\s+=,.@-]+` }),
      UserPoolId: userPoolId,
      CloudWatchLogsRoleArn: shape.string({
        required: true,
        min: 20,
        max: 2048,
        pattern: String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`,
      }),
      PasswordHashingAlgorithm: shape.string({ enum: ["BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256"] }),
    }),
    (ctx, request, meta) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const id = newImportJobId();
      const uploadToken = newOpaque();
      // Called in-process there is no address the caller reached the emulator at: the URL is then
      // the path alone, to be put after the emulator's URL.
      const job: ImportJob = {
        JobName: request.JobName,
        JobId: id,
        UserPoolId: pool.id,
        PreSignedUrl: `${meta.origin ?? ""}/_import/${id}?token=${uploadToken}`,
        CreationDate: ctx.clock.now(),
        Status: "Created",
        CloudWatchLogsRoleArn: request.CloudWatchLogsRoleArn,
        ImportedUsers: 0,
        SkippedUsers: 0,
        FailedUsers: 0,
        ...(request.PasswordHashingAlgorithm === undefined
          ? {}
          : { PasswordHashingAlgorithm: request.PasswordHashingAlgorithm }),
        uploadToken,
        rowsDone: 0,
      };
      ctx.store.importJobs.insert(job);
      return { UserImportJob: describeJob(job) };
    },
  ),

  DescribeUserImportJob: defineOperation(jobRequest, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return { UserImportJob: describeJob(requireJob(ctx, pool, request.JobId)) };
  }),

  ListUserImportJobs: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      MaxResults: shape.integer({ required: true, min: 1, max: 60 }),
      PaginationToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const cursor = request.PaginationToken ? decodeToken(request.PaginationToken, isCursor) : null;
      const { shown, more } = pageOf(
        ctx.store.importJobs.page(pool.id, cursor, request.MaxResults + 1),
        request.MaxResults,
        (job) => ({ createdAt: job.CreationDate, jobId: job.JobId }),
        "PaginationToken",
      );
      return { UserImportJobs: shown.map((job) => describeJob(currentJob(ctx, job))), ...more };
    },
  ),

  StartUserImportJob: defineOperation(jobRequest, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    const started = ctx.store.transaction(() => {
      const job = requireJob(ctx, pool, request.JobId);
      if (job.Status !== "Created") {
        throw preconditionNotMet(`Import job ${job.JobId} is ${job.Status} and cannot be started.`);
      }
      // "If the user pool has no auto-verified attributes, the import job will not start."
      if ((pool.config.AutoVerifiedAttributes ?? []).length === 0) {
        throw preconditionNotMet(`User pool ${pool.id} has no auto-verified attributes.`);
      }
      const pending: ImportJob = { ...job, Status: "Pending", StartDate: ctx.clock.now() };
      ctx.store.importJobs.save(pending);
      return pending;
    });
    keepRunning(ctx, started);
    return { UserImportJob: describeJob(started) };
  }),

  StopUserImportJob: defineOperation(jobRequest, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return ctx.store.transaction(() => {
      const job = requireJob(ctx, pool, request.JobId);
      if (job.Status !== "Pending" && job.Status !== "InProgress") {
        throw preconditionNotMet(`Import job ${job.JobId} is ${job.Status} and cannot be stopped.`);
      }
      // Batches run in transactions, so nothing is half-imported: the job is Stopped at once
      // (AWS's example answers Stopped too), and its runner sees that before the next batch.
      const stopped = finishJob(ctx, job, "Stopped", "The Import Job was stopped by the developer.");
      return { UserImportJob: describeJob(stopped) };
    });
  }),
};
