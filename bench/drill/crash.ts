/**
 * `npm run drill:crash` (issue 13): kill -9 during sign-up load and first-sight API calls, then
 * check that after a restart everything that was acknowledged is there and nothing is
 * half-written. See bench/README.md.
 *
 * Both programs keep their state in SQLite files (WAL, synchronous=NORMAL): a transaction is in
 * the WAL before it is acknowledged, and a killed process loses nothing the kernel already has.
 * (Power loss could lose the last transactions under synchronous=NORMAL; a drill on one machine
 * cannot test that, and says so.) Each round kills one victim while load runs — the emulator,
 * the app, or both — restarts it on the same files and checks:
 *
 * - every SignUp answered 200 (straight to the emulator, and through the app's /register, 303)
 *   is a user in the emulator with the same sub, whole: attributes, password (it can sign in);
 * - every first-sight `GET /api/v1/me` answered 200 has its row in the app's database;
 * - no user row in either database lacks what every row has, and `PRAGMA integrity_check` is ok;
 * - both serve again: a new sign-up and a new first sight succeed.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { awsJsonClient, stringField } from "../lib/aws-json.ts";
import { atExit } from "../lib/processes.ts";
import { BrowserSession, httpClient } from "./http.ts";
import { clientAddress, drillPassword, startStack, usersWithTokens, userWithToken, type Stack } from "./stack.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "kill-after": { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const killAfterMs = Number(values["kill-after"]) * 1000;
const victims = (["emulator", "app", "both"] as const).slice(0, Math.max(1, Math.min(3, Number(values.rounds))));
const root = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-drill-crash-"));
atExit(() => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface RoundResult {
  victim: string;
  signUps: number;
  registers: number;
  firstSights: number;
  failedDuringKill: number;
  missingSignUps: string[];
  missingFirstSights: string[];
  halfWritten: string[];
  integrity: string;
  servesAgain: boolean;
}

async function round(stack: Stack, victim: (typeof victims)[number], index: number): Promise<RoundResult> {
  const tokens = await usersWithTokens(stack, `crash${index}t`, 400);
  const emulator = awsJsonClient(stack.emulatorUrl, { maxSockets: 8 });
  const app = httpClient(stack.appUrl, { maxSockets: 16, timeoutMs: 10_000 });
  const signedUp = new Map<string, string>();
  const registered: string[] = [];
  const firstSeen: string[] = [];
  let failed = 0;
  let stop = false;
  let serial = 0;
  const signUps = async () => {
    while (!stop) {
      const username = `crash${index}s${serial++}`;
      try {
        const answer = await emulator.call("SignUp", {
          ClientId: stack.pool.publicClientId,
          Username: username,
          Password: drillPassword,
          UserAttributes: [{ Name: "email", Value: `${username}@example.test` }],
        });
        signedUp.set(username, stringField(answer, "UserSub"));
      } catch {
        failed++;
        await sleep(20);
      }
    }
  };
  const registers = async () => {
    while (!stop) {
      const n = serial++;
      const username = `crash${index}r${n}`;
      const browser = new BrowserSession(app, stack.publicUrl, clientAddress(n));
      try {
        await browser.get("/register");
        const res = await browser.post("/register", {
          username,
          email: `${username}@example.test`,
          password: drillPassword,
          password2: drillPassword,
        });
        if (res.status === 303) registered.push(username);
        else failed++;
      } catch {
        failed++;
        await sleep(20);
      }
    }
  };
  let nextToken = 0;
  const firstSights = async () => {
    while (!stop && nextToken < tokens.length) {
      const user = tokens[nextToken++]!;
      try {
        const res = await app.request({
          path: "/api/v1/me",
          headers: { authorization: `Bearer ${user.accessToken}` },
        });
        if (res.status === 200) firstSeen.push(user.sub);
        else failed++;
      } catch {
        failed++;
      }
      await sleep(5);
    }
  };
  const load = Promise.all([
    ...Array.from({ length: 4 }, signUps),
    ...Array.from({ length: 2 }, registers),
    ...Array.from({ length: 4 }, firstSights),
  ]);
  await sleep(killAfterMs);
  const killed = victim === "both" ? [stack.emulator, stack.app] : [victim === "app" ? stack.app : stack.emulator];
  for (const child of killed) process.kill(child.pid, "SIGKILL");
  await Promise.all(killed.map((child) => child.exited));
  await sleep(500);
  stop = true;
  await load;
  emulator.close();
  app.close();
  process.stdout.write(`  killed ${victim} after ${killAfterMs} ms; restarting …\n`);
  if (victim !== "app") await stack.startEmulator();
  if (victim !== "emulator") await stack.startApp();

  const check = awsJsonClient(stack.emulatorUrl, { maxSockets: 8 });
  const missingSignUps: string[] = [];
  const expected = [...signedUp, ...registered.map((u) => [u, null] as const)];
  for (const [username, sub] of expected) {
    try {
      const got = await check.call("AdminGetUser", { UserPoolId: stack.pool.poolId, Username: username });
      const attributes = (got.UserAttributes ?? []) as { Name: string; Value: string }[];
      if (sub !== null && attributes.find((a) => a.Name === "sub")?.Value !== sub)
        missingSignUps.push(`${username} (sub)`);
    } catch (error) {
      missingSignUps.push(`${username}: ${(error as Error).message}`);
    }
  }
  // Whole, not just present: a sample of the acknowledged sign-ups confirms and signs in.
  for (const [username] of expected.slice(0, 20)) {
    try {
      await check.call("AdminConfirmSignUp", { UserPoolId: stack.pool.poolId, Username: username });
      await check.call("InitiateAuth", {
        ClientId: stack.pool.publicClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: drillPassword },
      });
    } catch (error) {
      missingSignUps.push(`${username} cannot sign in: ${(error as Error).message}`);
    }
  }
  const appDb = new Database(stack.appDb, { readonly: true, fileMustExist: true });
  const emulatorDb = new Database(stack.emulatorDb, { readonly: true, fileMustExist: true });
  const rowOf = appDb.prepare("SELECT username, email, cognito_sub FROM users WHERE cognito_sub = ?");
  const missingFirstSights = firstSeen.filter((sub) => rowOf.get(sub) === undefined);
  const halfWritten = [
    ...(
      appDb
        .prepare(
          "SELECT id FROM users WHERE username = '' OR email = '' OR username_key <> lower(username) OR created_at IS NULL",
        )
        .all() as { id: string }[]
    ).map((r) => `app user ${r.id}`),
    ...(
      emulatorDb
        .prepare(
          "SELECT username FROM users WHERE json_extract(attributes, '$.sub') IS NOT sub OR password_hash IS NULL OR srp_verifier IS NULL",
        )
        .all() as { username: string }[]
    ).map((r) => `emulator user ${r.username}`),
  ];
  const integrity = [appDb, emulatorDb]
    .map((db) => (db.pragma("integrity_check") as { integrity_check: string }[])[0]?.integrity_check ?? "?")
    .join(" / ");
  appDb.close();
  emulatorDb.close();
  let servesAgain = false;
  try {
    const fresh = await userWithToken(check, stack, `crash${index}after`);
    const res = await httpClient(stack.appUrl, { maxSockets: 1 }).request({
      path: "/api/v1/me",
      headers: { authorization: `Bearer ${fresh.accessToken}` },
    });
    servesAgain = res.status === 200;
  } catch {
    servesAgain = false;
  }
  check.close();
  return {
    victim,
    signUps: signedUp.size,
    registers: registered.length,
    firstSights: firstSeen.length,
    failedDuringKill: failed,
    missingSignUps,
    missingFirstSights,
    halfWritten,
    integrity,
    servesAgain,
  };
}

const stack = await startStack(root, dir);
const results: RoundResult[] = [];
try {
  for (const [index, victim] of victims.entries()) {
    process.stdout.write(`Round ${index + 1}: sign-up load and first sights, kill -9 ${victim}\n`);
    results.push(await round(stack, victim, index));
  }
} finally {
  await stack.stop();
}
process.stdout.write(
  `\n| killed | SignUp 200 | /register 303 | first sight 200 | failed while down | missing after restart | half-written | integrity | serves again |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n`,
);
for (const r of results) {
  process.stdout.write(
    `| ${r.victim} | ${r.signUps} | ${r.registers} | ${r.firstSights} | ${r.failedDuringKill} | ${r.missingSignUps.length + r.missingFirstSights.length} | ${r.halfWritten.length} | ${r.integrity} | ${r.servesAgain ? "yes" : "NO"} |\n`,
  );
  for (const line of [...r.missingSignUps, ...r.missingFirstSights, ...r.halfWritten].slice(0, 10))
    process.stdout.write(`    ${line}\n`);
}
const ok = results.every(
  (r) =>
    r.missingSignUps.length === 0 &&
    r.missingFirstSights.length === 0 &&
    r.halfWritten.length === 0 &&
    r.integrity === "ok / ok" &&
    r.servesAgain,
);
process.stdout.write(ok ? "\nCrash drill passed.\n" : "\nCrash drill FAILED.\n");
process.exit(ok ? 0 : 1);
