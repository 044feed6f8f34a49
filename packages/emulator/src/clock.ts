/** Time as the emulator sees it; tests inject a clock they can move to expire codes and tokens. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until told to move: `clock.advance(3600_000)`. */
export function manualClock(start = Date.now()) {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
    set(ms: number) {
      current = ms;
    },
  };
}
export type ManualClock = ReturnType<typeof manualClock>;
