/**
 * Waiting for a quiet machine: on a shared two-core box a build or a test suite elsewhere takes
 * a core away from the server under test and makes a run meaningless. Before a measured run,
 * sample every core's busy share (`/proc/stat`) and wait, up to a limit, until all are below a
 * threshold. The run goes ahead either way; the caller records how long it waited and whether
 * the machine was quiet.
 */
import { coreShares, coreTimes } from "./processes.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface QuietResult {
  readonly quiet: boolean;
  readonly waitedMs: number;
  /** Busiest core's share in the last sample, 0–1. */
  readonly busiest: number;
}

export async function waitForQuiet(options: {
  readonly maxWaitMs: number;
  /** Busy share (0–1) every core must stay under for one sample. */
  readonly threshold: number;
  readonly sampleMs?: number;
}): Promise<QuietResult> {
  const started = performance.now();
  const sampleMs = options.sampleMs ?? 1000;
  for (;;) {
    const before = coreTimes();
    await sleep(sampleMs);
    const after = coreTimes();
    const busiest = Math.max(0, ...[...after.keys()].map((core) => coreShares(before, after, core).busy || 0));
    const waitedMs = performance.now() - started;
    if (busiest < options.threshold) return { quiet: true, waitedMs, busiest };
    if (waitedMs >= options.maxWaitMs) return { quiet: false, waitedMs, busiest };
  }
}
