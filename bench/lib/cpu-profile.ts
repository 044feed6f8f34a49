/**
 * Reads a V8 CPU profile (`node --cpu-prof`, `.cpuprofile` JSON) and names where the time went:
 * self time per function, and per package (`node_modules/<name>`, Node's own `node:` internals,
 * or the app's code), so a benchmark can print its hot spots next to its figures.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the profile's sampled time, 0–1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Sampled time outside any JavaScript (idle, waiting for I/O). */
  readonly idleMs: number;
  readonly functions: readonly HotSpot[];
  readonly packages: readonly HotSpot[];
}

/** `node_modules/fastify/lib/x.js` → `fastify`; `node:internal/…` → `node`; else `app` or the frame's kind. */
export function packageOf(frame: CallFrame): string {
  const url = frame.url;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (match?.[1]) return match[1];
  if (url.startsWith("node:")) return "node (built-ins)";
  if (url === "") return frame.functionName.startsWith("(") ? frame.functionName : "native / V8";
  return "app (our code)";
}

function shortLocation(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, "");
  const inModules = url.lastIndexOf("node_modules/");
  const tail = inModules >= 0 ? url.slice(inModules + "node_modules/".length) : url.split("/").slice(-3).join("/");
  return tail === "" ? "" : `${tail}:${frame.lineNumber + 1}`;
}

function top(totals: Map<string, number>, totalMs: number, count: number): HotSpot[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: totalMs === 0 ? 0 : selfMs / totalMs }));
}

export function summarizeProfile(file: string, count = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalMs += ms;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      return;
    }
    const where = shortLocation(frame);
    const name = `${frame.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
  });
  const busyMs = totalMs - idleMs;
  return { totalMs, idleMs, functions: top(functions, busyMs, count), packages: top(packages, busyMs, count) };
}
