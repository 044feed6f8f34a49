/**
 * One-time codes: issued into the outbox, checked with a limited number of wrong tries, expired
 * after the purpose's lifetime (24 h to confirm a sign-up or an attribute, 1 h to reset a
 * password, as Cognito documents).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "./context.ts";
import { CognitoError, messages } from "./errors.ts";
import { newCode } from "./ids.ts";
import type { MessageKind, Pool, User, VerifiableAttribute } from "./model.ts";
import { destinationOf, maskDestination } from "./outbox.ts";
import type { CodePurpose } from "./store/codes.ts";

const hour = 3600_000;
const lifetimes: Record<"SIGN_UP" | "FORGOT_PASSWORD" | "VERIFY", number> = {
  SIGN_UP: 24 * hour,
  FORGOT_PASSWORD: hour,
  VERIFY: 24 * hour,
};
/** Wrong answers allowed before the code is void and LimitExceededException is answered. */
export const maxFailedAttempts = 5;

const lifetimeOf = (purpose: CodePurpose): number =>
  purpose.startsWith("VERIFY:") ? lifetimes.VERIFY : lifetimes[purpose as "SIGN_UP" | "FORGOT_PASSWORD"];

const hashCode = (user: User, purpose: CodePurpose, code: string): string =>
  createHmac("sha256", `${user.poolId}/${user.sub}/${purpose}`).update(code).digest("base64");

/** CodeDeliveryDetailsType, as AWS returns it. */
export interface CodeDeliveryDetails {
  readonly Destination: string;
  readonly DeliveryMedium: "EMAIL" | "SMS";
  readonly AttributeName: string;
}

/**
 * Issues a fresh code (replacing any earlier one of the same purpose) and delivers it.
 * `attribute` picks the destination for VERIFY codes; otherwise email is preferred over phone.
 * Returns null when the user has nowhere to receive it.
 */
export function issueCode(
  ctx: Context,
  pool: Pool,
  user: User,
  purpose: CodePurpose,
  kind: MessageKind,
  attribute: "email" | "phone_number" | null = null,
): CodeDeliveryDetails | null {
  const target = destinationOf(user, attribute);
  if (!target || (attribute !== null && target.attribute !== attribute)) return null;
  const code = newCode();
  ctx.store.codes.put(
    pool.id,
    user.usernameKey,
    purpose,
    hashCode(user, purpose, code),
    ctx.clock.now() + lifetimeOf(purpose),
  );
  ctx.outbox.deliver({
    poolId: pool.id,
    username: user.username,
    destination: target.destination,
    medium: target.medium,
    kind,
    code,
  });
  return {
    Destination: maskDestination(target.destination, target.medium),
    DeliveryMedium: target.medium,
    AttributeName: target.attribute,
  };
}

/**
 * Checks `code` and consumes it on success. A wrong code counts a failed try
 * (CodeMismatchException); past the limit, or with no live code, the answers are
 * LimitExceededException and ExpiredCodeException.
 *
 * Call it outside any transaction that may roll back (a failed try must stay counted), after
 * every other check of the request, and apply the change the code authorises right after it in
 * the same synchronous turn: nothing can run in between.
 */
export function consumeCode(ctx: Context, user: User, purpose: CodePurpose, code: string): void {
  const { codes } = ctx.store;
  const stored = codes.get(user.poolId, user.usernameKey, purpose);
  if (!stored) throw new CognitoError("ExpiredCodeException", messages.codeExpired);
  if (stored.failedAttempts >= maxFailedAttempts) {
    throw new CognitoError("LimitExceededException", messages.attemptLimit);
  }
  if (stored.expiresAt <= ctx.clock.now()) {
    codes.delete(user.poolId, user.usernameKey, purpose);
    throw new CognitoError("ExpiredCodeException", messages.codeExpired);
  }
  const expected = Buffer.from(stored.codeHash, "base64");
  const actual = Buffer.from(hashCode(user, purpose, code), "base64");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    codes.recordFailure(user.poolId, user.usernameKey, purpose);
    throw new CognitoError("CodeMismatchException", messages.codeMismatch);
  }
  codes.delete(user.poolId, user.usernameKey, purpose);
}

/**
 * The CodeDeliveryDetails Cognito answers, with PreventUserExistenceErrors=ENABLED, for a user
 * who does not exist (or cannot receive a code): a "simulated delivery medium … determined by
 * the input user name format and verification settings of the user pool" (Developer Guide,
 * Managing user existence error responses). Nothing is sent. The destination is derived from
 * the name, so asking twice gives the same answer, as it would for a real user.
 */
export function simulatedDelivery(pool: Pool, name: string): CodeDeliveryDetails {
  const digest = createHash("sha256").update(`${pool.id}/${name.toLowerCase()}`).digest();
  const auto: readonly VerifiableAttribute[] = pool.config.AutoVerifiedAttributes ?? [];
  const looksLikePhone = /^\+[0-9]+$/.test(name);
  const sms = looksLikePhone || (!name.includes("@") && auto.includes("phone_number") && !auto.includes("email"));
  if (sms) {
    const digits = looksLikePhone ? name.slice(-4) : String(digest.readUInt16BE(0) % 10000).padStart(4, "0");
    return { Destination: `+*******${digits}`, DeliveryMedium: "SMS", AttributeName: "phone_number" };
  }
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const email = name.includes("@") ? name : `${name}@${letters[digest[0]! % 26]!}.example`;
  return { Destination: maskDestination(email, "EMAIL"), DeliveryMedium: "EMAIL", AttributeName: "email" };
}
