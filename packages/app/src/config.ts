/**
 * The app's settings, read from the environment like Django's settings module: typed, checked
 * once at start-up, and refused with one readable list of everything that is wrong.
 *
 * @example
 *   const result = loadConfig(process.env);
 *   if (!result.ok) { console.error(formatConfigErrors(result.errors)); process.exit(1); }
 *   result.config.cognito.userPoolId;
 */
import { parseTrustedProxies, type TrustedProxies } from "./trusted-proxies.ts";

export interface CognitoSettings {
  readonly region: string;
  readonly userPoolId: string;
  /** The server-side web client (with a secret). */
  readonly clientId: string;
  readonly clientSecret: string | null;
  /** The emulator's URL; null means real AWS. */
  readonly endpoint: string | null;
}

/**
 * How the REST API authenticates Bearer tokens (issue 4). Secure by default: access tokens only,
 * from the listed app clients, RS256 from the pool's JWKS; weakening any of it is a setting that
 * has to be spelled out.
 */
export interface ApiSettings {
  /** The `Authorization` scheme API clients send before the token; compared case-insensitively. */
  readonly headerPrefix: string;
  /** Leeway for `exp`, `nbf` and `iat` between our clock and Cognito's. */
  readonly clockSkewSeconds: number;
  /** Also accept ID tokens (`token_use: id`, client in `aud`); off: access tokens only. */
  readonly acceptIdTokens: boolean;
  /** A valid token whose `sub` we have not seen creates the local user (the seeds' REMOTE_USER). */
  readonly createUnknownUsers: boolean;
  /** App clients whose tokens are accepted (`client_id` of access tokens, `aud` of ID tokens). */
  readonly allowedClientIds: readonly string[];
  /**
   * Machine clients (issue 10): app clients whose client_credentials access tokens are accepted.
   * Such a token has no user; it is let in only on routes that declare one of its scopes, and
   * creates no user row. Empty (the default): no machine token is accepted anywhere.
   */
  readonly machineClientIds: readonly string[];
  /** The pool's issuer: `https://cognito-idp.<region>.amazonaws.com/<pool>` or the emulator's. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Remember tokens already verified (until their `exp`) so a repeat costs a map look-up. */
  readonly cacheVerifiedTokens: boolean;
  readonly verifiedTokenCacheSize: number;
  /**
   * Log a line per API request and response (Fastify's request log). Off: only warnings and
   * errors, because two synchronous log writes cost more than the rest of a cached request.
   */
  readonly logRequests: boolean;
}

/**
 * How long a client may take over a request (Node's `http.Server` timeouts). Node's own defaults
 * let a body that never finishes hold its connection for 5 minutes, and Fastify turns that limit
 * off altogether; these bound every part of a request.
 */
export interface HttpTimeouts {
  /** The whole request, headers and body, must have arrived by then; else 408 and closed. */
  readonly requestMs: number;
  /** The headers must have arrived by then (at most `requestMs`). */
  readonly headersMs: number;
  /**
   * An idle kept-alive connection is closed after this. Above the idle timeout of a load
   * balancer in front (AWS ALB: 60 s), so that the balancer, not us, closes first.
   */
  readonly keepAliveMs: number;
}

export const defaultHttpTimeouts: HttpTimeouts = { requestMs: 30_000, headersMs: 10_000, keepAliveMs: 72_000 };

/**
 * Redis, for state that several app nodes must share (rate limits, the back office's lockout
 * counters). Absent: each process counts in its own memory, which is right for one process only.
 */
export interface RedisSettings {
  readonly url: string;
  /** Put before every key, so that several apps (or test runs) can share one server. */
  readonly keyPrefix: string;
}

/** Who may read `/metrics` (docs/deploy.md): a bearer token, else direct loopback callers only. */
export interface MetricsSettings {
  /** `Authorization: Bearer <token>` opens /metrics from anywhere; null: loopback peers without a proxy only. */
  readonly token: string | null;
}

/** The back office's own sign-in (issue 9). */
export interface BackofficeSettings {
  /**
   * BACKOFFICE_REQUIRE_MFA: every staff sign-in needs an authenticator code after the password;
   * staff without an authenticator app set one up before the back office opens.
   */
  readonly requireMfa: boolean;
}

