/** The emulator as a library: start it in tests or embed it in a dev server. */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from "./emulator.ts";
export { manualClock, systemClock, type Clock, type ManualClock } from "./clock.ts";
export { parseSeed, type Seed } from "./seed.ts";
export type { OutboxMessage, MessageKind } from "./model.ts";
export type { Outbox } from "./outbox.ts";
