/**
 * Answers to the second-factor challenges (RespondToAuthChallenge and
 * AdminRespondToAuthChallenge): SOFTWARE_TOKEN_MFA, SMS_MFA and EMAIL_OTP with their codes,
 * SELECT_MFA_TYPE with the factor chosen, and MFA_SETUP once VerifySoftwareToken has verified
 * an authenticator.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 *
 * A wrong code is CodeMismatchException "Invalid code or auth state for the user." (as AWS
 * answers, aws-amplify/amplify-js#3066 and #11069) and counts toward the sign-in lockout like a
 * wrong password; the challenge stays open for another try until its Session expires. A right
 * one spends the Session: answering it again is "session can only be used once". A TOTP code is
 * good once: its time step, and every earlier one, is spent when it is accepted, and a spent
 * one is ExpiredCodeException "Your software token has already been used once." (AWS's answer,
 * which aws-amplify/amplify-swift's TOTP sign-in integration tests wait 30 s to avoid).
 */
import { challengedUser, invalidSession, notAuthorizedSessionUsed, pendingChallenge } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, messages, notAuthorized } from "../errors.ts";
import { codeParameter, factorChallenge, isDeliveredCode, mfaFactors, type CodeChallenge } from "../mfa.ts";
import type { User } from "../model.ts";
import { assertNotLockedOut, prepareSession, recordWrongPassword, type AuthResponse } from "../signin.ts";
import type { PendingChallenge } from "../store/challenges.ts";
import type { UserChanges } from "../store/users.ts";
import { totpStepOf } from "../totp.ts";
import { optionalParameter, requireParameter } from "./auth.ts";
import type { Answer } from "./challenges.ts";
import { assertSecretHash } from "./common.ts";

export const codeMismatch = "Invalid code or auth state for the user.";
export const totpCodeUsed = "Your software token has already been used once.";

/** The open challenge and its user, once the answer names them (USERNAME, SECRET_HASH) correctly. */
export function answeringUser(ctx: Context, answer: Answer): { pending: PendingChallenge; user: User } {
  const pending = pendingChallenge(ctx, answer, answer.session);
  const name = requireParameter(answer.responses, "USERNAME");
  assertSecretHash(answer.client, name, optionalParameter(answer.responses, "SECRET_HASH"));
  const user = challengedUser(ctx, answer.pool, pending, name);
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  return { pending, user };
}

/**
 * Ends a challenged sign-in: signs the tokens, then in one transaction spends the Session,
 * applies `changes(user)` (re-read, since signing took time), clears the failed attempts and
 * stores the new session.
 */
export async function completeSignIn(
  ctx: Context,
  answer: Answer,
  pending: PendingChallenge,
  user: User,
  changes: (current: User) => UserChanges,
): Promise<AuthResponse> {
  const { pool, client } = answer;
  const { row, response } = await prepareSession(ctx, pool, client, { ...user, ...changes(user) });
  ctx.store.transaction(() => {
    if (!ctx.store.challenges.spend(pending.session, answer.name)) throw notAuthorizedSessionUsed();
    const current = ctx.store.users.get(pool.id, user.usernameKey);
    if (!current) throw invalidSession();
    ctx.store.users.update(current, changes(current), ctx.clock.now());
    ctx.store.sessions.clearFailures(pool.id, user.usernameKey);
    ctx.store.sessions.insert(row);
  });
  return response;
}

const wrongCode = (ctx: Context, user: User): CognitoError => {
  recordWrongPassword(ctx, user);
  return new CognitoError("CodeMismatchException", codeMismatch);
};

/** A right code of a spent step: counted like a wrong one, since it proves nothing new. */
const usedCode = (ctx: Context, user: User): CognitoError => {
  recordWrongPassword(ctx, user);
  return new CognitoError("ExpiredCodeException", totpCodeUsed);
};

/**
 * SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP and SMS_OTP: the code from the authenticator, the SMS or
 * the email. EMAIL_OTP and SMS_OTP are also USER_AUTH's passwordless first factors; either way a
 * right code ends the sign-in.
 */
export async function answerMfaCode(ctx: Context, answer: Answer, factor: CodeChallenge): Promise<AuthResponse> {
  const { pending, user } = answeringUser(ctx, answer);
  const code = requireParameter(answer.responses, codeParameter[factor]);
  assertNotLockedOut(ctx, user);
  if (factor !== "SOFTWARE_TOKEN_MFA") {
    if (!isDeliveredCode(pending.session, pending.state, code)) throw wrongCode(ctx, user);
    // SMS MFA may go to a phone number nobody verified; receiving the code verifies it
    // (developer guide, "SMS message MFA").
    const verifiesPhone = factor === "SMS_MFA" && user.attributes.phone_number_verified !== "true";
    return completeSignIn(ctx, answer, pending, user, (current) =>
      verifiesPhone ? { attributes: { ...current.attributes, phone_number_verified: "true" } } : {},
    );
  }
  const secret = user.mfa.totpSecret;
  const step = secret === undefined ? null : totpStepOf(secret, code, ctx.clock.now());
  if (step === null) throw wrongCode(ctx, user);
  const spent = (current: User): boolean => step <= (current.mfa.totpLastStep ?? -1);
  if (spent(user)) throw usedCode(ctx, user);
  return completeSignIn(ctx, answer, pending, user, (current) => {
    // Another sign-in may have used the same code while the tokens were being signed.
    if (spent(current)) throw new CognitoError("ExpiredCodeException", totpCodeUsed);
    return { mfa: { ...current.mfa, totpLastStep: step } };
  });
}

/**
 * SELECT_MFA_TYPE: ANSWER is one of MFAS_CAN_CHOOSE, and the sign-in goes on to that factor's
 * challenge with a new Session. The API reference's example names email MFA "EMAIL_MFA" where
 * the challenge lists EMAIL_OTP; both are taken.
 */
export function answerSelectMfaType(ctx: Context, answer: Answer): AuthResponse {
  const { pending, user } = answeringUser(ctx, answer);
  const chosen = requireParameter(answer.responses, "ANSWER");
  const factor = chosen === "EMAIL_MFA" ? "EMAIL_OTP" : chosen;
  const choices = JSON.parse(pending.state.choices ?? "[]") as unknown[];
  const offered = mfaFactors.find((f) => f === factor && choices.includes(f));
  if (!offered) throw invalidParameter(`Invalid ANSWER: ${chosen} is not one of MFAS_CAN_CHOOSE.`);
  if (!ctx.store.challenges.spend(pending.session, answer.name)) throw notAuthorizedSessionUsed();
  return factorChallenge(ctx, answer.pool, answer.client, user, offered);
}

/**
 * MFA_SETUP: completes a sign-in whose authenticator VerifySoftwareToken has just verified (the
 * Session it returned). The Session of the challenge itself, or AssociateSoftwareToken's, has
 * not proven a factor yet and is refused.
 */
export function answerMfaSetup(ctx: Context, answer: Answer): Promise<AuthResponse> {
  const { pending, user } = answeringUser(ctx, answer);
  if (pending.state.verified !== "true") throw invalidSession();
  return completeSignIn(ctx, answer, pending, user, () => ({}));
}