export const defaultBackofficeSettings: BackofficeSettings = { requireMfa: false };

/** The issuer authenticator apps show beside our codes (TOTP_ISSUER), on the site and in the back office. */
export const defaultTotpIssuer = "Gatehouse";

export type DatabaseSettings =
  { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

export interface Config {
  readonly mode: "development" | "production" | "test";
  readonly cognito: CognitoSettings;
  readonly api: ApiSettings;
  readonly database: DatabaseSettings;
  readonly sessionSecret: string;
  /** Secrets being retired: cookies they signed are still accepted, and signed anew. */
  readonly previousSessionSecrets: readonly string[];
  readonly publicUrl: URL;
  readonly autoConfirmSignups: boolean;
  readonly allowSignup: boolean;
  /** Peers whose `X-Forwarded-*` headers are believed (TRUST_PROXY); empty trusts nobody. */
  readonly trustedProxies: TrustedProxies;
  readonly http: HttpTimeouts;
  readonly backoffice: BackofficeSettings;
  readonly totpIssuer: string;
  /** REDIS_URL; null keeps rate limits and lockout counters in this process. */
  readonly redis: RedisSettings | null;
  readonly metrics: MetricsSettings;
  /** The proof-of-work check on registration and forgot-password (CAPTCHA); null when turned off. */
  readonly captcha: CaptchaSettings | null;
  /**
   * The secret the PostConfirmation trigger signs its webhook with (GATEHOUSE_WEBHOOK_SECRET);
   * null turns the route off.
   */
  readonly webhookSecret: string | null;
  /** Offer "Continue with the hosted sign-in" (HOSTED_UI): Cognito's managed login, OAuth 2.0 code + PKCE. */
  readonly hostedUi: boolean;
}

export interface CaptchaSettings {
  /**
   * The largest number a challenge may hide (CAPTCHA_MAX_NUMBER): the browser tries half of it
   * on average, each a SHA-256, so 50,000 is well under a second on a phone and costs a script
   * that much for every form it posts.
   */
  readonly maxNumber: number;
}

export const defaultCaptchaSettings: CaptchaSettings = { maxNumber: 50_000 };

export interface ConfigError {
  readonly setting: string;
  readonly problem: string;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly errors: readonly ConfigError[] };

type Env = Readonly<Record<string, string | undefined>>;

const poolIdPattern = /^[\w-]+_[0-9a-zA-Z]+$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d$/;

function parseBoolean(env: Env, name: string, fallback: boolean, errors: ConfigError[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  errors.push({ setting: name, problem: `must be true or false, not "${raw}"` });
  return fallback;
}

function parseDatabase(raw: string | undefined, errors: ConfigError[]): DatabaseSettings {
  const value = raw === undefined || raw === "" ? "sqlite:var/gatehouse.sqlite3" : raw;
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "")
      errors.push({ setting: "DATABASE_URL", problem: "sqlite: needs a file path, e.g. sqlite:var/gatehouse.sqlite3" });
    return { kind: "sqlite", path };
  }
  if (value.startsWith("postgres://") || value.startsWith("postgresql://")) {
    try {
      new URL(value);
    } catch {
      errors.push({ setting: "DATABASE_URL", problem: "is not a valid postgres:// URL" });
    }
    return { kind: "postgres", url: value };
  }
  errors.push({ setting: "DATABASE_URL", problem: "must start with sqlite: or postgres://" });
  return { kind: "sqlite", path: "" };
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Whether the JWKS may be fetched from `url`: https always; plain http only from loopback or
 * from the emulator's own host (`COGNITO_ENDPOINT`), never from anywhere else, because a key
 * set fetched over an open network could be swapped and every token forged.
 */
export function isTrustedJwksUrl(url: URL, endpoint: string | null): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  if (loopbackHosts.has(url.hostname) || url.hostname.startsWith("127.")) return true;
  return endpoint !== null && new URL(endpoint).host === url.host;
}

