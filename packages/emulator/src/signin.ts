/**
 * Sign-in outcomes shared by every auth flow: opening a session (tokens plus a refresh token),
 * answering with a challenge, and the password check with Cognito's user-existence rules.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 */
import type { Context } from "./context.ts";
import { CognitoError, messages, notAuthorized } from "./errors.ts";
import { newOpaque } from "./ids.ts";
import type { Client, Pool, User } from "./model.ts";
import { findUser } from "./operations/common.ts";
import { verifyPassword } from "./passwords.ts";
import { issueTokens, newRefreshToken, tokenLifetimes } from "./tokens.ts";
import { randomUUID } from "node:crypto";

export interface AuthenticationResult {
  readonly AccessToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: "Bearer";
  readonly RefreshToken?: string;
  readonly IdToken: string;
}

export interface AuthResponse {
  readonly ChallengeName?: string;
  readonly Session?: string;
  readonly ChallengeParameters: Record<string, string>;
  readonly AuthenticationResult?: AuthenticationResult;
}

/** Opens a session for a user who has proven who they are, and mints its tokens. */
export async function openSession(ctx: Context, pool: Pool, client: Client, user: User): Promise<AuthResponse> {
  const now = ctx.clock.now();
  const refresh = newRefreshToken();
  const session = {
    originJti: randomUUID(),
    poolId: pool.id,
    clientId: client.id,
    usernameKey: user.usernameKey,
    refreshTokenHash: refresh.hash,
    authTime: Math.floor(now / 1000),
    expiresAt: now + tokenLifetimes(client).refresh * 1000,
  };
  ctx.store.sessions.insert(session);
  const tokens = await issueTokens(ctx, pool, client, user, session);
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: tokens.AccessToken,
      ExpiresIn: tokens.ExpiresIn,
      TokenType: tokens.TokenType,
      RefreshToken: refresh.token,
      IdToken: tokens.IdToken,
    },
  };
}

/** Stores a pending challenge and returns the opaque Session string the client answers with. */
export function openChallenge(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  challenge: string,
  state: Record<string, string> = {},
): string {
  const session = newOpaque(96);
  const now = ctx.clock.now();
  ctx.store.challenges.purgeExpired(now);
  ctx.store.challenges.insert({
    session,
    poolId: pool.id,
    clientId: client.id,
    usernameKey: user.usernameKey,
    challenge,
    state,
    expiresAt: now + client.config.AuthSessionValidity * 60_000,
  });
  return session;
}

/** The NEW_PASSWORD_REQUIRED challenge for a user created by an administrator. */
export function newPasswordChallenge(ctx: Context, pool: Pool, client: Client, user: User): AuthResponse {
  const { sub: _sub, ...visible } = user.attributes;
  return {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: openChallenge(ctx, pool, client, user, "NEW_PASSWORD_REQUIRED"),
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: "[]",
      userAttributes: JSON.stringify(visible),
    },
  };
}

/**
 * The user a sign-in names. An unknown name is UserNotFoundException, unless the client hides
 * user existence (PreventUserExistenceErrors=ENABLED): then it is the same
 * NotAuthorizedException as a wrong password.
 */
export function userForSignIn(ctx: Context, pool: Pool, client: Client, name: string): User {
  const user = findUser(ctx, pool, name);
  if (user) return user;
  if (client.config.PreventUserExistenceErrors === "ENABLED") throw notAuthorized(messages.incorrectCredentials);
  throw new CognitoError("UserNotFoundException", messages.userNotFound);
}

/**
 * USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: checks the password and the user's state in
 * Cognito's order, then opens a session or answers NEW_PASSWORD_REQUIRED.
 */
export async function passwordSignIn(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  password: string,
): Promise<AuthResponse> {
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  if (user.status === "RESET_REQUIRED") {
    throw new CognitoError("PasswordResetRequiredException", messages.passwordResetRequired);
  }
  if (!(await verifyPassword(password, user.passwordHash))) throw notAuthorized(messages.incorrectCredentials);
  return afterPasswordVerified(ctx, pool, client, user);
}

/** What follows a proven password, whichever way it was proven (plain or SRP). */
export async function afterPasswordVerified(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
): Promise<AuthResponse> {
  if (user.status === "UNCONFIRMED") throw new CognitoError("UserNotConfirmedException", messages.userNotConfirmed);
  if (user.status === "FORCE_CHANGE_PASSWORD") {
    const validDays = pool.config.Policies.PasswordPolicy.TemporaryPasswordValidityDays;
    if (validDays > 0 && ctx.clock.now() - user.updatedAt > validDays * 86400_000) {
      throw notAuthorized("Temporary password has expired and must be reset by an administrator.");
    }
    return newPasswordChallenge(ctx, pool, client, user);
  }
  return openSession(ctx, pool, client, user);
}
