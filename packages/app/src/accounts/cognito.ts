/**
 * The app's only door to Cognito: the AWS SDK v3 with SECRET_HASH added for the web client, and
 * every Cognito exception turned into one of our message codes. Works unchanged against AWS and
 * the emulator (the endpoint is configuration).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html
 */
import {
  AdminConfirmSignUpCommand,
  AssociateSoftwareTokenCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type AttributeType,
  type AuthenticationResultType,
  type ChallengeNameType,
  type CodeDeliveryDetailsType,
} from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import type { CognitoSettings } from "../config.ts";
import type { ChallengeStep, CognitoTokens, MfaFactor } from "../plugins/session-types.ts";
import type { MessageCode } from "./messages.ts";
import type { CognitoProfile } from "./users.ts";

/** A Cognito call that failed, as one of our message codes; `cause` keeps the SDK error. */
export class CognitoFailure extends Error {
  readonly code: MessageCode;
  /** The AWS exception name, e.g. `UsernameExistsException`. */
  readonly exception: string;
  /** For InvalidPasswordException: AWS's reason ("Password must have numeric characters"). */
  readonly detail: string;

  constructor(code: MessageCode, exception: string, detail: string, cause: unknown) {
    super(`${exception}: ${detail}`, { cause });
    this.code = code;
    this.exception = exception;
    this.detail = detail;
  }
}

const exceptionCodes: Record<string, MessageCode> = {
  UsernameExistsException: "USERNAME_EXISTS",
  AliasExistsException: "EMAIL_EXISTS",
  InvalidPasswordException: "INVALID_PASSWORD",
  InvalidParameterException: "INVALID_PARAMETER",
  CodeMismatchException: "CODE_MISMATCH",
  ExpiredCodeException: "CODE_EXPIRED",
  LimitExceededException: "TOO_MANY_ATTEMPTS",
  TooManyFailedAttemptsException: "TOO_MANY_ATTEMPTS",
  CodeDeliveryFailureException: "CODE_DELIVERY_FAILED",
  TooManyRequestsException: "TOO_MANY_REQUESTS",
  UserNotConfirmedException: "USER_NOT_CONFIRMED",
  PasswordResetRequiredException: "PASSWORD_RESET_REQUIRED",
  UserNotFoundException: "USER_NOT_FOUND",
  // VerifySoftwareToken's answer to a wrong code.
  EnableSoftwareTokenMFAException: "CODE_MISMATCH",
  // A trigger that could not run (missing, timed out) or answered nonsense: the service failed.
  UnexpectedLambdaException: "SERVICE_UNAVAILABLE",
  InvalidLambdaResponseException: "SERVICE_UNAVAILABLE",
};

/**
 * What triggers/pre-signup.ts throws (its `emailTakenMessage`) when another account has the
 * address in any letter case: the contract between that trigger and these pages.
 */
export const preSignUpEmailTaken = "An account with this email address already exists.";

/**
 * A trigger's refusal as Cognito words it: UserLambdaValidationException "<trigger> failed
 * with error <the function's message>." (the function's own full stop stays, so a sentence ends
 * "..").
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html
 */
const triggerRefusal = /^(\w+) failed with error ([\s\S]*)\.$/;

/**
 * The function's words are written for us, not for the person (and could say anything): only
 * a refusal we know becomes one of our messages, the rest a general one.
 */
function refusalOf(name: string, message: string, error: unknown): CognitoFailure {
  const [, trigger, reason] = triggerRefusal.exec(message) ?? [];
  if (trigger === "PreSignUp" && reason === preSignUpEmailTaken) {
    return new CognitoFailure("EMAIL_EXISTS", name, message, error);
  }
  return new CognitoFailure("REQUEST_REFUSED", name, message, error);
}