/** Where the pool's tokens come from: AWS's issuer, or `<endpoint>/<pool>` for the emulator. */
export function cognitoIssuer(cognito: Pick<CognitoSettings, "region" | "userPoolId" | "endpoint">): string {
  return cognito.endpoint
    ? `${cognito.endpoint.replace(/\/$/, "")}/${cognito.userPoolId}`
    : `https://cognito-idp.${cognito.region}.amazonaws.com/${cognito.userPoolId}`;
}

/**
 * The API settings every deployment starts from: the web client and any other listed clients,
 * the listed machine clients (none unless given), the pool's issuer and JWKS, access tokens
 * only, unknown users created, the cache on.
 */
export function defaultApiSettings(
  cognito: Pick<CognitoSettings, "region" | "userPoolId" | "endpoint" | "clientId">,
  otherClientIds: readonly string[] = [],
  machineClientIds: readonly string[] = [],
): ApiSettings {
  const issuer = cognitoIssuer(cognito);
  return {
    headerPrefix: "Bearer",
    clockSkewSeconds: 5,
    acceptIdTokens: false,
    createUnknownUsers: true,
    allowedClientIds: [...new Set([cognito.clientId, ...otherClientIds].filter((id) => id !== ""))],
    machineClientIds: [...new Set(machineClientIds.filter((id) => id !== ""))],
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    cacheVerifiedTokens: true,
    verifiedTokenCacheSize: 10_000,
    logRequests: false,
  };
}

function parseInteger(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
  errors: ConfigError[],
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    errors.push({ setting: name, problem: `must be a whole number from ${range.min} to ${range.max}, not "${raw}"` });
    return fallback;
  }
  return value;
}

function parseUrlSetting(env: Env, name: string, errors: ConfigError[]): URL | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  try {
    return new URL(raw);
  } catch {
    errors.push({ setting: name, problem: `must be a URL, not "${raw}"` });
    return null;
  }
}

const commaList = (raw: string | undefined): string[] =>
  (raw ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");

function parseApiSettings(env: Env, cognito: CognitoSettings, errors: ConfigError[]): ApiSettings {
  const listed = commaList(env.API_EXTRA_CLIENT_IDS);
  const publicClientId = env.COGNITO_PUBLIC_CLIENT_ID?.trim();
  const defaults = defaultApiSettings(
    cognito,
    [...(publicClientId ? [publicClientId] : []), ...listed],
    commaList(env.API_MACHINE_CLIENT_IDS),
  );
  // A client is either for people or for machines: its tokens are judged one way or the other,
  // never "whichever passes".
  const both = defaults.machineClientIds.filter((id) => defaults.allowedClientIds.includes(id));
  if (both.length > 0) {
    errors.push({
      setting: "API_MACHINE_CLIENT_IDS",
      problem: `lists ${both.join(", ")}, which is also a user client (COGNITO_CLIENT_ID, COGNITO_PUBLIC_CLIENT_ID or API_EXTRA_CLIENT_IDS); give machines a client of their own`,
    });
  }

  const headerPrefix = env.API_AUTH_HEADER_PREFIX?.trim() || defaults.headerPrefix;
  // An auth scheme is an HTTP token (RFC 9110 §11.1): one word, no spaces or separators.
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(headerPrefix)) {
    errors.push({
      setting: "API_AUTH_HEADER_PREFIX",
      problem: `must be one word such as Bearer, not "${headerPrefix}"`,
    });
  }

  const issuerUrl = parseUrlSetting(env, "COGNITO_ISSUER", errors);
  const issuer = issuerUrl ? issuerUrl.toString().replace(/\/$/, "") : defaults.issuer;
  const jwksOverride = parseUrlSetting(env, "COGNITO_JWKS_URL", errors);
  const jwksUrl = jwksOverride ? jwksOverride.toString() : `${issuer}/.well-known/jwks.json`;
  try {
    if (!isTrustedJwksUrl(new URL(jwksUrl), cognito.endpoint)) {
      errors.push({
        setting: jwksOverride ? "COGNITO_JWKS_URL" : "COGNITO_ISSUER",
        problem: `gives the key set at ${jwksUrl}: it must be https:// (plain http only on loopback or the COGNITO_ENDPOINT host)`,
      });
    }
  } catch {
    // The issuer itself was reported above.
  }

  return {
    headerPrefix,
    clockSkewSeconds: parseInteger(
      env,
      "API_CLOCK_SKEW_SECONDS",
      defaults.clockSkewSeconds,
      { min: 0, max: 300 },
      errors,
    ),
    acceptIdTokens: parseBoolean(env, "API_ACCEPT_ID_TOKENS", defaults.acceptIdTokens, errors),
    createUnknownUsers: parseBoolean(env, "API_CREATE_UNKNOWN_USERS", defaults.createUnknownUsers, errors),
    allowedClientIds: defaults.allowedClientIds,
    machineClientIds: defaults.machineClientIds,
    issuer,
    jwksUrl,
    cacheVerifiedTokens: parseBoolean(env, "API_VERIFIED_TOKEN_CACHE", defaults.cacheVerifiedTokens, errors),
    verifiedTokenCacheSize: parseInteger(
      env,
      "API_VERIFIED_TOKEN_CACHE_SIZE",
      defaults.verifiedTokenCacheSize,
      { min: 1, max: 1_000_000 },
      errors,
    ),
    logRequests: parseBoolean(env, "API_LOG_REQUESTS", defaults.logRequests, errors),
  };
}

