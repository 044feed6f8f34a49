/** The benchmark's printed tables and its JSON record. */
import { fmt, formatTable, ratio } from "../lib/table.ts";
import { median } from "../lib/stats.ts";
import type { BenchSettings, CaseResult } from "./cases.ts";
import { cycleOperations } from "./cycle.ts";
import type { HashCostResult } from "./hash-cost.ts";
import type { ServerName } from "./peers.ts";

export interface StartupResult {
  readonly server: ServerName;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
}

export interface Report {
  readonly startedAt: string;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly pinned: boolean;
  };
  readonly settings: Omit<BenchSettings, "repoRoot" | "scratchDir">;
  readonly method: string;
  readonly hashCost: HashCostResult | null;
  readonly startup: readonly StartupResult[];
  readonly cases: readonly CaseResult[];
  readonly ratios: readonly RatioRow[];
  readonly targets: readonly TargetCheck[];
}

export interface RatioRow {
  readonly users: number;
  readonly round: number;
  /** gatehouse / cognito-local; above 1 is better for throughput, below 1 for latency and CPU. */
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerCycle: number;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export function ratiosOf(cases: readonly CaseResult[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const ours of cases.filter((c) => c.server === "gatehouse")) {
    const peer = cases.find((c) => c.server === "cognito-local" && c.users === ours.users && c.round === ours.round);
    if (!peer) continue;
    rows.push({
      users: ours.users,
      round: ours.round,
      throughput: ours.cyclesPerSecond / peer.cyclesPerSecond,
      p50: ours.latency.p50 / peer.latency.p50,
      p99: ours.latency.p99 / peer.latency.p99,
      cpuPerCycle: ours.serverCpuMsPerCycle / peer.serverCpuMsPerCycle,
    });
  }
  return rows;
}

export function targetsOf(
  ratios: readonly RatioRow[],
  startup: readonly StartupResult[],
  hash: HashCostResult | null,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at10k = ratios.filter((r) => r.users === 10_000).map((r) => r.throughput);
  const throughput = median(at10k);
  checks.push({
    target: "≥ 3× cognito-local cycles/s at 10,000 users",
    measured: at10k.length === 0 || !Number.isFinite(throughput) ? "not measured" : `${fmt(throughput, 1)}×`,
    met: at10k.length === 0 || !Number.isFinite(throughput) ? null : throughput >= 3,
  });
  const ours = startup.find((s) => s.server === "gatehouse");
  checks.push({
    target: "gatehouse start-up to first answer < 1 s",
    measured: ours ? `${fmt(ours.medianMs)} ms (median)` : "not measured",
    met: ours ? ours.medianMs < 1000 : null,
  });
  checks.push({
    target: "one sign-in's password hashing < 2 ms CPU (default cost)",
    measured: hash ? `${fmt(hash.verifyCpuMs, 2)} ms` : "not measured",
    met: hash ? hash.verifyCpuMs < 2 : null,
  });
  return checks;
}

const ms = (value: number) => fmt(value, value < 10 ? 2 : value < 100 ? 1 : 0);
const pct = (share: number) => (Number.isFinite(share) ? `${fmt(share * 100)} %` : "–");

export function formatReport(report: Report): string {
  const out: string[] = [];
  const multiRound = report.cases.some((c) => c.round > 1);
  const label = (c: { users: number; round: number }) =>
    multiRound ? `${fmt(c.users)} (round ${c.round})` : fmt(c.users);
  out.push(`\n${report.method}\n`);

  out.push(
    formatTable(
      [
        "pool users",
        "server",
        "cycles/s",
        "p50 ms",
        "p99 ms",
        "cycles",
        "errors",
        "server CPU ms/cycle",
        "server CPU",
        "loadgen CPU",
      ],
      report.cases.map((c) =>
        c.skipped
          ? [label(c), c.server, "skipped", "", "", "", "", "", "", ""]
          : [
              label(c),
              c.server,
              fmt(c.cyclesPerSecond, 1),
              ms(c.latency.p50),
              ms(c.latency.p99),
              fmt(c.cycles),
              fmt(c.errors),
              ms(c.serverCpuMsPerCycle),
              pct(c.serverCpuShare),
              pct(c.generatorCpuShare),
            ],
      ),
      2,
    ),
  );
  for (const c of report.cases) {
    if (c.skipped) out.push(`  ${c.server} at ${fmt(c.users)} users skipped: ${c.skipped}`);
    if (c.errorSamples.length > 0)
      out.push(`  ${c.server} at ${fmt(c.users)} users, errors: ${c.errorSamples.join(" | ")}`);
    if (c.abandoned > 0)
      out.push(`  ${c.server} at ${fmt(c.users)} users: ${c.abandoned} cycles still in flight at the end`);
  }

  out.push("\nPer operation, p50 / p99 ms:");
  out.push(
    formatTable(
      ["pool users", "server", ...cycleOperations],
      report.cases
        .filter((c) => !c.skipped)
        .map((c) => [
          label(c),
          c.server,
          ...cycleOperations.map((op) => `${ms(c.perOperation[op].p50)} / ${ms(c.perOperation[op].p99)}`),
        ]),
      2,
    ),
  );

  if (report.ratios.length > 0) {
    out.push(
      "\nRatios, gatehouse / cognito-local in this run (throughput: higher is better; the rest: lower is better):",
    );
    out.push(
      formatTable(
        ["pool users", "cycles/s", "p50 latency", "p99 latency", "server CPU/cycle"],
        report.ratios.map((r) => [
          label(r),
          ratio(r.throughput, 1, 2),
          ratio(r.p50, 1, 3),
          ratio(r.p99, 1, 3),
          ratio(r.cpuPerCycle, 1, 3),
        ]),
      ),
    );
  }

  out.push("\nStart-up, spawn → first successful ListUserPools:");
  const startupRows = report.startup.map((s) => [
    s.server,
    `${fmt(s.medianMs)} ms`,
    s.runsMs.map((v) => fmt(v)).join(", "),
    ...[...new Set(report.cases.map((c) => c.users))].map((users) => {
      const values = report.cases
        .filter((c) => c.server === s.server && c.users === users && c.startupWithUsersMs !== null)
        .map((c) => c.startupWithUsersMs ?? Number.NaN);
      return values.length === 0 ? "–" : `${fmt(median(values))} ms`;
    }),
  ]);
  out.push(
    formatTable(
      [
        "server",
        "empty, median",
        "empty, each run (ms)",
        ...[...new Set(report.cases.map((c) => c.users))].map((u) => `with ${fmt(u)} users`),
      ],
      startupRows,
    ),
  );

  out.push("\nHow each pool was populated:");
  for (const c of report.cases) {
    out.push(`  ${c.server}, ${fmt(c.users)} users: ${c.population.method} (${fmt(c.population.ms / 1000, 1)} s)`);
  }

  if (report.hashCost) {
    const h = report.hashCost;
    out.push(
      `\nGatehouse password work (default scrypt N=2^${h.log2N}, r=${h.r}; CPU per call, mean of ${h.samples}):` +
        `\n  sign-in (scrypt verify): ${ms(h.verifyCpuMs)} ms · scrypt hash: ${ms(h.hashCpuMs)} ms` +
        ` · SRP verifier: ${ms(h.srpVerifierCpuMs)} ms · SignUp total: ${ms(h.signUpCpuMs)} ms`,
    );
  }

  out.push("\nTargets (issue 2):");
  for (const t of report.targets) {
    const verdict = t.met === null ? "n/a " : t.met ? "MET " : "MISS";
    out.push(`  [${verdict}] ${t.target}: ${t.measured}`);
  }
  return `${out.join("\n")}\n`;
}
