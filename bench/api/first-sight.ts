/**
 * One `GET /api/v1/me` per user, `concurrency` at a time, every answer checked (a 200 with that
 * user's record). Run on a fresh database it measures meeting users for the first time (both
 * servers create the local user then); it also proves that the server accepts every token before
 * any load is measured, since wrk only counts statuses.
 */
import { httpGetter } from "../lib/http-get.ts";
import { summarize, type LatencySummary } from "../lib/stats.ts";
import type { BenchUser } from "./identity.ts";
import { mePath, type ApiServer } from "./servers.ts";

export interface PassResult {
  readonly users: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** Server CPU per request, ms. */
  readonly serverCpuMsPerRequest: number;
}

export async function requestEveryUser(
  server: ApiServer,
  users: readonly BenchUser[],
  concurrency: number,
): Promise<PassResult> {
  const client = httpGetter(server.origin, { maxSockets: concurrency });
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let index = next++; index < users.length && failures.length === 0; index = next++) {
      const user = users[index];
      if (!user) continue;
      const began = performance.now();
      try {
        const answer = await client.get(mePath, { authorization: `Bearer ${user.accessToken}` });
        latencies.push(performance.now() - began);
        const problem =
          answer.status === 200 ? server.checkMe(user, answer.body) : `${answer.status} ${answer.body.slice(0, 200)}`;
        if (problem !== null) failures.push(`${user.username}: ${problem}`);
      } catch (error) {
        failures.push(`${user.username}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    client.close();
  }
  const ms = performance.now() - started;
  if (failures.length > 0) {
    throw new Error(`${server.kind} refused or mis-answered GET ${mePath}:\n  ${failures.slice(0, 5).join("\n  ")}`);
  }
  return {
    users: users.length,
    ms,
    perSecond: users.length / (ms / 1000),
    latency: summarize(latencies),
    serverCpuMsPerRequest: (server.cpuMs() - cpuBefore) / users.length,
  };
}
