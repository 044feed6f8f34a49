/**
 * One measured case: a fresh server of one kind, a pool holding `users` confirmed users, then
 * the cycle under closed-loop load. Also the start-up probe (spawn → first answer, no data).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { awsJsonClient, type AwsJsonClient } from "../lib/aws-json.ts";
import { runClosedLoop } from "../lib/load.ts";
import { cpuTimeMs } from "../lib/processes.ts";
import { summarize, type LatencySummary } from "../lib/stats.ts";
import { cycleOperations, runCycle, type CycleOperation } from "./cycle.ts";
import {
  startCognitoLocal,
  startGatehouse,
  writeCognitoLocalConfig,
  type RunningServer,
  type ServerName,
} from "./peers.ts";
import {
  checkSeedUserSignsIn,
  createPoolAndClient,
  populateCognitoLocalFile,
  populateThroughApi,
  type PoolIds,
} from "./populate.ts";

export interface BenchSettings {
  readonly repoRoot: string;
  readonly scratchDir: string;
  readonly peerDir: string;
  /** Core the servers are pinned to, or null. */
  readonly serverCpu: number | null;
  readonly gatehouseInMemory: boolean;
  readonly concurrency: number;
  readonly populateConcurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly drainMs: number;
  /** When set, the measured gatehouse process writes a CPU profile (`node --cpu-prof`) here. */
  readonly profileDir: string | null;
}

export interface CaseResult {
  readonly server: ServerName;
  readonly users: number;
  readonly round: number;
  readonly population: { readonly method: string; readonly ms: number };
  /** Spawn → first ListUserPools with the populated data (null when it cannot restart: in-memory). */
  readonly startupWithUsersMs: number | null;
  /** Why the load was not run (e.g. an operation of the cycle is missing), or null. */
  readonly skipped: string | null;
  readonly cycles: number;
  readonly cyclesPerSecond: number;
  readonly latency: LatencySummary;
  readonly perOperation: Readonly<Record<CycleOperation, LatencySummary>>;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly abandoned: number;
  /** Server CPU (user+system) per completed cycle in the window, ms. */
  readonly serverCpuMsPerCycle: number;
  /** Share of one core the server used during the window. */
  readonly serverCpuShare: number;
  /** Share of one core the load generator used during the window. */
  readonly generatorCpuShare: number;
}

