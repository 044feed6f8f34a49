/**
 * Starting and stopping an emulator: the library entry point used by the CLI and by tests.
 *
 * @example
 *   const emulator = await startEmulator({ port: 0, inMemory: true });
 *   const client = new CognitoIdentityProviderClient({ endpoint: emulator.url, region: "us-east-1" });
 *   // …
 *   await emulator.stop();
 */
import { systemClock, type Clock } from "./clock.ts";
import type { Context, Settings } from "./context.ts";
import { regionOfPool } from "./ids.ts";
import type { OutboxMessage } from "./model.ts";
import { operations } from "./operations/index.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { defaultHashCost, type HashCost } from "./passwords.ts";
import { applySeed, type Seed } from "./seed.ts";
import { buildServer } from "./server.ts";
import { openDatabase } from "./store/database.ts";
import { createStore } from "./store/index.ts";
import { holdingOutbox } from "./triggers/custom-message.ts";
import { defaultTriggerTimeoutMs, type TriggerTarget } from "./triggers/runtime.ts";

export interface EmulatorOptions {
  /** 0 picks a free port. Default 9229. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Database file; default `var/emulator.sqlite3`. Ignored with `inMemory`. */
  readonly dataPath?: string;
  readonly inMemory?: boolean;
  readonly seed?: Seed;
  /** Region for new pool ids. Default us-east-1. */
  readonly region?: string;
  /** See Settings.issuerBase. */
  readonly issuerBase?: string | null;
  readonly hashCost?: HashCost;
  readonly clock?: Clock;
  /** A line per request, and one per outbox message; default: silent. */
  readonly log?: ((line: string) => void) | null;
  /** Where outbox messages are printed, when they should be but requests should not. */
  readonly messageLog?: ((line: string) => void) | null;
  /**
   * Local handlers of the Lambda ARNs in pools' LambdaConfig: a module path, an http(s) URL or
   * a function (triggers/runtime.ts). Added to the seed's `triggers`, winning over them.
   */
  readonly triggers?: Readonly<Record<string, TriggerTarget>>;
  /** How long a trigger may take; default 5000 ms, as Cognito waits. */
  readonly triggerTimeoutMs?: number;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:9229` — the endpoint to give the AWS SDK. */
  readonly url: string;
  readonly outbox: Outbox;
  readonly context: Context;
  stop(): Promise<void>;
}

const printMessage = (log: (line: string) => void) => (m: OutboxMessage) => {
  log(
    `outbox: ${m.kind} for ${m.username} to ${m.destination} (${m.medium}): code ${m.code}` +
      (m.message ? ` — ${m.subject ? `${m.subject}: ` : ""}${m.message}` : ""),
  );
};

/** The address this process's emulator gave its triggers, unless someone else set one. */
let exposedUrl: string | undefined;

/**
 * Triggers that run in this process and call Cognito back (triggers/pre-signup.ts) find the
 * emulator in GATEHOUSE_EMULATOR_URL, as a Lambda finds Cognito by its region. A value set
 * outside is left alone; one a previous emulator of this process set is replaced.
 */
function exposeToTriggers(url: string): void {
  const current = process.env.GATEHOUSE_EMULATOR_URL;
  if (current !== undefined && current !== exposedUrl) return;
  process.env.GATEHOUSE_EMULATOR_URL = url;
  exposedUrl = url;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? null;
  const messageLog = options.messageLog ?? log;
  const db = openDatabase({ path: options.inMemory ? ":memory:" : (options.dataPath ?? "var/emulator.sqlite3") });
  const store = createStore(db);
  const clock = options.clock ?? systemClock;
  const settings: Settings = {
    region: options.region ?? "us-east-1",
    issuerBase: options.issuerBase ?? null,
    hashCost: options.hashCost ?? defaultHashCost,
    triggers: {
      functions: { ...options.seed?.triggers, ...options.triggers },
      timeoutMs: options.triggerTimeoutMs ?? defaultTriggerTimeoutMs,
    },
  };
  let listeningOn = "";
  const context: Context = {
    store,
    clock,
    settings,
    outbox: holdingOutbox(
      createOutbox(store.outbox, () => clock.now(), messageLog ? printMessage(messageLog) : () => undefined),
    ),
    keyCache: new Map(),
    issuerOf(poolId) {
      const base = settings.issuerBase ? settings.issuerBase.replace("{region}", regionOfPool(poolId)) : listeningOn;
      return `${base}/${poolId}`;
    },
  };
  const server = buildServer(context, { operations, log });
  try {
    await server.listen({ port: options.port ?? 9229, host: options.host ?? "127.0.0.1" });
  } catch (error) {
    db.close();
    throw error;
  }
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 9229);
  const host = options.host ?? "127.0.0.1";
  listeningOn = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  exposeToTriggers(listeningOn);
  if (options.seed) {
    try {
      await applySeed(context, options.seed);
    } catch (error) {
      await server.close();
      db.close();
      throw error;
    }
  }
  return {
    url: listeningOn,
    outbox: context.outbox,
    context,
    async stop() {
      await server.close();
      db.close();
    },
  };
}
