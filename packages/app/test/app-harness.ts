/**
 * App test harness: a real emulator (in-process, over HTTP) seeded like `npm run dev`, a
 * migrated database of the chosen kind, the app built on them, and a small cookie-keeping
 * client over `app.inject` that fills in CSRF tokens the way a browser submits a form.
 */
import { parseSeed, startEmulator, type Clock, type EmulatorOptions, type RunningEmulator } from "@gatehouse/emulator";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { resolve } from "node:path";
import {
  defaultApiSettings,
  defaultBackofficeSettings,
  defaultHttpTimeouts,
  defaultTotpIssuer,
  type ApiSettings,
  type Config,
  type DatabaseSettings,
} from "../src/config.ts";
import { createCognitoClient } from "../src/accounts/cognito.ts";
import { buildApp } from "../src/server.tsx";
import { createTestDatabase, type TestDatabase } from "./databases.ts";

const repositoryRoot = resolve(import.meta.dirname, "../../..");
const devSeedPath = resolve(repositoryRoot, "packages/emulator/seeds/dev.json");

type SeedClient = {
  ClientId: string;
  ClientSecret?: string;
};
type SeedPool = {
  Id: string;
  Clients: SeedClient[];
} & Record<string, unknown>;

/**
 * The dev seed: one pool, a web client with a secret, a public client, and the triggers the
 * repository ships (triggers/) mapped to the pool's LambdaConfig.
 */
export function devSeed(): { pools: SeedPool[]; triggers?: Record<string, string> } {
  return JSON.parse(readFileSync(devSeedPath, "utf8")) as { pools: SeedPool[]; triggers?: Record<string, string> };
}

export interface AppHarness {
  readonly app: FastifyInstance;
  readonly emulator: RunningEmulator;
  readonly database: TestDatabase;
  readonly config: Config;
  readonly poolId: string;
  readonly webClientId: string;
  readonly publicClientId: string;
  /** The app's origin: a real socket on 127.0.0.1 with `listen: true`, else the configured public URL. */
  readonly url: string;
  /** A fresh browser-like client with its own cookies. */
  browser(): TestBrowser;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly database: DatabaseSettings["kind"];
  readonly config?: Partial<Omit<Config, "cognito" | "database" | "api">>;
  /** API settings over the defaults (web and public clients, the emulator's issuer). */
  readonly api?: Partial<ApiSettings>;
  readonly clock?: Clock;
  /** Settings of the seeded pool over the dev seed's, e.g. `{ AliasAttributes: [] }`. */
  readonly pool?: Readonly<Record<string, unknown>>;
  /** Lambda ARNs mapped to handlers over the dev seed's mapping (the shipped triggers). */
  readonly triggers?: EmulatorOptions["triggers"];
  /** How long the emulator waits for a trigger (default 5 s, as Cognito does). */
  readonly triggerTimeoutMs?: number;
  /**
   * Listen on a free loopback port, with `publicUrl` set to that origin so a real browser's
   * `Origin` header passes the same-origin check (for Chromium tests and screenshots).
   */
  readonly listen?: boolean;
  /**
   * With `listen`: the PostConfirmation trigger (triggers/post-confirmation.ts, which the
   * emulator runs in this process) calls this app's webhook with its secret, as under
   * `npm run dev`. Off otherwise, so a confirmation makes no row until a sign-in or a token.
   */
  readonly webhook?: boolean;
}

