/**
 * Waiting for a freshly spawned server: polls a probe until it succeeds, fails fast when the
 * process dies, gives up after a deadline, and stops the child on failure (with its log's tail in
 * the error, so the reason is on screen).
 */
import { readFileSync } from "node:fs";
import type { Child } from "./processes.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The last lines of a log file, or "(no log)". */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface ReadyOptions {
  readonly name: string;
  readonly logFile: string;
  readonly timeoutMs: number;
  /** Resolves when the server answers as expected; rejects (or returns false) otherwise. */
  readonly probe: () => Promise<boolean>;
  readonly intervalMs?: number;
}

/** Returns ms from spawn to the first successful probe. */
export async function waitUntilReady(child: Child, options: ReadyOptions): Promise<number> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (exited)
        throw new Error(
          `${options.name} exited before answering; log ${options.logFile}:\n${logTail(options.logFile)}`,
        );
      if (performance.now() - child.spawnedAt > options.timeoutMs) {
        throw new Error(
          `${options.name} did not answer within ${options.timeoutMs} ms; log ${options.logFile}:\n${logTail(options.logFile)}`,
        );
      }
      const ok = await options.probe().catch(() => false);
      if (ok) return performance.now() - child.spawnedAt;
      await sleep(options.intervalMs ?? 20);
    }
  } catch (error) {
    await child.stop();
    throw error;
  }
}
