/**
 * A closed-loop load generator: `concurrency` workers each run one task after another, so
 * there are always that many in flight. Timeline: a warm-up (results discarded, lets the JIT and
 * caches settle), then the measured window, then a drain in which no new task starts and the
 * in-flight ones may finish (not counted). Throughput is the tasks that *finished* inside the
 * window divided by its length; their latencies are the ones summarised.
 */

export interface LoadOptions<T> {
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long to wait for in-flight tasks after the window before giving up on them. */
  readonly drainMs: number;
  /** Runs one task; `sequence` is unique per task (use it for fresh names). */
  readonly task: (sequence: number) => Promise<T>;
  /** Called when the measured window opens and closes (e.g. to read a server's CPU time). */
  readonly onWindow?: (phase: "start" | "end") => void;
}

export interface Completed<T> {
  readonly latencyMs: number;
  readonly detail: T;
}

export interface LoadResult<T> {
  readonly windowMs: number;
  /** Tasks that finished successfully inside the window. */
  readonly completed: readonly Completed<T>[];
  /** Tasks that failed inside the window. */
  readonly errors: number;
  /** The first few distinct error messages of the whole run, warm-up included. */
  readonly errorSamples: readonly string[];
  /** The load generator's own CPU time during the window (ms, all its threads). */
  readonly generatorCpuMs: number;
  /** Tasks still in flight when the drain gave up. */
  readonly abandoned: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runClosedLoop<T>(options: LoadOptions<T>): Promise<LoadResult<T>> {
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const completed: Completed<T>[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let sequence = 0;
  let inFlight = 0;
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;

  let cpuAtStart = process.cpuUsage();
  let cpuMs = 0;
  const opened = sleep(options.warmupMs).then(() => {
    cpuAtStart = process.cpuUsage();
    options.onWindow?.("start");
  });
  const closed = sleep(options.warmupMs + options.durationMs).then(() => {
    const used = process.cpuUsage(cpuAtStart);
    cpuMs = (used.user + used.system) / 1000;
    options.onWindow?.("end");
  });

  const worker = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      const id = sequence++;
      const began = performance.now();
      inFlight++;
      try {
        const detail = await options.task(id);
        const ended = performance.now();
        if (inWindow(ended)) completed.push({ latencyMs: ended - began, detail });
      } catch (error) {
        if (inWindow(performance.now())) errors++;
        if (errorSamples.size < 5) errorSamples.add(error instanceof Error ? error.message : String(error));
        // A dead server fails instantly; do not spin a core on it.
        await sleep(1);
      } finally {
        inFlight--;
      }
    }
  };

  const workers = Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  await Promise.all([opened, closed]);
  let drained = false;
  let giveUp: NodeJS.Timeout | undefined;
  await Promise.race([
    workers.then(() => (drained = true)),
    new Promise<void>((resolve) => (giveUp = setTimeout(resolve, options.drainMs))),
  ]);
  clearTimeout(giveUp);
  return {
    windowMs: options.durationMs,
    completed,
    errors,
    errorSamples: [...errorSamples],
    generatorCpuMs: cpuMs,
    abandoned: drained ? 0 : inFlight,
  };
}