function parseHttpTimeouts(env: Env, errors: ConfigError[]): HttpTimeouts {
  const seconds = (name: string, fallbackMs: number, max: number): number =>
    parseInteger(env, name, fallbackMs / 1000, { min: 1, max }, errors) * 1000;
  const requestMs = seconds("HTTP_REQUEST_TIMEOUT_SECONDS", defaultHttpTimeouts.requestMs, 3600);
  const headersMs = seconds("HTTP_HEADERS_TIMEOUT_SECONDS", defaultHttpTimeouts.headersMs, 3600);
  if (headersMs > requestMs) {
    errors.push({
      setting: "HTTP_HEADERS_TIMEOUT_SECONDS",
      problem: `must not be more than HTTP_REQUEST_TIMEOUT_SECONDS (${requestMs / 1000}): the headers are part of the request`,
    });
  }
  const keepAliveMs = seconds("HTTP_KEEP_ALIVE_TIMEOUT_SECONDS", defaultHttpTimeouts.keepAliveMs, 3600);
  return { requestMs, headersMs, keepAliveMs };
}

function parseRedis(env: Env, errors: ConfigError[]): RedisSettings | null {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error("scheme");
  } catch {
    errors.push({
      setting: "REDIS_URL",
      problem: "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0",
    });
  }
  const keyPrefix = env.REDIS_KEY_PREFIX?.trim() || "gatehouse:";
  return { url: raw, keyPrefix };
}

function parseMetrics(env: Env, errors: ConfigError[]): MetricsSettings {
  const token = env.METRICS_TOKEN?.trim() || null;
  if (token !== null && token.length < 16) {
    errors.push({ setting: "METRICS_TOKEN", problem: "must be at least 16 characters (e.g. openssl rand -hex 16)" });
  }
  return { token };
}

function parseTotpIssuer(env: Env, errors: ConfigError[]): string {
  const issuer = env.TOTP_ISSUER?.trim() || defaultTotpIssuer;
  // The otpauth:// key URI format puts "issuer:account" in the label, so a colon cannot be in either.
  // eslint-disable-next-line no-control-regex
  if (issuer.length > 64 || /[:\u0000-\u001f\u007f]/u.test(issuer)) {
    errors.push({
      setting: "TOTP_ISSUER",
      problem: "must be at most 64 characters, without colons or control characters",
    });
  }
  return issuer;
}

