/**
 * Where a user import job's PreSignedUrl points: `PUT /_import/<jobId>?token=…` takes the CSV
 * file as S3 takes it at AWS's pre-signed URL, and `GET /_import/<jobId>/log` gives the job's
 * outcome per row, which AWS writes to CloudWatch Logs (no user data, line numbers only).
 *
 * As at S3, the answers are XML (`<Error><Code>…</Code><Message>…</Message></Error>`):
 * - the URL's token missing or wrong, or an unknown job: 403 AccessDenied;
 * - no `x-amz-server-side-encryption: aws:kms` header: 403 SignatureDoesNotMatch, since AWS
 *   signs the URL with that header (`X-Amz-SignedHeaders=host;x-amz-server-side-encryption`)
 *   and the developer guide's curl command sends it;
 * - more than 15 minutes after the job was created: 403 AccessDenied "Request has expired"
 *   ("The PRE_SIGNED_URL returned in the response is valid for 15 minutes");
 * - a job no longer Created: 403 AccessDenied — the emulator's rule, so a file cannot change
 *   under a started job;
 * - a body over the 100 MB the guide allows: 400 EntityTooLarge.
 * A good upload is 200 with the file's MD5 as ETag; uploading again replaces the file.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-creating-import-job.html
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { Context } from "./context.ts";
import { maxCsvBytes } from "./import-csv.ts";
import { currentJob } from "./import-runner.ts";
import { discardBody } from "./server.ts";
import type { ImportJob } from "./store/import-jobs.ts";

const urlLifetimeMs = 15 * 60 * 1000;
const maxLogPage = 1000;

const xmlEscape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function s3Error(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .type("application/xml")
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
        `<RequestId>${randomUUID()}</RequestId></Error>`,
    );
}

function tokenMatches(job: ImportJob, token: unknown): boolean {
  if (typeof token !== "string") return false;
  const expected = Buffer.from(job.uploadToken);
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface UploadRequest {
  Params: { jobId: string };
  Querystring: { token?: string };
}

export function importUploadRoutes(ctx: Context) {
  return async (app: FastifyInstance): Promise<void> => {
    // This context reads bodies as bytes, whatever their type, up to the import's limit.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: maxCsvBytes }, (_request, body, done) => {
      done(null, body);
    });
    app.setErrorHandler(async (error: unknown, request, reply) => {
      if ((error as { code?: unknown }).code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        if (await discardBody(request.raw, maxCsvBytes)) reply.removeHeader("connection");
        return s3Error(reply, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
      }
      console.error(error);
      return s3Error(reply, 500, "InternalError", "We encountered an internal error. Please try again.");
    });

    app.put<UploadRequest>("/_import/:jobId", { bodyLimit: maxCsvBytes }, async (request, reply) => {
      const stored = ctx.store.importJobs.get(request.params.jobId);
      if (!stored || !tokenMatches(stored, request.query.token)) {
        return s3Error(reply, 403, "AccessDenied", "Access Denied");
      }
      if (request.headers["x-amz-server-side-encryption"] !== "aws:kms") {
        return s3Error(
          reply,
          403,
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        );
      }
      if (ctx.clock.now() - stored.CreationDate > urlLifetimeMs) {
        return s3Error(reply, 403, "AccessDenied", "Request has expired");
      }
      const job = currentJob(ctx, stored);
      if (job.Status !== "Created") {
        return s3Error(
          reply,
          403,
          "AccessDenied",
          `Import job ${job.JobId} is ${job.Status}: it takes no more uploads.`,
        );
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      ctx.store.importJobs.putCsv(job.JobId, body);
      return reply
        .header("etag", `"${createHash("md5").update(body).digest("hex")}"`)
        .code(200)
        .send();
    });

    app.get<{ Params: { jobId: string }; Querystring: { after?: string } }>(
      "/_import/:jobId/log",
      async (request, reply) => {
        const job = ctx.store.importJobs.get(request.params.jobId);
        if (!job) return reply.code(404).send({ message: `Import job ${request.params.jobId} does not exist.` });
        const after = Number(request.query.after ?? "0");
        const events = ctx.store.importJobs.events(job.JobId, Number.isFinite(after) ? after : 0, maxLogPage);
        return { jobId: job.JobId, status: currentJob(ctx, job).Status, events };
      },
    );
  };
}
