/**
 * MFA settings: a pool's (SetUserPoolMfaConfig, GetUserPoolMfaConfig), a user's authenticator
 * app (AssociateSoftwareToken, VerifySoftwareToken) and which factors a user has on
 * (SetUserMFAPreference, AdminSetUserMFAPreference, GetUserAuthFactors,
 * AdminGetUserAuthFactors). The challenges a sign-in answers with are in mfa.ts and
 * mfa-challenges.ts.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserPoolMfaConfig.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AssociateSoftwareToken.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_VerifySoftwareToken.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserMFAPreference.html
 *
 * AssociateSoftwareToken and VerifySoftwareToken take an access token (a signed-in user adding
 * an authenticator) or the Session of an MFA_SETUP challenge (a sign-in that must set one up
 * first). In the second case each call spends the Session it was given and returns the next
 * one; the Session VerifySoftwareToken returns answers MFA_SETUP.
 */
import { invalidSession, notAuthorizedSessionUsed, openChallenge, pendingChallenge } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import { mfaFactors, userHasFactor } from "../mfa.ts";
import type { MfaFactor, MfaSettings, Pool, PoolConfig, User } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { assertNotLockedOut, recordWrongPassword } from "../signin.ts";
import type { PendingChallenge } from "../store/challenges.ts";
import { newTotpSecret, totpStepOf } from "../totp.ts";
import { callerOf } from "./account.ts";
import { requireAdminUser } from "./admin-users.ts";
import { requirePool, userPoolId, username } from "./common.ts";
import { defineOperation } from "./operation.ts";

/** AWS's answers, as observed against the service (each cited where it is relied on in tests). */
export const mfaMessages = {
  /** aws/aws-sdk-js#4186, sst#5177: ON or OPTIONAL with no factor. */
  noFactor: "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
  /** go-to-k/cdkd#1923 (measured): OFF together with any factor's configuration. */
  offWithFactor: "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
  /** floci-io/floci#2831 (measured): SMS MFA without a usable SMS configuration. */
  smsConfiguration: "Invalid SMS MFA configuration given, external id and a valid caller arn are required",
  totpNotEnabled: "Software Token MFA has not been enabled by the userPool.",
  /** aws-samples/aws-amplify-auth-starters#15: VerifySoftwareToken with a wrong code. */
  verifyMismatch: "Code mismatch and fail enable Software Token MFA",
  /** aws-amplify/amplify-js#1812: SetUserMFAPreference turning on TOTP before verifying one. */
  totpNotSetUp: "User has not set up software token mfa",
  /** aws/aws-sdk-js-v3#4645: AdminSetUserMFAPreference turning on TOTP before verifying one. */
  noDeliveryConfig: (factor: MfaFactor) => `User does not have delivery config set to turn on ${factor}`,
} as const;

const session = shape.string({ min: 20, max: 2048, sensitive: true });
const optionalAccessToken = shape.string({ pattern: String.raw`[A-Za-z0-9-_=.]+`, sensitive: true });

