/**
 * The servers under test, each a child process pinned to the server core, one at a time:
 *
 * - ours: the built app (`packages/app/dist/cli.js start`, production mode, as `npm start` runs
 *   it) on a SQLite file, pointed at the emulator, with the verified-token cache on or off.
 * - django: the seeds' stack (`shared/peers/django-seed/serve.sh PORT 1`: one gunicorn sync
 *   worker) verifying the same pool's tokens, its users in a SQLite file of the scratch folder.
 *
 * - floor: bare Fastify answering a constant record (floor-server.ts), a reference, not a rival.
 *
 * All answer `GET /api/v1/me`; `checkMe` tells whether an answer belongs to the token's user.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { httpGetter } from "../lib/http-get.ts";
import { commandLine, atExit, childPids, freePort, spawnPinned, treeCpuTimeMs, type Child } from "../lib/processes.ts";
import { waitUntilReady } from "../lib/ready.ts";
import type { BenchUser, RunningEmulator } from "./identity.ts";

export const mePath = "/api/v1/me";

export type ServerKind = "ours" | "django" | "floor";

export interface ApiServer {
  readonly kind: ServerKind;
  readonly origin: string;
  readonly child: Child;
  /** Spawn → first HTTP answer, ms. */
  readonly startupMs: number;
  /** Its stdout and stderr (our app logs one JSON line per request event there). */
  readonly logFile: string;
  /** CPU time so far of the server and its workers, ms. */
  cpuMs(): number;
  /** Null when `body` (a 200's) is `user`'s record; otherwise what is wrong. */
  checkMe(user: BenchUser, body: string): string | null;
  stop(): Promise<void>;
}

export interface OursOptions {
  /** Root of the checkout whose `packages/app/dist/cli.js` runs (normally this repository). */
  readonly appRoot: string;
  readonly emulator: RunningEmulator;
  /** DATABASE_URL: a `sqlite:` file or a `postgres://` database, migrated by `migrateOurs`. */
  readonly database: string;
  readonly tokenCache: boolean;
  readonly cpu: number | null;
  readonly logFile: string;
  /** Extra flags for node, e.g. `--cpu-prof`. */
  readonly nodeArgs: readonly string[];
  /** More settings, over the benchmark's (e.g. API_LOG_REQUESTS=true). */
  readonly extraEnv: Readonly<Record<string, string>>;
}

export const appEntry = (appRoot: string) => join(appRoot, "packages", "app", "dist", "cli.js");

/**
 * The app's production settings for the benchmark (docs/configuration.md); everything not named
 * here keeps its default, as in a real deployment.
 */
export function ourEnvironment(options: OursOptions, port: number): Record<string, string> {
  const { emulator } = options;
  return {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    // Only used for cookies and origins; the API is called over plain loopback HTTP.
    PUBLIC_URL: "https://localhost",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    DATABASE_URL: options.database,
    COGNITO_ENDPOINT: emulator.url,
    COGNITO_REGION: "us-east-1",
    COGNITO_USER_POOL_ID: emulator.pool.poolId,
    COGNITO_CLIENT_ID: emulator.pool.webClientId,
    COGNITO_CLIENT_SECRET: emulator.pool.webClientSecret,
    // The API accepts the web client's and the public client's tokens; ours come from the latter.
    COGNITO_PUBLIC_CLIENT_ID: emulator.pool.publicClientId,
    // Issuer and JWKS URL default to `<COGNITO_ENDPOINT>/<pool id>`, the emulator's.
    API_VERIFIED_TOKEN_CACHE: options.tokenCache ? "true" : "false",
  };
}