/** Sets the environment the in-process triggers read; gives back a function that restores it. */
function triggerEnvironment(values: Readonly<Record<string, string>>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * A port the kernel just handed out on 127.0.0.1. The app needs its origin before it is built
 * (the same-origin check), so the port is chosen first; another process taking it in between is
 * unlikely on loopback and shows up as EADDRINUSE, never as a wrong origin.
 */
async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startAppHarness({
  database: kind,
  config: overrides = {},
  api: apiOverrides = {},
  clock,
  pool: poolOverrides = {},
  triggers,
  triggerTimeoutMs,
  listen = false,
  webhook = false,
}: HarnessOptions): Promise<AppHarness> {
  const seed = devSeed();
  const pool: SeedPool = { ...seed.pools[0]!, ...poolOverrides };
  seed.pools[0] = pool;
  const web = pool.Clients.find((c) => c.ClientSecret)!;
  const publicClient = pool.Clients.find((c) => !c.ClientSecret)!;
  // Trigger paths are relative to the repository's root, as `npm run dev` reads them.
  const emulator = await startEmulator({
    port: 0,
    inMemory: true,
    seed: parseSeed(seed, repositoryRoot),
    ...(triggers ? { triggers } : {}),
    ...(triggerTimeoutMs ? { triggerTimeoutMs } : {}),
    ...(clock ? { clock } : {}),
  });
  const database = await createTestDatabase(kind);
  const port = listen ? await freeLoopbackPort() : null;
  const cognitoSettings: Config["cognito"] = {
    region: "us-east-1",
    userPoolId: pool.Id,
    clientId: web.ClientId,
    clientSecret: web.ClientSecret ?? null,
    endpoint: emulator.url,
  };
  const config: Config = {
    mode: "test",
    cognito: cognitoSettings,
    api: { ...defaultApiSettings(cognitoSettings, [publicClient.ClientId]), ...apiOverrides },
    database: database.settings,
    sessionSecret: "test-session-secret-at-least-32-characters-long",
    previousSessionSecrets: [],
    publicUrl: new URL(port === null ? "http://localhost:3000" : `http://127.0.0.1:${port}`),
    autoConfirmSignups: false,
    allowSignup: true,
    trustedProxies: [],
    http: defaultHttpTimeouts,
    backoffice: defaultBackofficeSettings,
    totpIssuer: defaultTotpIssuer,
    redis: null,
    metrics: { token: null },
    // Off unless a test turns it on (captcha.test.ts, the Chromium tests): solving costs time.
    captcha: null,
    webhookSecret: "test-webhook-secret-at-least-32-characters",
    hostedUi: false,
    ...overrides,
  };
  const cognito = createCognitoClient(config.cognito);
  const app = await buildApp({ config, database: database.database, cognito });
  await app.ready();
  if (port !== null) await app.listen({ port, host: "127.0.0.1" });
  if (webhook && (port === null || config.webhookSecret === null)) {
    throw new Error("startAppHarness: webhook needs listen and a webhookSecret");
  }
  const restoreEnvironment = webhook
    ? triggerEnvironment({
        GATEHOUSE_WEBHOOK_URL: `${config.publicUrl.origin}/hooks/cognito/post-confirmation`,
        GATEHOUSE_WEBHOOK_SECRET: config.webhookSecret!,
      })
    : () => undefined;
  return {
    app,
    emulator,
    database,
    config,
    poolId: pool.Id,
    webClientId: web.ClientId,
    publicClientId: publicClient.ClientId,
    url: config.publicUrl.origin,
    browser: () => new TestBrowser(app),
    async stop() {
      restoreEnvironment();
      await app.close();
      cognito.destroy();
      await database.drop();
      await emulator.stop();
    },
  };
}

/** The value of the first hidden `_csrf` input in a page. */
export const csrfTokenIn = (html: string): string | undefined => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** Text of the page without tags, whitespace collapsed: for "the page says …" assertions. */
export const textOf = (html: string): string =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();

/**
 * Keeps cookies between requests and, like a browser submitting a form it was shown, sends the
 * CSRF token of the last page it loaded.
 */
export class TestBrowser {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;
  last: LightMyRequestResponse | undefined;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  get cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  #remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of response.cookies) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now())) this.#cookies.delete(c.name);
      else this.#cookies.set(c.name, c.value);
    }
    const token = csrfTokenIn(response.body);
    if (token) this.#csrf = token;
    this.last = response;
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.#remember(
      await this.#app.inject({ method: "GET", url, headers: { cookie: this.cookieHeader, ...headers } }),
    );
  }

  /** Submits a form; `_csrf` defaults to the token of the last page loaded. */
  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ ...(this.#csrf ? { _csrf: this.#csrf } : {}), ...form }).toString();
    return this.#remember(
      await this.#app.inject({
        method: "POST",
        url,
        payload: body,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookieHeader, ...headers },
      }),
    );
  }

  /** Follows the redirect of the last response, if any. */
  async follow(): Promise<LightMyRequestResponse> {
    const location = this.last?.headers.location;
    if (typeof location !== "string") throw new Error(`expected a redirect, got ${this.last?.statusCode}`);
    return this.get(location);
  }
}
