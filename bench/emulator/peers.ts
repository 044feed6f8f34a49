/**
 * The two servers under test, started alike: a child process pinned to one core, its output
 * in a log file, its start-up timed from spawn to the first successful ListUserPools.
 *
 * - gatehouse: our emulator's bin (`packages/emulator/bin/gatehouse-emulator.js`, the compiled
 *   CLI that `npm install` builds), as `npm run emulator` runs it, with a SQLite file (its
 *   default storage) or `--in-memory`.
 * - cognito-local: the npm package, installed on first use in a scratch folder outside the
 *   repository, run from a data folder holding `.cognito/config.json` and `.cognito/db/`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsJsonClient } from "../lib/aws-json.ts";
import { freePort, spawnPinned, type Child } from "../lib/processes.ts";

export type ServerName = "gatehouse" | "cognito-local";
export const serverNames: readonly ServerName[] = ["cognito-local", "gatehouse"];

/** The peer version measured; pinned so that figures compare across runs. */
export const cognitoLocalVersion = "5.3.0";

export interface RunningServer {
  readonly name: ServerName;
  readonly url: string;
  readonly child: Child;
  /** Spawn to first successful ListUserPools, ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface GatehouseOptions {
  readonly repoRoot: string;
  /** SQLite file, or null for `--in-memory`. */
  readonly dataFile: string | null;
  readonly logFile: string;
  readonly cpu: number | null;
  /** Extra flags for node, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}

export interface CognitoLocalOptions {
  readonly peerDir: string;
  /** Working directory; cognito-local keeps its data in `<dataDir>/.cognito`. */
  readonly dataDir: string;
  readonly logFile: string;
  readonly cpu: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls ListUserPools until it succeeds; returns ms since spawn. Stops the child on failure. */
async function waitForFirstAnswer(child: Child, url: string, logFile: string, timeoutMs = 30_000): Promise<number> {
  const client = awsJsonClient(url, { maxSockets: 1, keepAlive: false });
  let exited = false;
  void child.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`server exited before answering; log ${logFile}:\n${tail(logFile)}`);
      if (performance.now() - child.spawnedAt > timeoutMs) {
        throw new Error(`no answer within ${timeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
      }
      try {
        await client.call("ListUserPools", { MaxResults: 1 });
        return performance.now() - child.spawnedAt;
      } catch {
        await sleep(5);
      }
    }
  } catch (error) {
    await child.stop();
    throw error;
  } finally {
    client.close();
  }
}

export async function startGatehouse(options: GatehouseOptions): Promise<RunningServer> {
  const port = await freePort();
  const storage = options.dataFile === null ? ["--in-memory"] : ["--data", options.dataFile];
  const child = spawnPinned({
    command: process.execPath,
    args: [
      ...(options.nodeArgs ?? []),
      "packages/emulator/bin/gatehouse-emulator.js",
      "--port",
      String(port),
      ...storage,
      "--quiet",
    ],
    cwd: options.repoRoot,
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitForFirstAnswer(child, url, options.logFile);
  return { name: "gatehouse", url, child, startupMs, stop: () => child.stop() };
}

const cognitoLocalEntry = (peerDir: string) => join(peerDir, "node_modules", "cognito-local", "lib", "bin", "start.js");

/** Installs cognito-local into `peerDir` (outside the repository) unless it is already there. */
export function ensureCognitoLocal(peerDir: string): string {
  const entry = cognitoLocalEntry(peerDir);
  if (existsSync(entry)) return entry;
  mkdirSync(peerDir, { recursive: true });
  if (!existsSync(join(peerDir, "package.json"))) {
    writeFileSync(join(peerDir, "package.json"), `${JSON.stringify({ name: "bench-peer", private: true })}\n`);
  }
  process.stdout.write(`Installing cognito-local@${cognitoLocalVersion} into ${peerDir} …\n`);
  const result = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefix", peerDir, `cognito-local@${cognitoLocalVersion}`],
    { stdio: "inherit" },
  );
  if (result.status !== 0 || !existsSync(entry)) {
    throw new Error(`npm install cognito-local failed (exit ${result.status}); install it by hand in ${peerDir}`);
  }
  return entry;
}

/** Plain usernames, as in our pools; cognito-local's default would require e-mail addresses. */
export function writeCognitoLocalConfig(dataDir: string): void {
  mkdirSync(join(dataDir, ".cognito"), { recursive: true });
  writeFileSync(
    join(dataDir, ".cognito", "config.json"),
    `${JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }, null, 2)}\n`,
  );
}

export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningServer> {
  const entry = ensureCognitoLocal(options.peerDir);
  const port = await freePort();
  const child = spawnPinned({
    command: process.execPath,
    args: [entry],
    cwd: options.dataDir,
    env: { PORT: String(port), HOST: "127.0.0.1" },
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitForFirstAnswer(child, url, options.logFile);
  return { name: "cognito-local", url, child, startupMs, stop: () => child.stop() };
}
