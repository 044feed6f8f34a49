/**
 * `npm run dev`, `npm start`, `npm run migrate`: the app's command line (Django's manage.py).
 *
 * - dev: everything on one machine with nothing to set up — the Cognito emulator (seeded with a
 *   pool, a web client with a secret, a public client, a machine client and the hosted UI's
 *   domain, and the pool's triggers from triggers/ given what they need), SQLite under var/,
 *   migrations, the app on http://localhost:3000 with the hosted sign-in on and the machine
 *   client allowed on the API. Settings from the environment or `.env` override the defaults.
 * - start: the built app in production mode; settings must be complete. SIGTERM shuts it down
 *   gracefully (shutdown.ts).
 * - migrate: applies pending migrations to DATABASE_URL.
 */
import { DescribeUserPoolCommand, type CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createCognitoClient } from "./accounts/cognito.ts";
import { formatConfigErrors, loadConfig, type Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { buildApp } from "./server.tsx";
import { shutDownOnSignals } from "./shutdown.ts";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const devSeedPath = resolve(repositoryRoot, "packages/emulator/seeds/dev.json");
const emulatorPort = 9229;

function loadDotEnv(): void {
  const file = resolve(process.cwd(), ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}

function configOrExit(env: NodeJS.ProcessEnv): Config {
  const result = loadConfig(env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n\nSee docs/configuration.md.\n`);
    process.exit(1);
  }
  return result.config;
}

/** A session secret that survives dev restarts (so sessions do too), kept out of git in var/. */
function devSessionSecret(): string {
  const file = resolve(process.cwd(), "var/dev-session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * What the triggers the emulator runs in this process read (triggers/README.md): the endpoint
 * PreSignUp asks ListUsers of, and the webhook PostConfirmation calls with the secret the app
 * checks. The webhook goes to the address the app listens on, not its public URL, which may
 * name a proxy or resolve elsewhere; a GATEHOUSE_WEBHOOK_URL set outside is kept.
 */
function exposeToTriggers(emulatorUrl: string, appUrl: string, webhookSecret: string): string {
  process.env.GATEHOUSE_EMULATOR_URL = emulatorUrl;
  process.env.GATEHOUSE_WEBHOOK_URL ||= `${appUrl}/hooks/cognito/post-confirmation`;
  process.env.GATEHOUSE_WEBHOOK_SECRET = webhookSecret;
  return process.env.GATEHOUSE_WEBHOOK_URL;
}

/** The address to call a server listening on `host`: a wildcard host is reached on loopback. */
function callableOrigin(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * A pool the emulator's database kept from before the seed gave it its LambdaConfig runs no
 * triggers (a stored pool is not re-seeded): the line that says so and how to start afresh.
 */
async function staleTriggersWarning(cognito: CognitoIdentityProviderClient, pool: SeedPool): Promise<string[]> {
  const wanted = pool.LambdaConfig ?? {};
  let stored: Record<string, unknown>;
  try {
    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    stored = { ...UserPool?.LambdaConfig };
  } catch {
    return []; // The app's own start-up checks say what is wrong with the pool.
  }
  const missing = Object.keys(wanted).filter((name) => stored[name] !== wanted[name]);
  if (missing.length === 0) return [];
  return [
    `  ! The dev pool in var/emulator.sqlite3 predates its seed's triggers (${missing.join(", ")} do not run):`,
    "    stop, delete var/emulator.sqlite3 (its users go with it) and start again.",
  ];
}

interface SeedPool {
  Id: string;
  LambdaConfig?: Record<string, string>;
  Clients: { ClientId: string; ClientSecret?: string; AllowedOAuthFlows?: string[] }[];
}

async function dev(): Promise<void> {
  loadDotEnv();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "development" };
  const banner: string[] = [];
  let stopEmulator: (() => Promise<void>) | null = null;
  let emulatorUrl: string | null = null;
  let seededPool: SeedPool | null = null;
  if (!env.COGNITO_ENDPOINT && !env.COGNITO_USER_POOL_ID) {
    // Imported here only: production never loads the emulator.
    const { startEmulator, parseSeed } = await import("@gatehouse/emulator");
    const seedDocument = JSON.parse(readFileSync(devSeedPath, "utf8")) as { pools: SeedPool[] };
    const emulator = await startEmulator({
      port: Number(env.EMULATOR_PORT ?? emulatorPort),
      dataPath: resolve(process.cwd(), "var/emulator.sqlite3"),
      // Its trigger paths (triggers/…) are the repository's, wherever dev is started from.
      seed: parseSeed(seedDocument, repositoryRoot),
      messageLog: (line) => process.stdout.write(`[emulator] ${line}\n`),
    });
    stopEmulator = () => emulator.stop();
    emulatorUrl = emulator.url;
    seededPool = seedDocument.pools[0]!;
    // The app and the PostConfirmation trigger share the webhook's secret: one per run unless set.
    env.GATEHOUSE_WEBHOOK_SECRET ||= randomBytes(32).toString("hex");
    const pool = seedDocument.pools[0]!;
    const web = pool.Clients.find((c) => c.ClientSecret)!;
    const publicClient = pool.Clients.find((c) => !c.ClientSecret);
    const machineClients = pool.Clients.filter((c) => c.AllowedOAuthFlows?.includes("client_credentials"));
    env.COGNITO_ENDPOINT = emulator.url;
    env.COGNITO_REGION = "us-east-1";
    env.COGNITO_USER_POOL_ID = pool.Id;
    env.COGNITO_CLIENT_ID = web.ClientId;
    env.COGNITO_CLIENT_SECRET = web.ClientSecret;
    if (publicClient) env.COGNITO_PUBLIC_CLIENT_ID ??= publicClient.ClientId;
    // The seed's machine client may call the API with its scopes, and its domain's hosted
    // sign-in is offered (issue 10).
    env.API_MACHINE_CLIENT_IDS ??= machineClients.map((c) => c.ClientId).join(",");
    env.HOSTED_UI ??= "true";
    banner.push(
      `  Cognito emulator  ${emulator.url}  (pool ${pool.Id})`,
      `  Outbox (codes)    ${emulator.url}/_outbox.html`,
    );
  }
  env.SESSION_SECRET ??= devSessionSecret();
  const config = configOrExit(env);
  const database = openDatabase(config.database);
  const { applied } = await migrateToLatest(database);
  const cognito = createCognitoClient(config.cognito);
  const app = await buildApp({ config, database, cognito, logger: true });
  const port = Number(env.PORT ?? config.publicUrl.port ?? 3000) || 3000;
  const host = env.HOST ?? "127.0.0.1";
  await app.listen({ port, host });
  if (emulatorUrl !== null) {
    const webhook = exposeToTriggers(emulatorUrl, callableOrigin(host, port), env.GATEHOUSE_WEBHOOK_SECRET!);
    banner.push(`  Triggers          PreSignUp; PostConfirmation → ${webhook}`);
    if (seededPool) banner.push(...(await staleTriggersWarning(cognito, seededPool)));
  }
  process.stdout.write(
    [
      "",
      "Gatehouse is running (development mode):",
      `  App               ${config.publicUrl.origin}`,
      `  Back office       ${config.publicUrl.origin}/admin/  (npm run createsuperuser for an account)`,
      `  API docs          ${config.publicUrl.origin}/api/docs`,
      ...banner,
      `  Database          ${config.database.kind === "sqlite" ? config.database.path : "PostgreSQL"}${applied.length ? ` (applied ${applied.join(", ")})` : ""}`,
      "",
    ].join("\n"),
  );
  shutDownOnSignals(app, {
    after: [() => database.close(), async () => stopEmulator?.()],
    timeoutMs: config.http.requestMs + 5000,
  });
}

async function start(): Promise<void> {
  loadDotEnv();
  const config = configOrExit({ ...process.env, NODE_ENV: process.env.NODE_ENV ?? "production" });
  const database = openDatabase(config.database);
  const cognito = createCognitoClient(config.cognito);
  const app = await buildApp({ config, database, cognito, logger: true });
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? "0.0.0.0" });
  if (config.publicUrl.protocol === "https:" && config.trustedProxies.length === 0) {
    app.log.warn(
      "TRUST_PROXY is not set: X-Forwarded-* headers are ignored, so requests the TLS proxy forwards over plain HTTP get no session cookie. Set TRUST_PROXY to the proxy's address (docs/configuration.md).",
    );
  }
  shutDownOnSignals(app, { after: [() => database.close()], timeoutMs: config.http.requestMs + 5000 });
}

async function migrate(): Promise<void> {
  loadDotEnv();
  const result = loadConfig({
    ...process.env,
    COGNITO_USER_POOL_ID: process.env.COGNITO_USER_POOL_ID ?? "us-east-1_unused",
    COGNITO_CLIENT_ID: process.env.COGNITO_CLIENT_ID ?? "unused",
  });
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n`);
    process.exit(1);
  }
  const database = openDatabase(result.config.database);
  const { applied } = await migrateToLatest(database);
  await database.close();
  process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "No migrations to apply.\n");
}

const commands: Record<string, () => Promise<void>> = { dev, start, migrate };
const name = process.argv[2] ?? "";
const command = commands[name];
if (!command) {
  process.stderr.write("Usage: gatehouse <dev|start|migrate>\n");
  process.exit(2);
}
command().catch((error: unknown) => {
  process.stderr.write(`gatehouse ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
