/**
 * Trigger tests' harness: an emulator whose pools' LambdaConfig ARNs run a real handler, either
 * the module test/fixtures/triggers/recorder.ts (loaded by the emulator from its file) or an HTTP
 * server on loopback that gets the event as JSON. Both hand each event to one recorder, so a test
 * says what a trigger does once and runs against both kinds of handler.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createClient, createPool, startHarness, type Harness } from "./harness.ts";

export type TriggerEvent = Record<string, unknown> & {
  triggerSource: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
};
/** What a trigger does with an event: return it (changed or not), or throw. */
export type Behaviour = (event: TriggerEvent) => unknown;

export const triggerNames = [
  "PreSignUp",
  "PostConfirmation",
  "PreAuthentication",
  "PostAuthentication",
  "PreTokenGeneration",
  "CustomMessage",
  "UserMigration",
  "DefineAuthChallenge",
  "CreateAuthChallenge",
  "VerifyAuthChallengeResponse",
] as const;
export type TriggerName = (typeof triggerNames)[number];

export const arnOf = (name: TriggerName): string =>
  `arn:aws:lambda:us-east-1:123456789012:function:gatehouse-test-${name}`;

/** The trigger a triggerSource belongs to (TokenGeneration_* is PreTokenGeneration's). */
const triggerOf = (source: string): string => {
  const prefix = source.slice(0, source.indexOf("_"));
  return prefix === "TokenGeneration" ? "PreTokenGeneration" : prefix;
};

export class Recorder {
  readonly events: TriggerEvent[] = [];
  private readonly behaviours = new Map<string, Behaviour>();

  on(name: TriggerName, behaviour: Behaviour): void {
    this.behaviours.set(name, behaviour);
  }

  /** The events one trigger received, oldest first. */
  of(name: TriggerName): TriggerEvent[] {
    return this.events.filter((e) => triggerOf(e.triggerSource) === name);
  }

  async handle(event: Record<string, unknown>): Promise<unknown> {
    const typed = event as TriggerEvent;
    this.events.push(structuredClone(typed));
    const behaviour = this.behaviours.get(triggerOf(typed.triggerSource));
    return behaviour ? await behaviour(typed) : typed;
  }

  reset(): void {
    this.events.length = 0;
    this.behaviours.clear();
  }
}

export type HandlerKind = "module" | "http";
export const handlerKinds: readonly HandlerKind[] = ["module", "http"];

const recorderModule = fileURLToPath(new URL("./fixtures/triggers/recorder.ts", import.meta.url));

/** An HTTP handler as a developer might run one: the event in, the event (or Lambda's error shape) out. */
async function startHttpHandler(recorder: Recorder): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        try {
          const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
          const result = await recorder.handle(event);
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
        } catch (error) {
          response
            .writeHead(500, { "content-type": "application/json" })
            .end(JSON.stringify({ errorType: "Error", errorMessage: (error as Error).message }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/trigger`, server };
}

export interface TriggerHarness extends Harness {
  readonly recorder: Recorder;
}

/** An emulator whose test ARNs all run the recorder through `kind` of handler. */
export async function startTriggerHarness(kind: HandlerKind, timeoutMs = 2000): Promise<TriggerHarness> {
  const recorder = new Recorder();
  (globalThis as { gatehouseTriggerRecorder?: Recorder }).gatehouseTriggerRecorder = recorder;
  const http = kind === "http" ? await startHttpHandler(recorder) : null;
  const target = http ? http.url : recorderModule;
  const triggers = Object.fromEntries(triggerNames.map((name) => [arnOf(name), target]));
  const h = await startHarness({ triggers, triggerTimeoutMs: timeoutMs });
  return {
    ...h,
    recorder,
    async stop() {
      await h.stop();
      if (http) {
        // A handler a test left hanging keeps its connection open.
        http.server.closeAllConnections();
        await new Promise((resolve) => http.server.close(resolve));
      }
    },
  };
}

/** A pool with the given triggers (all by default) and a public client with every flow. */
export async function createTriggerPool(
  h: Harness,
  names: readonly TriggerName[] = triggerNames,
  input: Parameters<typeof createPool>[1] = {},
  extraConfig: Record<string, unknown> = {},
) {
  const LambdaConfig = { ...Object.fromEntries(names.map((name) => [name, arnOf(name)])), ...extraConfig };
  const pool = await createPool(h, {
    AutoVerifiedAttributes: ["email"],
    Schema: [{ Name: "email", Required: true, Mutable: true }],
    ...input,
    LambdaConfig,
  });
  const client = await createClient(h, pool.Id!, {
    ExplicitAuthFlows: [
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_ADMIN_USER_PASSWORD_AUTH",
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_CUSTOM_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
    ],
  });
  return { poolId: pool.Id!, clientId: client.ClientId! };
}

/** The claims of a JWT, unchecked (the emulator's own signature is tested elsewhere). */
export const claimsOf = (jwt: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from((jwt ?? "").split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
