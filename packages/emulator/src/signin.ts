/**
 * Sign-in outcomes shared by every auth flow: opening a session (tokens plus a refresh token),
 * answering with a challenge, the password check with Cognito's user-existence and lockout
 * rules, the start of SRP, and the refresh-token flow.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { openChallenge } from "./challenge-session.ts";
import type { Context } from "./context.ts";
import { deviceChallenge, deviceForSignIn, type NewDeviceMetadata } from "./devices.ts";
import { CognitoError, messages, notAuthorized } from "./errors.ts";
import type { Client, Pool, User } from "./model.ts";
import { mfaChallenge } from "./mfa.ts";
import { findUser } from "./operations/common.ts";
import { verifyPassword } from "./passwords.ts";
import { makeVerifier, serverChallenge } from "./srp.ts";
import type { Session } from "./store/sessions.ts";
import {
  hashRefreshToken,
  issueTokens,
  newRefreshToken,
  tokenLifetimes,
  type IssuedTokens,
  type TokenGrant,
} from "./tokens.ts";
import { postAuthentication, preAuthentication } from "./triggers/authentication.ts";
import { migrateUser } from "./triggers/migration.ts";

export interface AuthenticationResult {
  readonly AccessToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: "Bearer";
  readonly RefreshToken?: string;
  readonly IdToken: string;
  /** In pools that track devices, for a sign-in that named none (devices.ts). */
  readonly NewDeviceMetadata?: NewDeviceMetadata;
}

export interface AuthResponse {
  readonly ChallengeName?: string;
  readonly Session?: string;
  readonly ChallengeParameters: Record<string, string>;
  /** USER_AUTH's SELECT_CHALLENGE: the sign-in methods the user can choose from. */
  readonly AvailableChallenges?: readonly string[];
  readonly AuthenticationResult?: AuthenticationResult;
}

/** A session whose tokens are signed but whose row is not stored yet. */
export interface PreparedSession {
  readonly row: Omit<Session, "revoked">;
  readonly response: AuthResponse;
}

/**
 * Signs the tokens of a new session without storing it, so that a caller can store the session
 * in the same transaction as the change that earned it (NEW_PASSWORD_REQUIRED) and a failure
 * while signing leaves nothing behind.
 */
export async function prepareSession(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  grant?: TokenGrant & { readonly authTime?: number },
): Promise<PreparedSession> {
  // Sign-ins through the OAuth endpoints are not tracked as devices; the API's are (devices.ts).
  const device = grant ? null : deviceForSignIn(ctx, pool, user);
  // An OAuth grant's sign-in already ran PostAuthentication on its way here (hosted/).
  if (!grant) await postAuthentication(ctx, pool, user);
  const now = ctx.clock.now();
  const refresh = newRefreshToken();
  const row = {
    originJti: randomUUID(),
    poolId: pool.id,
    clientId: client.id,
    usernameKey: user.usernameKey,
    refreshTokenHash: refresh.hash,
    authTime: grant?.authTime ?? Math.floor(now / 1000),
    expiresAt: now + tokenLifetimes(client).refresh * 1000,
    deviceKey: device?.deviceKey ?? null,
  };
  const tokens = await issueTokens(ctx, pool, client, user, row, grant);
  return {
    row,
    response: {
      ChallengeParameters: {},
      AuthenticationResult: {
        AccessToken: tokens.AccessToken,
        ExpiresIn: tokens.ExpiresIn,
        TokenType: tokens.TokenType,
        RefreshToken: refresh.token,
        IdToken: tokens.IdToken,
        ...(device?.newDevice ? { NewDeviceMetadata: device.newDevice } : {}),
      },
    },
  };
}

/**
 * Sessions whose refresh token expired more than a week ago are deleted, at most once an hour:
 * until then a late refresh still hears "Refresh Token has expired" rather than "Invalid".
 */
const expiredSessionRetentionMs = 7 * 86_400_000;
const sessionPurgeIntervalMs = 3_600_000;
const lastSessionPurge = new WeakMap<Context, number>();

