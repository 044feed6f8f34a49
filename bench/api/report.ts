/**
 * The API benchmark's report: medians over the interleaved rounds, ratios ours ÷ Django taken
 * round by round (both sides from the same minutes of the host's drift), the issue's targets, and
 * the text tables printed at the end.
 */
import { median } from "../lib/stats.ts";
import { fmt, formatTable } from "../lib/table.ts";
import { caseLabels, isOurs, type CaseName, type CaseResult } from "./cases.ts";
import type { PassResult } from "./first-sight.ts";

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

const spread = (values: readonly number[]): Spread => ({
  median: median(values),
  min: values.length === 0 ? Number.NaN : Math.min(...values),
  max: values.length === 0 ? Number.NaN : Math.max(...values),
});

export interface CaseSummary {
  readonly name: CaseName;
  readonly rounds: number;
  readonly requestsPerSecond: Spread;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuMsPerRequest: number;
  readonly errors: number;
  /** Medians over the rounds of the fixed-rate run, when it ran. */
  readonly fixedRate: {
    readonly rate: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly failed: number;
  } | null;
}

export interface RatioSummary {
  readonly ours: CaseName;
  readonly peer: CaseName;
  /** ours ÷ peer req/s, one value per round with both. */
  readonly throughput: Spread;
  /** peer ÷ ours server CPU per request: how many times less CPU we spend. */
  readonly cpuPerRequest: Spread;
}

