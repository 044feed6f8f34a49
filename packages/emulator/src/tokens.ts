/**
 * Tokens as Cognito issues them: RS256 JWTs signed with the pool's keys (one `kid` for ID
 * tokens, another for access tokens), opaque refresh tokens, and the checks that Cognito's own
 * token-authenticated operations (GetUser, ChangePassword, …) apply to an access token.
 *
 * Claims: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 * and …-using-the-access-token.html.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  randomUUID,
  verify,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import type { Context } from "./context.ts";
import { CognitoError, messages, notAuthorized } from "./errors.ts";
import { retiredAccessKey, retiredJwks } from "./retired-keys.ts";
import { identitiesClaim } from "./identities.ts";
import { newOpaque } from "./ids.ts";
import type { Client, Group, Pool, TimeUnit, User } from "./model.ts";
import type { StoredKey, TokenUse } from "./store/keys.ts";
import type { Session } from "./store/sessions.ts";
import { customizeTokens, tokenSource, type TokenSource } from "./triggers/token-generation.ts";

interface LoadedKey {
  readonly kid: string;
  readonly signingKey: CryptoKey | Uint8Array;
  readonly verifyKey: KeyObject;
  readonly publicJwk: JWK;
}
export interface PoolKeys {
  readonly id: LoadedKey;
  readonly access: LoadedKey;
}

function generateRsa(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else
        resolve({
          privateJwk: privateKey.export({ format: "jwk" }) as JWK,
          publicJwk: publicKey.export({ format: "jwk" }) as JWK,
        });
    });
  });
}

/** AWS kids are 44-character base64 strings; ours hash the public key so they are stable. */
const kidOf = (publicJwk: JWK): string =>
  createHash("sha256")
    .update(`${publicJwk.n ?? ""}.${publicJwk.e ?? ""}`)
    .digest("base64");

/** Generates a pool's two key pairs (stored by ensurePoolKeys). */
export async function generatePoolKeys(): Promise<
  { tokenUse: TokenUse; kid: string; privateJwk: string; publicJwk: string }[]
> {
  const pairs = await Promise.all([generateRsa(), generateRsa()]);
  return (["id", "access"] as const).map((tokenUse, i) => {
    const pair = pairs[i]!;
    const kid = kidOf(pair.publicJwk);
    const publicJwk: JWK = { alg: "RS256", e: pair.publicJwk.e, kid, kty: "RSA", n: pair.publicJwk.n, use: "sig" };
    return { tokenUse, kid, privateJwk: JSON.stringify(pair.privateJwk), publicJwk: JSON.stringify(publicJwk) };
  });
}

const generating = new WeakMap<Context, Map<string, Promise<void>>>();

/**
 * The pool's stored key pairs, generated on first need (the first JWKS request or the first
 * token) rather than at CreateUserPool: two RSA-2048 key pairs cost ~100–250 ms here, and most
 * pools a test suite creates never sign a token. Once stored they change only by rotation
 * (key-rotation.ts), so the JWKS a verifier caches stays valid across restarts. Concurrent first
 * needs share one generation.
 */
async function ensurePoolKeys(ctx: Context, poolId: string): Promise<StoredKey[]> {
  const stored = ctx.store.keys.ofPool(poolId);
  if (stored.length > 0) return stored;
  let inFlight = generating.get(ctx);
  if (!inFlight) {
    inFlight = new Map();
    generating.set(ctx, inFlight);
  }
  let work = inFlight.get(poolId);
  if (!work) {
    work = generatePoolKeys()
      .then((keys) => {
        ctx.store.transaction(() => {
          // The pool may have been deleted meanwhile; its keys then have nowhere to go.
          if (!ctx.store.pools.get(poolId) || ctx.store.keys.ofPool(poolId).length > 0) return;
          for (const key of keys) ctx.store.keys.insert({ poolId, ...key });
        });
      })
      .finally(() => inFlight.delete(poolId));
    inFlight.set(poolId, work);
  }
  await work;
  return ctx.store.keys.ofPool(poolId);
}

