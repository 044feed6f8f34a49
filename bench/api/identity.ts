/**
 * The identity side of the API benchmark: our Cognito emulator (the bin, seeded with the dev pool:
 * a web client with a secret and a public client), `count` distinct confirmed users, and one
 * access token each from the public client — the tokens both servers under test verify.
 *
 * The emulator is pinned to the load generator's core: it works while users are created and
 * while the app meets each user for the first time (profile look-up), and idles while load is
 * measured, so it never competes with the server under test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsJsonClient, objectField, stringField } from "../lib/aws-json.ts";
import { freePort, spawnPinned, type Child } from "../lib/processes.ts";
import { waitUntilReady } from "../lib/ready.ts";

/** What the seed file gives: fixed ids, so the app's settings can name them. */
export interface SeededPool {
  readonly poolId: string;
  readonly webClientId: string;
  readonly webClientSecret: string;
  readonly publicClientId: string;
}

export interface RunningEmulator {
  readonly url: string;
  readonly child: Child;
  readonly pool: SeededPool;
  /** `iss` of its tokens and the base of its JWKS URL. */
  readonly issuer: string;
  readonly jwksUrl: string;
  stop(): Promise<void>;
}

export interface BenchUser {
  readonly username: string;
  readonly sub: string;
  readonly accessToken: string;
}

const seedFile = (repoRoot: string) => join(repoRoot, "packages", "emulator", "seeds", "dev.json");

interface SeedDocument {
  pools: { Id: string; Clients: { ClientId: string; ClientSecret?: string }[] }[];
}

function readSeed(repoRoot: string): SeededPool {
  const document = JSON.parse(readFileSync(seedFile(repoRoot), "utf8")) as SeedDocument;
  const pool = document.pools[0];
  const web = pool?.Clients.find((c) => c.ClientSecret !== undefined);
  const publicClient = pool?.Clients.find((c) => c.ClientSecret === undefined);
  if (!pool || !web?.ClientSecret || !publicClient) {
    throw new Error(`${seedFile(repoRoot)}: expected a pool with a web client (secret) and a public client`);
  }
  return {
    poolId: pool.Id,
    webClientId: web.ClientId,
    webClientSecret: web.ClientSecret,
    publicClientId: publicClient.ClientId,
  };
}

export async function startSeededEmulator(options: {
  readonly repoRoot: string;
  readonly logFile: string;
  readonly cpu: number | null;
}): Promise<RunningEmulator> {
  const pool = readSeed(options.repoRoot);
  const port = await freePort();
  const child = spawnPinned({
    command: process.execPath,
    args: [
      "packages/emulator/bin/gatehouse-emulator.js",
      "--port",
      String(port),
      "--in-memory",
      "--seed",
      seedFile(options.repoRoot),
      "--quiet",
    ],
    cwd: options.repoRoot,
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = awsJsonClient(url, { maxSockets: 1, keepAlive: false });
  try {
    await waitUntilReady(child, {
      name: "the emulator",
      logFile: options.logFile,
      timeoutMs: 30_000,
      probe: async () => {
        await probe.call("DescribeUserPool", { UserPoolId: pool.poolId });
        return true;
      },
    });
  } finally {
    probe.close();
  }
  const issuer = `${url}/${pool.poolId}`;
  return { url, child, pool, issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, stop: () => child.stop() };
}

/** Meets the dev pool's policy (length 8, upper, lower, digit). */
const password = "Bench-Passw0rd!";
export const apiUsername = (index: number): string => `apiuser${String(index).padStart(5, "0")}`;

/** The `sub` claim of a JWT, read without verifying (the servers verify; we only label). */
export function subOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown };
  if (typeof claims.sub !== "string") throw new Error("token without sub");
  return claims.sub;
}

/**
 * SignUp (public client) → AdminConfirmSignUp → InitiateAuth (USER_PASSWORD_AUTH) per user,
 * `concurrency` users at a time. Returns the users in index order.
 */
export async function createUsersWithTokens(
  emulator: RunningEmulator,
  count: number,
  concurrency: number,
): Promise<BenchUser[]> {
  const client = awsJsonClient(emulator.url, { maxSockets: concurrency });
  const { poolId, publicClientId } = emulator.pool;
  const users: BenchUser[] = new Array<BenchUser>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const username = apiUsername(index);
      await client.call("SignUp", {
        ClientId: publicClientId,
        Username: username,
        Password: password,
        UserAttributes: [{ Name: "email", Value: `${username}@example.test` }],
      });
      await client.call("AdminConfirmSignUp", { UserPoolId: poolId, Username: username });
      const answer = await client.call("InitiateAuth", {
        ClientId: publicClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      const accessToken = stringField(objectField(answer, "AuthenticationResult"), "AccessToken");
      users[index] = { username, sub: subOf(accessToken), accessToken };
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    client.close();
  }
  if (new Set(users.map((u) => u.sub)).size !== count) throw new Error("the users' subs are not distinct");
  return users;
}

/** One token per line: wrk's header rotation reads this file. */
export function writeTokensFile(file: string, users: readonly BenchUser[]): void {
  writeFileSync(file, `${users.map((u) => u.accessToken).join("\n")}\n`, { mode: 0o600 });
}
