/**
 * The app's only door to Cognito: the AWS SDK v3 with SECRET_HASH added for the web client, and
 * every Cognito exception turned into one of our message codes. Works unchanged against AWS and
 * the emulator (the endpoint is configuration).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html
 */
import {
  AdminConfirmSignUpCommand,
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
  type CodeDeliveryDetailsType,
} from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import type { CognitoSettings } from "../config.ts";
import type { CognitoTokens } from "../plugins/session-types.ts";
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
};

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
  | { readonly kind: "new-password-required"; readonly session: string; readonly username: string };

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
      if (result.ChallengeName === "NEW_PASSWORD_REQUIRED" && result.Session) {
        return {
          kind: "new-password-required",
          session: result.Session,
          username: result.ChallengeParameters?.USER_ID_FOR_SRP ?? login,
        };
      }
      if (result.ChallengeName) {
        throw new CognitoFailure(
          "UNEXPECTED",
          "UnsupportedChallenge",
          `Challenge ${result.ChallengeName} is not supported`,
          null,
        );
      }
      return { kind: "signed-in", tokens: tokensOf(result.AuthenticationResult) };
    },

    async respondNewPassword(username: string, session: string, newPassword: string): Promise<CognitoTokens> {
      const result = await call(() =>
        client.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: session,
            ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword, ...secretHashParameter(username) },
          }),
        ),
      );
      return tokensOf(result.AuthenticationResult);
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