function purgeOldSessions(ctx: Context): void {
  const now = ctx.clock.now();
  const last = lastSessionPurge.get(ctx);
  if (last !== undefined && now - last < sessionPurgeIntervalMs) return;
  lastSessionPurge.set(ctx, now);
  ctx.store.sessions.purgeExpired(now - expiredSessionRetentionMs);
}

/** Opens a session for a user who has proven who they are, and mints its tokens. */
export async function openSession(ctx: Context, pool: Pool, client: Client, user: User): Promise<AuthResponse> {
  const { row, response } = await prepareSession(ctx, pool, client, user);
  purgeOldSessions(ctx);
  ctx.store.sessions.insert(row);
  return response;
}

/** Prefix of attribute names in NEW_PASSWORD_REQUIRED's requiredAttributes and responses. */
export const userAttributesPrefix = "userAttributes.";

/** The pool's required attributes that the user has no value for, as the challenge lists them. */
export function missingRequiredAttributes(pool: Pool, user: User): string[] {
  return pool.config.SchemaAttributes.filter((a) => a.Required && a.Name !== "sub" && !user.attributes[a.Name]).map(
    (a) => `${userAttributesPrefix}${a.Name}`,
  );
}

/** The NEW_PASSWORD_REQUIRED challenge for a user created by an administrator. */
export function newPasswordChallenge(ctx: Context, pool: Pool, client: Client, user: User): AuthResponse {
  const { sub: _sub, ...visible } = user.attributes;
  return {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: openChallenge(ctx, pool, client, user, "NEW_PASSWORD_REQUIRED"),
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: JSON.stringify(missingRequiredAttributes(pool, user)),
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
 * The user a password sign-in names; one the pool does not know may be created by its
 * UserMigration trigger from the name and password (triggers/migration.ts).
 */
export async function userForPasswordSignIn(
  ctx: Context,
  pool: Pool,
  client: Client,
  name: string,
  password: string,
): Promise<User> {
  const found = findUser(ctx, pool, name) ?? (await migrateUser(ctx, pool, client, name, password));
  return found ?? userForSignIn(ctx, pool, client, name);
}

/*
 * Lockout, as the developer guide describes it ("Lockout behavior for failed sign-in
 * attempts", docs.aws.amazon.com/cognito/latest/developerguide/authentication.html): after five
 * failed password sign-ins the user is locked out for 1 s, doubling with each further failure
 * up to about 15 minutes — 2^(n-5) seconds for n failures. Attempts during a lockout get
 * NotAuthorizedException "Password attempts exceeded" and do not count. The count resets on a
 * successful sign-in after the lockout, or after 15 minutes without any attempt once locked.
 */
const lockoutThreshold = 5;
const maxLockoutSeconds = 900;
const idleResetMs = 15 * 60_000;
export const passwordAttemptsExceeded = "Password attempts exceeded";

/** Refuses a password attempt while the user is locked out. Call before checking the password. */
export function assertNotLockedOut(ctx: Context, user: User): void {
  const { sessions } = ctx.store;
  const state = sessions.failures(user.poolId, user.usernameKey);
  if (!state) return;
  const now = ctx.clock.now();
  if (state.failures >= lockoutThreshold && now - state.lastAttemptAt >= idleResetMs) {
    sessions.clearFailures(user.poolId, user.usernameKey);
    return;
  }
  if (state.lockedUntil > now) {
    sessions.setFailures(user.poolId, user.usernameKey, { ...state, lastAttemptAt: now });
    throw notAuthorized(passwordAttemptsExceeded);
  }
}

/** Counts a wrong password and starts (or lengthens) the lockout from the fifth. */
export function recordWrongPassword(ctx: Context, user: User): void {
  const now = ctx.clock.now();
  const failures = (ctx.store.sessions.failures(user.poolId, user.usernameKey)?.failures ?? 0) + 1;
  const lockSeconds =
    failures >= lockoutThreshold ? Math.min(2 ** (failures - lockoutThreshold), maxLockoutSeconds) : 0;
  ctx.store.sessions.setFailures(user.poolId, user.usernameKey, {
    failures,
    lockedUntil: lockSeconds > 0 ? now + lockSeconds * 1000 : 0,
    lastAttemptAt: now,
  });
}

export function recordRightPassword(ctx: Context, user: User): void {
  ctx.store.sessions.clearFailures(user.poolId, user.usernameKey);
}

/**
 * An unconfirmed user is told so whatever password they typed: Cognito answers
 * UserNotConfirmedException before it checks the password, so that an app can send them to the
 * confirmation step (AWS's answer in amazon-cognito-identity-js#288: "this is the intended
 * behavior"; the same with USER_PASSWORD_AUTH in aws-sdk-js#4608). With SRP it comes at the
 * first step, before any proof of the password (moto's test_initiate_auth_for_unconfirmed_user).
 */
function assertConfirmed(user: User): void {
  if (user.status === "UNCONFIRMED") throw new CognitoError("UserNotConfirmedException", messages.userNotConfirmed);
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
  assertConfirmed(user);
  if (user.status === "RESET_REQUIRED") {
    throw new CognitoError("PasswordResetRequiredException", messages.passwordResetRequired);
  }
  assertNotLockedOut(ctx, user);
  await preAuthentication(ctx, pool, user);
  const right = await verifyPassword(password, user.passwordHash);
  // Hashing is asynchronous: attempts made in parallel may have locked the user meanwhile, and
  // a burst must not get more guesses than the lockout allows.
  assertNotLockedOut(ctx, user);
  if (!right) {
    recordWrongPassword(ctx, user);
    throw notAuthorized(messages.incorrectCredentials);
  }
  return afterPasswordVerified(ctx, pool, client, user);
}

/**
 * What follows a proven password, whichever way it was proven (plain or SRP): the proof of a
 * tracked device the sign-in names, when it is due (devices.ts); a second factor when the pool
 * and the user call for one (mfa.ts); else the password's success clears the failed attempts and
 * the sign-in goes on. While a second factor or the device's proof is pending the failures stay
 * counted, so wrong codes add to the wrong passwords before them.
 */
export async function afterPasswordVerified(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
): Promise<AuthResponse> {
  const confirmed = user.status === "CONFIRMED";
  const deviceProof = confirmed ? deviceChallenge(ctx, pool, client, user) : null;
  if (deviceProof) return deviceProof;
  const secondFactor = confirmed ? mfaChallenge(ctx, pool, client, user) : null;
  if (secondFactor) return secondFactor;
  recordRightPassword(ctx, user);
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

/** What a PASSWORD_VERIFIER challenge keeps server-side: the client's A and our b and B. */
export interface SrpState extends Record<string, string> {
  readonly A: string;
  readonly b: string;
  readonly B: string;
}

/** Deterministic per name, so that asking twice about an unknown user gives the same salt. */
const fakeSalt = (pool: Pool, name: string): string =>
  createHash("sha256").update(`salt\0${pool.id}\0${name.toLowerCase()}`).digest("hex").slice(0, 32);

/** A uuid-shaped stand-in for the username of an unknown user in pools that sign in by email. */
function fakeUserId(pool: Pool, name: string): string {
  if ((pool.config.UsernameAttributes ?? []).length === 0) return name;
  const h = createHash("sha256").update(`id\0${pool.id}\0${name.toLowerCase()}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * USER_SRP_AUTH's first step: the PASSWORD_VERIFIER challenge. AWS answers it without a Session;
 * the client hands back SECRET_BLOCK as PASSWORD_CLAIM_SECRET_BLOCK, so the block is what the
 * pending challenge is keyed by (pycognito answers without a Session at all).
 *
 * For an unknown user on a client with PreventUserExistenceErrors=ENABLED, Cognito answers with
 * a simulated challenge, and the answer then fails as a wrong password would; the simulated one
 * is not stored, so any answer to it fails.
 */
export async function srpChallenge(
  ctx: Context,
  pool: Pool,
  client: Client,
  name: string,
  srpA: string,
): Promise<AuthResponse> {
  const user = findUser(ctx, pool, name);
  const secretBlock = randomBytes(64).toString("base64");
  if (!user || user.srpVerifier === null || user.srpSalt === null) {
    if (!user && client.config.PreventUserExistenceErrors !== "ENABLED") {
      throw new CognitoError("UserNotFoundException", messages.userNotFound);
    }
    const userId = user?.username ?? fakeUserId(pool, name);
    const decoy = makeVerifier(pool.id, userId, randomBytes(16).toString("hex"));
    return {
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeParameters: {
        SALT: user ? decoy.salt : fakeSalt(pool, name),
        SECRET_BLOCK: secretBlock,
        SRP_B: serverChallenge(decoy.verifier).B,
        USERNAME: userId,
        USER_ID_FOR_SRP: userId,
      },
    };
  }
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  assertConfirmed(user);
  if (user.status === "RESET_REQUIRED") {
    throw new CognitoError("PasswordResetRequiredException", messages.passwordResetRequired);
  }
  await preAuthentication(ctx, pool, user);
  const { b, B } = serverChallenge(user.srpVerifier);
  const state: SrpState = { A: srpA, b, B };
  openChallenge(ctx, pool, client, user, "PASSWORD_VERIFIER", state, secretBlock);
  return {
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeParameters: {
      SALT: user.srpSalt,
      SECRET_BLOCK: secretBlock,
      SRP_B: B,
      USERNAME: user.username,
      USER_ID_FOR_SRP: user.username,
    },
  };
}

/**
 * REFRESH_TOKEN_AUTH / REFRESH_TOKEN and GetTokensFromRefreshToken: fresh access and ID tokens
 * for the session the refresh token belongs to, keeping its `origin_jti` and `auth_time`. No new
 * refresh token, as AWS (without refresh-token rotation).
 *
 * `assertClientProof` checks the client's SECRET_HASH or secret once the user is known: for a
 * refresh, AWS computes SECRET_HASH with the user's username — the `cognito:username`, which in
 * pools that sign in by email is the sub-like id, not the email typed at sign-in.
 *
 * A session bound to a device is refreshed only with its DEVICE_KEY (devices.ts); without it, or
 * with another, the refresh token is as good as unknown.
 */
export async function refreshSignIn(
  ctx: Context,
  client: Client,
  refreshToken: string,
  deviceKey: string | undefined,
  assertClientProof: (user: User) => void,
): Promise<AuthResponse> {
  const session = ctx.store.sessions.findByRefreshTokenHash(hashRefreshToken(refreshToken));
  if (!session || session.clientId !== client.id || (session.deviceKey !== null && session.deviceKey !== deviceKey)) {
    throw notAuthorized(messages.invalidRefreshToken);
  }
  const pool = ctx.store.pools.get(session.poolId);
  const user = pool && ctx.store.users.get(pool.id, session.usernameKey);
  if (!pool || !user) throw notAuthorized(messages.invalidRefreshToken);
  assertClientProof(user);
  // A disabled user hears that first, whether or not disabling also revoked the session.
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  if (session.revoked) throw notAuthorized(messages.refreshTokenRevoked);
  if (session.expiresAt <= ctx.clock.now()) throw notAuthorized(messages.refreshTokenExpired);
  // A session begun through OAuth keeps its scopes (hosted/); others get InitiateAuth's.
  const scope = ctx.store.hosted.grantOf(session.originJti);
  const tokens: IssuedTokens = await issueTokens(
    ctx,
    pool,
    client,
    user,
    session,
    scope ? { scope } : undefined,
    "TokenGeneration_RefreshTokens",
  );
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: tokens.AccessToken,
      ExpiresIn: tokens.ExpiresIn,
      TokenType: tokens.TokenType,
      IdToken: tokens.IdToken,
    },
  };
}