/** Loads (once) a pool's keys into signing and verifying objects. */
export async function loadPoolKeys(ctx: Context, poolId: string): Promise<PoolKeys> {
  const cached = ctx.keyCache.get(poolId);
  if (cached) return cached;
  const stored = await ensurePoolKeys(ctx, poolId);
  const load = async (use: TokenUse): Promise<LoadedKey> => {
    const key = stored.find((k) => k.tokenUse === use);
    if (!key) throw new CognitoError("InternalErrorException", "Signing keys missing for pool", 500);
    const publicJwk = JSON.parse(key.publicJwk) as JWK;
    return {
      kid: key.kid,
      signingKey: (await importJWK(JSON.parse(key.privateJwk) as JWK, "RS256")) as CryptoKey,
      verifyKey: createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" }),
      publicJwk,
    };
  };
  const keys: PoolKeys = { id: await load("id"), access: await load("access") };
  // A rotation while these loaded must not leave the old keys signing: cache only what is current.
  const current = ctx.store.keys.ofPool(poolId).map((k) => k.kid);
  if (current.includes(keys.id.kid) && current.includes(keys.access.kid)) ctx.keyCache.set(poolId, keys);
  return keys;
}

/** The pool's JWKS document, as served at `/<poolId>/.well-known/jwks.json`. */
export async function jwksOf(ctx: Context, poolId: string): Promise<{ keys: JWK[] }> {
  const stored = await ensurePoolKeys(ctx, poolId);
  return { keys: [...stored.map((k) => JSON.parse(k.publicJwk) as JWK), ...retiredJwks(ctx, poolId)] };
}

const unitSeconds: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Token lifetimes in seconds from the client's validity settings. */
export function tokenLifetimes(client: Client): { access: number; id: number; refresh: number } {
  const { config } = client;
  return {
    access: config.AccessTokenValidity * unitSeconds[config.TokenValidityUnits.AccessToken],
    id: config.IdTokenValidity * unitSeconds[config.TokenValidityUnits.IdToken],
    refresh: config.RefreshTokenValidity * unitSeconds[config.TokenValidityUnits.RefreshToken],
  };
}

const booleanAttributes = new Set(["email_verified", "phone_number_verified"]);
const numericAttributes = new Set(["updated_at"]);

/** The user's attributes as ID-token claims, limited to what the client may read. */
function attributeClaims(user: User, client: Client): Record<string, unknown> {
  const readable = client.config.ReadAttributes;
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === "sub") continue;
    if (readable && readable.length > 0 && !readable.includes(name)) continue;
    if (booleanAttributes.has(name)) claims[name] = value === "true";
    else if (numericAttributes.has(name)) claims[name] = Number(value);
    else if (name === "identities") claims[name] = identitiesClaim(value);
    else claims[name] = value;
  }
  // Cognito's verification flags default to false: an email or phone number nobody verified
  // still comes with `<attribute>_verified: false`.
  for (const [attribute, flag] of [
    ["email", "email_verified"],
    ["phone_number", "phone_number_verified"],
  ] as const) {
    if (attribute in claims && !(flag in claims) && (!readable || readable.length === 0 || readable.includes(flag))) {
      claims[flag] = false;
    }
  }
  return claims;
}

/**
 * The ID token's `cognito:roles` (every role of the user's groups) and `cognito:preferred_role`:
 * the role of the group with the lowest Precedence; groups without one rank last, and a tie
 * between groups with different roles leaves the claim out (developer guide, "Adding groups to
 * a user pool"). Groups arrive ordered by precedence.
 */
function roleClaims(groups: readonly Group[]): Record<string, unknown> {
  const withRoles = groups.filter((g) => g.roleArn !== null);
  if (withRoles.length === 0) return {};
  const roles = [...new Set(withRoles.map((g) => g.roleArn))];
  const top = withRoles[0]!.precedence;
  const preferred = new Set(withRoles.filter((g) => g.precedence === top).map((g) => g.roleArn));
  return preferred.size === 1
    ? { "cognito:roles": roles, "cognito:preferred_role": [...preferred][0] }
    : { "cognito:roles": roles };
}

