/**
 * An open-loop (fixed-rate) load generator: request i is due at start + i ÷ rate, whether or not
 * earlier ones have been answered, as real clients arrive. Latency is counted from when a request
 * was *due*, not from when it left, so a server stall shows up in the tail instead of silently
 * slowing the generator down (the "coordinated omission" of closed-loop tools). Both figures are
 * returned; a large gap between them means the generator itself fell behind.
 *
 * The scheduler sleeps on timers (~1 ms granularity) and sends every request that has come due
 * when it wakes, so requests leave up to ~1–2 ms late (`sendLagMs`), and that lag is part of the
 * latency from due time. It does not spin: on a core shared with other work a spinning process
 * would lose its turn for a whole time slice, while a sleeping one is woken promptly.
 */

export interface OpenLoopOptions {
  readonly ratePerSecond: number;
  /** Unmeasured time at the same rate first. */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long to wait for answers after the last request was sent; the unanswered count as lost. */
  readonly drainMs: number;
  /** Sends request `sequence`; rejects when the answer is wrong (e.g. not a 200). */
  readonly send: (sequence: number) => Promise<void>;
}

export interface OpenLoopResult {
  /** Requests due inside the measured window. */
  readonly offered: number;
  readonly completed: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  /** Due inside the window and still unanswered after the drain (counted as infinitely slow). */
  readonly lost: number;
  /** Latency from due time, ms, per request due in the window (Infinity for lost ones). */
  readonly fromDueMs: readonly number[];
  /** Latency from actual send, ms, per completed request due in the window. */
  readonly fromSendMs: readonly number[];
  /** How late requests left, ms (send − due). */
  readonly sendLagMs: readonly number[];
  readonly maxInFlight: number;
  /** The generator's own CPU time during the window, ms. */
  readonly generatorCpuMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const interval = 1000 / options.ratePerSecond;
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const end = windowStart + options.durationMs;
  const fromDue: number[] = [];
  const fromSend: number[] = [];
  const sendLag: number[] = [];
  const errorSamples = new Set<string>();
  const pending = new Set<number>();
  let errors = 0;
  let offered = 0;
  let completed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  let cpuMs = 0;

  const fire = (sequence: number, due: number): void => {
    const measured = due >= windowStart;
    if (measured && cpuAtStart === null) cpuAtStart = process.cpuUsage();
    const sent = performance.now();
    if (measured) {
      offered++;
      pending.add(sequence);
      sendLag.push(sent - due);
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    options.send(sequence).then(
      () => {
        inFlight--;
        if (!measured || !pending.delete(sequence)) return;
        const done = performance.now();
        completed++;
        fromDue.push(done - due);
        fromSend.push(done - sent);
      },
      (error: unknown) => {
        inFlight--;
        if (errorSamples.size < 5) errorSamples.add(error instanceof Error ? error.message : String(error));
        if (!measured || !pending.delete(sequence)) return;
        errors++;
      },
    );
  };

  await new Promise<void>((resolve) => {
    let sequence = 0;
    const tick = (): void => {
      const now = performance.now();
      for (let due = start + sequence * interval; due <= now && due < end; due = start + sequence * interval) {
        fire(sequence, due);
        sequence++;
      }
      const next = start + sequence * interval;
      if (next >= end) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(1, next - performance.now()));
    };
    tick();
  });
  if (cpuAtStart !== null) {
    const used = process.cpuUsage(cpuAtStart);
    cpuMs = (used.user + used.system) / 1000;
  }

  const drainUntil = performance.now() + options.drainMs;
  while (pending.size > 0 && performance.now() < drainUntil) await sleep(5);
  const lost = pending.size;
  pending.clear();
  for (let i = 0; i < lost; i++) fromDue.push(Number.POSITIVE_INFINITY);
  return {
    offered,
    completed,
    errors,
    errorSamples: [...errorSamples],
    lost,
    fromDueMs: fromDue,
    fromSendMs: fromSend,
    sendLagMs: sendLag,
    maxInFlight,
    generatorCpuMs: cpuMs,
  };
}