/** Maps an SDK error to our code; anything unrecognised is UNEXPECTED (and logged by the caller). */
export function toFailure(error: unknown): CognitoFailure {
  const e = error as { name?: unknown; message?: unknown; $metadata?: unknown; code?: unknown };
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : "";
  if (name === "NotAuthorizedException") {
    if (message === "User is disabled.") return new CognitoFailure("USER_DISABLED", name, message, error);
    if (message === "Password attempts exceeded") return new CognitoFailure("TOO_MANY_ATTEMPTS", name, message, error);
    if (message.startsWith("User cannot be confirmed"))
      return new CognitoFailure("ALREADY_CONFIRMED", name, message, error);
    if (message === "Incorrect username or password.")
      return new CognitoFailure("INCORRECT_CREDENTIALS", name, message, error);
    if (message.includes("session")) return new CognitoFailure("SESSION_EXPIRED", name, message, error);
    return new CognitoFailure("NOT_AUTHORIZED", name, message, error);
  }
  if (name === "UserLambdaValidationException") return refusalOf(name, message, error);
  if (name === "InvalidParameterException" && message.includes("already confirmed")) {
    return new CognitoFailure("ALREADY_CONFIRMED", name, message, error);
  }
  const code = exceptionCodes[name];
  if (code) {
    const detail =
      name === "InvalidPasswordException" ? message.replace(/^Password did not conform with policy: /, "") : message;
    return new CognitoFailure(code, name, detail, error);
  }
  // Network faults (ECONNREFUSED, timeouts) and 5xx: the service is unavailable to us.
  const status = (e.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  if (status === undefined || status >= 500 || typeof e.code === "string") {
    return new CognitoFailure("SERVICE_UNAVAILABLE", name, message, error);
  }
  return new CognitoFailure("UNEXPECTED", name, message, error);
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toFailure(error);
  }
}

export interface Delivery {
  /** Masked, as Cognito returns it: `a***@e***`. */
  readonly destination: string;
  readonly medium: string;
}

const deliveryOf = (details: CodeDeliveryDetailsType | undefined): Delivery | null =>
  details?.Destination ? { destination: details.Destination, medium: details.DeliveryMedium ?? "EMAIL" } : null;

export type SignInOutcome =
  | { readonly kind: "signed-in"; readonly tokens: CognitoTokens }
  | {
      readonly kind: "challenge";
      readonly step: ChallengeStep;
      /** Cognito's Session for the answer. */
      readonly session: string;
      /** Cognito's username (USER_ID_FOR_SRP when given), which the answer's SECRET_HASH needs. */
      readonly username: string;
    };

export const mfaFactors: readonly MfaFactor[] = ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_MFA"];
const isMfaFactor = (value: unknown): value is MfaFactor => mfaFactors.includes(value as MfaFactor);

/** A JSON list of factor names in a challenge parameter (MFAS_CAN_CHOOSE, MFAS_CAN_SETUP). */
function factorList(json: string | undefined): MfaFactor[] {
  try {
    const parsed: unknown = JSON.parse(json ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isMfaFactor) : [];
  } catch {
    return [];
  }
}

/** The challenges the site can answer; any other is an unsupported challenge. */
function stepOf(name: ChallengeNameType | string, parameters: Readonly<Record<string, string>>): ChallengeStep | null {
  switch (name) {
    case "NEW_PASSWORD_REQUIRED":
      return { name };
    case "SOFTWARE_TOKEN_MFA":
      return { name, destination: null };
    case "EMAIL_OTP":
    case "SMS_MFA":
      return { name, destination: parameters.CODE_DELIVERY_DESTINATION ?? null };
    case "SELECT_MFA_TYPE": {
      const factors = factorList(parameters.MFAS_CAN_CHOOSE);
      return factors.length > 0 ? { name, factors } : null;
    }
    case "MFA_SETUP":
      // The site sets up an authenticator app; a pool that offers none cannot be answered here.
      return factorList(parameters.MFAS_CAN_SETUP).includes("SOFTWARE_TOKEN_MFA") ? { name } : null;
    default:
      return null;
  }
}

/** Where each code challenge takes its code in ChallengeResponses. */
export const codeResponseKey: Readonly<Record<MfaFactor, string>> = {
  SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
  EMAIL_OTP: "EMAIL_OTP_CODE",
  SMS_MFA: "SMS_MFA_CODE",
};

/** Who AssociateSoftwareToken and VerifySoftwareToken act for: a signed-in user, or a sign-in setting one up. */
export type TotpAuthorization = { readonly accessToken: string } | { readonly session: string };
const totpAuthorization = (auth: TotpAuthorization) =>
  "accessToken" in auth ? { AccessToken: auth.accessToken } : { Session: auth.session };

/** A user's two-step settings, from GetUser. */
export interface MfaSettings {
  readonly enabled: readonly MfaFactor[];
  readonly preferred: MfaFactor | null;
}

/** What the pool offers at sign-in: its MFA mode and factors, and whether an emailed code may replace the password. */
export interface PoolSignInOptions {
  readonly mfa: "OFF" | "ON" | "OPTIONAL";
  readonly factors: readonly MfaFactor[];
  readonly emailCodeSignIn: boolean;
}

