import { describe, expect, it } from "vitest";
import { formatConfigErrors, loadConfig } from "../src/config.ts";

const minimal = { COGNITO_USER_POOL_ID: "us-east-1_AbC123xyZ", COGNITO_CLIENT_ID: "abc123" };

describe("settings", () => {
  it("reads a minimal environment with SQLite and localhost defaults", () => {
    const result = loadConfig(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      mode: "development",
      cognito: {
        region: "us-east-1",
        userPoolId: "us-east-1_AbC123xyZ",
        clientId: "abc123",
        clientSecret: null,
        endpoint: null,
      },
      database: { kind: "sqlite", path: "var/gatehouse.sqlite3" },
      autoConfirmSignups: false,
      allowSignup: true,
    });
    expect(result.config.publicUrl.toString()).toBe("http://localhost:3000/");
  });

  it("reads PostgreSQL, the emulator endpoint and the flags", () => {
    const result = loadConfig({
      ...minimal,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
      COGNITO_ENDPOINT: "http://127.0.0.1:9229/",
      COGNITO_CLIENT_SECRET: "s3cret",
      AUTO_CONFIRM_SIGNUPS: "true",
      ALLOW_SIGNUP: "no",
    });
    expect(result.ok && result.config).toMatchObject({
      database: { kind: "postgres", url: "postgres://postgres@127.0.0.1:5432/test" },
      cognito: { endpoint: "http://127.0.0.1:9229", clientSecret: "s3cret" },
      autoConfirmSignups: true,
      allowSignup: false,
    });
  });

  it("lists every problem at once, each with its setting and a hint", () => {
    const result = loadConfig({
      COGNITO_USER_POOL_ID: "nope",
      DATABASE_URL: "mysql://x",
      AUTO_CONFIRM_SIGNUPS: "maybe",
      COGNITO_REGION: "mars",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.setting).sort()).toEqual([
      "AUTO_CONFIRM_SIGNUPS",
      "COGNITO_CLIENT_ID",
      "COGNITO_REGION",
      "COGNITO_USER_POOL_ID",
      "DATABASE_URL",
    ]);
    expect(formatConfigErrors(result.errors)).toContain("  - COGNITO_CLIENT_ID is required (the web app client's id)");
  });

  it("insists on a long session secret and an https public URL in production", () => {
    const result = loadConfig({
      ...minimal,
      NODE_ENV: "production",
      SESSION_SECRET: "short",
      PUBLIC_URL: "http://example.com",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.setting).sort()).toEqual(["PUBLIC_URL", "SESSION_SECRET"]);
  });

  it("accepts production settings that are safe", () => {
    const result = loadConfig({
      ...minimal,
      NODE_ENV: "production",
      SESSION_SECRET: "x".repeat(32),
      PUBLIC_URL: "https://app.example.com",
    });
    expect(result.ok).toBe(true);
  });
});

describe("session secrets", () => {
  it("keep the secrets being retired, so that their cookies still sign in until they are gone", () => {
    const rotating = loadConfig({ ...minimal, SESSION_SECRET: "n".repeat(32), SESSION_PREVIOUS_SECRETS: " o1 , ,o2" });
    expect(rotating.ok && rotating.config.previousSessionSecrets).toEqual(["o1", "o2"]);
    const none = loadConfig(minimal);
    expect(none.ok && none.config.previousSessionSecrets).toEqual([]);
  });
});

describe("HTTP timeouts", () => {
  it("default to 30 s for a request, 10 s for its headers and 72 s for an idle connection", () => {
    const result = loadConfig(minimal);
    expect(result.ok && result.config.http).toEqual({ requestMs: 30_000, headersMs: 10_000, keepAliveMs: 72_000 });
  });

  it("read whole seconds, and refuse headers allowed longer than the request they belong to", () => {
    const timeouts = (request: string, headers: string, keepAlive: string) =>
      loadConfig({
        ...minimal,
        HTTP_REQUEST_TIMEOUT_SECONDS: request,
        HTTP_HEADERS_TIMEOUT_SECONDS: headers,
        HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: keepAlive,
      });
    const read = timeouts("60", "15", "5");
    expect(read.ok && read.config.http).toEqual({ requestMs: 60_000, headersMs: 15_000, keepAliveMs: 5_000 });
    const refused = timeouts("5", "10", "0");
    expect(refused.ok ? [] : refused.errors.map((e) => e.setting)).toEqual([
      "HTTP_HEADERS_TIMEOUT_SECONDS",
      "HTTP_KEEP_ALIVE_TIMEOUT_SECONDS",
    ]);
  });
});

