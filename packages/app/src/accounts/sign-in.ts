/**
 * How a sign-in goes on after each answer from Cognito, whichever page asked (the password,
 * a new password, a code, a choice of factor, setting up an authenticator, an emailed code
 * instead of a password): a challenge is kept in the session and its page is next; tokens are
 * checked against what the person typed, the local user is created or refreshed, and the
 * session starts.
 */
import type { FastifyRequest } from "fastify";
import type { ChallengeStep, CognitoTokens } from "../plugins/session-types.ts";
import { profileFromIdToken, type SignInOutcome } from "./cognito.ts";
import { isEmailFormat } from "./forms.ts";
import type { MessageCode } from "./messages.ts";
import { flash, startSession } from "./session-auth.ts";
import { AccountConflictError, type CognitoProfile } from "./users.ts";

/**
 * Whether Cognito reached the account named by a login typed as an email address through a
 * username that is that address, rather than through the account's verified email (the alias).
 * AWS refuses such usernames in pools with the email alias, the pool this app documents; a pool
 * without it accepts them and resolves the typed address as a username, so that anyone could
 * register another person's address as a username and be reached by it (issue 14). The app
 * never trusts that resolution.
 */
export const reachedByUsername = (login: string, username: string): boolean =>
  isEmailFormat(login) && username.toLowerCase() === login.toLowerCase();

/** Whether an email-shaped `login` reached `profile` only through its verified email. */
export const reachedByVerifiedEmail = (login: string, profile: CognitoProfile): boolean =>
  !isEmailFormat(login) ||
  (!reachedByUsername(login, profile.username) &&
    profile.emailVerified &&
    profile.email.toLowerCase() === login.toLowerCase());

/** Revokes tokens we will not use; a failure is logged, the refusal stands either way. */
export async function revokeTokens(request: FastifyRequest, tokens: CognitoTokens, why: string): Promise<void> {
  try {
    await request.server.cognitoGateway.revokeRefreshToken(tokens.refreshToken);
  } catch (error) {
    request.log.warn({ err: error }, `could not revoke the tokens of ${why}`);
  }
}

export type SignInResult = "signed-in" | "inactive" | "conflict";

/**
 * The end of every successful sign-in: the local user is created or refreshed from the ID
 * token, an inactive one is refused (Django's backend rejects `is_active=False`; the tokens just
 * issued are revoked), and the session gets a new id holding the tokens.
 */
export async function completeSignIn(request: FastifyRequest, tokens: CognitoTokens): Promise<SignInResult> {
  const { users } = request.server;
  const revoke = (why: string) => revokeTokens(request, tokens, why);
  let user;
  try {
    user = await users.syncFromCognito(profileFromIdToken(tokens.idToken), { login: true });
  } catch (error) {
    if (!(error instanceof AccountConflictError)) throw error;
    await revoke("a conflicting account");
    request.log.warn({ username: error.username }, "sign-in refused: the username belongs to another local account");
    return "conflict";
  }
  if (!user.isActive) {
    await revoke("an inactive user");
    request.log.info({ userId: user.id }, "sign-in refused: the local user is inactive");
    return "inactive";
  }
  await startSession(request, user, tokens);
  flash(request, "success", "SIGNED_IN", { username: user.username });
  return "signed-in";
}

/** The page that asks for the answer to each challenge. */
export const challengePath: Readonly<Record<ChallengeStep["name"], string>> = {
  NEW_PASSWORD_REQUIRED: "/new-password",
  SOFTWARE_TOKEN_MFA: "/login/code",
  EMAIL_OTP: "/login/code",
  SMS_MFA: "/login/code",
  SELECT_MFA_TYPE: "/login/choose",
  MFA_SETUP: "/login/setup",
};

export type SignInStep =
  | { readonly kind: "redirect"; readonly to: string }
  | { readonly kind: "refused"; readonly status: number; readonly code: MessageCode };

export interface SignInContext {
  /** What the person typed to sign in. */
  readonly login: string;
  /** Where they go once signed in (already checked by safeNext). */
  readonly next: string;
  readonly passwordless?: boolean;
}

/** Where a sign-in goes after Cognito's `outcome`. */
export async function continueSignIn(
  request: FastifyRequest,
  outcome: SignInOutcome,
  { login, next, passwordless = false }: SignInContext,
): Promise<SignInStep> {
  const refused = (status: number, code: MessageCode): SignInStep => ({ kind: "refused", status, code });
  if (outcome.kind === "challenge") {
    if (outcome.step.name === "NEW_PASSWORD_REQUIRED" && reachedByUsername(login, outcome.username)) {
      request.log.warn("sign-in refused: an email address reached an account by its username, not its email");
      return refused(400, "INCORRECT_CREDENTIALS");
    }
    request.session.set("challenge", {
      ...outcome.step,
      username: outcome.username,
      session: outcome.session,
      next,
      login,
      ...(passwordless ? { passwordless } : {}),
    });
    if (outcome.step.name === "NEW_PASSWORD_REQUIRED") flash(request, "info", "NEW_PASSWORD_NEEDED");
    if (outcome.step.name === "MFA_SETUP") flash(request, "info", "MFA_SETUP_REQUIRED");
    return { kind: "redirect", to: challengePath[outcome.step.name] };
  }
  request.session.set("challenge", undefined);
  if (!reachedByVerifiedEmail(login, profileFromIdToken(outcome.tokens.idToken))) {
    await revokeTokens(request, outcome.tokens, "an account reached by a look-alike username");
    request.log.warn("sign-in refused: an email address reached an account other than by its verified email");
    return refused(400, "INCORRECT_CREDENTIALS");
  }
  const result = await completeSignIn(request, outcome.tokens);
  if (result === "inactive") return refused(403, "USER_DISABLED");
  if (result === "conflict") return refused(409, "ACCOUNT_CONFLICT");
  return { kind: "redirect", to: next };
}