/** One factor's setting for SetUserMFAPreference; absent factors are left as they are. */
export interface FactorPreference {
  readonly enabled: boolean;
  readonly preferred: boolean;
}

/** Reads the claims of a JWT we just received from Cognito over TLS (or the local emulator). */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

const optional = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** The profile in an ID token: sub, cognito:username, email, email_verified, names. */
export function profileFromIdToken(idToken: string): CognitoProfile {
  const claims = claimsOf(idToken);
  return {
    sub: String(claims.sub),
    username: String(claims["cognito:username"]),
    email: typeof claims.email === "string" ? claims.email : "",
    emailVerified: claims.email_verified === true || claims.email_verified === "true",
    givenName: optional(claims.given_name),
    familyName: optional(claims.family_name),
    phoneNumber: optional(claims.phone_number),
    picture: optional(claims.picture),
  };
}

/** The profile from GetUser/AdminGetUser attributes. */
export function profileFromAttributes(username: string, attributes: readonly AttributeType[]): CognitoProfile {
  const get = (name: string) => attributes.find((a) => a.Name === name)?.Value;
  return {
    sub: get("sub") ?? "",
    username,
    email: get("email") ?? "",
    emailVerified: get("email_verified") === "true",
    givenName: optional(get("given_name")),
    familyName: optional(get("family_name")),
    phoneNumber: optional(get("phone_number")),
    picture: optional(get("picture")),
  };
}

export function createCognitoClient(settings: CognitoSettings): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint
      ? {
          endpoint: settings.endpoint,
          // The emulator needs some credentials to be signed with, and checks none.
          credentials: { accessKeyId: "gatehouse-local", secretAccessKey: "gatehouse-local" },
        }
      : {}),
    maxAttempts: 2,
  });
}

/** Tokens, or the challenge to answer next. */
function outcomeWith(
  tokensOf: (result: AuthenticationResultType | undefined) => CognitoTokens,
  result: {
    ChallengeName?: ChallengeNameType | string;
    Session?: string;
    ChallengeParameters?: Record<string, string>;
    AuthenticationResult?: AuthenticationResultType;
  },
  login: string,
): SignInOutcome {
  if (!result.ChallengeName) return { kind: "signed-in", tokens: tokensOf(result.AuthenticationResult) };
  const parameters = result.ChallengeParameters ?? {};
  const step = stepOf(result.ChallengeName, parameters);
  if (!step || !result.Session) {
    throw new CognitoFailure(
      "UNEXPECTED",
      "UnsupportedChallenge",
      `Challenge ${result.ChallengeName} is not supported`,
      null,
    );
  }
  return { kind: "challenge", step, session: result.Session, username: parameters.USER_ID_FOR_SRP ?? login };
}

