/**
 * Multi-factor authentication: which factors a pool offers, which of them a user can and does
 * use, and the challenge a sign-in answers with once the password is proven.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html
 *
 * - A pool offers SMS_MFA when SmsMfaConfiguration is set, SOFTWARE_TOKEN_MFA when
 *   SoftwareTokenMfaConfiguration is enabled, EMAIL_OTP when it has an EmailMfaConfiguration;
 *   none while MfaConfiguration is OFF.
 * - A user is challenged for the factors they enabled (SetUserMFAPreference, or SMS by the
 *   legacy SetUserSettings) that the pool offers: the preferred one, the only one, or
 *   SELECT_MFA_TYPE to choose between several
 *   (SetUserMFAPreference's reference: "If multiple options are activated and no preference is
 *   set, a challenge to choose an MFA option will be returned during sign-in").
 * - When MFA is ON and the user enabled none, the factors the pool can deliver a code for (a
 *   phone number for SMS, an email address for email) are used as if enabled; with none of
 *   those either, the answer is MFA_SETUP, listing the pool's factors in MFAS_CAN_SETUP.
 *
 * SMS and email codes are written to the outbox as Cognito would send them, and kept (hashed)
 * only in the challenge they belong to, so they live as long as its Session.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { openChallenge } from "./challenge-session.ts";
import type { Context } from "./context.ts";
import { newCode, newOpaque } from "./ids.ts";
import type { Client, MfaFactor, Pool, User } from "./model.ts";
import { maskDestination } from "./outbox.ts";
import type { AuthResponse } from "./signin.ts";

/** Cognito's order of the factors in MFAS_CAN_CHOOSE, MFAS_CAN_SETUP and UserMFASettingList. */
export const mfaFactors: readonly MfaFactor[] = ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"];

/** The factors `pool` offers to its users. */
export function poolFactors(pool: Pool): MfaFactor[] {
  const { config } = pool;
  if (config.MfaConfiguration === "OFF") return [];
  return mfaFactors.filter((factor) => {
    if (factor === "SMS_MFA") return config.SmsMfaConfiguration !== undefined;
    if (factor === "SOFTWARE_TOKEN_MFA") return config.SoftwareTokenMfaConfiguration?.Enabled === true;
    return config.EmailMfaConfiguration !== undefined;
  });
}

/** Whether `user` has what `factor` needs: a verified authenticator, a phone number, an email. */
export function userHasFactor(user: User, factor: MfaFactor): boolean {
  if (factor === "SOFTWARE_TOKEN_MFA") return user.mfa.totpSecret !== undefined;
  if (factor === "SMS_MFA") return Boolean(user.attributes.phone_number);
  return Boolean(user.attributes.email);
}

/** The factors `user` turned on: SetUserMFAPreference's, and SMS by the legacy MFAOptions. */
function enabledFactors(user: User): readonly MfaFactor[] {
  const enabled = user.mfa.enabled ?? [];
  return user.mfa.smsOption === true && !enabled.includes("SMS_MFA") ? [...enabled, "SMS_MFA"] : enabled;
}

/**
 * GetUser's and AdminGetUser's MFAOptions member: the legacy view, which shows only SMS MFA,
 * whichever API turned it on (aws-amplify/amplify-js#1259: SetUserMFAPreference with SMS gives
 * `"MFAOptions":[{"AttributeName":"phone_number","DeliveryMedium":"SMS"}]`).
 */
export function mfaOptionsMember(user: User): { MFAOptions?: { DeliveryMedium: "SMS"; AttributeName: string }[] } {
  return enabledFactors(user).includes("SMS_MFA")
    ? { MFAOptions: [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }] }
    : {};
}

/** The factors a sign-in of `user` will be challenged with, in Cognito's order. */
export function signInFactors(pool: Pool, user: User): MfaFactor[] {
  const offered = poolFactors(pool);
  const usable = (factor: MfaFactor): boolean => offered.includes(factor) && userHasFactor(user, factor);
  const enabled = mfaFactors.filter((factor) => enabledFactors(user).includes(factor) && usable(factor));
  if (enabled.length > 0 || pool.config.MfaConfiguration !== "ON") return enabled;
  return mfaFactors.filter((factor) => factor !== "SOFTWARE_TOKEN_MFA" && usable(factor));
}

/** Whether a sign-in of `user` must prove a second factor (or set one up) after the password. */
export const mfaDue = (pool: Pool, user: User): boolean =>
  signInFactors(pool, user).length > 0 || pool.config.MfaConfiguration === "ON";

