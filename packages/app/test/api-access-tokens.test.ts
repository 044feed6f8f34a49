/**
 * The token verifier on its own, against a key set served over real loopback HTTP whose keys
 * the tests rotate: key rotation, the rate-limited re-fetch for unknown `kid`s, and what the
 * verified-token cache may and may not do.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createAccessTokenVerifier,
  isCanonicalJwt,
  TokenRejected,
  type AccessTokenVerifier,
} from "../src/api/access-tokens.ts";
import { GuardedJwksFetcher } from "../src/api/jwks.ts";
import { VerifiedTokenCache, type VerifiedToken } from "../src/api/token-cache.ts";
import type { ApiSettings } from "../src/config.ts";
import { signRs256 } from "./api-fixtures.ts";

interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const exported = publicKey.export({ format: "jwk" });
  return { kid, privateKey, jwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n: exported.n, e: exported.e } };
}

/** A key-set server whose keys the test changes, counting the requests it gets. */
let server: Server;
let published: TestKey[] = [];
let requests = 0;
let oversized = false;
let origin = "";
const keyA = newKey();
const keyB = newKey();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    if (req.url !== "/us-east-1_Test/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    const body = oversized ? "x".repeat(300 * 1024) : JSON.stringify({ keys: published.map((k) => k.jwk) });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = (overrides: Partial<ApiSettings> = {}): ApiSettings => ({
  headerPrefix: "Bearer",
  clockSkewSeconds: 5,
  acceptIdTokens: false,
  createUnknownUsers: true,
  allowedClientIds: ["client1"],
  machineClientIds: [],
  issuer: `${origin}/us-east-1_Test`,
  jwksUrl: `${origin}/us-east-1_Test/.well-known/jwks.json`,
  cacheVerifiedTokens: true,
  verifiedTokenCacheSize: 100,
  logRequests: false,
  ...overrides,
});

function tokenSignedBy(key: TestKey, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signRs256(
    { kid: key.kid, alg: "RS256" },
    {
      sub: randomUUID(),
      iss: `${origin}/us-east-1_Test`,
      client_id: "client1",
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      exp: now + 3600,
      iat: now,
      username: "someone",
      ...claims,
    },
    key.privateKey,
  );
}

async function rejection(promise: Promise<unknown>): Promise<TokenRejected> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TokenRejected) return error;
    throw error;
  }
  throw new Error("the token was accepted");
}

let verifier: AccessTokenVerifier | null = null;
async function start(
  overrides: Partial<ApiSettings> = {},
  options: { minJwksIntervalMs?: number; now?: () => number } = {},
): Promise<AccessTokenVerifier> {
  verifier = createAccessTokenVerifier(settings(overrides), { endpoint: null, minJwksIntervalMs: 60_000, ...options });
  await verifier.loadKeys();
  return verifier;
}

beforeEach(() => {
  published = [keyA];
  requests = 0;
  oversized = false;
});
afterEach(() => {
  verifier?.close();
  verifier = null;
});

