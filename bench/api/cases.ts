/**
 * One measured case: a fresh server process of one kind (its users already created by the
 * first-sight pass), one checked request, wrk warm-up (discarded), the wrk window, and for our
 * app the fixed-rate run. The server is stopped at the end, whatever happens.
 */
import { join } from "node:path";
import { httpGetter } from "../lib/http-get.ts";
import { runOpenLoop } from "../lib/open-loop.ts";
import { coreShares, coreTimes } from "../lib/processes.ts";
import { waitForQuiet, type QuietResult } from "../lib/quiet.ts";
import { summarize, type LatencySummary } from "../lib/stats.ts";
import { runWrk, type WrkResult } from "../lib/wrk.ts";
import type { BenchUser, RunningEmulator } from "./identity.ts";
import { loggedResponseTimes } from "./server-log.ts";
import { mePath, startDjango, startFloor, startOurs, type ApiServer } from "./servers.ts";

export const caseNames = [
  "ours-no-cache",
  "ours-cache",
  "ours-pg-no-cache",
  "ours-pg-cache",
  "candidate-no-cache",
  "candidate-cache",
  "django",
  "django-gthread",
  "floor",
] as const;
export type CaseName = (typeof caseNames)[number];

export const caseLabels: Readonly<Record<CaseName, string>> = {
  "ours-no-cache": "Gatehouse, no token cache",
  "ours-cache": "Gatehouse, token cache",
  "ours-pg-no-cache": "Gatehouse on PostgreSQL, no token cache",
  "ours-pg-cache": "Gatehouse on PostgreSQL, token cache",
  "candidate-no-cache": "Candidate, no token cache",
  "candidate-cache": "Candidate, token cache",
  django: "Django peer (gunicorn sync)",
  "django-gthread": "Django peer (gthread, keep-alive)",
  floor: "Fastify floor (constant JSON)",
};

/** Our app: this checkout's build, or the candidate's (`--candidate-dir`). */
export const isOurs = (name: CaseName): boolean => name.startsWith("ours") || name.startsWith("candidate");
export const usesTokenCache = (name: CaseName): boolean => name.endsWith("-cache") && !name.endsWith("no-cache");
/** Our app on PostgreSQL (`--postgres-url`) rather than its SQLite file. */
export const usesPostgres = (name: CaseName): boolean => name.startsWith("ours-pg");

export interface BenchSettings {
  readonly repoRoot: string;
  /** Checkout whose built app is measured: the repository, or another worktree (`--app-dir`). */
  readonly appRoot: string;
  /**
   * Another checkout measured in the same rounds (`--candidate-dir`), e.g. with a proposed fix.
   * It shares the app's database, so it must have the same migrations.
   */
  readonly candidateRoot: string | null;
  readonly scratchDir: string;
  readonly djangoDir: string;
  readonly serverCpu: number | null;
  readonly generatorCpu: number | null;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** Offered rate of the fixed-rate run (req/s); 0 skips it. */
  readonly fixedRate: number;
  readonly fixedRateS: number;
  /** When set, measured app processes write `node --cpu-prof` profiles here. */
  readonly profileDir: string | null;
  /** Extra flags for node when it runs our app (`--node-args`), and for the candidate. */
  readonly nodeArgs: readonly string[];
  readonly candidateNodeArgs: readonly string[];
  /** Extra app settings (`--app-env`), and for the candidate (`--candidate-env`). */
  readonly appEnv: Readonly<Record<string, string>>;
  readonly candidateEnv: Readonly<Record<string, string>>;
  /** How long to wait before a case for every core to be under 20 % busy (0: do not wait). */
  readonly quietWaitMs: number;
}

export interface Environment {
  readonly emulator: RunningEmulator;
  readonly users: readonly BenchUser[];
  readonly tokensFile: string;
  readonly oursDatabase: string;
  /** The PostgreSQL database of the `ours-pg-*` cases (migrated), or null when none runs. */
  readonly oursPostgresUrl: string | null;
  readonly djangoDatabase: string;
}

export interface ClosedLoopFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** ms */
  readonly latency: WrkResult["latency"];
  readonly errors: WrkResult["errors"];
  /** Server (and its workers') CPU per request, ms. */
  readonly serverCpuMsPerRequest: number;
  /** Share of the window the server process used a core. */
  readonly serverCpuShare: number;
  /** Busy and steal shares of the server's core and of the generator's core (/proc/stat). */
  readonly serverCore: { readonly busy: number; readonly steal: number };
  readonly generatorCore: { readonly busy: number; readonly steal: number };
}