/** Challenges answered with a code: the MFA factors', and SMS_OTP (USER_AUTH's first factor). */
export type CodeChallenge = MfaFactor | "SMS_OTP";

/** The challenge-response member that carries the code of each challenge. */
export const codeParameter: Readonly<Record<CodeChallenge, string>> = {
  SMS_MFA: "SMS_MFA_CODE",
  SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
  EMAIL_OTP: "EMAIL_OTP_CODE",
  SMS_OTP: "SMS_OTP_CODE",
};

/** A delivered code as a challenge keeps it: keyed by the challenge's Session, never in clear. */
const hashChallengeCode = (session: string, code: string): string =>
  createHmac("sha256", session).update(code).digest("base64");

/** Whether `code` is the one delivered for the challenge `session` (state from `factorChallenge`). */
export function isDeliveredCode(session: string, state: Readonly<Record<string, string>>, code: string): boolean {
  const expected = Buffer.from(state.codeHash ?? "", "base64");
  const actual = Buffer.from(hashChallengeCode(session, code), "base64");
  return expected.length > 0 && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A challenge whose code Cognito sends: a fresh code goes to the outbox, by SMS (SMS_MFA,
 * SMS_OTP) or email (EMAIL_OTP), and the answer tells where it went
 * (CODE_DELIVERY_DELIVERY_MEDIUM, CODE_DELIVERY_DESTINATION, masked as in CodeDeliveryDetails).
 */
export function deliveredCodeChallenge(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  challenge: "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP",
): AuthResponse {
  const medium = challenge === "EMAIL_OTP" ? "EMAIL" : "SMS";
  const destination = (medium === "SMS" ? user.attributes.phone_number : user.attributes.email) ?? "";
  const code = newCode();
  const session = newOpaque(96);
  openChallenge(ctx, pool, client, user, challenge, { codeHash: hashChallengeCode(session, code) }, session);
  ctx.outbox.deliver({ poolId: pool.id, username: user.username, destination, medium, kind: "AUTHENTICATION", code });
  return {
    ChallengeName: challenge,
    Session: session,
    ChallengeParameters: {
      CODE_DELIVERY_DELIVERY_MEDIUM: medium,
      CODE_DELIVERY_DESTINATION: maskDestination(destination, medium),
    },
  };
}

/**
 * The challenge for one factor: SOFTWARE_TOKEN_MFA has no parameters (the code is on the user's
 * device); SMS_MFA and EMAIL_OTP send their code.
 */
export function factorChallenge(ctx: Context, pool: Pool, client: Client, user: User, factor: MfaFactor): AuthResponse {
  if (factor === "SOFTWARE_TOKEN_MFA") {
    return { ChallengeName: factor, Session: openChallenge(ctx, pool, client, user, factor), ChallengeParameters: {} };
  }
  return deliveredCodeChallenge(ctx, pool, client, user, factor);
}

/** SELECT_MFA_TYPE: the user picks one of `factors` (MFAS_CAN_CHOOSE, a JSON list). */
export function selectFactorChallenge(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  factors: readonly MfaFactor[],
): AuthResponse {
  const choices = JSON.stringify(factors);
  return {
    ChallengeName: "SELECT_MFA_TYPE",
    Session: openChallenge(ctx, pool, client, user, "SELECT_MFA_TYPE", { choices }),
    ChallengeParameters: { MFAS_CAN_CHOOSE: choices },
  };
}

/**
 * The second-factor challenge a sign-in of `user` answers with after the password, or null when
 * none is due. Codes for SMS and email are delivered here.
 */
export function mfaChallenge(ctx: Context, pool: Pool, client: Client, user: User): AuthResponse | null {
  if (!mfaDue(pool, user)) return null;
  const factors = signInFactors(pool, user);
  if (factors.length === 0) {
    return {
      ChallengeName: "MFA_SETUP",
      Session: openChallenge(ctx, pool, client, user, "MFA_SETUP"),
      ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(poolFactors(pool)) },
    };
  }
  const preferred = user.mfa.preferred;
  const chosen = factors.length === 1 ? factors[0] : preferred && factors.includes(preferred) ? preferred : undefined;
  return chosen
    ? factorChallenge(ctx, pool, client, user, chosen)
    : selectFactorChallenge(ctx, pool, client, user, factors);
}