export interface Target {
  readonly what: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export interface Report {
  readonly startedAt: string;
  readonly machine: Readonly<Record<string, unknown>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly method: string;
  readonly setup: { readonly users: number; readonly createMs: number };
  readonly firstSight: readonly { readonly server: string; readonly result: PassResult }[];
  readonly cases: readonly CaseResult[];
  readonly summary: readonly CaseSummary[];
  readonly ratios: readonly RatioSummary[];
  readonly targets: readonly Target[];
}

const failedOf = (c: CaseResult): number =>
  c.load.errors.connect + c.load.errors.read + c.load.errors.write + c.load.errors.status + c.load.errors.timeout;

export function summarizeCases(cases: readonly CaseResult[]): CaseSummary[] {
  const names = [...new Set(cases.map((c) => c.name))];
  return names.map((name) => {
    const runs = cases.filter((c) => c.name === name);
    const fixed = runs.flatMap((c) => (c.fixedRate ? [c.fixedRate] : []));
    return {
      name,
      rounds: runs.length,
      requestsPerSecond: spread(runs.map((c) => c.load.requestsPerSecond)),
      p50Ms: median(runs.map((c) => c.load.latency.p50)),
      p99Ms: median(runs.map((c) => c.load.latency.p99)),
      serverCpuMsPerRequest: median(runs.map((c) => c.load.serverCpuMsPerRequest)),
      errors: runs.reduce((sum, c) => sum + failedOf(c), 0),
      fixedRate:
        fixed.length === 0
          ? null
          : {
              rate: fixed[0]?.rate ?? Number.NaN,
              p50Ms: median(fixed.map((f) => f.latency.p50)),
              p99Ms: median(fixed.map((f) => f.latency.p99)),
              failed: fixed.reduce((sum, f) => sum + f.errors + f.lost, 0),
            },
    };
  });
}

export function ratiosOf(cases: readonly CaseResult[], peer: CaseName = "django"): RatioSummary[] {
  // The floor too: its ratio is the most any app on that framework could show here.
  const ours = [...new Set(cases.map((c) => c.name))].filter((name) => isOurs(name) || name === "floor");
  return ours.map((name) => {
    const throughput: number[] = [];
    const cpu: number[] = [];
    for (const mine of cases.filter((c) => c.name === name)) {
      const theirs = cases.find((c) => c.name === peer && c.round === mine.round);
      if (!theirs) continue;
      throughput.push(mine.load.requestsPerSecond / theirs.load.requestsPerSecond);
      cpu.push(theirs.load.serverCpuMsPerRequest / mine.load.serverCpuMsPerRequest);
    }
    return { ours: name, peer, throughput: spread(throughput), cpuPerRequest: spread(cpu) };
  });
}

const x = (value: number, decimals = 1) => (Number.isFinite(value) ? `${fmt(value, decimals)}×` : "–");

export function targetsOf(summary: readonly CaseSummary[], ratios: readonly RatioSummary[]): Target[] {
  const throughputTarget = (name: CaseName, goal: number): Target => {
    const found = ratios.find((r) => r.ours === name && r.peer === "django");
    const value = found?.throughput.median ?? Number.NaN;
    return {
      what: `${caseLabels[name]} ÷ Django, req/s`,
      goal: `≥ ${goal}×`,
      measured: found ? `${x(value)} (rounds ${x(found.throughput.min)}–${x(found.throughput.max)})` : "not measured",
      met: Number.isFinite(value) ? value >= goal : null,
    };
  };
  const latencyTargets = summary.flatMap((s): Target[] =>
    s.fixedRate === null
      ? []
      : [
          {
            what: `${caseLabels[s.name]}, p99 at ${fmt(s.fixedRate.rate)} req/s offered`,
            goal: "< 10 ms",
            measured: `${fmt(s.fixedRate.p99Ms, 2)} ms${s.fixedRate.failed > 0 ? `, ${s.fixedRate.failed} failed or lost` : ""}`,
            met: Number.isFinite(s.fixedRate.p99Ms) ? s.fixedRate.p99Ms < 10 && s.fixedRate.failed === 0 : null,
          },
        ],
  );
  const present = new Set(summary.map((s) => s.name));
  const candidates = (["candidate-no-cache", "candidate-cache"] as const).filter((name) => present.has(name));
  return [
    throughputTarget("ours-no-cache", 25),
    throughputTarget("ours-cache", 60),
    ...(present.has("ours-pg-cache") ? [throughputTarget("ours-pg-cache", 60)] : []),
    ...(present.has("ours-pg-no-cache") ? [throughputTarget("ours-pg-no-cache", 25)] : []),
    ...candidates.map((name) => throughputTarget(name, name === "candidate-cache" ? 60 : 25)),
    ...latencyTargets,
  ];
}

const ms = (value: number) => fmt(value, value < 10 ? 2 : 1);
const pct = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)} %` : "–");

export function formatReport(report: Report): string {
  const out: string[] = ["", report.method, ""];
  out.push(
    `Setup: ${report.setup.users} users created and signed in in ${fmt(report.setup.createMs / 1000, 1)} s.`,
    "",
  );

  out.push("First sight — one GET /api/v1/me per user on an empty database (each server creates the user):");
  out.push(
    formatTable(
      ["server", "users", "s", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"],
      report.firstSight.map(({ server, result }) => [
        server,
        fmt(result.users),
        fmt(result.ms / 1000, 1),
        fmt(result.perSecond),
        ms(result.latency.p50),
        ms(result.latency.p99),
        ms(result.serverCpuMsPerRequest),
      ]),
    ),
    "",
  );

  out.push("Every run (closed loop, wrk; * = the machine was busy before the run):");
  out.push(
    formatTable(
      [
        "round",
        "case",
        "req/s",
        "p50 ms",
        "p99 ms",
        "CPU ms/req",
        "server",
        "others core 0",
        "steal",
        "core 1",
        "errors",
      ],
      report.cases.map((c) => [
        `${c.round}${c.before.quiet ? "" : "*"}`,
        caseLabels[c.name],
        fmt(c.load.requestsPerSecond),
        ms(c.load.latency.p50),
        ms(c.load.latency.p99),
        fmt(c.load.serverCpuMsPerRequest, 3),
        pct(c.load.serverCpuShare),
        pct(Math.max(0, c.load.serverCore.busy - c.load.serverCpuShare)),
        pct(c.load.serverCore.steal),
        pct(c.load.generatorCore.busy),
        fmt(failedOf(c)),
      ]),
      2,
    ),
    "server: share of core 0 the server used; others core 0: what else ran there; core 1: wrk and whatever else.",
    "",
  );

  const ratioOf = (name: CaseName) => report.ratios.find((r) => r.ours === name);
  out.push("Summary (medians over rounds; ratios ours ÷ Django taken within each round):");
  out.push(
    formatTable(
      ["case", "req/s", "(min–max)", "p50 ms", "p99 ms", "CPU ms/req", "× Django req/s", "× less CPU/req"],
      report.summary.map((s) => {
        const r = ratioOf(s.name);
        return [
          caseLabels[s.name],
          fmt(s.requestsPerSecond.median),
          `${fmt(s.requestsPerSecond.min)}–${fmt(s.requestsPerSecond.max)}`,
          ms(s.p50Ms),
          ms(s.p99Ms),
          fmt(s.serverCpuMsPerRequest, 3),
          r ? x(r.throughput.median) : "",
          r ? x(r.cpuPerRequest.median) : "",
        ];
      }),
    ),
    "",
  );

  const fixed = report.cases.filter((c) => c.fixedRate !== null);
  if (fixed.length > 0) {
    out.push("Fixed rate (open loop; latency from when each request was due):");
    out.push(
      formatTable(
        [
          "round",
          "case",
          "offered",
          "answered",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "p99 from send",
          "lag p99",
          "app's own p99",
          "server",
          "others core 0",
          "core 1",
          "failed",
        ],
        fixed.flatMap((c) => {
          const f = c.fixedRate;
          if (!f) return [];
          return [
            [
              String(c.round),
              caseLabels[c.name],
              `${fmt(f.rate)}/s × ${f.durationS} s`,
              fmt(f.completed),
              ms(f.latency.p50),
              ms(f.latency.p99),
              ms(f.latency.p999),
              ms(f.latency.max),
              ms(f.latencyFromSend.p99),
              ms(f.sendLag.p99),
              f.loggedByServer ? ms(f.loggedByServer.p99) : "–",
              pct(f.serverCpuShare),
              pct(Math.max(0, f.serverCore.busy - f.serverCpuShare)),
              pct(f.generatorCore.busy),
              fmt(f.errors + f.lost),
            ],
          ];
        }),
        2,
      ),
      "",
    );
  }

  out.push("Targets (issue 4):");
  out.push(
    formatTable(
      ["target", "goal", "measured", ""],
      report.targets.map((t) => [t.what, t.goal, t.measured, t.met === null ? "–" : t.met ? "met" : "MISSED"]),
      3,
    ),
  );
  return `${out.join("\n")}\n`;
}
