/**
 * `npm run bench:api`: `GET /api/v1/me` on our app against the seeds' Django + DRF stack, in one
 * run on this machine, with the same 1,000 users' access tokens issued by our emulator. Each
 * server runs alone, pinned to core 0; wrk and this process (the load generator) run on core 1.
 * See bench/README.md for what is measured and how to read it.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import pg from "pg";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { atExit, hasTaskset, pinSelf } from "../lib/processes.ts";
import { ensureWrk } from "../lib/wrk.ts";
import { buildIfStale, staleBuilds } from "./build.ts";
import {
  caseLabels,
  caseNames,
  isOurs,
  runCase,
  startCaseServer,
  type BenchSettings,
  type CaseName,
  type CaseResult,
  type Environment,
  usesPostgres,
} from "./cases.ts";
import { requestEveryUser, type PassResult } from "./first-sight.ts";
import { createUsersWithTokens, startSeededEmulator, writeTokensFile } from "./identity.ts";
import { formatProfiles, readProfiles } from "./profiles.ts";
import { formatReport, ratiosOf, summarizeCases, targetsOf, type Report } from "./report.ts";
import { migrateOurs } from "./servers.ts";

const usage = `Usage: npm run bench:api -- [options]

  --rounds N            interleaved rounds of every case (default 3)
  --duration S          measured seconds per closed-loop run (default 10)
  --warmup S            unmeasured seconds of load before each (default 3)
  --connections N       wrk connections, kept alive (default 16)
  --users N             distinct users and tokens (default 1000)
  --fixed-rate N        offered req/s of the open-loop run on our app; 0 skips it (default 1000)
  --fixed-duration S    measured seconds of that run (default 10)
  --cases LIST          of ${caseNames.join(",")}
                        (default ours-no-cache,ours-cache,ours-pg-cache,django,floor)
  --postgres-url URL    the PostgreSQL server the ours-pg cases make their database on
                        (default TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test)
  --django-dir PATH     the Django peer (default ../shared/peers/django-seed from the repo)
  --app-dir PATH        measure the built app of another checkout instead of this one
  --candidate-dir PATH  also measure another checkout's built app (e.g. a git worktree with a
                        proposed change) in the same rounds: adds the cases candidate-no-cache
                        and candidate-cache (it shares the app's database: same migrations)
  --node-args=FLAGS     extra node flags for our app, e.g. --node-args=--single-threaded-gc
  --candidate-node-args=FLAGS
                        the same for the candidate (default: --node-args); with --candidate-dir
                        set to this checkout, it measures a flag alone
  --app-env=K=V,...     extra settings for our app, e.g. --app-env=API_LOG_REQUESTS=true
  --candidate-env=K=V,...
                        the same for the candidate (default: --app-env)
  --cpu-prof            our measured app processes write node --cpu-prof profiles to bench/results/
  --no-build            do not rebuild a stale dist/ first
  --keep                keep the scratch folder (logs, databases, tokens)
  --quiet-wait S        before each case, wait up to S s for every core to be under 20 % busy
                        (other builds and tests on the box); 0 does not wait (default 60)
  --max-minutes M       stop everything and fail after this long (default 30)
  -h, --help            this text
`;

function positive(value: string | undefined, fallback: number, flag: string, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero))
    throw new Error(`${flag} must be a positive number, not ${value}`);
  return n;
}

function parseCases(value: string | undefined, candidate: boolean): CaseName[] {
  const fallback = `ours-no-cache,ours-cache,ours-pg-cache,${candidate ? "candidate-no-cache,candidate-cache," : ""}django,floor`;
  const names = (value ?? fallback).split(",").map((s) => s.trim());
  for (const name of names) {
    if (!caseNames.includes(name as CaseName)) throw new Error(`unknown case ${name} (one of ${caseNames.join(", ")})`);
  }
  return caseNames.filter((name) => names.includes(name));
}

const splitFlags = (value: string | undefined): string[] => (value ?? "").split(/\s+/).filter((flag) => flag !== "");

function parseEnv(value: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (value ?? "").split(",").filter((p) => p !== "")) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new Error(`expected KEY=VALUE, not ${pair}`);
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}

const defaultPostgresUrl = "postgres://postgres@127.0.0.1:5432/test";

/** A fresh database on the server of `adminUrl`, dropped when the benchmark exits. */
async function createBenchDatabase(adminUrl: string): Promise<string> {
  const name = `gatehouse_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `the ours-pg cases need PostgreSQL at ${adminUrl} (${(error as Error).message}); start it, pass --postgres-url, or leave those cases out with --cases`,
      { cause: error },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  // Synchronous, as exit hooks are: psql, from the machine's PostgreSQL client tools.
  atExit(() => {
    spawnSync("psql", [adminUrl, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: "ignore" });
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Round r runs the cases rotated by r − 1, so no case always goes first or last. */
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

async function firstSight(
  settings: BenchSettings,
  env: Environment,
  cases: readonly CaseName[],
): Promise<{ server: string; pid: number; result: PassResult }[]> {
  // Ours once (the cache cases share its database), Django once per database.
  const firsts: CaseName[] = [];
  if (cases.some((c) => c.startsWith("ours") && !usesPostgres(c))) firsts.push("ours-no-cache");
  // The PostgreSQL cases share their own database.
  if (cases.some(usesPostgres)) firsts.push("ours-pg-no-cache");
  else if (cases.some((c) => c.startsWith("candidate"))) firsts.push("candidate-no-cache");
  if (cases.some((c) => c.startsWith("django"))) firsts.push(cases.includes("django") ? "django" : "django-gthread");
  const results: { server: string; pid: number; result: PassResult }[] = [];
  for (const name of firsts) {
    process.stdout.write(`First sight: ${name}, ${env.users.length} users …\n`);
    const server = await startCaseServer(settings, env, name, `${name}-first-sight`);
    try {
      const result = await requestEveryUser(server, env.users, settings.connections);
      const label = isOurs(name) ? (usesPostgres(name) ? "Gatehouse on PostgreSQL" : "Gatehouse") : "Django peer";
      results.push({ server: label, pid: server.child.pid, result });
      process.stdout.write(`  ${result.perSecond.toFixed(0)} users/s, p99 ${result.latency.p99.toFixed(1)} ms\n`);
    } finally {
      await server.stop();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      users: { type: "string" },
      "fixed-rate": { type: "string" },
      "fixed-duration": { type: "string" },
      cases: { type: "string" },
      "django-dir": { type: "string" },
      "app-dir": { type: "string" },
      "candidate-dir": { type: "string" },
      "node-args": { type: "string" },
      "candidate-node-args": { type: "string" },
      "app-env": { type: "string" },
      "candidate-env": { type: "string" },
      "cpu-prof": { type: "boolean" },
      "no-build": { type: "boolean" },
      keep: { type: "boolean" },
      "max-minutes": { type: "string" },
      "quiet-wait": { type: "string" },
      "postgres-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const maxMinutes = positive(values["max-minutes"], 30, "--max-minutes");
  // The whole run is bounded: past the deadline everything it started is killed (exit hooks).
  setTimeout(() => {
    process.stderr.write(`bench:api: still running after ${maxMinutes} minutes; stopping.\n`);
    process.exit(1);
  }, maxMinutes * 60_000).unref();

  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const cases = parseCases(values.cases, values["candidate-dir"] !== undefined);
  const rounds = Math.round(positive(values.rounds, 3, "--rounds"));
  const userCount = Math.round(positive(values.users, 1000, "--users"));

  const cores = cpus().length;
  const pinned = cores >= 2 && hasTaskset() && pinSelf(1);
  if (!pinned) process.stdout.write("Note: not pinning (needs 2+ cores and taskset); figures are noisier.\n");
  ensureWrk();
  const appRoot = resolve(values["app-dir"] ?? repoRoot);
  if (!values["no-build"]) buildIfStale(repoRoot);
  const candidateRoot = values["candidate-dir"] === undefined ? null : resolve(values["candidate-dir"]);
  for (const other of [appRoot, candidateRoot]) {
    if (other === null || other === repoRoot) continue;
    const stale = staleBuilds(other);
    if (stale.length > 0)
      throw new Error(`${other}: dist/ is older than src/ (${stale.join(", ")}); build it there first`);
  }

  const scratchDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-api-"));
  if (!values.keep) atExit(() => rmSync(scratchDir, { recursive: true, force: true }));
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, "-");
  const resultsDir = join(repoRoot, "bench", "results");
  const settings: BenchSettings = {
    repoRoot,
    appRoot,
    candidateRoot,
    scratchDir,
    djangoDir: resolve(values["django-dir"] ?? join(repoRoot, "..", "shared", "peers", "django-seed")),
    serverCpu: pinned ? 0 : null,
    generatorCpu: pinned ? 1 : null,
    connections: Math.round(positive(values.connections, 16, "--connections")),
    warmupS: positive(values.warmup, 3, "--warmup"),
    durationS: positive(values.duration, 10, "--duration"),
    fixedRate: positive(values["fixed-rate"], 1000, "--fixed-rate", true),
    fixedRateS: positive(values["fixed-duration"], 10, "--fixed-duration"),
    profileDir: values["cpu-prof"] ? join(resultsDir, `profiles-api-${stamp}`) : null,
    nodeArgs: splitFlags(values["node-args"]),
    candidateNodeArgs: splitFlags(values["candidate-node-args"] ?? values["node-args"]),
    appEnv: parseEnv(values["app-env"]),
    candidateEnv: parseEnv(values["candidate-env"] ?? values["app-env"]),
    quietWaitMs: positive(values["quiet-wait"], 60, "--quiet-wait", true) * 1000,
  };
  const method =
    `GET /api/v1/me with ${userCount} distinct users' access tokens (public client, issued by our emulator), ` +
    `round-robin.\nClosed loop: wrk, ${settings.connections} keep-alive connections, 1 thread, ` +
    `${settings.warmupS} s warm-up + ${settings.durationS} s measured per run; ${rounds} rounds, cases interleaved.\n` +
    (settings.fixedRate > 0
      ? `Fixed rate: ${settings.fixedRate} req/s offered for ${settings.fixedRateS} s (open loop, node:http keep-alive) on our app.\n`
      : "") +
    (pinned ? "Server pinned to core 0 (one at a time); wrk, this generator and the emulator on core 1." : "Unpinned.");

  const emulator = await startSeededEmulator({
    repoRoot,
    logFile: join(scratchDir, "emulator.log"),
    cpu: settings.generatorCpu,
  });
  try {
    process.stdout.write(`Creating ${userCount} users and their access tokens …\n`);
    const createStarted = performance.now();
    const users = await createUsersWithTokens(emulator, userCount, 16);
    const createMs = performance.now() - createStarted;
    const tokensFile = join(scratchDir, "tokens.txt");
    writeTokensFile(tokensFile, users);
    const env: Environment = {
      emulator,
      users,
      tokensFile,
      oursDatabase: join(scratchDir, "gatehouse.sqlite3"),
      oursPostgresUrl: cases.some(usesPostgres)
        ? await createBenchDatabase(values["postgres-url"] ?? process.env.TEST_POSTGRES_URL ?? defaultPostgresUrl)
        : null,
      djangoDatabase: join(scratchDir, "django.sqlite3"),
    };
    if (cases.some(isOurs))
      migrateOurs(
        cases.some((c) => c.startsWith("ours")) ? appRoot : (candidateRoot ?? appRoot),
        `sqlite:${env.oursDatabase}`,
      );
    if (env.oursPostgresUrl) migrateOurs(appRoot, env.oursPostgresUrl);

    const firstSightResults = await firstSight(settings, env, cases);
    const results: CaseResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const name of rotate(cases, round - 1)) {
        process.stdout.write(`Round ${round}: ${name} …\n`);
        const result = await runCase(settings, env, name, round);
        results.push(result);
        if (!result.before.quiet) {
          process.stdout.write(
            `  (the machine was busy before this run: a core at ${Math.round(result.before.busiest * 100)} % after waiting ${Math.round(result.before.waitedMs / 1000)} s)\n`,
          );
        }
        const l = result.load;
        const fixed = result.fixedRate
          ? `; at ${result.fixedRate.rate}/s p99 ${result.fixedRate.latency.p99.toFixed(2)} ms`
          : "";
        process.stdout.write(
          `  ${l.requestsPerSecond.toFixed(0)} req/s, p50 ${l.latency.p50.toFixed(2)} ms, p99 ${l.latency.p99.toFixed(2)} ms, ` +
            `${l.serverCpuMsPerRequest.toFixed(3)} ms CPU/req${fixed}\n`,
        );
      }
    }

    const summary = summarizeCases(results);
    const ratios = ratiosOf(results);
    const { repoRoot: _root, scratchDir: _scratch, ...shownSettings } = settings;
    const report: Report = {
      startedAt,
      machine: { node: process.version, cpus: cores, cpuModel: cpus()[0]?.model ?? "unknown", pinned },
      settings: { ...shownSettings, rounds, users: userCount, cases },
      method,
      setup: { users: userCount, createMs },
      firstSight: firstSightResults,
      cases: results,
      summary,
      ratios,
      targets: targetsOf(summary, ratios),
    };
    process.stdout.write(formatReport(report));
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `api-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nResults written to ${file}\n`);
    if (settings.profileDir) {
      const labels = new Map<number, string>([
        ...firstSightResults.map((f): [number, string] => [f.pid, `${f.server}, first sight`]),
        ...results.map((c): [number, string] => [c.pid, `${caseLabels[c.name]}, round ${c.round}`]),
      ]);
      const profiles = readProfiles(settings.profileDir, labels);
      process.stdout.write(formatProfiles(profiles.filter((p) => !p.label.endsWith("first sight"))));
      writeFileSync(join(settings.profileDir, "summary.json"), `${JSON.stringify(profiles, null, 2)}\n`);
      process.stdout.write(`\nCPU profiles of the app in ${settings.profileDir}\n`);
    }
  } finally {
    await emulator.stop();
    if (values.keep) process.stdout.write(`Scratch data kept in ${scratchDir}\n`);
  }
}

main().then(
  // Timers (the deadline) are unref'd; exit explicitly so the exit hooks run now.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    // exit() also SIGKILLs any server still running (see lib/processes.ts).
    process.exit(1);
  },
);
