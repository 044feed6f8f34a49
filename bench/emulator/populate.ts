/**
 * Filling a pool with confirmed users before a case is measured, each server in its fastest
 * honest way:
 * - gatehouse through its own API (SignUp then AdminConfirmSignUp per user, concurrently): the
 *   same code path, hashing and storage as the measured cycle.
 * - cognito-local by writing its pool file (`.cognito/db/<poolId>.json`) while it is stopped,
 *   with the records its own SignUp + AdminConfirmSignUp would leave. Through its API every
 *   write re-serialises the whole file, so 10,000 sign-ups would take many minutes.
 */
import { randomInt, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AwsJsonClient, objectField, stringField } from "../lib/aws-json.ts";

/** Satisfies both servers' default password policies (upper, lower, digit, symbol, ≥ 8). */
export const benchPassword = "Bench-Passw0rd!";

export const seedUsername = (index: number): string => `seed${String(index).padStart(6, "0")}`;

export interface PoolIds {
  readonly poolId: string;
  readonly clientId: string;
}

/** The same two calls on either server: a pool with defaults, a public client allowing passwords. */
export async function createPoolAndClient(client: AwsJsonClient): Promise<PoolIds> {
  const pool = objectField(await client.call("CreateUserPool", { PoolName: "bench" }), "UserPool");
  const poolId = stringField(pool, "Id");
  const appClient = objectField(
    await client.call("CreateUserPoolClient", {
      UserPoolId: poolId,
      ClientName: "bench",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
    "UserPoolClient",
  );
  return { poolId, clientId: stringField(appClient, "ClientId") };
}

/** SignUp + AdminConfirmSignUp for `count` users, `concurrency` at a time. Returns ms taken. */
export async function populateThroughApi(
  client: AwsJsonClient,
  ids: PoolIds,
  count: number,
  concurrency: number,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const username = seedUsername(next++);
      await client.call("SignUp", { ClientId: ids.clientId, Username: username, Password: benchPassword });
      await client.call("AdminConfirmSignUp", { UserPoolId: ids.poolId, Username: username });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return performance.now() - started;
}

/**
 * Adds `count` confirmed users to a stopped cognito-local's pool file. The records match what
 * its SignUp (attributes, plaintext password, code) and AdminConfirmSignUp (status) store; the
 * file is written as its store writes it (JSON, two-space indent). Returns ms taken.
 */
export function populateCognitoLocalFile(dataDir: string, poolId: string, count: number): number {
  const started = performance.now();
  const file = join(dataDir, ".cognito", "db", `${poolId}.json`);
  const document = JSON.parse(readFileSync(file, "utf8")) as { Users?: Record<string, unknown> };
  const users: Record<string, unknown> = { ...document.Users };
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const username = seedUsername(i);
    users[username] = {
      Attributes: [{ Name: "sub", Value: randomUUID() }],
      Enabled: true,
      Password: benchPassword,
      RefreshTokens: [],
      UserCreateDate: now,
      UserLastModifiedDate: now,
      Username: username,
      UserStatus: "CONFIRMED",
      ConfirmationCode: String(randomInt(0, 1_000_000)).padStart(6, "0"),
    };
  }
  writeFileSync(file, JSON.stringify({ ...document, Users: users }, null, 2));
  return performance.now() - started;
}

/** Signs one pre-populated user in: proves the population is real before load starts. */
export async function checkSeedUserSignsIn(client: AwsJsonClient, ids: PoolIds, count: number): Promise<void> {
  const username = seedUsername(Math.floor(count / 2));
  const answer = await client.call("InitiateAuth", {
    ClientId: ids.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: benchPassword },
  });
  stringField(objectField(answer, "AuthenticationResult"), "AccessToken");
}
