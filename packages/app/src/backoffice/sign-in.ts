/**
 * The steps of the back office's one sign-in path: the local password (routes/login.tsx), then,
 * when the staff member has an authenticator on — or BACKOFFICE_REQUIRE_MFA asks everyone for
 * one — a code or the set-up of an authenticator (routes/login-mfa.tsx). Between the two the
 * session holds only `backofficePending` (no `userId`, no `backofficeSignIn`), for five minutes,
 * so nothing opens on a right password alone. The lockout's count for the name that was typed
 * is cleared only when the whole sign-in succeeds: a right password followed by wrong codes
 * counts like wrong passwords, so knowing the password buys no extra guesses at the code.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { User } from "../accounts/users.ts";
import type { StaffTotp } from "./staff-totp.ts";

/** A sign-in whose password was right, waiting on its second step. */
export interface PendingBackofficeSignIn {
  readonly userId: string;
  /** The name as typed at the password step: the lockout counts it. */
  readonly lockKey: string;
  readonly next: string;
  /** Epoch ms of the right password. */
  readonly at: number;
  readonly step: SecondStep;
}

/** "verify": a code from the authenticator that is on; "setup": set one up first (required). */
export type SecondStep = "verify" | "setup";

declare module "../plugins/session-types.ts" {
  interface SessionData {
    /** Set by the password step when a second step follows; see backoffice/sign-in.ts. */
    backofficePending?: PendingBackofficeSignIn;
  }
}

export const pendingSignInTtlMs = 5 * 60_000;

export const secondStepUrls: Readonly<Record<SecondStep, string>> = {
  verify: "/admin/login/verify",
  setup: "/admin/login/setup",
};

/**
 * What follows a right password for `user`: a code when an authenticator is on (or one this
 * server can no longer read, which must not quietly become "no second factor"), the set-up
 * when the setting requires one, else nothing.
 */
export async function secondStepFor(totp: StaffTotp, user: User, requireMfa: boolean): Promise<SecondStep | null> {
  const status = await totp.status(user.id);
  if (status.kind === "on" || (status.kind === "unreadable" && status.confirmed)) return "verify";
  return requireMfa ? "setup" : null;
}

/** The waiting sign-in, or null when there is none or it is older than five minutes. */
export function pendingSignIn(request: FastifyRequest, now = Date.now()): PendingBackofficeSignIn | null {
  const pending = request.session.get("backofficePending");
  if (!pending) return null;
  if (now - pending.at > pendingSignInTtlMs) {
    request.session.set("backofficePending", undefined);
    return null;
  }
  return pending;
}

/**
 * Ends the password step of `user`: a new session (new id, so a fixed pre-login id is worthless)
 * holding only the waiting sign-in.
 */
export async function awaitSecondStep(
  request: FastifyRequest,
  user: User,
  lockKey: string,
  next: string,
  step: SecondStep,
): Promise<string> {
  await request.session.regenerate();
  request.session.set("backofficePending", { userId: user.id, lockKey, next, at: Date.now(), step });
  return secondStepUrls[step];
}

/** A new session for `user`, opened to the back office, and their last login noted. */
export async function completeLogin(app: FastifyInstance, request: FastifyRequest, user: User): Promise<void> {
  await app.database.db
    .updateTable("users")
    .set({ last_login: new Date().toISOString() })
    .where("id", "=", user.id)
    .execute();
  await request.session.regenerate();
  request.session.set("userId", user.id);
  request.session.set("backofficeSignIn", { at: Date.now() });
  request.user = user;
  request.log.info({ userId: user.id }, "back-office sign-in");
}