export interface FixedRateFigures {
  readonly rate: number;
  readonly durationS: number;
  readonly offered: number;
  readonly completed: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly lost: number;
  /** From when each request was due (what a client sees). */
  readonly latency: LatencySummary;
  /** From when each request actually left the generator. */
  readonly latencyFromSend: LatencySummary;
  readonly sendLag: LatencySummary;
  readonly maxInFlight: number;
  readonly serverCpuMsPerRequest: number;
  /** Share of the window the server used a core; what else ran on its core; the generator's core. */
  readonly serverCpuShare: number;
  readonly serverCore: { readonly busy: number; readonly steal: number };
  readonly generatorCore: { readonly busy: number; readonly steal: number };
  /** This process's CPU per request sent, ms (node:http client and scheduling). */
  readonly generatorCpuMsPerRequest: number;
  /** The app's own `responseTime`s over the window (from its request log), or null. */
  readonly loggedByServer: LatencySummary | null;
}

export interface CaseResult {
  readonly name: CaseName;
  readonly round: number;
  /** The server's PID (names its `--cpu-prof` profile). */
  readonly pid: number;
  /** Whether the machine was quiet before the case started (other work on the box). */
  readonly before: QuietResult;
  readonly startupMs: number;
  readonly load: ClosedLoopFigures;
  readonly fixedRate: FixedRateFigures | null;
}

function postgresDatabase(env: Environment): string {
  if (env.oursPostgresUrl === null) throw new Error("the ours-pg cases need a PostgreSQL database");
  return env.oursPostgresUrl;
}

