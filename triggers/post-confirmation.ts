/**
 * The pool's PostConfirmation trigger: tells the app that someone confirmed their account, so
 * that their row in the app's database exists from confirmation on (issue 11). It POSTs a
 * signed JSON body to the app's `/hooks/cognito/post-confirmation` (contract in README.md),
 * retrying with backoff within the time the function has left. Deploy it as a Lambda function;
 * the emulator runs this same file in development.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-confirmation.html
 *
 * Environment: GATEHOUSE_WEBHOOK_URL (the route's full URL) and GATEHOUSE_WEBHOOK_SECRET (the
 * app's secret of the same name). Without them the trigger does nothing but say so in its log.
 *
 * A failure after the last try is logged and the confirmation goes on: Cognito keeps the user
 * confirmed whatever the trigger answers, and an error would only tell the person a confirmed
 * account had failed. `npm run sync-users` brings the missing row.
 */
import { createHmac } from "node:crypto";

export interface PostConfirmationEvent {
  readonly userName: string;
  readonly triggerSource: string;
  readonly request: { readonly userAttributes: Readonly<Record<string, string>> };
  readonly response: Record<string, unknown>;
}

/** The part of Lambda's context this trigger reads. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the X-Gatehouse-Signature header. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/** The webhook's body: who confirmed, and through which flow. */
export function webhookBody(event: PostConfirmationEvent): string {
  const attributes = event.request.userAttributes;
  return JSON.stringify({
    sub: attributes.sub,
    username: event.userName,
    email: attributes.email ?? "",
    emailVerified: attributes.email_verified === "true",
    triggerSource: event.triggerSource,
  });
}

/** Tries at most this many times; waits 250 ms, 500 ms, 1 s between them. */
const maxAttempts = 4;
const firstBackoffMs = 250;
const attemptTimeoutMs = 1500;
/** Left unused at the end, so the function answers Cognito before its own deadline. */
const reserveMs = 300;

/** An answer that retrying cannot change (a bad signature, a refused body, a conflict). */
const isPermanent = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 429;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers `body`; true when the app took it. Every try is signed afresh. */
export async function deliver(url: string, secret: string, body: string, remaining: () => number): Promise<boolean> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const budget = Math.min(attemptTimeoutMs, remaining() - reserveMs);
    if (budget <= 0) break;
    let failure: string;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-gatehouse-signature": signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(budget),
      });
      if (response.ok) return true;
      failure = `HTTP ${response.status}`;
      if (isPermanent(response.status)) {
        console.error(`post-confirmation webhook refused (${failure}); not retried`);
        return false;
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    const wait = firstBackoffMs * 2 ** (attempt - 1);
    console.warn(`post-confirmation webhook try ${attempt} failed (${failure})`);
    if (attempt === maxAttempts || remaining() - reserveMs < wait + 100) break;
    await sleep(wait);
  }
  console.error("post-confirmation webhook failed on every try; npm run sync-users will bring the row");
  return false;
}

export const handler = async (
  event: PostConfirmationEvent,
  context?: RemainingTime,
): Promise<PostConfirmationEvent> => {
  const url = process.env.GATEHOUSE_WEBHOOK_URL;
  const secret = process.env.GATEHOUSE_WEBHOOK_SECRET;
  if (!url || !secret) {
    console.warn(
      "post-confirmation: GATEHOUSE_WEBHOOK_URL or GATEHOUSE_WEBHOOK_SECRET is not set; the app is not told",
    );
    return event;
  }
  // Cognito gives a trigger 5 s; a direct call (a test) without a context gets the same.
  const deadline = Date.now() + 5000;
  const remaining = () => context?.getRemainingTimeInMillis() ?? deadline - Date.now();
  await deliver(url, secret, webhookBody(event), remaining);
  return event;
};
