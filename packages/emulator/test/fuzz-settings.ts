/**
 * How the fuzz suites (issue 13) run: a number of cases per property, scaled by FUZZ_SCALE
 * (e.g. `FUZZ_SCALE=20` for a long local run), and a failure replayed exactly with the seed and
 * path fast-check prints in its message:
 *
 *   FUZZ_SEED=-1234 FUZZ_PATH="3:1" npx vitest run packages/emulator/test/fuzz-protocol.test.ts -t SignUp
 */
import type { Parameters } from "fast-check";

export function fuzzParameters<T>(runs: number): Parameters<T> {
  const scale = Number(process.env.FUZZ_SCALE ?? "1");
  const seed = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  return {
    numRuns: Math.max(1, Math.round(runs * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    ...(seed !== undefined && seed !== "" ? { seed: Number(seed) } : {}),
    ...(path !== undefined && path !== "" ? { path } : {}),
    // Shrinking replays requests against a server whose state moved on; a bounded search keeps
    // a failure's report quick, and the seed above still replays the original case.
    interruptAfterTimeLimit: 45_000,
    markInterruptAsFailure: false,
  };
}
