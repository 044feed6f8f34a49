/**
 * What the drills (issue 13) run against: the emulator and the app as child processes of this
 * one, on loopback, each keeping its data in a SQLite file of a scratch folder so that a drill
 * can kill either with SIGKILL and start it again on the same files. Both run from the working
 * tree's sources (tsx), so a drill exercises the code as it is, without a build.
 *
 * The app runs in production mode with the benchmark's settings (bench/api/servers.ts) and
 * TRUST_PROXY=127.0.0.1: the drills' clients talk to it as a TLS proxy would (X-Forwarded-Proto
 * https, for its https public URL and Secure cookies) and give each simulated person an address
 * of their own (X-Forwarded-For), so that the per-address limits of the sign-in and sign-up
 * pages limit nobody but themselves.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { awsJsonClient, objectField, stringField, type AwsJsonClient } from "../lib/aws-json.ts";
import { freePort, spawnPinned, type Child } from "../lib/processes.ts";
import { waitUntilReady } from "../lib/ready.ts";
import { httpClient } from "./http.ts";

export interface SeededPool {
  readonly poolId: string;
  readonly webClientId: string;
  readonly webClientSecret: string;
  readonly publicClientId: string;
}

export interface Stack {
  readonly dir: string;
  readonly pool: SeededPool;
  readonly emulatorUrl: string;
  readonly appUrl: string;
  /** The app's PUBLIC_URL: the Origin its forms expect. */
  readonly publicUrl: string;
  readonly emulatorDb: string;
  readonly appDb: string;
  emulator: Child;
  app: Child;
  startEmulator(): Promise<void>;
  startApp(): Promise<void>;
  stop(): Promise<void>;
}

const seedFile = (root: string) => join(root, "packages", "emulator", "seeds", "dev.json");

function readSeed(root: string): SeededPool {
  const document = JSON.parse(readFileSync(seedFile(root), "utf8")) as {
    pools: { Id: string; Clients: { ClientId: string; ClientSecret?: string }[] }[];
  };
  const pool = document.pools[0]!;
  const web = pool.Clients.find((c) => c.ClientSecret !== undefined)!;
  const publicClient = pool.Clients.find((c) => c.ClientSecret === undefined)!;
  return {
    poolId: pool.Id,
    webClientId: web.ClientId,
    webClientSecret: web.ClientSecret!,
    publicClientId: publicClient.ClientId,
  };
}

const tsx = ["--import", "tsx"];

export async function startStack(root: string, dir: string, options: { appCpu?: number | null } = {}): Promise<Stack> {
  const pool = readSeed(root);
  const emulatorPort = await freePort();
  const appPort = await freePort();
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const appUrl = `http://127.0.0.1:${appPort}`;
  const emulatorDb = join(dir, "emulator.sqlite3");
  const appDb = join(dir, "app.sqlite3");
  const sessionSecret = randomBytes(32).toString("hex");
  const publicUrl = "https://localhost";
  const appEnv: Record<string, string> = {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(appPort),
    // Production needs https; the drills' clients say so as a TLS proxy would (X-Forwarded-Proto).
    PUBLIC_URL: publicUrl,
    SESSION_SECRET: sessionSecret,
    DATABASE_URL: `sqlite:${appDb}`,
    COGNITO_ENDPOINT: emulatorUrl,
    COGNITO_REGION: "us-east-1",
    COGNITO_USER_POOL_ID: pool.poolId,
    COGNITO_CLIENT_ID: pool.webClientId,
    COGNITO_CLIENT_SECRET: pool.webClientSecret,
    COGNITO_PUBLIC_CLIENT_ID: pool.publicClientId,
    TRUST_PROXY: "127.0.0.1",
    // The proof-of-work check wants a browser running its script; the drills' people have none.
    CAPTCHA: "false",
    TSX_TSCONFIG_PATH: join(root, "packages", "app", "tsconfig.json"),
  };
  const migrate = spawnSync(process.execPath, [...tsx, "packages/app/src/cli.ts", "migrate"], {
    cwd: root,
    env: { ...process.env, ...appEnv },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrate failed:\n${migrate.stderr}${migrate.stdout}`);

  const stack: Stack = {
    dir,
    pool,
    emulatorUrl,
    appUrl,
    publicUrl,
    emulatorDb,
    appDb,
    emulator: undefined as unknown as Child,
    app: undefined as unknown as Child,
    async startEmulator() {
      const logFile = join(dir, "emulator.log");
      stack.emulator = spawnPinned({
        command: process.execPath,
        args: [
          ...tsx,
          "packages/emulator/src/cli.ts",
          "--port",
          String(emulatorPort),
          "--data",
          emulatorDb,
          "--seed",
          seedFile(root),
          "--quiet",
        ],
        cwd: root,
        cpu: null,
        logFile,
      });
      const probe = awsJsonClient(emulatorUrl, { maxSockets: 1, keepAlive: false });
      try {
        await waitUntilReady(stack.emulator, {
          name: "the emulator",
          logFile,
          timeoutMs: 30_000,
          probe: async () => {
            await probe.call("DescribeUserPool", { UserPoolId: pool.poolId });
            return true;
          },
        });
      } finally {
        probe.close();
      }
    },
    async startApp() {
      const logFile = join(dir, "app.log");
      stack.app = spawnPinned({
        command: process.execPath,
        args: [...tsx, "packages/app/src/cli.ts", "start"],
        cwd: root,
        env: appEnv,
        cpu: options.appCpu ?? null,
        logFile,
      });
      const probe = httpClient(appUrl, { maxSockets: 1 });
      try {
        await waitUntilReady(stack.app, {
          name: "the app",
          logFile,
          timeoutMs: 30_000,
          probe: async () => (await probe.request({ path: "/api/v1/health" })).status === 200,
        });
      } finally {
        probe.close();
      }
    },
    async stop() {
      await Promise.all([stack.app?.stop(), stack.emulator?.stop()]);
    },
  };
  await stack.startEmulator();
  await stack.startApp();
  return stack;
}

/** Meets the dev pool's policy. */
export const drillPassword = "Drill-Passw0rd!";

export interface DrillUser {
  readonly username: string;
  readonly sub: string;
  readonly accessToken: string;
}

/** Confirmed users with an access token each (public client), `concurrency` at a time. */
export async function usersWithTokens(
  stack: Stack,
  prefix: string,
  count: number,
  concurrency = 8,
): Promise<DrillUser[]> {
  const client = awsJsonClient(stack.emulatorUrl, { maxSockets: concurrency });
  const users: DrillUser[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) users.push(await userWithToken(client, stack, `${prefix}${i}`));
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    client.close();
  }
  return users;
}

export async function userWithToken(client: AwsJsonClient, stack: Stack, username: string): Promise<DrillUser> {
  const { poolId, publicClientId } = stack.pool;
  const signedUp = await client.call("SignUp", {
    ClientId: publicClientId,
    Username: username,
    Password: drillPassword,
    UserAttributes: [{ Name: "email", Value: `${username}@example.test` }],
  });
  await client.call("AdminConfirmSignUp", { UserPoolId: poolId, Username: username });
  const answer = await client.call("InitiateAuth", {
    ClientId: publicClientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: drillPassword },
  });
  return {
    username,
    sub: stringField(signedUp, "UserSub"),
    accessToken: stringField(objectField(answer, "AuthenticationResult"), "AccessToken"),
  };
}

/** A TEST-NET-3 address for client `n`, for X-Forwarded-For. */
export const clientAddress = (n: number): string => `203.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
