/**
 * Verifying the Cognito tokens API clients send, with `aws-jwt-verify`:
 * - RS256 only, with the key chosen by `kid` from the pool's key set, which is fetched at
 *   start-up and kept; `verifySync` checks each token without a network call (~50 µs);
 * - a token with a `kid` we do not hold (a key rotation) makes one re-fetch, shared by the
 *   requests that wait for it and at most one per interval (`GuardedJwksFetcher`);
 * - claims: `iss` is the configured pool, `exp` is present and not past (with the clock skew),
 *   `nbf` and `iat` are not in the future, `token_use` is `access` (or `id` when opted in),
 *   the client (`client_id`, or `aud` of an ID token) is one of the allowed ones, `sub` is a
 *   UUID (the `cognito_sub` column is one on PostgreSQL) and the username is present;
 * - a machine client's token (client_credentials, issue 10) passes the same checks but the
 *   last two: its client is one of `machineClientIds`, it is an access token, it has no
 *   username, its `sub` is its `client_id` (as Cognito issues it) and its `scope` a string;
 * - each segment spelled canonically (unpadded base64url, no stray bits), checked first;
 * - optionally the verified-token cache (token-cache.ts) in front.
 *
 * Failures become a `TokenRejected` with a stable code; the caller decides what the client sees.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
import { JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import {
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidClaimError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from "aws-jwt-verify/error";
import { SimpleJwksCache, SimplePenaltyBox, type Jwks } from "aws-jwt-verify/jwk";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import type { ApiSettings } from "../config.ts";
import { GuardedJwksFetcher, jwksParser } from "./jwks.ts";
import { VerifiedTokenCache, type VerifiedToken } from "./token-cache.ts";

export type { VerifiedMachineToken, VerifiedToken, VerifiedUserToken } from "./token-cache.ts";

/**
 * Why a token was refused. `signature` and `expired` get their own message; the rest say only
 * "Invalid token." so that a forger learns nothing about which check caught them.
 */
export type RejectionCode =
  | "malformed"
  | "too-large"
  | "algorithm"
  | "signature"
  | "expired"
  | "not-yet-valid"
  | "claims"
  | "unknown-key"
  | "keys-unavailable";