function caseDir(settings: BenchSettings, name: string): string {
  const dir = join(settings.scratchDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts a server of `name` on empty data, returns its start-up time, stops it. */
export async function measureStartup(settings: BenchSettings, name: ServerName, run: number): Promise<number> {
  const dir = caseDir(settings, `startup-${name}-${run}`);
  const server = await startEmpty(settings, name, dir);
  await server.stop();
  return server.startupMs;
}

const profiling = (settings: BenchSettings): string[] =>
  settings.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${settings.profileDir}`] : [];

/** `measured`: this process will take the load (profiled with --cpu-prof when asked). */
function startEmpty(settings: BenchSettings, name: ServerName, dir: string, measured = false): Promise<RunningServer> {
  const logFile = join(dir, "server.log");
  if (name === "gatehouse") {
    const dataFile = settings.gatehouseInMemory ? null : join(dir, "emulator.sqlite3");
    const nodeArgs = measured ? profiling(settings) : [];
    return startGatehouse({ repoRoot: settings.repoRoot, dataFile, logFile, cpu: settings.serverCpu, nodeArgs });
  }
  writeCognitoLocalConfig(dir);
  return startCognitoLocal({ peerDir: settings.peerDir, dataDir: dir, logFile, cpu: settings.serverCpu });
}

interface Prepared {
  readonly server: RunningServer;
  readonly ids: PoolIds;
  readonly population: CaseResult["population"];
  readonly startupWithUsersMs: number | null;
}

async function withClient<T>(url: string, use: (client: AwsJsonClient) => Promise<T>): Promise<T> {
  const client = awsJsonClient(url, { maxSockets: 64 });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/** A running server whose pool holds `users` confirmed users, restarted on that data if it can. */
async function prepare(settings: BenchSettings, name: ServerName, users: number, dir: string): Promise<Prepared> {
  const first = await startEmpty(settings, name, dir, settings.gatehouseInMemory);
  let ids: PoolIds;
  try {
    ids = await withClient(first.url, createPoolAndClient);
  } catch (error) {
    await first.stop();
    throw error;
  }
  if (name === "gatehouse") {
    let ms: number;
    try {
      ms = await withClient(first.url, (client) =>
        populateThroughApi(client, ids, users, settings.populateConcurrency),
      );
    } catch (error) {
      await first.stop();
      throw error;
    }
    const method = `API: SignUp + AdminConfirmSignUp × ${users}, ${settings.populateConcurrency} in flight`;
    if (settings.gatehouseInMemory) return { server: first, ids, population: { method, ms }, startupWithUsersMs: null };
    await first.stop();
    const server = await startGatehouse({
      repoRoot: settings.repoRoot,
      dataFile: join(dir, "emulator.sqlite3"),
      logFile: join(dir, "server.log"),
      cpu: settings.serverCpu,
      nodeArgs: profiling(settings),
    });
    return { server, ids, population: { method, ms }, startupWithUsersMs: server.startupMs };
  }
  await first.stop();
  const ms = populateCognitoLocalFile(dir, ids.poolId, users);
  const server = await startCognitoLocal({
    peerDir: settings.peerDir,
    dataDir: dir,
    logFile: join(dir, "server.log"),
    cpu: settings.serverCpu,
  });
  return {
    server,
    ids,
    population: { method: `pool file .cognito/db/${ids.poolId}.json written while stopped`, ms },
    startupWithUsersMs: server.startupMs,
  };
}

const emptySummary = summarize([]);
const emptyPerOperation = Object.fromEntries(cycleOperations.map((op) => [op, emptySummary])) as Record<
  CycleOperation,
  LatencySummary
>;

export async function runCase(
  settings: BenchSettings,
  name: ServerName,
  users: number,
  round: number,
): Promise<CaseResult> {
  const dir = caseDir(settings, `${name}-${users}-r${round}`);
  const { server, ids, population, startupWithUsersMs } = await prepare(settings, name, users, dir);
  const client = awsJsonClient(server.url, { maxSockets: settings.concurrency });
  try {
    await checkSeedUserSignsIn(client, ids, users);
    const base = { server: name, users, round, population, startupWithUsersMs };
    try {
      await runCycle(client, ids, `probe${round}`);
    } catch (error) {
      return {
        ...base,
        skipped: `the cycle fails: ${error instanceof Error ? error.message : String(error)}`,
        cycles: 0,
        cyclesPerSecond: Number.NaN,
        latency: emptySummary,
        perOperation: emptyPerOperation,
        errors: 0,
        errorSamples: [],
        abandoned: 0,
        serverCpuMsPerCycle: Number.NaN,
        serverCpuShare: Number.NaN,
        generatorCpuShare: Number.NaN,
      };
    }
    let cpuAtStart = 0;
    let serverCpuMs = 0;
    const load = await runClosedLoop({
      concurrency: settings.concurrency,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      drainMs: settings.drainMs,
      task: (sequence) => runCycle(client, ids, `cycle${round}x${sequence}`),
      onWindow: (phase) => {
        if (phase === "start") cpuAtStart = cpuTimeMs(server.child.pid);
        else serverCpuMs = cpuTimeMs(server.child.pid) - cpuAtStart;
      },
    });
    const cycles = load.completed.length;
    return {
      ...base,
      skipped: null,
      cycles,
      cyclesPerSecond: cycles / (load.windowMs / 1000),
      latency: summarize(load.completed.map((c) => c.latencyMs)),
      perOperation: Object.fromEntries(
        cycleOperations.map((op) => [op, summarize(load.completed.map((c) => c.detail[op]))]),
      ) as Record<CycleOperation, LatencySummary>,
      errors: load.errors,
      errorSamples: load.errorSamples,
      abandoned: load.abandoned,
      serverCpuMsPerCycle: cycles === 0 ? Number.NaN : serverCpuMs / cycles,
      serverCpuShare: serverCpuMs / load.windowMs,
      generatorCpuShare: load.generatorCpuMs / load.windowMs,
    };
  } finally {
    client.close();
    await server.stop();
  }
}