export interface IssuedTokens {
  readonly AccessToken: string;
  readonly IdToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: "Bearer";
}

/** Signs a fresh access and ID token for `session` (a new sign-in, or a refresh of it). */
/** The scope of the access tokens InitiateAuth issues, which Cognito's user operations require. */
export const userAdminScope = "aws.cognito.signin.user.admin";

/**
 * What an OAuth 2.0 sign-in adds to its tokens (hosted/): the granted scopes, which replace
 * `aws.cognito.signin.user.admin`, and the authorization request's nonce. Such access tokens
 * carry `version: 2` and their ID tokens `at_hash`, as Cognito's authorization server issues them.
 */
export interface TokenGrant {
  readonly scope: string;
  readonly nonce?: string | null;
}

/** OIDC Core §3.1.3.6: base64url of the left half of the SHA-256 of the access token. */
const atHashOf = (accessToken: string): string =>
  createHash("sha256").update(accessToken).digest().subarray(0, 16).toString("base64url");

export async function issueTokens(
  ctx: Context,
  pool: Pool,
  client: Client,
  user: User,
  session: Pick<Session, "originJti" | "authTime" | "deviceKey">,
  grant?: TokenGrant,
  source: TokenSource = tokenSource(grant !== undefined),
): Promise<IssuedTokens> {
  const keys = await loadPoolKeys(ctx, pool.id);
  const lifetimes = tokenLifetimes(client);
  const iat = Math.floor(ctx.clock.now() / 1000);
  const iss = ctx.issuerOf(pool.id);
  const groups = ctx.store.groups.ofUser(pool.id, user.usernameKey);
  const groupClaim = groups.length > 0 ? { "cognito:groups": groups.map((g) => g.name) } : {};
  const eventId = randomUUID();

  const standard = {
    access: {
      sub: user.sub,
      // The device the session signed in with (devices.ts), where AWS puts it.
      ...(session.deviceKey === null ? {} : { device_key: session.deviceKey }),
      ...groupClaim,
      iss,
      client_id: client.id,
      origin_jti: session.originJti,
      event_id: eventId,
      token_use: "access",
      scope: grant?.scope ?? userAdminScope,
      auth_time: session.authTime,
      exp: iat + lifetimes.access,
      iat,
      ...(grant ? { version: 2 } : {}),
      jti: randomUUID(),
      username: user.username,
    },
    id: {
      sub: user.sub,
      ...groupClaim,
      ...roleClaims(groups),
      ...attributeClaims(user, client),
      iss,
      "cognito:username": user.username,
      origin_jti: session.originJti,
      aud: client.id,
      event_id: eventId,
      token_use: "id",
      ...(grant?.nonce ? { nonce: grant.nonce } : {}),
      auth_time: session.authTime,
      exp: iat + lifetimes.id,
      iat,
      jti: randomUUID(),
    },
  };
  // The pool's PreTokenGeneration trigger may change both (triggers/token-generation.ts).
  const claims = await customizeTokens(ctx, { pool, client, user, groups, source }, standard);
  const access = new SignJWT(claims.access)
    .setProtectedHeader({ kid: keys.access.kid, alg: "RS256" })
    .sign(keys.access.signingKey);

  // An OAuth ID token binds the access token it came with (at_hash), so that one is signed first.
  const accessToken = grant ? await access : null;
  const id = new SignJWT({ ...(accessToken === null ? {} : { at_hash: atHashOf(accessToken) }), ...claims.id })
    .setProtectedHeader({ kid: keys.id.kid, alg: "RS256" })
    .sign(keys.id.signingKey);

  const [AccessToken, IdToken] = await Promise.all([access, id]);
  return { AccessToken, IdToken, ExpiresIn: lifetimes.access, TokenType: "Bearer" };
}