function start(settings: BenchSettings, env: Environment, name: CaseName, logFile: string): Promise<ApiServer> {
  if (isOurs(name)) {
    const appRoot = name.startsWith("candidate") ? settings.candidateRoot : settings.appRoot;
    if (appRoot === null) throw new Error(`${name} needs --candidate-dir`);
    return startOurs({
      appRoot,
      emulator: env.emulator,
      database: usesPostgres(name) ? postgresDatabase(env) : `sqlite:${env.oursDatabase}`,
      tokenCache: usesTokenCache(name),
      cpu: settings.serverCpu,
      logFile,
      extraEnv: name.startsWith("candidate") ? settings.candidateEnv : settings.appEnv,
      nodeArgs: [
        ...(name.startsWith("candidate") ? settings.candidateNodeArgs : settings.nodeArgs),
        ...(settings.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${settings.profileDir}`] : []),
      ],
    });
  }
  if (name === "floor") return startFloor({ repoRoot: settings.repoRoot, cpu: settings.serverCpu, logFile });
  return startDjango({
    peerDir: settings.djangoDir,
    emulator: env.emulator,
    databaseFile: env.djangoDatabase,
    worker: name === "django-gthread" ? "gthread" : "sync",
    cpu: settings.serverCpu,
    logFile,
  });
}

/** Starts the server of `name`; the caller stops it. */
export function startCaseServer(
  settings: BenchSettings,
  env: Environment,
  name: CaseName,
  label: string,
): Promise<ApiServer> {
  return start(settings, env, name, join(settings.scratchDir, `${label}.log`));
}

async function checkOne(server: ApiServer, user: BenchUser): Promise<void> {
  const client = httpGetter(server.origin, { maxSockets: 1 });
  try {
    const answer = await client.get(mePath, { authorization: `Bearer ${user.accessToken}` });
    const problem =
      answer.status === 200 ? server.checkMe(user, answer.body) : `${answer.status} ${answer.body.slice(0, 200)}`;
    if (problem !== null) throw new Error(`${server.kind}: GET ${mePath} for ${user.username}: ${problem}`);
  } finally {
    client.close();
  }
}

async function closedLoop(
  settings: BenchSettings,
  env: Environment,
  server: ApiServer,
  label: string,
): Promise<ClosedLoopFigures> {
  const wrk = (durationS: number, phase: string) =>
    runWrk({
      url: `${server.origin}${mePath}`,
      connections: settings.connections,
      threads: 1,
      durationS,
      timeoutS: 10,
      valuesFile: env.tokensFile,
      header: "Authorization",
      prefix: "Bearer ",
      cpu: settings.generatorCpu,
      cwd: settings.scratchDir,
      logFile: join(settings.scratchDir, `${label}-wrk-${phase}.log`),
    });
  await wrk(settings.warmupS, "warmup");
  const coresBefore = coreTimes();
  const cpuBefore = server.cpuMs();
  const result = await wrk(settings.durationS, "measured");
  const serverCpuMs = server.cpuMs() - cpuBefore;
  const coresAfter = coreTimes();
  const share = (cpu: number | null) =>
    cpu === null ? { busy: Number.NaN, steal: Number.NaN } : coreShares(coresBefore, coresAfter, cpu);
  return {
    requests: result.requests,
    requestsPerSecond: result.requestsPerSecond,
    latency: result.latency,
    errors: result.errors,
    serverCpuMsPerRequest: serverCpuMs / result.requests,
    serverCpuShare: serverCpuMs / (result.durationS * 1000),
    serverCore: share(settings.serverCpu),
    generatorCore: share(settings.generatorCpu),
  };
}

async function fixedRate(settings: BenchSettings, env: Environment, server: ApiServer): Promise<FixedRateFigures> {
  const client = httpGetter(server.origin, { maxSockets: 256 });
  const tokens = env.users.map((u) => `Bearer ${u.accessToken}`);
  let cpuBefore = 0;
  let cpuAfter = 0;
  let coresBefore = coreTimes();
  try {
    const warmupMs = Math.min(2000, settings.warmupS * 1000);
    let windowFrom = Date.now() + warmupMs;
    const windowTimer = setTimeout(() => {
      cpuBefore = server.cpuMs();
      coresBefore = coreTimes();
      windowFrom = Date.now();
    }, warmupMs);
    const result = await runOpenLoop({
      ratePerSecond: settings.fixedRate,
      warmupMs,
      durationMs: settings.fixedRateS * 1000,
      drainMs: 10_000,
      send: async (sequence) => {
        const answer = await client.get(mePath, { authorization: tokens[sequence % tokens.length] ?? "" });
        if (answer.status !== 200) throw new Error(`${answer.status} ${answer.body.slice(0, 200)}`);
      },
    });
    clearTimeout(windowTimer);
    cpuAfter = server.cpuMs();
    const windowTo = Date.now();
    const coresAfter = coreTimes();
    const share = (cpu: number | null) =>
      cpu === null ? { busy: Number.NaN, steal: Number.NaN } : coreShares(coresBefore, coresAfter, cpu);
    const windowMs = settings.fixedRateS * 1000;
    return {
      rate: settings.fixedRate,
      durationS: settings.fixedRateS,
      offered: result.offered,
      completed: result.completed,
      errors: result.errors,
      errorSamples: result.errorSamples,
      lost: result.lost,
      latency: summarize(result.fromDueMs),
      latencyFromSend: summarize(result.fromSendMs),
      sendLag: summarize(result.sendLagMs),
      maxInFlight: result.maxInFlight,
      serverCpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.completed),
      serverCpuShare: (cpuAfter - cpuBefore) / windowMs,
      serverCore: share(settings.serverCpu),
      generatorCore: share(settings.generatorCpu),
      generatorCpuMsPerRequest: result.generatorCpuMs / Math.max(1, result.offered),
      loggedByServer: loggedResponseTimes(server.logFile, windowFrom, windowTo),
    };
  } finally {
    client.close();
  }
}

export async function runCase(
  settings: BenchSettings,
  env: Environment,
  name: CaseName,
  round: number,
): Promise<CaseResult> {
  const label = `${name}-r${round}`;
  const before =
    settings.quietWaitMs > 0
      ? await waitForQuiet({ maxWaitMs: settings.quietWaitMs, threshold: 0.2 })
      : { quiet: true, waitedMs: 0, busiest: Number.NaN };
  const server = await startCaseServer(settings, env, name, label);
  try {
    await checkOne(server, env.users[round % env.users.length] as BenchUser);
    const load = await closedLoop(settings, env, server, label);
    const fixed = isOurs(name) && settings.fixedRate > 0 ? await fixedRate(settings, env, server) : null;
    return { name, round, pid: server.child.pid, before, startupMs: server.startupMs, load, fixedRate: fixed };
  } finally {
    await server.stop();
  }
}