export function cognitoGateway(
  client: CognitoIdentityProviderClient,
  settings: CognitoSettings,
  now: () => number = Date.now,
) {
  const { clientId, clientSecret, userPoolId } = settings;
  /** SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)), when there is a secret. */
  const secretHash = (username: string): { SecretHash?: string } =>
    clientSecret
      ? {
          SecretHash: createHmac("sha256", clientSecret)
            .update(username + clientId)
            .digest("base64"),
        }
      : {};
  const secretHashParameter = (username: string): { SECRET_HASH?: string } => {
    const { SecretHash } = secretHash(username);
    return SecretHash ? { SECRET_HASH: SecretHash } : {};
  };
  const tokensOf = (result: AuthenticationResultType | undefined, previousRefresh?: string): CognitoTokens => {
    if (!result?.AccessToken || !result.IdToken)
      throw new CognitoFailure("UNEXPECTED", "MissingTokens", "Cognito returned no tokens", null);
    const refreshToken = result.RefreshToken ?? previousRefresh;
    if (!refreshToken)
      throw new CognitoFailure("UNEXPECTED", "MissingTokens", "Cognito returned no refresh token", null);
    return {
      accessToken: result.AccessToken,
      idToken: result.IdToken,
      refreshToken,
      expiresAt: now() + (result.ExpiresIn ?? 3600) * 1000,
    };
  };
  const outcomeOf = (result: Parameters<typeof outcomeWith>[1], login: string) =>
    outcomeWith((tokens) => tokensOf(tokens), result, login);

  return {
    async signUp(input: {
      username: string;
      email: string;
      password: string;
    }): Promise<{ userSub: string; confirmed: boolean; delivery: Delivery | null }> {
      const result = await call(() =>
        client.send(
          new SignUpCommand({
            ClientId: clientId,
            Username: input.username,
            Password: input.password,
            UserAttributes: [{ Name: "email", Value: input.email }],
            ...secretHash(input.username),
          }),
        ),
      );
      return {
        userSub: result.UserSub ?? "",
        confirmed: result.UserConfirmed ?? false,
        delivery: deliveryOf(result.CodeDeliveryDetails),
      };
    },

    /** The seeds' optional admin_confirm_sign_up right after sign-up (needs IAM credentials on AWS). */
    async adminConfirmSignUp(username: string): Promise<void> {
      await call(() => client.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: username })));
    },

    async confirmSignUp(username: string, code: string): Promise<void> {
      await call(() =>
        client.send(
          new ConfirmSignUpCommand({
            ClientId: clientId,
            Username: username,
            ConfirmationCode: code,
            ...secretHash(username),
          }),
        ),
      );
    },

    async resendConfirmationCode(username: string): Promise<Delivery | null> {
      const result = await call(() =>
        client.send(
          new ResendConfirmationCodeCommand({ ClientId: clientId, Username: username, ...secretHash(username) }),
        ),
      );
      return deliveryOf(result.CodeDeliveryDetails);
    },

    /** USER_PASSWORD_AUTH with the web client; `login` may be the username or the email alias. */
    async signIn(login: string, password: string): Promise<SignInOutcome> {
      const result = await call(() =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: login, PASSWORD: password, ...secretHashParameter(login) },
          }),
        ),
      );
      return outcomeOf(result, login);
    },

    /**
     * USER_AUTH with EMAIL_OTP preferred: Cognito emails a one-time code that signs the person
     * in without a password. A pool or account that cannot (no verified email, the factor not
     * allowed) answers SELECT_CHALLENGE instead, which is CODE_SIGN_IN_UNAVAILABLE here.
     */
    async startEmailCodeSignIn(login: string): Promise<SignInOutcome> {
      const result = await call(() =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_AUTH",
            AuthParameters: { USERNAME: login, PREFERRED_CHALLENGE: "EMAIL_OTP", ...secretHashParameter(login) },
          }),
        ),
      );
      if (result.ChallengeName !== "EMAIL_OTP") {
        throw new CognitoFailure(
          "CODE_SIGN_IN_UNAVAILABLE",
          "UnsupportedChallenge",
          String(result.ChallengeName),
          null,
        );
      }
      return outcomeOf(result, login);
    },

    /** Answers a challenge; `responses` are its ChallengeResponses besides USERNAME and SECRET_HASH. */
    async respond(
      challenge: ChallengeStep["name"],
      username: string,
      session: string,
      responses: Readonly<Record<string, string>>,
    ): Promise<SignInOutcome> {
      const result = await call(() =>
        client.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: challenge,
            Session: session,
            ChallengeResponses: { ...responses, USERNAME: username, ...secretHashParameter(username) },
          }),
        ),
      );
      return outcomeOf(result, username);
    },

    /** A new authenticator secret (pending until verified), and the next Session when setting up at sign-in. */
    async associateSoftwareToken(auth: TotpAuthorization): Promise<{ secret: string; session: string | null }> {
      const result = await call(() => client.send(new AssociateSoftwareTokenCommand(totpAuthorization(auth))));
      if (!result.SecretCode)
        throw new CognitoFailure("UNEXPECTED", "MissingSecret", "Cognito returned no secret", null);
      return { secret: result.SecretCode, session: result.Session ?? null };
    },

    /** Verifies the first code of the pending authenticator; the next Session when setting up at sign-in. */
    async verifySoftwareToken(auth: TotpAuthorization, code: string, deviceName: string): Promise<string | null> {
      const result = await call(() =>
        client.send(
          new VerifySoftwareTokenCommand({
            ...totpAuthorization(auth),
            UserCode: code,
            FriendlyDeviceName: deviceName,
          }),
        ),
      );
      if (result.Status !== "SUCCESS") throw new CognitoFailure("CODE_MISMATCH", "VerifySoftwareToken", "", null);
      return result.Session ?? null;
    },

    async setMfaPreference(
      accessToken: string,
      preferences: { readonly totp?: FactorPreference; readonly email?: FactorPreference },
    ): Promise<void> {
      const setting = (p: FactorPreference | undefined) => p && { Enabled: p.enabled, PreferredMfa: p.preferred };
      await call(() =>
        client.send(
          new SetUserMFAPreferenceCommand({
            AccessToken: accessToken,
            ...(preferences.totp ? { SoftwareTokenMfaSettings: setting(preferences.totp) } : {}),
            ...(preferences.email ? { EmailMfaSettings: setting(preferences.email) } : {}),
          }),
        ),
      );
    },

    async mfaSettings(accessToken: string): Promise<MfaSettings> {
      const result = await call(() => client.send(new GetUserCommand({ AccessToken: accessToken })));
      const preferred = result.PreferredMfaSetting;
      return {
        enabled: (result.UserMFASettingList ?? []).filter(isMfaFactor),
        preferred: isMfaFactor(preferred) ? preferred : null,
      };
    },

    /** The pool's MFA mode and factors and its first factors (IAM: GetUserPoolMfaConfig, DescribeUserPool). */
    async poolSignInOptions(): Promise<PoolSignInOptions> {
      const [mfa, pool] = await Promise.all([
        call(() => client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId }))),
        call(() => client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))),
      ]);
      const mode = mfa.MfaConfiguration === "ON" || mfa.MfaConfiguration === "OPTIONAL" ? mfa.MfaConfiguration : "OFF";
      const factors: MfaFactor[] = [];
      if (mode !== "OFF" && mfa.SoftwareTokenMfaConfiguration?.Enabled) factors.push("SOFTWARE_TOKEN_MFA");
      if (mode !== "OFF" && mfa.EmailMfaConfiguration) factors.push("EMAIL_OTP");
      const firstFactors = pool.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? [];
      return { mfa: mode, factors, emailCodeSignIn: mode !== "ON" && firstFactors.includes("EMAIL_OTP") };
    },

    /** REFRESH_TOKEN_AUTH; `username` is Cognito's username (cognito:username), which SECRET_HASH needs. */
    async refresh(refreshToken: string, username: string): Promise<CognitoTokens> {
      const result = await call(() =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "REFRESH_TOKEN_AUTH",
            AuthParameters: { REFRESH_TOKEN: refreshToken, ...secretHashParameter(username) },
          }),
        ),
      );
      return tokensOf(result.AuthenticationResult, refreshToken);
    },

    async forgotPassword(username: string): Promise<Delivery | null> {
      const result = await call(() =>
        client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username, ...secretHash(username) })),
      );
      return deliveryOf(result.CodeDeliveryDetails);
    },

    async confirmForgotPassword(username: string, code: string, password: string): Promise<void> {
      await call(() =>
        client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            Username: username,
            ConfirmationCode: code,
            Password: password,
            ...secretHash(username),
          }),
        ),
      );
    },

    async changePassword(accessToken: string, previous: string, proposed: string): Promise<void> {
      await call(() =>
        client.send(
          new ChangePasswordCommand({
            AccessToken: accessToken,
            PreviousPassword: previous,
            ProposedPassword: proposed,
          }),
        ),
      );
    },

    async getUser(accessToken: string): Promise<CognitoProfile> {
      const result = await call(() => client.send(new GetUserCommand({ AccessToken: accessToken })));
      return profileFromAttributes(result.Username ?? "", result.UserAttributes ?? []);
    },

    async updateAttributes(accessToken: string, attributes: Readonly<Record<string, string>>): Promise<Delivery[]> {
      const result = await call(() =>
        client.send(
          new UpdateUserAttributesCommand({
            AccessToken: accessToken,
            UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
          }),
        ),
      );
      return (result.CodeDeliveryDetailsList ?? []).map(deliveryOf).filter((d): d is Delivery => d !== null);
    },

    async sendEmailVerificationCode(accessToken: string): Promise<Delivery | null> {
      const result = await call(() =>
        client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: "email" })),
      );
      return deliveryOf(result.CodeDeliveryDetails);
    },

    async verifyEmail(accessToken: string, code: string): Promise<void> {
      await call(() =>
        client.send(new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: "email", Code: code })),
      );
    },

    async globalSignOut(accessToken: string): Promise<void> {
      await call(() => client.send(new GlobalSignOutCommand({ AccessToken: accessToken })));
    },

    async revokeRefreshToken(refreshToken: string): Promise<void> {
      await call(() =>
        client.send(
          new RevokeTokenCommand({
            ClientId: clientId,
            Token: refreshToken,
            ...(clientSecret ? { ClientSecret: clientSecret } : {}),
          }),
        ),
      );
    },

    async deleteUser(accessToken: string): Promise<void> {
      await call(() => client.send(new DeleteUserCommand({ AccessToken: accessToken })));
    },
  };
}
export type CognitoGateway = ReturnType<typeof cognitoGateway>;
