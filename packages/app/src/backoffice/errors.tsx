/**
 * The back office's error pages (403, 404, 429, 500, 503) in its own frame, so a staff member who
 * hits a permission boundary keeps their navigation. Same rules as the site's handler: 5xx text
 * is hidden outside development, a CSRF failure is a 403.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../http-error.ts";
import { errorTitle } from "../pages/errors.tsx";
import { BackofficeLayout } from "./layout.tsx";

const explanations: Readonly<Record<number, string>> = {
  400: "The request could not be used. Go back and try again.",
  403: "You do not have permission to do this, or the form expired. Go back, reload the page and try again.",
  404: "There is nothing at this address. It may have been deleted.",
  429: "Too many requests. Please wait a minute and try again.",
  503: "The service is unavailable for a moment. Please try again in a minute.",
};

export async function backofficeErrorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const candidate = (error as { statusCode?: unknown }).statusCode;
  const status = typeof candidate === "number" && candidate >= 400 && candidate < 600 ? candidate : 500;
  const code = (error as { code?: unknown }).code;
  const shown = typeof code === "string" && code.startsWith("FST_CSRF") ? 403 : status;
  if (shown >= 500) request.log.error({ err: error }, "back-office request failed");
  const detail =
    request.server.config.mode === "development" && shown >= 500 ? (error.stack ?? error.message) : undefined;
  const title = errorTitle(shown);
  // What was wrong with a bad request is for the person to fix; a 503 of ours says what is down.
  const message = error instanceof HttpError && (shown === 400 || shown === 503) ? error.message : undefined;
  return reply.code(shown).page(
    <BackofficeLayout title={title} ctx={reply.viewContext()} staff={request.staff ?? null}>
      <div class="bo-card p-4" data-testid="error-page">
        <div class="text-body-secondary small fw-semibold">Error {shown}</div>
        <h1 class="mt-1">{title}</h1>
        {message && (
          <p class="mb-2 fw-semibold" data-testid="error-message">
            {message}
          </p>
        )}
        <p class="mb-3">
          {explanations[shown] ?? "An unexpected error happened on our side. It has been logged; please try again."}
        </p>
        {detail && <pre class="small bg-light border rounded p-2 overflow-auto">{detail}</pre>}
        <a class="btn btn-sm btn-primary" href="/admin/">
          Back-office home
        </a>
      </div>
    </BackofficeLayout>,
  );
}