describe("API settings", () => {
  it("default to access tokens of the web client from the AWS pool, with the cache on", () => {
    const result = loadConfig({ ...minimal, COGNITO_REGION: "eu-west-1", COGNITO_USER_POOL_ID: "eu-west-1_AbC123xyZ" });
    expect(result.ok && result.config.api).toEqual({
      headerPrefix: "Bearer",
      clockSkewSeconds: 5,
      acceptIdTokens: false,
      createUnknownUsers: true,
      allowedClientIds: ["abc123"],
      machineClientIds: [],
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyZ",
      jwksUrl: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyZ/.well-known/jwks.json",
      cacheVerifiedTokens: true,
      verifiedTokenCacheSize: 10_000,
      logRequests: false,
    });
  });

  it("take the issuer and key set from the emulator's endpoint, and the public and extra clients", () => {
    const result = loadConfig({
      ...minimal,
      COGNITO_ENDPOINT: "http://127.0.0.1:9229/",
      COGNITO_PUBLIC_CLIENT_ID: "public1",
      API_EXTRA_CLIENT_IDS: " mobile1, ,spa1,abc123",
    });
    expect(result.ok && result.config.api).toMatchObject({
      allowedClientIds: ["abc123", "public1", "mobile1", "spa1"],
      issuer: "http://127.0.0.1:9229/us-east-1_AbC123xyZ",
      jwksUrl: "http://127.0.0.1:9229/us-east-1_AbC123xyZ/.well-known/jwks.json",
    });
  });

  it("read every explicit choice, including the ones that weaken security", () => {
    const result = loadConfig({
      ...minimal,
      API_AUTH_HEADER_PREFIX: "JWT",
      API_CLOCK_SKEW_SECONDS: "0",
      API_ACCEPT_ID_TOKENS: "true",
      API_CREATE_UNKNOWN_USERS: "false",
      API_VERIFIED_TOKEN_CACHE: "off",
      API_VERIFIED_TOKEN_CACHE_SIZE: "500",
      API_LOG_REQUESTS: "yes",
      COGNITO_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyZ/",
      COGNITO_JWKS_URL: "https://keys.example.com/jwks.json",
    });
    expect(result.ok && result.config.api).toMatchObject({
      headerPrefix: "JWT",
      clockSkewSeconds: 0,
      acceptIdTokens: true,
      createUnknownUsers: false,
      cacheVerifiedTokens: false,
      verifiedTokenCacheSize: 500,
      logRequests: true,
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyZ",
      jwksUrl: "https://keys.example.com/jwks.json",
    });
  });

  it("accept the emulator on another host over http, as docker compose names it", () => {
    const result = loadConfig({ ...minimal, COGNITO_ENDPOINT: "http://emulator:9229" });
    expect(result.ok && result.config.api.jwksUrl).toBe(
      "http://emulator:9229/us-east-1_AbC123xyZ/.well-known/jwks.json",
    );
  });

  it("refuse a key set over plain http from a remote host, and nonsense values, each with a hint", () => {
    const result = loadConfig({
      ...minimal,
      COGNITO_JWKS_URL: "http://keys.example.com/jwks.json",
      API_AUTH_HEADER_PREFIX: "Bearer token",
      API_CLOCK_SKEW_SECONDS: "-3",
      API_VERIFIED_TOKEN_CACHE_SIZE: "0",
      API_ACCEPT_ID_TOKENS: "perhaps",
      COGNITO_ISSUER: "not a url",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.setting).sort()).toEqual([
      "API_ACCEPT_ID_TOKENS",
      "API_AUTH_HEADER_PREFIX",
      "API_CLOCK_SKEW_SECONDS",
      "API_VERIFIED_TOKEN_CACHE_SIZE",
      "COGNITO_ISSUER",
      "COGNITO_JWKS_URL",
    ]);
    expect(formatConfigErrors(result.errors)).toContain(
      "  - COGNITO_JWKS_URL gives the key set at http://keys.example.com/jwks.json: it must be https://",
    );
  });
});
