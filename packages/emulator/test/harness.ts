/**
 * Test harness: a real emulator on a free loopback port, the official AWS SDK client pointed
 * at it, and helpers to create the pools, clients and users most tests start from.
 */
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualClock, startEmulator, type EmulatorOptions, type RunningEmulator } from "../src/index.ts";

export interface Harness {
  readonly emulator: RunningEmulator;
  readonly cognito: CognitoIdentityProviderClient;
  readonly clock: ReturnType<typeof manualClock>;
  stop(): Promise<void>;
}

/** Starts an in-memory emulator on a free port with a manual clock. */
export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const clock = manualClock();
  const emulator = await startEmulator({ port: 0, inMemory: true, clock, ...options });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  return {
    emulator,
    cognito,
    clock,
    async stop() {
      cognito.destroy();
      await emulator.stop();
    },
  };
}

/**
 * What survives a restart: `before` runs on an emulator with a data file, which then stops; `after`
 * runs on a new emulator over the same file, with what `before` returned.
 */
export async function acrossRestart<T>(
  before: (h: Harness) => Promise<T>,
  after: (h: Harness, kept: T) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-restart-"));
  const dataPath = join(dir, "emulator.sqlite3");
  try {
    const first = await startHarness({ inMemory: false, dataPath });
    let kept: T;
    try {
      kept = await before(first);
    } finally {
      await first.stop();
    }
    const second = await startHarness({ inMemory: false, dataPath });
    try {
      await after(second, kept);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function createPool(h: Harness, input: Partial<CreateUserPoolCommandInput> = {}) {
  const { UserPool } = await h.cognito.send(new CreateUserPoolCommand({ PoolName: "test-pool", ...input }));
  if (!UserPool?.Id) throw new Error("CreateUserPool returned no pool");
  return UserPool;
}

export async function createClient(h: Harness, poolId: string, input: Partial<CreateUserPoolClientCommandInput> = {}) {
  const { UserPoolClient } = await h.cognito.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "test-client", ...input }),
  );
  if (!UserPoolClient?.ClientId) throw new Error("CreateUserPoolClient returned no client");
  return UserPoolClient;
}

/** A user signed up through a client of the pool and confirmed by an administrator; their sub. */
export async function createConfirmedUser(
  h: Harness,
  target: { readonly poolId: string; readonly clientId: string },
  username: string,
  password: string,
  attributes: Record<string, string> = {},
): Promise<string> {
  const { UserSub } = await h.cognito.send(
    new SignUpCommand({
      ClientId: target.clientId,
      Username: username,
      Password: password,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: target.poolId, Username: username }));
  if (!UserSub) throw new Error("SignUp returned no sub");
  return UserSub;
}

/** SECRET_HASH as the AWS docs define it: Base64(HMAC_SHA256(secret, username + clientId)). */
export const secretHash = (secret: string, username: string, clientId: string): string =>
  createHmac("sha256", secret)
    .update(username + clientId)
    .digest("base64");

/** The error an SDK call failed with, or a failure if it succeeded. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A raw protocol call, for what the SDK would refuse to send. */
export async function rawCall(url: string, target: string | null, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      ...(target === null ? {} : { "x-amz-target": `AWSCognitoIdentityProviderService.${target}` }),
      ...headers,
    },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // leave empty: the assertion will show the text
  }
  return { status: response.status, headers: response.headers, text, json };
}
