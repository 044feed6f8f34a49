/**
 * Closed-loop HTTP load with Debian's `wrk` (C, epoll): a fixed number of connections, each
 * sending its next request as soon as the previous answer arrives. It costs a fraction of what a
 * Node load generator does per request, so one core of it can saturate a fast server on the other
 * core. Each request carries the next value of one header from a file
 * (`wrk-rotate-header.lua`), e.g. a different user's bearer token.
 *
 * wrk's latency is from writing a request to reading its answer; a reconnect (a server that
 * closes after each answer) is not inside it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnPinned } from "./processes.ts";

const rotateScript = join(dirname(fileURLToPath(import.meta.url)), "wrk-rotate-header.lua");

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly threads: number;
  readonly durationS: number;
  /** A request unanswered after this long counts as a timeout error. */
  readonly timeoutS: number;
  /** File with one header value per line. */
  readonly valuesFile: string;
  readonly header: string;
  /** Prepended to every value, e.g. "Bearer ". */
  readonly prefix: string;
  /** Core for wrk, or null. */
  readonly cpu: number | null;
  readonly cwd: string;
  readonly logFile: string;
}

export interface WrkResult {
  readonly requests: number;
  readonly durationS: number;
  readonly requestsPerSecond: number;
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    /** Answers with a status ≥ 400. */
    readonly status: number;
    readonly timeout: number;
  };
  /** Milliseconds. */
  readonly latency: {
    readonly min: number;
    readonly mean: number;
    readonly max: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
  };
}

/** Installs wrk from Debian when it is missing and we may (root); otherwise says how. */
export function ensureWrk(): void {
  if (spawnSync("wrk", ["-v"], { stdio: "ignore" }).error === undefined) return;
  if (process.getuid?.() !== 0) throw new Error("wrk is missing: apt-get install -y wrk (as root)");
  process.stdout.write("Installing wrk (Debian) …\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
  const result = spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "inherit", env });
  if (result.status !== 0 || spawnSync("wrk", ["-v"], { stdio: "ignore" }).error !== undefined) {
    throw new Error("could not install wrk: apt-get install -y wrk");
  }
}

interface WrkJson {
  requests: number;
  durationUs: number;
  errors: WrkResult["errors"];
  latencyUs: WrkResult["latency"];
}

function parseOutput(text: string): WrkJson {
  const line = text.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (line === undefined) throw new Error(`wrk printed no result:\n${text.slice(-2000)}`);
  return JSON.parse(line.slice("WRK_JSON ".length)) as WrkJson;
}

/** Runs wrk to completion (its own `-d` bounds it; killed after twice that). */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const child = spawnPinned({
    command: "wrk",
    args: [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.durationS}s`,
      `--timeout`,
      `${options.timeoutS}s`,
      "-s",
      rotateScript,
      options.url,
      "--",
      options.valuesFile,
      options.header,
      options.prefix,
    ],
    cwd: options.cwd,
    cpu: options.cpu,
    logFile: options.logFile,
  });
  const killer = setTimeout(() => void child.stop(), (options.durationS * 2 + 10) * 1000);
  await child.exited;
  clearTimeout(killer);
  const raw = parseOutput(readFileSync(options.logFile, "utf8"));
  const ms = (us: number) => us / 1000;
  const durationS = raw.durationUs / 1e6;
  return {
    requests: raw.requests,
    durationS,
    requestsPerSecond: raw.requests / durationS,
    errors: raw.errors,
    latency: {
      min: ms(raw.latencyUs.min),
      mean: ms(raw.latencyUs.mean),
      max: ms(raw.latencyUs.max),
      p50: ms(raw.latencyUs.p50),
      p90: ms(raw.latencyUs.p90),
      p99: ms(raw.latencyUs.p99),
      p999: ms(raw.latencyUs.p999),
    },
  };
}
