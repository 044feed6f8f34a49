/**
 * Our app's own view of request latency: in production it logs each request as JSON lines
 * (pino, Fastify's request logging), and the "request completed" line carries `responseTime` in
 * ms, from the request's arrival in Fastify to its answer being handed to the socket. Set beside
 * the client's figures, it tells a stall inside the app (both high) from one outside it — kernel,
 * hypervisor, load generator — (only the client's high).
 */
import { readFileSync } from "node:fs";
import { summarize, type LatencySummary } from "../lib/stats.ts";

/** `responseTime`s of requests completed between `fromMs` and `toMs` (epoch ms), or null if none were logged. */
export function loggedResponseTimes(logFile: string, fromMs: number, toMs: number): LatencySummary | null {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return null;
  }
  const times: number[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes('"request completed"')) continue;
    try {
      const entry = JSON.parse(line) as { time?: unknown; responseTime?: unknown };
      if (typeof entry.time !== "number" || typeof entry.responseTime !== "number") continue;
      if (entry.time >= fromMs && entry.time < toMs) times.push(entry.responseTime);
    } catch {
      // not a JSON line (a warning printed by a dependency)
    }
  }
  return times.length === 0 ? null : summarize(times);
}