export class TokenRejected extends Error {
  readonly code: RejectionCode;
  constructor(code: RejectionCode, message: string, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/**
 * Cognito's tokens are 1–2 KB (more with many groups); anything far beyond is refused before it
 * is decoded, so a 100 KB header costs nothing.
 */
export const maxTokenLength = 16 * 1024;

/**
 * One segment as RFC 7515 §2 spells it: base64url with no padding, and the unused low bits of
 * the last character zero (RFC 4648 §3.5), so that only one text decodes to the segment's bytes.
 * Node's decoder accepts `=`, `+`, `/` and stray bits, and aws-jwt-verify allows padding, so a
 * token respelled that way would be a second valid token (a cache key, a log line, a revocation
 * list entry that the original no longer matches). Equivalent to decode → re-encode → compare,
 * without the copy: a final pair carries 4 unused bits (A, Q, g, w), a final triple 2.
 */
const canonicalSegment = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$/;

/** Whether `token` is three canonical base64url segments (see `canonicalSegment`). */
export function isCanonicalJwt(token: string): boolean {
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  if (first === -1 || second === -1 || token.includes(".", second + 1)) return false;
  return (
    canonicalSegment.test(token.slice(0, first)) &&
    canonicalSegment.test(token.slice(first + 1, second)) &&
    canonicalSegment.test(token.slice(second + 1))
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessTokenVerifierOptions {
  /** The emulator's URL (COGNITO_ENDPOINT), whose host may serve the key set over http. */
  readonly endpoint: string | null;
  /** Minimum time between two requests for the key set; default 10 s. */
  readonly minJwksIntervalMs?: number;
  /** Re-read the key set this often even when no unknown `kid` asks for it; default 1 h. */
  readonly jwksRefreshMs?: number;
  readonly now?: () => number;
}

export interface AccessTokenVerifier {
  /** Verifies `token`, from the cache when it can; rejects with `TokenRejected`. */
  verify(token: string): Promise<VerifiedToken>;
  /** Fetches the key set now (start-up); rejects when it cannot be had. */
  loadKeys(): Promise<void>;
  /** Whether a key set is held (for /api/v1/health). */
  readonly keysLoaded: boolean;
  readonly stats: { readonly jwksRequests: number; readonly cachedTokens: number; readonly kids: readonly string[] };
  close(): void;
}

function rejectionOf(error: unknown): TokenRejected {
  if (error instanceof TokenRejected) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof JwtExpiredError) return new TokenRejected("expired", message, error);
  if (error instanceof JwtNotBeforeError) return new TokenRejected("not-yet-valid", message, error);
  if (error instanceof JwtInvalidSignatureError) return new TokenRejected("signature", message, error);
  if (error instanceof JwtInvalidSignatureAlgorithmError) return new TokenRejected("algorithm", message, error);
  if (error instanceof JwtInvalidClaimError) return new TokenRejected("claims", message, error);
  if (error instanceof KidNotFoundInJwksError) return new TokenRejected("unknown-key", message, error);
  if (error instanceof JwtParseError) return new TokenRejected("malformed", message, error);
  if (
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof JwksNotAvailableInCacheError ||
    error instanceof WaitPeriodNotYetEndedJwkError
  ) {
    // A key set we could not fetch (or not yet again), or could not parse.
    return new TokenRejected("keys-unavailable", message, error);
  }
  // Anything else — no `kid`, a key of the wrong kind, a crypto error on a strange signature —
  // is still the token's fault.
  return new TokenRejected("malformed", message, error);
}

export function createAccessTokenVerifier(
  settings: ApiSettings,
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const minIntervalMs = options.minJwksIntervalMs ?? 10_000;
  const cache = settings.cacheVerifiedTokens ? new VerifiedTokenCache(settings.verifiedTokenCacheSize, now) : null;
  // A new kid moments after a fetch waits for the next one rather than being refused (jwks.ts).
  const fetcher = new GuardedJwksFetcher({ endpoint: options.endpoint, minIntervalMs, maxWaitMs: minIntervalMs, now });
  let kids: ReadonlySet<string> | null = null;

  const jwksCache = new SimpleJwksCache({
    fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: minIntervalMs / 1000 }),
    jwksParser: jwksParser((jwks: Jwks) => {
      kids = new Set(jwks.keys.flatMap((key) => (typeof key.kid === "string" ? [key.kid] : [])));
      cache?.retainKids(kids);
    }),
  });

  const skew = settings.clockSkewSeconds;
  const tokenUse = settings.acceptIdTokens ? null : "access";
  const machineClientIds = new Set(settings.machineClientIds);
  const clientId = [...settings.allowedClientIds, ...machineClientIds];

  // The header of each verified payload, handed from the check below to `toVerified` without
  // decoding the token a second time (the payload object is the one verify returns).
  const headers = new WeakMap<JwtPayload, JwtHeader>();

  /** The checks aws-jwt-verify leaves to us; it calls this after the signature and `exp`/`nbf`/`iss`. */
  const customJwtCheck = ({ header, payload }: { header: JwtHeader; payload: JwtPayload }): void => {
    if (header.alg !== "RS256") throw new TokenRejected("algorithm", `alg ${String(header.alg)} is not RS256`);
    validateCognitoJwtFields(payload, { tokenUse, clientId });
    // aws-jwt-verify checks `exp` only when present; a token without one would never expire.
    if (typeof payload.exp !== "number") throw new TokenRejected("claims", "no exp");
    if (typeof payload.iat !== "number" || payload.iat > now() / 1000 + skew) {
      throw new TokenRejected("not-yet-valid", "iat is missing or in the future");
    }
    if (isMachineClaims(payload)) assertMachineClaims(payload);
    else {
      if (typeof payload.sub !== "string" || !uuidPattern.test(payload.sub)) {
        throw new TokenRejected("claims", "sub is not a UUID");
      }
      const username = payload.token_use === "id" ? payload["cognito:username"] : payload.username;
      if (typeof username !== "string" || username === "") throw new TokenRejected("claims", "no username");
    }
    headers.set(payload, header);
  };

  /** Whether the token's client (`client_id`, or `aud` of an ID token) is a machine client. */
  const isMachineClaims = (payload: JwtPayload): boolean => {
    const client = payload.token_use === "id" ? payload.aud : payload.client_id;
    return typeof client === "string" && machineClientIds.has(client);
  };

  /**
   * What Cognito's client_credentials access token is and a person's is not: no user at all.
   * A machine client's token with a username (a user signed in through it) is refused rather
   * than judged as a person's, so that one client id never means two kinds of caller.
   */
  const assertMachineClaims = (payload: JwtPayload): void => {
    if (payload.token_use !== "access")
      throw new TokenRejected("claims", "a machine client's token must be an access token");
    if (payload.username !== undefined || payload["cognito:username"] !== undefined) {
      throw new TokenRejected("claims", "a machine client's token has a username");
    }
    if (typeof payload.sub !== "string" || payload.sub !== payload.client_id) {
      throw new TokenRejected("claims", "a machine client's sub is not its client_id");
    }
    if (typeof payload.scope !== "string") throw new TokenRejected("claims", "a machine client's token has no scope");
  };

  const verifier = JwtVerifier.create(
    {
      issuer: settings.issuer,
      jwksUri: settings.jwksUrl,
      audience: null, // checked by validateCognitoJwtFields: `client_id` of access tokens, `aud` of ID tokens
      graceSeconds: skew,
      customJwtCheck,
    },
    { jwksCache },
  );

  const toVerified = (header: JwtHeader, payload: JwtPayload): VerifiedToken => {
    if (isMachineClaims(payload)) {
      return {
        kind: "machine",
        sub: payload.sub as string,
        tokenUse: "access",
        clientId: payload.client_id as string,
        scopes: new Set((payload.scope as string).split(" ").filter((scope) => scope !== "")),
        kid: header.kid as string,
        expiresAt: (payload.exp as number) * 1000,
        claims: payload,
      };
    }
    const use = payload.token_use === "id" ? "id" : "access";
    return {
      kind: "user",
      sub: payload.sub as string,
      username: (use === "id" ? payload["cognito:username"] : payload.username) as string,
      tokenUse: use,
      clientId: (use === "id" ? payload.aud : payload.client_id) as string,
      kid: header.kid as string,
      expiresAt: (payload.exp as number) * 1000,
      claims: payload,
    };
  };

  async function verifyUncached(token: string): Promise<VerifiedToken> {
    let payload: JwtPayload;
    try {
      payload = verifier.verifySync(token);
    } catch (error) {
      if (!(error instanceof KidNotFoundInJwksError || error instanceof JwksNotAvailableInCacheError)) throw error;
      // A `kid` we do not hold. Only a token that claims our pool may cost a key-set fetch:
      // tokens of other issuers are refused without one.
      if (decomposeUnverifiedJwt(token).payload.iss !== settings.issuer) {
        throw new TokenRejected("claims", "issuer is not the configured pool");
      }
      payload = await verifier.verify(token);
    }
    const header = headers.get(payload);
    if (!header) throw new TokenRejected("malformed", "verified without the custom checks");
    return toVerified(header, payload);
  }

  const refreshTimer = setInterval(() => {
    jwksCache.getJwks(settings.jwksUrl).catch(() => undefined);
  }, options.jwksRefreshMs ?? 3_600_000);
  refreshTimer.unref();

  return {
    async verify(token) {
      // Before the cache: a respelled copy of a cached token is refused, not looked up.
      if (token.length > maxTokenLength) throw new TokenRejected("too-large", "token too large");
      if (!isCanonicalJwt(token)) throw new TokenRejected("malformed", "not three canonical base64url segments");
      const cached = cache?.get(token);
      if (cached) return cached;
      try {
        const verified = await verifyUncached(token);
        cache?.set(token, verified);
        return verified;
      } catch (error) {
        throw rejectionOf(error);
      }
    },
    async loadKeys() {
      await jwksCache.getJwks(settings.jwksUrl);
    },
    get keysLoaded() {
      return kids !== null && kids.size > 0;
    },
    get stats() {
      return { jwksRequests: fetcher.requests, cachedTokens: cache?.size ?? 0, kids: [...(kids ?? [])] };
    },
    close() {
      clearInterval(refreshTimer);
      cache?.clear();
    },
  };
}
