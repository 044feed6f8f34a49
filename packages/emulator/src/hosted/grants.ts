/**
 * What the authorization server hands out: authorization codes, the tokens of the code and
 * implicit flows, and the token endpoint's grants (authorization_code with PKCE, refresh_token,
 * client_credentials), with client authentication by HTTP Basic or the request body.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 *
 * Facts relied on (the endpoint references):
 * - a code is good once, for five minutes, and only with the redirect_uri it was issued for;
 * - the token endpoint answers 400 with `{"error": …}`: invalid_request (a missing parameter),
 *   invalid_client (client authentication failed), invalid_grant (a used, unknown or expired code,
 *   a revoked refresh token), unauthorized_client (a flow the client may not use),
 *   unsupported_grant_type, invalid_scope;
 * - authorization_code returns ID (with openid), access and refresh tokens; refresh_token
 *   returns ID and access tokens; client_credentials an access token only, with the client's
 *   custom scopes when none are asked for;
 * - a client_credentials access token has no user: `sub` and `client_id` are the client's, and
 *   it carries `scope`, `token_use`, `auth_time`, `version`, `jti`, `iat`, `exp`, `iss`.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { SignJWT } from "jose";
import type { Context } from "../context.ts";
import { CognitoError } from "../errors.ts";
import type { Client, Pool, User } from "../model.ts";
import { prepareSession, refreshSignIn } from "../signin.ts";
import { isClientSecret } from "../operations/common.ts";
import { hashRefreshToken, loadPoolKeys, tokenLifetimes } from "../tokens.ts";
import { allowsOAuthFlow } from "./client-settings.ts";
import type { AuthorizeRequest } from "./authorize.ts";
import { OAuthError } from "./errors.ts";

/** Five minutes, as the authorization endpoint's reference says. */
export const codeLifetimeMs = 5 * 60_000;

const sha256 = (value: string): string => createHash("sha256").update(value).digest("base64url");

/** The token endpoint's success body (and, for the implicit flow, the fragment's members). */
export interface TokenResponse {
  readonly access_token: string;
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
}

/**
 * Opens a session for a user who signed in through the hosted UI and mints its tokens with the
 * granted scopes; the ID token only with `openid`, the refresh token only when asked for (the
 * implicit flow never returns one).
 */
export async function openOAuthSession(
  ctx: Context,
  request: { pool: Pool; client: Client; scope: string; nonce: string | null; authTime: number },
  user: User,
  withRefreshToken: boolean,
): Promise<TokenResponse> {
  const { pool, client, scope } = request;
  const { row, response } = await prepareSession(ctx, pool, client, user, {
    scope,
    nonce: request.nonce,
    authTime: request.authTime,
  });
  ctx.store.transaction(() => {
    ctx.store.sessions.insert(row);
    ctx.store.hosted.insertGrant(row.originJti, scope);
  });
  const result = response.AuthenticationResult;
  if (!result) throw new CognitoError("InternalErrorException", "No tokens were signed.", 500);
  return {
    ...(scope.split(" ").includes("openid") ? { id_token: result.IdToken } : {}),
    access_token: result.AccessToken,
    ...(withRefreshToken && result.RefreshToken ? { refresh_token: result.RefreshToken } : {}),
    token_type: "Bearer",
    expires_in: result.ExpiresIn,
  };
}

/** Issues a single-use code for a signed-in user; returns the code to put in the redirect. */
export function issueCode(ctx: Context, request: AuthorizeRequest, user: User, authTime: number): string {
  const code = randomUUID();
  const now = ctx.clock.now();
  ctx.store.hosted.purgeCodes(now);
  ctx.store.hosted.insertCode({
    codeHash: sha256(code),
    poolId: request.pool.id,
    clientId: request.client.id,
    usernameKey: user.usernameKey,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(" "),
    nonce: request.nonce ?? null,
    codeChallenge: request.codeChallenge ?? null,
    authTime,
    expiresAt: now + codeLifetimeMs,
  });
  return code;
}

/** A form field that must be there once: missing is invalid_request. */
function required(form: URLSearchParams, name: string): string {
  const values = form.getAll(name);
  if (values.length !== 1 || values[0] === "") throw new OAuthError("invalid_request");
  return values[0]!;
}

const sameSecret = (expected: string, given: string): boolean => {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** `client_id:client_secret` of an HTTP Basic header, form-decoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new OAuthError("invalid_client", 400);
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", 400);
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError("invalid_client", 400);
  }
}

/**
 * The client a token or revocation request comes from: its secret by Basic auth or in the body
 * (client_secret_basic, client_secret_post), none for a public client. Anything else is
 * invalid_client, with `status` (the revocation endpoint answers 401).
 */
export function authenticateClient(
  ctx: Context,
  pool: Pool,
  authorization: string | undefined,
  form: URLSearchParams,
  status = 400,
): Client {
  const fail = (): never => {
    throw new OAuthError("invalid_client", status);
  };
  let basic: { id: string; secret: string } | null = null;
  try {
    basic = basicCredentials(authorization);
  } catch {
    fail();
  }
  const bodyId = form.get("client_id") ?? undefined;
  const bodySecret = form.get("client_secret") ?? undefined;
  if (basic && bodySecret !== undefined) fail();
  if (basic && bodyId !== undefined && bodyId !== basic.id) fail();
  const id = basic?.id ?? bodyId;
  const client = id === undefined ? undefined : ctx.store.clients.get(id);
  if (!client || client.poolId !== pool.id) return fail();
  const secret = basic?.secret ?? bodySecret;
  if (client.secret === null) {
    if (secret !== undefined && secret !== "") fail();
  } else if (secret === undefined || !isClientSecret(client, secret)) {
    fail();
  }
  return client;
}