/** Reads and checks every setting; never throws. */
export function loadConfig(env: Env): ConfigResult {
  const errors: ConfigError[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
      errors.push({ setting: name, problem: `is required (${hint})` });
      return "";
    }
    return value.trim();
  };
  const modeRaw = env.NODE_ENV ?? "development";
  const mode = modeRaw === "production" || modeRaw === "test" ? modeRaw : "development";

  const region = env.COGNITO_REGION?.trim() || "us-east-1";
  if (!regionPattern.test(region))
    errors.push({ setting: "COGNITO_REGION", problem: `"${region}" is not a region such as us-east-1` });
  const userPoolId = required("COGNITO_USER_POOL_ID", "the user pool's id, e.g. us-east-1_AbC123xyZ");
  if (userPoolId && !poolIdPattern.test(userPoolId)) {
    errors.push({
      setting: "COGNITO_USER_POOL_ID",
      problem: `"${userPoolId}" is not a user pool id such as us-east-1_AbC123xyZ`,
    });
  }
  const clientId = required("COGNITO_CLIENT_ID", "the web app client's id");
  const clientSecret = env.COGNITO_CLIENT_SECRET?.trim() || null;
  let endpoint: string | null = env.COGNITO_ENDPOINT?.trim() || null;
  if (endpoint) {
    try {
      endpoint = new URL(endpoint).toString().replace(/\/$/, "");
    } catch {
      errors.push({ setting: "COGNITO_ENDPOINT", problem: "must be a URL such as http://127.0.0.1:9229" });
    }
  }

  const cognito: CognitoSettings = { region, userPoolId, clientId, clientSecret, endpoint };
  const api = parseApiSettings(env, cognito, errors);

  const database = parseDatabase(env.DATABASE_URL, errors);

  const sessionSecret = env.SESSION_SECRET ?? "";
  if (mode === "production" && sessionSecret.length < 32) {
    errors.push({
      setting: "SESSION_SECRET",
      problem: "must be at least 32 characters in production (e.g. openssl rand -hex 32)",
    });
  }

  const previousSessionSecrets = (env.SESSION_PREVIOUS_SECRETS ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret !== "");

  let publicUrl = new URL("http://localhost:3000");
  try {
    publicUrl = new URL(env.PUBLIC_URL?.trim() || "http://localhost:3000");
  } catch {
    errors.push({ setting: "PUBLIC_URL", problem: "must be the site's URL, e.g. https://app.example.com" });
  }
  if (mode === "production" && publicUrl.protocol !== "https:") {
    errors.push({ setting: "PUBLIC_URL", problem: "must be https:// in production (cookies are Secure there)" });
  }

  const autoConfirmSignups = parseBoolean(env, "AUTO_CONFIRM_SIGNUPS", false, errors);
  const allowSignup = parseBoolean(env, "ALLOW_SIGNUP", true, errors);
  const { proxies: trustedProxies, problems: proxyProblems } = parseTrustedProxies(env.TRUST_PROXY);
  for (const problem of proxyProblems) errors.push({ setting: "TRUST_PROXY", problem });
  const http = parseHttpTimeouts(env, errors);
  const backoffice: BackofficeSettings = {
    requireMfa: parseBoolean(env, "BACKOFFICE_REQUIRE_MFA", defaultBackofficeSettings.requireMfa, errors),
  };
  const totpIssuer = parseTotpIssuer(env, errors);
  const redis = parseRedis(env, errors);
  const metrics = parseMetrics(env, errors);
  const webhookSecret = env.GATEHOUSE_WEBHOOK_SECRET?.trim() || null;
  if (webhookSecret !== null && webhookSecret.length < 32) {
    errors.push({
      setting: "GATEHOUSE_WEBHOOK_SECRET",
      problem: "must be at least 32 characters (e.g. openssl rand -hex 32)",
    });
  }
  const hostedUi = parseBoolean(env, "HOSTED_UI", false, errors);
  const captcha = parseBoolean(env, "CAPTCHA", true, errors)
    ? {
        maxNumber: parseInteger(
          env,
          "CAPTCHA_MAX_NUMBER",
          defaultCaptchaSettings.maxNumber,
          { min: 1_000, max: 10_000_000 },
          errors,
        ),
      }
    : null;

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      mode,
      cognito,
      api,
      database,
      sessionSecret,
      previousSessionSecrets,
      publicUrl,
      autoConfirmSignups,
      allowSignup,
      trustedProxies,
      http,
      backoffice,
      totpIssuer,
      redis,
      metrics,
      captcha,
      webhookSecret,
      hostedUi,
    },
  };
}

/** One line per problem, with the setting's name first, for the start-up message. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return [
    "Gatehouse cannot start; fix these settings (environment or .env):",
    ...errors.map((e) => `  - ${e.setting} ${e.problem}`),
  ].join("\n");
}
