/**
 * The `Session` of a sign-in between its challenges: opened when Cognito answers with a
 * challenge, good for AuthSessionValidity minutes (3–15, default 3), and answered once.
 *
 * Messages are Cognito's: a Session past its validity is "Invalid session for the user, session
 * is expired."; one already answered, "Invalid session for the user, session can only be used
 * once." (as reported against AWS in aws-amplify/amplify-js#13123); anything else, "Invalid
 * session for the user.".
 */
import type { Context } from "./context.ts";
import { messages, notAuthorized, type CognitoError } from "./errors.ts";
import { newOpaque } from "./ids.ts";
import type { Client, Pool, User } from "./model.ts";
import { findUser } from "./operations/common.ts";
import { spentChallenge, type PendingChallenge } from "./store/challenges.ts";

export const sessionExpired = "Invalid session for the user, session is expired.";
export const sessionUsed = "Invalid session for the user, session can only be used once.";

export const invalidSession = (): CognitoError => notAuthorized(messages.invalidSession);
export const notAuthorizedSessionUsed = (): CognitoError => notAuthorized(sessionUsed);

/**
 * Expired challenges are kept a day before they are purged, so that answering one late gets
 * Cognito's "session is expired" rather than a plain "Invalid session".
 */
const expiredChallengeRetentionMs = 86_400_000;

/**
 * Stores a pending challenge and returns its key: the opaque Session string the client answers
 * with, or `key` when the challenge is identified otherwise (PASSWORD_VERIFIER: the SECRET_BLOCK).
 */
export function openChallenge(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  challenge: string,
  state: Record<string, string> = {},
  key: string = newOpaque(96),
): string {
  const now = ctx.clock.now();
  ctx.store.challenges.purgeExpired(now - expiredChallengeRetentionMs);
  ctx.store.challenges.insert({
    session: key,
    poolId: pool.id,
    clientId: client.id,
    usernameKey: user.usernameKey,
    challenge,
    state,
    // AuthSessionValidity is in minutes (3–15, default 3).
    expiresAt: now + client.config.AuthSessionValidity * 60_000,
  });
  return key;
}

/** What a challenge answer is checked against: the pool and client it came through, and its name. */
export interface ChallengeTarget {
  readonly pool: Pool;
  readonly client: Client;
  readonly name: string;
}

/** The challenge `key` names, if it is open for this client and challenge; else Cognito's refusal. */
export function pendingChallenge(ctx: Context, target: ChallengeTarget, key: string | undefined): PendingChallenge {
  const pending = key === undefined ? undefined : ctx.store.challenges.get(key);
  if (!pending || pending.poolId !== target.pool.id || pending.clientId !== target.client.id) throw invalidSession();
  if (pending.challenge === spentChallenge) throw notAuthorizedSessionUsed();
  if (pending.challenge !== target.name) throw invalidSession();
  if (pending.expiresAt <= ctx.clock.now()) throw notAuthorized(sessionExpired);
  return pending;
}

/** The challenged user, who must also be the one the answer's USERNAME names. */
export function challengedUser(ctx: Context, pool: Pool, pending: PendingChallenge, name: string): User {
  const user = ctx.store.users.get(pool.id, pending.usernameKey);
  if (!user) throw invalidSession();
  if (findUser(ctx, pool, name)?.usernameKey !== user.usernameKey) throw notAuthorized(messages.incorrectCredentials);
  return user;
}
