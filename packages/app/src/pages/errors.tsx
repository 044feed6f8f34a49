/** The styled error pages: 403, 404, 429, 500 (never a stack trace outside development). */
import { Layout } from "./layout.tsx";
import type { ViewContext } from "./view.ts";

const texts: Record<number, { title: string; text: string }> = {
  400: { title: "Bad request", text: "The request could not be understood. Please go back and try again." },
  403: {
    title: "Forbidden",
    text: "You do not have permission to see this page, or the form expired. Please go back, reload the page and try again.",
  },
  404: {
    title: "Page not found",
    text: "There is nothing at this address. Check the link, or start again from the home page.",
  },
  405: { title: "Method not allowed", text: "This page cannot be used that way." },
  413: { title: "Too large", text: "What you sent is larger than this site accepts." },
  429: { title: "Too many requests", text: "You have tried this too often. Please wait a minute and try again." },
  500: {
    title: "Something went wrong",
    text: "An unexpected error happened on our side. It has been logged; please try again in a moment.",
  },
  503: { title: "Unavailable", text: "The sign-in service is not answering right now. Please try again in a moment." },
};

export const errorTitle = (status: number): string => (texts[status] ?? texts[500]!).title;

export function ErrorPage({
  ctx,
  status,
  message,
  detail,
}: {
  ctx: ViewContext;
  status: number;
  /** Why this request was refused, when the code that refused it said so. */
  message?: string;
  detail?: string;
}) {
  const { title, text } = texts[status] ?? texts[500]!;
  return (
    <Layout title={title} ctx={ctx}>
      <div class="row justify-content-center">
        <div class="col-lg-7 text-center py-5">
          <div class="error-code mb-3">{status}</div>
          <h1 class="h3">{title}</h1>
          {message && (
            <p class="lead" data-testid="error-message">
              {message}
            </p>
          )}
          <p class="lead text-body-secondary">{text}</p>
          {detail && <pre class="text-start bg-body border rounded p-3 small overflow-auto">{detail}</pre>}
          <a class="btn btn-primary mt-2" href="/">
            Go to the home page
          </a>
        </div>
      </div>
    </Layout>
  );
}