/**
 * A refresh token: opaque to clients (AWS's look like a JWE), stored by us only as a hash.
 * Five base64url segments keep the shape that client libraries sometimes check.
 */
export function newRefreshToken(): { token: string; hash: string } {
  const token = [
    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ",
    newOpaque(256),
    newOpaque(12),
    newOpaque(48),
    newOpaque(16),
  ].join(".");
  return { token, hash: hashRefreshToken(token) };
}

export const hashRefreshToken = (token: string): string => createHash("sha256").update(token).digest("base64url");

export interface AccessClaims {
  readonly sub: string;
  readonly iss: string;
  readonly client_id: string;
  readonly origin_jti: string;
  readonly token_use: string;
  readonly exp: number;
  readonly username: string;
  readonly scope: string;
}

const isAccessClaims = (value: unknown): value is AccessClaims => {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.sub === "string" &&
    typeof v.iss === "string" &&
    typeof v.client_id === "string" &&
    typeof v.origin_jti === "string" &&
    typeof v.token_use === "string" &&
    typeof v.exp === "number" &&
    typeof v.username === "string" &&
    typeof v.scope === "string"
  );
};

function decodeSegment(segment: string | undefined): unknown {
  if (!segment) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

export interface Caller {
  readonly pool: Pool;
  readonly user: User;
  readonly session: Session;
  readonly claims: AccessClaims;
}

/**
 * Authenticates the AccessToken of a token operation (GetUser, ChangePassword, …) as Cognito
 * does: a bad or foreign token is "Invalid Access Token", an old one "Access Token has
 * expired", a signed-out one "Access Token has been revoked", a disabled user "User is
 * disabled." and a deleted one UserNotFoundException.
 */
export async function authenticateAccessToken(
  ctx: Context,
  token: string,
  requiredScope: string | null = userAdminScope,
): Promise<Caller> {
  const [headerPart, payloadPart, signaturePart] = token.split(".");
  const header = decodeSegment(headerPart) as { kid?: unknown; alg?: unknown } | undefined;
  const claims = decodeSegment(payloadPart);
  if (
    !header ||
    header.alg !== "RS256" ||
    typeof header.kid !== "string" ||
    !isAccessClaims(claims) ||
    !signaturePart
  ) {
    throw notAuthorized(messages.invalidAccessToken);
  }
  const poolId = claims.iss.slice(claims.iss.lastIndexOf("/") + 1);
  const pool = ctx.store.pools.get(poolId);
  if (!pool || claims.iss !== ctx.issuerOf(pool.id) || claims.token_use !== "access") {
    throw notAuthorized(messages.invalidAccessToken);
  }
  const keys = await loadPoolKeys(ctx, pool.id);
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  // A token signed before a rotation stays good, as with AWS.
  const verifyKey = header.kid === keys.access.kid ? keys.access.verifyKey : retiredAccessKey(ctx, pool.id, header.kid);
  if (!verifyKey || !verify("sha256", signed, verifyKey, Buffer.from(signaturePart, "base64url"))) {
    throw notAuthorized(messages.invalidAccessToken);
  }
  if (claims.exp * 1000 <= ctx.clock.now()) throw notAuthorized(messages.accessTokenExpired);
  // A token from the hosted UI without this scope may not call Cognito's user operations.
  if (requiredScope !== null && !claims.scope.split(" ").includes(requiredScope)) {
    throw notAuthorized("Access Token does not have required scopes");
  }
  const session = ctx.store.sessions.get(claims.origin_jti);
  if (!session || session.poolId !== pool.id) throw notAuthorized(messages.invalidAccessToken);
  if (session.revoked) throw notAuthorized(messages.accessTokenRevoked);
  const user = ctx.store.users.findBySub(pool.id, claims.sub);
  if (!user) throw new CognitoError("UserNotFoundException", messages.userNotFound);
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  return { pool, user, session, claims };
}
