/**
 * `npm run drill:soak -- --minutes N` (issue 13): mixed load at ~70 % of the capacity measured
 * first, for N minutes, on the real processes (bench/drill/stack.ts). See bench/README.md.
 *
 * The mix, by share of requests: 85 % `GET /api/v1/me` with valid access tokens (rotating over
 * the users), 13 % page views (`/`, `/login`, `/register`), 2 % sign-ins (GET and POST /login,
 * each from its own address). Capacity is what that mix reaches with 16 requests in flight
 * (closed loop); the soak then offers 70 % of it at a fixed rate (open loop, latency from when
 * each request was due, bench/lib/open-loop.ts), one report per minute. An error is any answer
 * that is not the expected one (200, a 303 for a sign-in) and any request lost or failed.
 * RSS (VmRSS of the app and the emulator) is read after the first minute — the heap has grown
 * to its working size by then — and at the end: the target is growth under 10 % and 0 errors.
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runClosedLoop } from "../lib/load.ts";
import { runOpenLoop } from "../lib/open-loop.ts";
import { atExit } from "../lib/processes.ts";
import { summarize } from "../lib/stats.ts";
import { accountLimits } from "../../packages/app/src/accounts/rate-limits.ts";
import { BrowserSession, httpClient } from "./http.ts";
import { clientAddress, drillPassword, startStack, usersWithTokens } from "./stack.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    users: { type: "string", default: "500" },
    share: { type: "string", default: "0.7" },
    keep: { type: "boolean" },
  },
});
const minutes = Number(values.minutes);
const share = Number(values.share);
if (!(minutes > 0) || !(share > 0 && share <= 1)) throw new Error("--minutes must be > 0 and --share in (0, 1]");
/** Sign-ins' share of the mix (the rest: 13 % page views, the API). */
const signInShare = 0.02;
const root = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-drill-soak-"));
atExit(() => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});

const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.replace(/\D+/g, "") ?? 0) / 1024;
};

const stack = await startStack(root, dir);
try {
  process.stdout.write(`Creating ${values.users} users with tokens …\n`);
  const users = await usersWithTokens(stack, "soak", Number(values.users));
  const app = httpClient(stack.appUrl, { maxSockets: 64, timeoutMs: 10_000 });
  // First sight of everyone now, so the soak measures steady state, not user creation.
  for (const user of users) {
    await app.request({ path: "/api/v1/me", headers: { authorization: `Bearer ${user.accessToken}` } });
  }
  let signIns = 0;
  const apiUsers = users.length;
  const pages = ["/", "/login", "/register"];
  const one = async (sequence: number): Promise<void> => {
    const slot = sequence % 100;
    if (slot < signInShare * 100) {
      const user = users[signIns++ % users.length]!;
      const browser = new BrowserSession(app, stack.publicUrl, clientAddress(signIns));
      await browser.get("/login");
      const res = await browser.post("/login", { username: user.username, password: drillPassword });
      if (res.status !== 303) throw new Error(`sign-in ${res.status}`);
      return;
    }
    const res =
      slot < 15
        ? await app.request({ path: pages[sequence % pages.length]!, headers: { "x-forwarded-proto": "https" } })
        : await app.request({
            path: "/api/v1/me",
            headers: { authorization: `Bearer ${users[sequence % apiUsers]!.accessToken}` },
          });
    if (res.status !== 200) throw new Error(`${res.status} ${res.body.slice(0, 100)}`);
  };

  const rssBefore = { app: rssMb(stack.app.pid), emulator: rssMb(stack.emulator.pid) };
  const capacityRun = await runClosedLoop({
    concurrency: 16,
    warmupMs: 3_000,
    durationMs: 10_000,
    drainMs: 5_000,
    task: one,
  });
  const capacity = capacityRun.completed.length / 10;
  const rate = Math.max(1, Math.round(capacity * share));
  // The site allows each username a few sign-ins per window (accountLimits.login.perUsername):
  // the soak's sign-ins rotate over enough people that each uses at most half of that, as real
  // people would, so the limit is never what a soak error measures.
  const perUsername = accountLimits.login.perUsername;
  const signInsPerWindow = rate * signInShare * (perUsername.windowMs / 1000);
  const signInUsersNeeded = Math.ceil(signInsPerWindow / (perUsername.max / 2));
  if (signInUsersNeeded > users.length) {
    process.stdout.write(`Creating ${signInUsersNeeded - users.length} more users for the sign-ins …\n`);
    users.push(...(await usersWithTokens(stack, "soaksignin", signInUsersNeeded - users.length)));
  }
  process.stdout.write(
    `Capacity of the mix (16 in flight): ${capacity.toFixed(0)} req/s (${capacityRun.errors} errors); ` +
      `soaking at ${rate} req/s (${Math.round(share * 100)} %) for ${minutes} min\n\n` +
      `| minute | offered | errors | lost | p50 ms | p99 ms | app RSS MB | emulator RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n`,
  );
  let errors = 0;
  const samples: string[] = [];
  const latencies: number[] = [];
  let rssStart = { app: 0, emulator: 0 };
  for (let minute = 1; minute <= minutes; minute++) {
    const result = await runOpenLoop({
      ratePerSecond: rate,
      warmupMs: 0,
      durationMs: 60_000,
      drainMs: 10_000,
      send: one,
    });
    errors += result.errors + result.lost;
    // A loop, not push(...): a minute at full capacity is over 150,000 latencies, more arguments
    // than one call can take.
    for (const sample of result.errorSamples) samples.push(sample);
    for (const ms of result.fromDueMs) latencies.push(ms);
    const rss = { app: rssMb(stack.app.pid), emulator: rssMb(stack.emulator.pid) };
    if (minute === 1) rssStart = rss;
    const s = summarize(result.fromDueMs);
    process.stdout.write(
      `| ${minute} | ${result.offered} | ${result.errors} | ${result.lost} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${rss.app.toFixed(1)} | ${rss.emulator.toFixed(1)} |\n`,
    );
  }
  app.close();
  const rssEnd = { app: rssMb(stack.app.pid), emulator: rssMb(stack.emulator.pid) };
  const growth = (end: number, start: number) => ((end - start) / start) * 100;
  const overall = summarize(latencies);
  process.stdout.write(
    `\nErrors: ${errors}${samples.length ? ` (${[...new Set(samples)].slice(0, 5).join("; ")})` : ""}\n` +
      `Latency from due time: p50 ${overall.p50.toFixed(1)} ms, p99 ${overall.p99.toFixed(1)} ms, max ${overall.max.toFixed(1)} ms\n` +
      `RSS before any load: app ${rssBefore.app.toFixed(1)} MB, emulator ${rssBefore.emulator.toFixed(1)} MB\n` +
      `RSS after minute 1 → end: app ${rssStart.app.toFixed(1)} → ${rssEnd.app.toFixed(1)} MB (${growth(rssEnd.app, rssStart.app).toFixed(1)} %), ` +
      `emulator ${rssStart.emulator.toFixed(1)} → ${rssEnd.emulator.toFixed(1)} MB (${growth(rssEnd.emulator, rssStart.emulator).toFixed(1)} %)\n`,
  );
  const ok = errors === 0 && growth(rssEnd.app, rssStart.app) < 10 && growth(rssEnd.emulator, rssStart.emulator) < 10;
  process.stdout.write(ok ? "Soak passed.\n" : "Soak FAILED (target: 0 errors, RSS growth under 10 %).\n");
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack.stop();
}