/** `node packages/app/dist/cli.js migrate` on the benchmark's database (a DATABASE_URL). */
export function migrateOurs(appRoot: string, database: string): void {
  const result = spawnSync(process.execPath, [appEntry(appRoot), "migrate"], {
    cwd: appRoot,
    env: { ...process.env, DATABASE_URL: database },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`migrate failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
}

/** Any HTTP answer means the server is listening; the first measured token proves the rest. */
async function answers(origin: string): Promise<boolean> {
  const client = httpGetter(origin, { maxSockets: 1, keepAlive: false });
  try {
    const answer = await client.get(mePath);
    return answer.status > 0;
  } finally {
    client.close();
  }
}

function parseRecord(body: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A Node server on a free port, pinned, answering HTTP: the part ours and the floor share. */
async function startNodeServer(options: {
  readonly kind: ServerKind;
  readonly name: string;
  /** node's arguments after the flags, given the port. */
  readonly args: (port: number) => string[];
  readonly env: (port: number) => Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly cpu: number | null;
  readonly logFile: string;
  readonly checkMe: ApiServer["checkMe"];
}): Promise<ApiServer> {
  const port = await freePort();
  const child = spawnPinned({
    command: process.execPath,
    args: options.args(port),
    cwd: options.cwd,
    env: options.env(port),
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const origin = `http://127.0.0.1:${port}`;
  const startupMs = await waitUntilReady(child, {
    name: options.name,
    logFile: options.logFile,
    timeoutMs: 30_000,
    probe: () => answers(origin),
  });
  return {
    kind: options.kind,
    origin,
    child,
    startupMs,
    logFile: options.logFile,
    cpuMs: () => treeCpuTimeMs(child.pid),
    checkMe: options.checkMe,
    stop: () => child.stop(),
  };
}

export function startOurs(options: OursOptions): Promise<ApiServer> {
  if (!existsSync(appEntry(options.appRoot))) throw new Error(`${appEntry(options.appRoot)} is missing: npm run build`);
  return startNodeServer({
    kind: "ours",
    name: "the app",
    args: () => [...options.nodeArgs, appEntry(options.appRoot), "start"],
    env: (port) => ({ ...ourEnvironment(options, port), ...options.extraEnv }),
    cwd: options.appRoot,
    cpu: options.cpu,
    logFile: options.logFile,
    checkMe(user, body) {
      const username = parseRecord(body)?.username;
      return typeof username === "string" && username.toLowerCase() === user.username.toLowerCase()
        ? null
        : `expected ${user.username}'s record, got ${body.slice(0, 200)}`;
    },
  });
}

export interface FloorOptions {
  readonly repoRoot: string;
  readonly cpu: number | null;
  readonly logFile: string;
}

/** bench/api/floor-server.ts: what Fastify costs before the app does anything. */
export function startFloor(options: FloorOptions): Promise<ApiServer> {
  return startNodeServer({
    kind: "floor",
    name: "the floor server",
    args: (port) => ["--import", "tsx", join(options.repoRoot, "bench", "api", "floor-server.ts"), String(port)],
    env: () => ({ NODE_ENV: "production" }),
    cwd: options.repoRoot,
    cpu: options.cpu,
    logFile: options.logFile,
    // It knows no users: its one constant record will do.
    checkMe: (_user, body) => (parseRecord(body)?.username === "floor" ? null : `unexpected ${body.slice(0, 200)}`),
  });
}

export interface DjangoOptions {
  /** Folder holding serve.sh (shared/peers/django-seed). */
  readonly peerDir: string;
  readonly emulator: RunningEmulator;
  readonly databaseFile: string;
  /**
   * gunicorn worker class: "sync" is what serve.sh runs (one request at a time, the connection
   * closed after each answer); "gthread" with one thread keeps connections alive, to measure what
   * the reconnects cost.
   */
  readonly worker: "sync" | "gthread";
  readonly cpu: number | null;
  readonly logFile: string;
}

/** Gunicorn workers still alive after their master was killed are stopped by PID at exit. */
function stopWorkersAtExit(masterPid: number): void {
  const workers = childPids(masterPid);
  atExit(() => {
    for (const pid of workers) {
      if (!commandLine(pid)?.includes("gunicorn")) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

export async function startDjango(options: DjangoOptions): Promise<ApiServer> {
  const script = join(options.peerDir, "serve.sh");
  if (!existsSync(script)) throw new Error(`${script} is missing (the Django peer lives in shared/peers/django-seed)`);
  const port = await freePort();
  const { emulator } = options;
  const child = spawnPinned({
    command: "bash",
    args: [script, String(port), "1"],
    cwd: options.peerDir,
    env: {
      DJANGO_DB_PATH: options.databaseFile,
      COGNITO_REGION: "us-east-1",
      COGNITO_USER_POOL_ID: emulator.pool.poolId,
      COGNITO_ISSUER: emulator.issuer,
      COGNITO_JWKS_URL: emulator.jwksUrl,
      COGNITO_APP_CLIENT_ID: `${emulator.pool.webClientId},${emulator.pool.publicClientId}`,
      ...(options.worker === "gthread"
        ? { GUNICORN_CMD_ARGS: "--worker-class gthread --threads 1 --keep-alive 30" }
        : {}),
    },
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const origin = `http://127.0.0.1:${port}`;
  const startupMs = await waitUntilReady(child, {
    name: "the Django peer",
    logFile: options.logFile,
    // serve.sh may first install Debian's packages.
    timeoutMs: 300_000,
    probe: () => answers(origin),
    intervalMs: 50,
  });
  stopWorkersAtExit(child.pid);
  return {
    kind: "django",
    origin,
    child,
    startupMs,
    logFile: options.logFile,
    cpuMs: () => treeCpuTimeMs(child.pid),
    checkMe(user, body) {
      // RemoteUserBackend names the user it creates after the token's sub.
      const record = parseRecord(body);
      return record?.username === user.sub ? null : `expected the user named ${user.sub}, got ${body.slice(0, 200)}`;
    },
    stop: () => child.stop(),
  };
}