describe("the access-token verifier", () => {
  it("reads the key set once at start-up and verifies tokens without asking again", async () => {
    const v = await start();
    expect(v.keysLoaded).toBe(true);
    const first = await v.verify(tokenSignedBy(keyA, { username: "alice" }));
    expect(first).toMatchObject({ username: "alice", tokenUse: "access", clientId: "client1", kid: keyA.kid });
    await v.verify(tokenSignedBy(keyA));
    expect(requests).toBe(1);
  });

  it("accepts a key rotated in after start-up, after one fetch of the key set", async () => {
    const v = await start({}, { minJwksIntervalMs: 0 });
    published = [keyA, keyB];
    await expect(v.verify(tokenSignedBy(keyB))).resolves.toMatchObject({ kid: keyB.kid });
    expect(requests).toBe(2);
    await v.verify(tokenSignedBy(keyB));
    expect(requests).toBe(2);
  });

  it("shares one fetch among concurrent tokens with an unknown kid, and holds back the next one", async () => {
    const v = await start({}, { minJwksIntervalMs: 300 });
    // The start-up fetch counts too: wait out its interval.
    await new Promise((resolve) => setTimeout(resolve, 350));
    const stranger = newKey();
    const refused = await Promise.all(Array.from({ length: 5 }, () => rejection(v.verify(tokenSignedBy(stranger)))));
    expect(refused.map((r) => r.code)).toEqual(Array(5).fill("unknown-key"));
    expect(requests).toBe(2);
    // Within the interval another made-up kid costs no request at all.
    const again = await rejection(v.verify(tokenSignedBy(newKey())));
    expect(again.code).not.toBe("signature");
    expect(requests).toBe(2);
  });

  it("asks nothing for an unknown kid when the token names another issuer", async () => {
    const v = await start({}, { minJwksIntervalMs: 0 });
    const refused = await rejection(v.verify(tokenSignedBy(newKey(), { iss: "https://elsewhere.example/pool" })));
    expect(refused.code).toBe("claims");
    expect(requests).toBe(1);
  });

  it("forgets cached tokens of a key that leaves the key set, and refuses them afterwards", async () => {
    const v = await start({}, { minJwksIntervalMs: 0 });
    const oldToken = tokenSignedBy(keyA);
    await v.verify(oldToken);
    expect(v.stats.cachedTokens).toBe(1);

    published = [keyB];
    await v.verify(tokenSignedBy(keyB)); // the new key makes us fetch the key set again
    expect(v.stats.kids).toEqual([keyB.kid]);
    expect(v.stats.cachedTokens).toBe(1);
    expect((await rejection(v.verify(oldToken))).code).toBe("unknown-key");
  });

  it("never serves a cached token at or after its exp", async () => {
    let now = Date.now();
    const v = await start({}, { now: () => now });
    const token = tokenSignedBy(keyA, { exp: Math.floor(now / 1000) + 60 });
    await v.verify(token);
    expect(v.stats.cachedTokens).toBe(1);
    now += 60_000;
    // Our clock says it has expired: the cache lets go of it (the library's own exp check runs
    // on the real clock, which is why the token itself still verifies here).
    await v.verify(token);
    expect(v.stats.cachedTokens).toBe(0);
  });

  it("keeps no more tokens than its size, and none at all when turned off", async () => {
    const small = await start({ verifiedTokenCacheSize: 2 });
    for (let i = 0; i < 5; i++) await small.verify(tokenSignedBy(keyA));
    expect(small.stats.cachedTokens).toBe(2);
    small.close();

    const off = await start({ cacheVerifiedTokens: false });
    const token = tokenSignedBy(keyA);
    await off.verify(token);
    await off.verify(token);
    expect(off.stats.cachedTokens).toBe(0);
  });

  it("caches by the whole token: a tampered copy of a cached token is still refused", async () => {
    const v = await start();
    const token = tokenSignedBy(keyA, { username: "bob" });
    await v.verify(token);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, username: "admin" })).toString("base64url")}.${signature}`;
    expect((await rejection(v.verify(forged))).code).toBe("signature");
  });

  it("checks AWS's issuer while fetching the keys elsewhere (the emulator started with an AWS issuer base)", async () => {
    const aws = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test";
    const v = await start({ issuer: aws });
    await expect(v.verify(tokenSignedBy(keyA, { iss: aws }))).resolves.toMatchObject({ kid: keyA.kid });
    expect((await rejection(v.verify(tokenSignedBy(keyA)))).code).toBe("claims");
  });

  it("reports no keys when the key set cannot be fetched, and refuses tokens meanwhile", async () => {
    verifier = createAccessTokenVerifier(settings({ jwksUrl: `${origin}/missing/jwks.json` }), {
      endpoint: null,
      minJwksIntervalMs: 60_000,
    });
    await expect(verifier.loadKeys()).rejects.toThrow();
    expect(verifier.keysLoaded).toBe(false);
    expect((await rejection(verifier.verify(tokenSignedBy(keyA)))).code).toBe("keys-unavailable");
  });
});

describe("the canonical-spelling check", () => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const roundTrips = (segment: string): boolean => Buffer.from(segment, "base64url").toString("base64url") === segment;

  it("accepts a segment exactly when decoding and encoding it again gives the same text", () => {
    // Every last character after 0–3 characters of body, and every byte length up to 9.
    const segments = ["", "A", "AB", "ABC"].flatMap((body) => [...alphabet].map((last) => `${body}${last}`));
    for (let n = 0; n < 10; n++) segments.push(Buffer.from(randomUUID()).subarray(0, n).toString("base64url"));
    for (const segment of segments) {
      expect([segment, isCanonicalJwt(`${segment}.${segment}.${segment}`)]).toEqual([segment, roundTrips(segment)]);
    }
  });

  it("refuses padding, standard base64, whitespace and a wrong number of segments", () => {
    for (const token of [
      "QQ==.QQ.QQ",
      "QQ.QQ=.QQ",
      "QQ.QQ.QQ==",
      "+w.QQ.QQ",
      "QQ./w.QQ",
      "QQ.QQ.Q Q",
      "QQ.QQ.QQ\n",
      "QQ.QQ",
      "QQ.QQ.QQ.QQ",
    ]) {
      expect([token, isCanonicalJwt(token)]).toEqual([token, false]);
    }
    expect(isCanonicalJwt("QQ.QQ.QQ")).toBe(true);
  });
});

describe("the key-set fetcher", () => {
  it("refuses plain http from a host that is neither loopback nor the emulator's, without a request", async () => {
    const fetcher = new GuardedJwksFetcher({ endpoint: "http://emulator:9229", minIntervalMs: 0 });
    await expect(fetcher.fetch("http://keys.example.com/jwks.json")).rejects.toThrow(/https/);
    expect(fetcher.requests).toBe(0);
  });

  it("refuses an oversized key set", async () => {
    oversized = true;
    const fetcher = new GuardedJwksFetcher({ endpoint: null, minIntervalMs: 0 });
    await expect(fetcher.fetch(`${origin}/us-east-1_Test/.well-known/jwks.json`)).rejects.toThrow(/too large/);
  });

  it("sends at most one request per interval", async () => {
    const fetcher = new GuardedJwksFetcher({ endpoint: null, minIntervalMs: 60_000 });
    await fetcher.fetch(`${origin}/us-east-1_Test/.well-known/jwks.json`);
    await expect(fetcher.fetch(`${origin}/us-east-1_Test/.well-known/jwks.json`)).rejects.toThrow(/moments ago/);
    expect(requests).toBe(1);
  });
});

describe("the verified-token cache", () => {
  const entry = (kid: string, expiresAt: number): VerifiedToken => ({
    kind: "user",
    sub: randomUUID(),
    username: "u",
    tokenUse: "access",
    clientId: "c",
    kid,
    expiresAt,
    claims: {},
  });

  it("drops the oldest entry first when full", () => {
    const cache = new VerifiedTokenCache(2, () => 0);
    cache.set("t1", entry("k", 10));
    cache.set("t2", entry("k", 10));
    cache.set("t3", entry("k", 10));
    expect([cache.get("t1"), cache.get("t2")?.kid, cache.get("t3")?.kid]).toEqual([undefined, "k", "k"]);
  });

  it("does not store a token that has already expired, and keeps only the kids still published", () => {
    let now = 100;
    const cache = new VerifiedTokenCache(10, () => now);
    cache.set("expired", entry("k1", 100));
    cache.set("a", entry("k1", 200));
    cache.set("b", entry("k2", 200));
    expect(cache.size).toBe(2);
    cache.retainKids(new Set(["k2"]));
    expect([cache.get("a"), cache.get("b")?.kid]).toEqual([undefined, "k2"]);
    now = 200;
    expect(cache.get("b")).toBeUndefined();
  });
});