/** PKCE S256 (RFC 7636 §4.6): BASE64URL(SHA256(code_verifier)) is the code_challenge. */
function verifierMatches(challenge: string, verifier: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  return sameSecret(challenge, sha256(verifier));
}

async function authorizationCodeGrant(ctx: Context, pool: Pool, client: Client, form: URLSearchParams) {
  if (!allowsOAuthFlow(client, "code")) throw new OAuthError("unauthorized_client");
  const code = required(form, "code");
  const redirectUri = required(form, "redirect_uri");
  const verifier = form.get("code_verifier");
  // The code is spent by this attempt, whatever its outcome: a code is good once.
  const stored = ctx.store.hosted.takeCode(sha256(code));
  if (!stored || stored.poolId !== pool.id || stored.clientId !== client.id) throw new OAuthError("invalid_grant");
  if (stored.expiresAt <= ctx.clock.now() || stored.redirectUri !== redirectUri) throw new OAuthError("invalid_grant");
  if (stored.codeChallenge !== null && (verifier === null || !verifierMatches(stored.codeChallenge, verifier))) {
    throw new OAuthError("invalid_grant");
  }
  const user = ctx.store.users.get(pool.id, stored.usernameKey);
  if (!user || !user.enabled) throw new OAuthError("invalid_grant");
  return openOAuthSession(
    ctx,
    { pool, client, scope: stored.scope, nonce: stored.nonce, authTime: stored.authTime },
    user,
    true,
  );
}

async function refreshTokenGrant(ctx: Context, client: Client, form: URLSearchParams): Promise<TokenResponse> {
  const token = required(form, "refresh_token");
  try {
    // A session an API sign-in bound to a device is refreshed here with its device_key too.
    const deviceKey = form.get("device_key") ?? undefined;
    const { AuthenticationResult } = await refreshSignIn(ctx, client, token, deviceKey, () => undefined);
    if (!AuthenticationResult) throw new OAuthError("invalid_grant");
    const session = ctx.store.sessions.findByRefreshTokenHash(hashRefreshToken(token));
    const scope = session ? ctx.store.hosted.grantOf(session.originJti) : undefined;
    const withId = scope === undefined || scope.split(" ").includes("openid");
    return {
      ...(withId ? { id_token: AuthenticationResult.IdToken } : {}),
      access_token: AuthenticationResult.AccessToken,
      token_type: "Bearer",
      expires_in: AuthenticationResult.ExpiresIn,
    };
  } catch (error) {
    if (error instanceof CognitoError && error.type === "NotAuthorizedException") throw new OAuthError("invalid_grant");
    throw error;
  }
}

/** The scopes a machine client asks for, or all of its custom scopes; invalid_scope otherwise. */
function machineScopes(client: Client, requested: string | null): string[] {
  const custom = (client.config.AllowedOAuthScopes ?? []).filter((scope) => scope.includes("/"));
  if (requested === null || requested.trim() === "") {
    if (custom.length === 0) throw new OAuthError("invalid_scope");
    return custom;
  }
  const scopes = [...new Set(requested.split(/[ +]+/).filter(Boolean))];
  if (scopes.length === 0 || scopes.some((scope) => !custom.includes(scope))) throw new OAuthError("invalid_scope");
  return scopes;
}

async function clientCredentialsGrant(ctx: Context, pool: Pool, client: Client, form: URLSearchParams) {
  if (!allowsOAuthFlow(client, "client_credentials") || client.secret === null) {
    throw new OAuthError("unauthorized_client");
  }
  const scope = machineScopes(client, form.get("scope")).join(" ");
  const keys = await loadPoolKeys(ctx, pool.id);
  const lifetime = tokenLifetimes(client).access;
  const iat = Math.floor(ctx.clock.now() / 1000);
  const accessToken = await new SignJWT({
    sub: client.id,
    token_use: "access",
    scope,
    auth_time: iat,
    iss: ctx.issuerOf(pool.id),
    exp: iat + lifetime,
    iat,
    version: 2,
    jti: randomUUID(),
    client_id: client.id,
  })
    .setProtectedHeader({ kid: keys.access.kid, alg: "RS256" })
    .sign(keys.access.signingKey);
  return { access_token: accessToken, expires_in: lifetime, token_type: "Bearer" as const };
}

/** The token endpoint: authenticates the client, then runs the grant it asks for. */
export async function tokenEndpoint(
  ctx: Context,
  pool: Pool,
  authorization: string | undefined,
  form: URLSearchParams,
): Promise<TokenResponse> {
  const grantType = form.getAll("grant_type");
  if (grantType.length !== 1 || grantType[0] === "") throw new OAuthError("invalid_request");
  const client = authenticateClient(ctx, pool, authorization, form);
  switch (grantType[0]) {
    case "authorization_code":
      return authorizationCodeGrant(ctx, pool, client, form);
    case "refresh_token":
      return refreshTokenGrant(ctx, client, form);
    case "client_credentials":
      return clientCredentialsGrant(ctx, pool, client, form);
    default:
      throw new OAuthError("unsupported_grant_type");
  }
}