const smsMfaConfig = shape.structure({
  SmsAuthenticationMessage: shape.string({ min: 6, max: 140, pattern: String.raw`.*\{####\}.*` }),
  SmsConfiguration: shape.structure({
    SnsCallerArn: shape.string({
      min: 20,
      max: 2048,
      pattern: String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`,
    }),
    ExternalId: shape.string(),
    SnsRegion: shape.string({ min: 5, max: 32, pattern: String.raw`[a-z]+-[a-z]+-[0-9]{1}` }),
  }),
});
const emailMfaConfig = shape.structure({
  Message: shape.string({
    min: 6,
    max: 20000,
    pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`,
  }),
  Subject: shape.string({ min: 1, max: 140, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+` }),
});

export const setUserPoolMfaConfigInput = shape.structure({
  UserPoolId: userPoolId,
  SmsMfaConfiguration: smsMfaConfig,
  SoftwareTokenMfaConfiguration: shape.structure({ Enabled: shape.boolean() }),
  EmailMfaConfiguration: emailMfaConfig,
  // In the order AWS lists them when it refuses a value ("… enum value set: [OPTIONAL, OFF, ON]",
  // rosberglinhares/CloudFormationCognitoCustomResources#1), not the model's.
  MfaConfiguration: shape.string({ enum: ["OPTIONAL", "OFF", "ON"] }),
});
export type SetUserPoolMfaConfigRequest = Infer<typeof setUserPoolMfaConfigInput>;

/** GetUserPoolMfaConfig's answer (and SetUserPoolMfaConfig's): only the factors that are on. */
function mfaConfigOf(pool: Pool): Record<string, unknown> {
  const { config } = pool;
  return {
    ...(config.SmsMfaConfiguration
      ? {
          SmsMfaConfiguration: {
            ...config.SmsMfaConfiguration,
            ...(config.SmsConfiguration ? { SmsConfiguration: config.SmsConfiguration } : {}),
          },
        }
      : {}),
    ...(config.SoftwareTokenMfaConfiguration
      ? { SoftwareTokenMfaConfiguration: config.SoftwareTokenMfaConfiguration }
      : {}),
    ...(config.EmailMfaConfiguration ? { EmailMfaConfiguration: config.EmailMfaConfiguration } : {}),
    MfaConfiguration: config.MfaConfiguration,
  };
}

/**
 * The pool's settings after SetUserPoolMfaConfig, which replaces them all: a factor left out is
 * turned off, and so is MFA when MfaConfiguration is left out (AWS answers a factor sent
 * without MfaConfiguration as it answers one sent with OFF).
 */
function mfaSettingsOf(pool: Pool, request: SetUserPoolMfaConfigRequest): PoolConfig {
  const mode = request.MfaConfiguration ?? "OFF";
  const totp = request.SoftwareTokenMfaConfiguration?.Enabled === true;
  const sms = request.SmsMfaConfiguration;
  const email = request.EmailMfaConfiguration;
  const anyFactor = totp || sms !== undefined || email !== undefined;
  if (mode === "OFF" && anyFactor) throw invalidParameter(mfaMessages.offWithFactor);
  if (mode !== "OFF" && !anyFactor) throw invalidParameter(mfaMessages.noFactor);
  const smsConfiguration = sms?.SmsConfiguration ?? pool.config.SmsConfiguration;
  if (sms && !smsConfiguration) throw invalidParameter(mfaMessages.smsConfiguration);
  const {
    SoftwareTokenMfaConfiguration: _totp,
    SmsMfaConfiguration: _sms,
    EmailMfaConfiguration: _email,
    ...rest
  } = pool.config;
  return {
    ...rest,
    MfaConfiguration: mode,
    ...(totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
    ...(sms
      ? {
          SmsMfaConfiguration: sms.SmsAuthenticationMessage
            ? { SmsAuthenticationMessage: sms.SmsAuthenticationMessage }
            : {},
          SmsConfiguration: smsConfiguration,
          ...(sms.SmsAuthenticationMessage ? { SmsAuthenticationMessage: sms.SmsAuthenticationMessage } : {}),
        }
      : {}),
    ...(email ? { EmailMfaConfiguration: { ...email } } : {}),
  };
}

/** SetUserPoolMfaConfig, also applied by seed files (a pool's `MfaConfig`). */
export function setPoolMfaConfig(ctx: Context, request: SetUserPoolMfaConfigRequest): Record<string, unknown> {
  const pool = requirePool(ctx, request.UserPoolId);
  const config = mfaSettingsOf(pool, request);
  ctx.store.pools.update(pool.id, config, ctx.clock.now());
  return mfaConfigOf({ ...pool, config });
}

const totpOffered = (pool: Pool): boolean =>
  pool.config.MfaConfiguration !== "OFF" && pool.config.SoftwareTokenMfaConfiguration?.Enabled === true;

function assertTotpOffered(pool: Pool): void {
  if (!totpOffered(pool)) throw new CognitoError("SoftwareTokenMFANotFoundException", mfaMessages.totpNotEnabled);
}

/** The request names its user by exactly one of AccessToken and Session. */
function assertOneAuthorization(request: { AccessToken?: string; Session?: string }): void {
  if ((request.AccessToken === undefined) === (request.Session === undefined)) {
    throw invalidParameter("Exactly one of AccessToken or Session must be provided.");
  }
}

interface SetupSession {
  readonly pool: Pool;
  readonly pending: PendingChallenge;
  readonly user: User;
}

/** The open MFA_SETUP challenge a Session names, with its pool and user. */
function setupSession(ctx: Context, key: string): SetupSession {
  const row = ctx.store.challenges.get(key);
  const pool = row && ctx.store.pools.get(row.poolId);
  const client = row && ctx.store.clients.get(row.clientId);
  if (!row || !pool || !client) throw invalidSession();
  const pending = pendingChallenge(ctx, { pool, client, name: "MFA_SETUP" }, key);
  const user = ctx.store.users.get(pool.id, pending.usernameKey);
  if (!user) throw invalidSession();
  return { pool, pending, user };
}

/**
 * Spends an MFA_SETUP Session and opens the next one for the same sign-in, with `state`, while
 * applying `mfa` to the user: one transaction, so that a Session is used once.
 */
function nextSetupSession(ctx: Context, setup: SetupSession, mfa: MfaSettings, state: Record<string, string>): string {
  const { pool, pending } = setup;
  const client = ctx.store.clients.get(pending.clientId);
  return ctx.store.transaction(() => {
    const user = ctx.store.users.get(pool.id, pending.usernameKey);
    if (!client || !user) throw invalidSession();
    if (!ctx.store.challenges.spend(pending.session, "MFA_SETUP")) throw notAuthorizedSessionUsed();
    const updated = ctx.store.users.update(user, { mfa: { ...user.mfa, ...mfa } }, ctx.clock.now());
    return openChallenge(ctx, pool, client, updated, "MFA_SETUP", state);
  });
}

const factorSettings = shape.structure({ Enabled: shape.boolean(), PreferredMfa: shape.boolean() });
const preferenceMembers = {
  SMSMfaSettings: factorSettings,
  SoftwareTokenMfaSettings: factorSettings,
  EmailMfaSettings: factorSettings,
  WebAuthnMfaSettings: shape.structure({ Enabled: shape.boolean() }),
} as const;
type FactorSettings = Infer<typeof factorSettings>;
interface PreferenceRequest {
  readonly SMSMfaSettings?: FactorSettings;
  readonly SoftwareTokenMfaSettings?: FactorSettings;
  readonly EmailMfaSettings?: FactorSettings;
}

/**
 * The user's MFA settings after a Set/AdminSetUserMFAPreference: each factor given is turned on
 * or off (a factor left out keeps its state), at most one is preferred, and a factor can be on
 * only when the user has what it needs (`missing` names the refusal).
 */
function withPreferences(user: User, request: PreferenceRequest, missing: (factor: MfaFactor) => string): MfaSettings {
  const given: [MfaFactor, FactorSettings | undefined][] = [
    ["SMS_MFA", request.SMSMfaSettings],
    ["SOFTWARE_TOKEN_MFA", request.SoftwareTokenMfaSettings],
    ["EMAIL_OTP", request.EmailMfaSettings],
  ];
  if (given.filter(([, s]) => s?.PreferredMfa === true).length > 1) {
    throw invalidParameter("Only one MFA method can be set as preferred.");
  }
  const enabled = new Set(user.mfa.enabled ?? []);
  let preferred = user.mfa.preferred;
  for (const [factor, settings] of given) {
    if (!settings) continue;
    if (settings.Enabled === true) {
      if (!userHasFactor(user, factor)) throw invalidParameter(missing(factor));
      enabled.add(factor);
    } else if (settings.Enabled === false) {
      enabled.delete(factor);
    }
    if (settings.PreferredMfa === true) {
      if (!enabled.has(factor)) throw invalidParameter(`${factor} must be enabled to be the preferred MFA method.`);
      preferred = factor;
    }
    if (preferred === factor && (settings.PreferredMfa === false || !enabled.has(factor))) preferred = undefined;
  }
  const { preferred: _old, enabled: _was, ...rest } = user.mfa;
  // Turning SMS off turns off the legacy MFAOptions switch too (user-settings.ts).
  if (request.SMSMfaSettings?.Enabled === false) delete rest.smsOption;
  const list = mfaFactors.filter((f) => enabled.has(f));
  return { ...rest, ...(list.length > 0 ? { enabled: list } : {}), ...(preferred ? { preferred } : {}) };
}

/**
 * GetUserAuthFactors' answer. ConfiguredUserAuthFactors lists what the user could sign in or
 * verify with: a password, an authenticator (SOFTWARE_TOKEN), and a verified email or phone
 * number where the pool takes it as a first factor or the user has it on as MFA.
 */
export function authFactorsOf(pool: Pool, user: User): Record<string, unknown> {
  const firstFactors: readonly string[] = pool.config.Policies.SignInPolicy?.AllowedFirstAuthFactors ?? [];
  const enabled = user.mfa.enabled ?? [];
  const configured: string[] = [];
  if (user.passwordHash !== null) configured.push("PASSWORD");
  if (
    user.attributes.email_verified === "true" &&
    (firstFactors.includes("EMAIL_OTP") || enabled.includes("EMAIL_OTP"))
  ) {
    configured.push("EMAIL_OTP");
  }
  if (
    user.attributes.phone_number_verified === "true" &&
    (firstFactors.includes("SMS_OTP") || enabled.includes("SMS_MFA"))
  ) {
    configured.push("SMS_OTP");
  }
  if (user.mfa.totpSecret !== undefined) configured.push("SOFTWARE_TOKEN");
  return {
    Username: user.username,
    ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
    ...(enabled.length > 0 ? { UserMFASettingList: enabled } : {}),
    ConfiguredUserAuthFactors: configured,
  };
}

export const mfaOperations = {
  SetUserPoolMfaConfig: defineOperation(setUserPoolMfaConfigInput, setPoolMfaConfig),

  GetUserPoolMfaConfig: defineOperation(shape.structure({ UserPoolId: userPoolId }), (ctx, request) =>
    mfaConfigOf(requirePool(ctx, request.UserPoolId)),
  ),

  AssociateSoftwareToken: defineOperation(
    shape.structure({ AccessToken: optionalAccessToken, Session: session }),
    async (ctx, request) => {
      assertOneAuthorization(request);
      const SecretCode = newTotpSecret();
      if (request.AccessToken !== undefined) {
        const { pool, user } = await callerOf(ctx, request.AccessToken);
        assertTotpOffered(pool);
        ctx.store.users.update(user, { mfa: { ...user.mfa, pendingTotpSecret: SecretCode } }, ctx.clock.now());
        return { SecretCode };
      }
      const setup = setupSession(ctx, request.Session ?? "");
      assertTotpOffered(setup.pool);
      const next = nextSetupSession(ctx, setup, { pendingTotpSecret: SecretCode }, {});
      return { SecretCode, Session: next };
    },
  ),

  VerifySoftwareToken: defineOperation(
    shape.structure({
      AccessToken: optionalAccessToken,
      Session: session,
      UserCode: shape.string({ required: true, min: 6, max: 6, pattern: "[0-9]+" }),
      FriendlyDeviceName: shape.string({ max: 131072 }),
    }),
    async (ctx, request) => {
      assertOneAuthorization(request);
      const now = ctx.clock.now();
      const verified = (user: User): MfaSettings => {
        const pending = user.mfa.pendingTotpSecret;
        const step = pending === undefined ? null : totpStepOf(pending, request.UserCode, now);
        if (pending === undefined || step === null) {
          throw new CognitoError("EnableSoftwareTokenMFAException", mfaMessages.verifyMismatch);
        }
        const { pendingTotpSecret: _pending, totpDeviceName: _name, ...rest } = user.mfa;
        return {
          ...rest,
          totpSecret: pending,
          totpLastStep: step,
          ...(request.FriendlyDeviceName ? { totpDeviceName: request.FriendlyDeviceName } : {}),
        };
      };
      if (request.AccessToken !== undefined) {
        const { pool, user } = await callerOf(ctx, request.AccessToken);
        assertTotpOffered(pool);
        ctx.store.users.update(user, { mfa: verified(user) }, now);
        return { Status: "SUCCESS" };
      }
      const setup = setupSession(ctx, request.Session ?? "");
      assertTotpOffered(setup.pool);
      // Part of a sign-in: a wrong code counts toward the lockout, as a wrong password does.
      assertNotLockedOut(ctx, setup.user);
      let mfa: MfaSettings;
      try {
        mfa = verified(setup.user);
      } catch (error) {
        recordWrongPassword(ctx, setup.user);
        throw error;
      }
      // Setting up an authenticator to sign in turns it on, preferred unless another factor is.
      const enabled = mfaFactors.filter((f) => f === "SOFTWARE_TOKEN_MFA" || (mfa.enabled ?? []).includes(f));
      const next = nextSetupSession(
        ctx,
        setup,
        { ...mfa, enabled, preferred: mfa.preferred ?? "SOFTWARE_TOKEN_MFA" },
        { verified: "true" },
      );
      return { Status: "SUCCESS", Session: next };
    },
  ),

  SetUserMFAPreference: defineOperation(
    shape.structure({
      ...preferenceMembers,
      AccessToken: { ...optionalAccessToken, required: true },
    }),
    async (ctx, request) => {
      const { user } = await callerOf(ctx, request.AccessToken);
      const mfa = withPreferences(user, request, (factor) =>
        factor === "SOFTWARE_TOKEN_MFA" ? mfaMessages.totpNotSetUp : mfaMessages.noDeliveryConfig(factor),
      );
      ctx.store.users.update(user, { mfa }, ctx.clock.now());
      return {};
    },
  ),

  AdminSetUserMFAPreference: defineOperation(
    shape.structure({ ...preferenceMembers, Username: username, UserPoolId: userPoolId }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      const mfa = withPreferences(user, request, mfaMessages.noDeliveryConfig);
      ctx.store.users.update(user, { mfa }, ctx.clock.now());
      return {};
    },
  ),

  GetUserAuthFactors: defineOperation(
    shape.structure({ AccessToken: { ...optionalAccessToken, required: true } }),
    async (ctx, request) => {
      const { pool, user } = await callerOf(ctx, request.AccessToken);
      return authFactorsOf(pool, user);
    },
  ),

  AdminGetUserAuthFactors: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return authFactorsOf(pool, requireAdminUser(ctx, pool, request.Username));
    },
  ),
};
