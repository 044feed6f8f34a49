/**
 * `npm run bench:emulator`: our Cognito emulator against cognito-local, in one run on this
 * machine. Each server runs as a child process pinned to core 0; this process (the load
 * generator) pins itself to core 1. See bench/README.md for what is measured and how to read it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { atExit, hasTaskset, pinSelf } from "../lib/processes.ts";
import { median } from "../lib/stats.ts";
import { measureStartup, runCase, type BenchSettings, type CaseResult } from "./cases.ts";
import { measureHashCost, type HashCostResult } from "./hash-cost.ts";
import { ensureCognitoLocal, serverNames, type ServerName } from "./peers.ts";
import { formatReport, ratiosOf, targetsOf, type Report, type StartupResult } from "./report.ts";

const usage = `Usage: npm run bench:emulator -- [options]

  --duration S          measured seconds per case (default 15)
  --warmup S            unmeasured seconds of load before each window (default 3)
  --concurrency N       cycles in flight (default 16)
  --users LIST          pool sizes, comma-separated (default 1000,10000)
  --servers LIST        gatehouse,cognito-local (default both)
  --rounds N            repeat every case N times, interleaved (default 1)
  --startup-runs N      start-up measurements per server (default 3)
  --in-memory           run gatehouse with --in-memory instead of a SQLite file
  --peer-dir PATH       where cognito-local is installed (default /tmp/gatehouse-peers/cognito-local)
  --keep                keep the scratch data folder
  --cpu-prof            write CPU profiles of the measured gatehouse processes to bench/results/
  --no-hash             skip the password-hashing measurement
  -h, --help            this text
`;

function positive(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, not ${value}`);
  return n;
}

function parseServers(value: string | undefined): ServerName[] {
  if (value === undefined) return [...serverNames];
  const names = value.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!serverNames.includes(name as ServerName)) throw new Error(`unknown server ${name}`);
  }
  return serverNames.filter((name) => names.includes(name));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      users: { type: "string" },
      servers: { type: "string" },
      rounds: { type: "string" },
      "startup-runs": { type: "string" },
      "in-memory": { type: "boolean" },
      "peer-dir": { type: "string" },
      keep: { type: "boolean" },
      "cpu-prof": { type: "boolean" },
      "no-hash": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const servers = parseServers(values.servers);
  const userCounts = (values.users ?? "1000,10000").split(",").map((u) => positive(u.trim(), 0, "--users"));
  const rounds = Math.round(positive(values.rounds, 1, "--rounds"));
  const startupRuns = Math.round(positive(values["startup-runs"], 3, "--startup-runs"));

  const cores = cpus().length;
  const pinned = cores >= 2 && hasTaskset() && pinSelf(1);
  if (!pinned) process.stdout.write("Note: not pinning (needs 2+ cores and taskset); figures are noisier.\n");

  const scratchDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  // On exit, also on failure or Ctrl-C, once the servers are dead.
  if (!values.keep) atExit(() => rmSync(scratchDir, { recursive: true, force: true }));
  const startedAt = new Date().toISOString();
  const resultsDir = join(repoRoot, "bench", "results");
  const stamp = startedAt.replace(/[:.]/g, "-");
  const settings: BenchSettings = {
    repoRoot,
    scratchDir,
    peerDir: values["peer-dir"] ?? "/tmp/gatehouse-peers/cognito-local",
    serverCpu: pinned ? 0 : null,
    gatehouseInMemory: values["in-memory"] ?? false,
    concurrency: Math.round(positive(values.concurrency, 16, "--concurrency")),
    populateConcurrency: 16,
    warmupMs: positive(values.warmup, 3, "--warmup") * 1000,
    durationMs: positive(values.duration, 15, "--duration") * 1000,
    drainMs: 60_000,
    profileDir: values["cpu-prof"] ? join(resultsDir, `profiles-${stamp}`) : null,
  };
  const method =
    `Cycle: SignUp → AdminConfirmSignUp → InitiateAuth (USER_PASSWORD_AUTH) → GetUser, fresh username per cycle,\n` +
    `${settings.concurrency} in flight, raw AWS JSON 1.1 over node:http keep-alive (same client for both servers),\n` +
    `${settings.warmupMs / 1000} s warm-up + ${settings.durationMs / 1000} s measured per case; ` +
    (pinned ? "servers pinned to core 0, load generator to core 1; " : "unpinned; ") +
    `gatehouse storage: ${settings.gatehouseInMemory ? "in memory" : "SQLite file"}; cognito-local: JSON files.`;

  const cases: CaseResult[] = [];
  const startup: StartupResult[] = [];
  let hashCost: HashCostResult | null = null;
  try {
    if (servers.includes("cognito-local")) ensureCognitoLocal(settings.peerDir);
    if (!values["no-hash"] && servers.includes("gatehouse")) {
      process.stdout.write("Measuring password hashing cost …\n");
      hashCost = await measureHashCost();
    }

    const runs = new Map<ServerName, number[]>(servers.map((s) => [s, []]));
    for (let run = 1; run <= startupRuns; run++) {
      for (const name of servers) {
        const ms = await measureStartup(settings, name, run);
        runs.get(name)?.push(ms);
        process.stdout.write(`Start-up ${name} #${run}: ${Math.round(ms)} ms\n`);
      }
    }
    for (const [server, runsMs] of runs) startup.push({ server, runsMs, medianMs: median(runsMs) });

    for (let round = 1; round <= rounds; round++) {
      for (const users of userCounts) {
        for (const name of servers) {
          process.stdout.write(`Case ${name}, ${users} users, round ${round}: populating, then measuring …\n`);
          const result = await runCase(settings, name, users, round);
          cases.push(result);
          process.stdout.write(
            result.skipped
              ? `  skipped: ${result.skipped}\n`
              : `  ${result.cyclesPerSecond.toFixed(1)} cycles/s, p50 ${result.latency.p50.toFixed(1)} ms, ` +
                  `p99 ${result.latency.p99.toFixed(1)} ms, ${result.errors} errors\n`,
          );
        }
      }
    }
  } finally {
    if (values.keep) process.stdout.write(`Scratch data kept in ${scratchDir}\n`);
  }

  const ratios = ratiosOf(cases);
  const { repoRoot: _root, scratchDir: _scratch, ...shownSettings } = settings;
  const report: Report = {
    startedAt,
    machine: { node: process.version, cpus: cores, cpuModel: cpus()[0]?.model ?? "unknown", pinned },
    settings: shownSettings,
    method,
    hashCost,
    startup,
    cases,
    ratios,
    targets: targetsOf(ratios, startup, hashCost),
  };
  process.stdout.write(formatReport(report));
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `emulator-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nResults written to ${file}\n`);
  if (settings.profileDir) process.stdout.write(`CPU profiles of gatehouse in ${settings.profileDir}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:emulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  // exit() also SIGKILLs any server still running (see lib/processes.ts).
  process.exit(1);
});
