/**
 * Child processes of a benchmark: started pinned to a core with `taskset`, remembered by PID,
 * and always stopped — on success, on failure, on Ctrl-C. Only the PIDs started here are ever
 * signalled.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";

export interface Child {
  readonly pid: number;
  readonly process: ChildProcess;
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

const running = new Map<number, ChildProcess>();

function killAllSync(): void {
  for (const [pid, child] of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  running.clear();
}

const cleanups: (() => void)[] = [];

/** Runs `cleanup` when this process exits, however it exits, after its children are killed. */
export function atExit(cleanup: () => void): void {
  installExitHooks();
  cleanups.push(cleanup);
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    killAllSync();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

/** Pins the current process (the load generator) to `cpu`. Returns false when taskset is missing. */
export function pinSelf(cpu: number): boolean {
  const result = spawnSync("taskset", ["-cp", String(cpu), String(process.pid)], { stdio: "ignore" });
  return result.status === 0;
}

export function hasTaskset(): boolean {
  return spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
}

export interface SpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Core to pin to with taskset; null runs unpinned. */
  readonly cpu: number | null;
  /** File that receives the child's stdout and stderr. */
  readonly logFile: string;
}

/** Starts a child. With taskset the PID is the server's own (taskset execs it). */
export function spawnPinned(options: SpawnOptions): Child {
  installExitHooks();
  const log = openSync(options.logFile, "a");
  const [command, args] =
    options.cpu === null
      ? [options.command, [...options.args]]
      : ["taskset", ["-c", String(options.cpu), options.command, ...options.args]];
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.command}`);
  running.set(pid, child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  }).then(() => {
    running.delete(pid);
  });
  return {
    pid,
    process: child,
    spawnedAt,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const clockTicks = (() => {
  const result = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number(result.stdout.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** A process's user+system CPU time so far, in ms (Linux /proc; 10 ms resolution). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may contain spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks;
}

/** A free TCP port on loopback (released before returning; a race is unlikely on a bench box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The PIDs of a process's direct children, from the parent field of every `/proc/<pid>/stat`. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state, ppid, …
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/**
 * CPU time of a process and its live descendants, in ms: what a pre-forking server (gunicorn's
 * master and its workers) spends. A descendant that exits takes its time with it, so read it
 * while the workers are up.
 */
export function treeCpuTimeMs(pid: number): number {
  let total = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    try {
      total += cpuTimeMs(next);
    } catch {
      continue; // exited meanwhile
    }
    pending.push(...childPids(next));
  }
  return total;
}

/** The command line of a live process, or null (used to make sure a PID is still the one we started). */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return null;
  }
}

/** Per-core busy and steal time (Linux `/proc/stat`), in clock ticks, to tell what else ran on a core. */
export interface CoreTimes {
  readonly busy: number;
  readonly steal: number;
  readonly total: number;
}

export function coreTimes(): ReadonlyMap<number, CoreTimes> {
  const cores = new Map<number, CoreTimes>();
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    const match = /^cpu(\d+) (.*)$/.exec(line);
    if (!match) continue;
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (match[2] ?? "")
      .trim()
      .split(/\s+/)
      .map(Number);
    cores.set(Number(match[1]), {
      busy: user + nice + system + irq + softirq,
      steal,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    });
  }
  return cores;
}

/** Shares (0–1) of one core's time between two `coreTimes()` readings. */
export function coreShares(
  before: ReadonlyMap<number, CoreTimes>,
  after: ReadonlyMap<number, CoreTimes>,
  core: number,
): { readonly busy: number; readonly steal: number } {
  const a = before.get(core);
  const b = after.get(core);
  if (!a || !b || b.total === a.total) return { busy: Number.NaN, steal: Number.NaN };
  const total = b.total - a.total;
  return { busy: (b.busy - a.busy) / total, steal: (b.steal - a.steal) / total };
}
