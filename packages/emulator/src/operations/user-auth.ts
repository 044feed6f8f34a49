/**
 * Choice-based sign-in, the USER_AUTH flow of InitiateAuth and AdminInitiateAuth: the user
 * starts with one of the first factors the pool allows (SignInPolicy.AllowedFirstAuthFactors,
 * PASSWORD when unset) — a password, sent plainly or through SRP, or a one-time code sent by
 * email or SMS — named in PREFERRED_CHALLENGE, or chosen from SELECT_CHALLENGE's
 * AvailableChallenges.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flows-selection-sdk.html
 *
 * SELECT_CHALLENGE is answered with ANSWER and what that method needs (PASSWORD, SRP_A, or
 * nothing for a code), or by answering PASSWORD / PASSWORD_SRP directly with its Session
 * (RespondToAuthChallenge's reference lists both forms). A password goes on as any password
 * sign-in does, to a second factor where one is due; a one-time code is the whole sign-in, and
 * is offered only where MFA is not required, to a verified email address or phone number.
 */
import { challengedUser, notAuthorizedSessionUsed, openChallenge, pendingChallenge } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import { deliveredCodeChallenge } from "../mfa.ts";
import type { Client, Pool, User } from "../model.ts";
import { assertNotLockedOut, passwordSignIn, srpChallenge, userForSignIn, type AuthResponse } from "../signin.ts";
import { isValidA } from "../srp.ts";
import { optionalParameter, requireParameter } from "./auth.ts";
import type { Answer } from "./challenges.ts";
import { assertCanSignIn, assertSecretHash } from "./common.ts";

type FirstChallenge = "PASSWORD" | "PASSWORD_SRP" | "EMAIL_OTP" | "SMS_OTP";

/** The first factors `user` can start a USER_AUTH sign-in with, as AvailableChallenges lists them. */
export function availableChallenges(pool: Pool, user: User): FirstChallenge[] {
  const allowed = pool.config.Policies.SignInPolicy?.AllowedFirstAuthFactors ?? ["PASSWORD"];
  const passwordless = pool.config.MfaConfiguration !== "ON";
  const out: FirstChallenge[] = [];
  if (allowed.includes("PASSWORD") && user.passwordHash !== null) out.push("PASSWORD", "PASSWORD_SRP");
  if (passwordless && allowed.includes("EMAIL_OTP") && user.attributes.email_verified === "true") out.push("EMAIL_OTP");
  if (passwordless && allowed.includes("SMS_OTP") && user.attributes.phone_number_verified === "true") {
    out.push("SMS_OTP");
  }
  return out;
}

/** Starts the chosen method: a password check, SRP's PASSWORD_VERIFIER, or a code sent. */
function startMethod(
  ctx: Context,
  target: { pool: Pool; client: Client },
  user: User,
  method: FirstChallenge,
  parameters: Readonly<Record<string, unknown>>,
): Promise<AuthResponse> | AuthResponse {
  const { pool, client } = target;
  switch (method) {
    case "PASSWORD":
      return passwordSignIn(ctx, pool, client, user, requireParameter(parameters, "PASSWORD"));
    case "PASSWORD_SRP": {
      const srpA = requireParameter(parameters, "SRP_A");
      if (!isValidA(srpA)) throw invalidParameter("SRP_A is not a valid SRP value.");
      return srpChallenge(ctx, pool, client, user.username, srpA);
    }
    case "EMAIL_OTP":
    case "SMS_OTP":
      assertCanSignIn(user);
      assertNotLockedOut(ctx, user);
      return deliveredCodeChallenge(ctx, pool, client, user, method);
  }
}

/** InitiateAuth / AdminInitiateAuth with AuthFlow USER_AUTH. */
export function userAuthFlow(
  ctx: Context,
  pool: Pool,
  client: Client,
  parameters: Readonly<Record<string, unknown>>,
): Promise<AuthResponse> | AuthResponse {
  const name = requireParameter(parameters, "USERNAME");
  assertSecretHash(client, name, optionalParameter(parameters, "SECRET_HASH"));
  const user = userForSignIn(ctx, pool, client, name);
  const available = availableChallenges(pool, user);
  const preferred = available.find((c) => c === optionalParameter(parameters, "PREFERRED_CHALLENGE"));
  if (preferred) return startMethod(ctx, { pool, client }, user, preferred, parameters);
  return {
    ChallengeName: "SELECT_CHALLENGE",
    Session: openChallenge(ctx, pool, client, user, "SELECT_CHALLENGE", { choices: JSON.stringify(available) }),
    ChallengeParameters: {},
    AvailableChallenges: available,
  };
}

/** SELECT_CHALLENGE's answer (ANSWER names the method), or PASSWORD / PASSWORD_SRP answered directly. */
export async function answerSelectChallenge(ctx: Context, answer: Answer): Promise<AuthResponse> {
  const pending = pendingChallenge(ctx, { ...answer, name: "SELECT_CHALLENGE" }, answer.session);
  const name = requireParameter(answer.responses, "USERNAME");
  assertSecretHash(answer.client, name, optionalParameter(answer.responses, "SECRET_HASH"));
  const user = challengedUser(ctx, answer.pool, pending, name);
  const chosen = answer.name === "SELECT_CHALLENGE" ? requireParameter(answer.responses, "ANSWER") : answer.name;
  const choices = JSON.parse(pending.state.choices ?? "[]") as unknown[];
  const method = (["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"] as const).find(
    (c) => c === chosen && choices.includes(c),
  );
  if (!method) throw invalidParameter(`Invalid ANSWER: ${chosen} is not one of the AvailableChallenges.`);
  // What the method needs is checked before the Session is spent, so a missing one can be sent.
  if (method === "PASSWORD") requireParameter(answer.responses, "PASSWORD");
  if (method === "PASSWORD_SRP") requireParameter(answer.responses, "SRP_A");
  if (!ctx.store.challenges.spend(pending.session, "SELECT_CHALLENGE")) throw notAuthorizedSessionUsed();
  return startMethod(ctx, answer, user, method, answer.responses);
}
