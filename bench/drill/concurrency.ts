/**
 * `npm run drill:concurrency` (issue 13): races that must have exactly one winner, on the real
 * processes over loopback (bench/drill/stack.ts). See bench/README.md.
 *
 * 1. 50 simultaneous SignUp of one username (to the emulator): one 200, 49 UsernameExistsException,
 *    one user.
 * 2. 50 simultaneous POST /register of one username (through the app): one 303, one user.
 * 3. 50 simultaneous first-sight `GET /api/v1/me` with one new token: every answer 200 with the
 *    same record, one row.
 * 4. One email through two usernames: 25 SignUps of each at once, then 25 AdminConfirmSignUp of
 *    each at once, then 50 first sights of the confirmed one: exactly one account ends up with
 *    the address and one row. Two guards can decide it: the dev seed's PreSignUp trigger
 *    (triggers/pre-signup.ts) refuses a sign-up whose email another account already has
 *    (UserLambdaValidationException), and when both sign-ups pass it at the same moment (it
 *    reads ListUsers, as the Lambda does on AWS, so it is a check, not a lock), the pool's email
 *    alias gives the address to one confirmed account only (AliasExistsException for the other).
 *    Each username has at most one user either way.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { awsJsonClient, ServiceError } from "../lib/aws-json.ts";
import { atExit } from "../lib/processes.ts";
import { BrowserSession, httpClient } from "./http.ts";
import { clientAddress, drillPassword, startStack, userWithToken, type Stack } from "./stack.ts";

const { values } = parseArgs({ options: { n: { type: "string", default: "50" }, keep: { type: "boolean" } } });
const n = Number(values.n);
const root = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-drill-concurrency-"));
atExit(() => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});

const tally = (outcomes: readonly string[]): string =>
  [...outcomes.reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<string, number>())]
    .map(([o, count]) => `${o} ×${count}`)
    .join(", ");

interface Check {
  readonly name: string;
  readonly outcome: string;
  readonly ok: boolean;
}

async function signUpRace(stack: Stack, username: string, email: string, count: number): Promise<string[]> {
  const client = awsJsonClient(stack.emulatorUrl, { maxSockets: count });
  try {
    return await Promise.all(
      Array.from({ length: count }, () =>
        client
          .call("SignUp", {
            ClientId: stack.pool.publicClientId,
            Username: username,
            Password: drillPassword,
            UserAttributes: [{ Name: "email", Value: email }],
          })
          .then(
            () => "200",
            (error: unknown) => (error instanceof ServiceError ? `${error.status} ${error.type}` : String(error)),
          ),
      ),
    );
  } finally {
    client.close();
  }
}

async function usersNamed(stack: Stack, username: string): Promise<number> {
  const client = awsJsonClient(stack.emulatorUrl, { maxSockets: 1 });
  try {
    const answer = await client.call("ListUsers", {
      UserPoolId: stack.pool.poolId,
      Filter: `username = "${username}"`,
    });
    return (answer.Users as unknown[]).length;
  } finally {
    client.close();
  }
}

async function firstSightRace(stack: Stack, tokens: readonly string[]): Promise<string[]> {
  const app = httpClient(stack.appUrl, { maxSockets: tokens.length });
  try {
    return await Promise.all(
      tokens.map((token) =>
        app.request({ path: "/api/v1/me", headers: { authorization: `Bearer ${token}` } }).then(
          (res) => `${res.status}${res.status === 200 ? ` ${(JSON.parse(res.body) as { id: string }).id}` : ""}`,
          (error: unknown) => `network: ${(error as Error).message}`,
        ),
      ),
    );
  } finally {
    app.close();
  }
}

const rowsWithSub = (stack: Stack, sub: string): number => {
  const db = new Database(stack.appDb, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM users WHERE cognito_sub = ?").get(sub) as { n: number }).n;
  } finally {
    db.close();
  }
};

const stack = await startStack(root, dir);
const checks: Check[] = [];
try {
  // 1. SignUp of one username.
  const one = await signUpRace(stack, "racer", "racer@example.test", n);
  const won = one.filter((o) => o === "200").length;
  const users = await usersNamed(stack, "racer");
  checks.push({
    name: `${n} × SignUp of one username`,
    outcome: `${tally(one)}; users named racer: ${users}`,
    ok: won === 1 && users === 1 && one.every((o) => o === "200" || o === "400 UsernameExistsException"),
  });

  // 2. /register of one username through the app, each from its own browser and address.
  const app = httpClient(stack.appUrl, { maxSockets: n });
  const browsers = Array.from({ length: n }, (_, i) => new BrowserSession(app, stack.publicUrl, clientAddress(i)));
  await Promise.all(browsers.map((b) => b.get("/register")));
  const registered = await Promise.all(
    browsers.map((b) =>
      b
        .post("/register", {
          username: "formracer",
          email: "formracer@example.test",
          password: drillPassword,
          password2: drillPassword,
        })
        .then(
          (res) => String(res.status),
          (error: unknown) => `network: ${(error as Error).message}`,
        ),
    ),
  );
  app.close();
  const formUsers = await usersNamed(stack, "formracer");
  checks.push({
    name: `${n} × POST /register of one username`,
    outcome: `${tally(registered)}; users named formracer: ${formUsers}`,
    ok:
      registered.filter((o) => o === "303").length === 1 && formUsers === 1 && registered.every((o) => /^[34]/.test(o)),
  });

  // 3. First sight of one new token.
  const client = awsJsonClient(stack.emulatorUrl, { maxSockets: 1 });
  const fresh = await userWithToken(client, stack, "firstsight");
  const sights = await firstSightRace(
    stack,
    Array.from({ length: n }, () => fresh.accessToken),
  );
  const rows = rowsWithSub(stack, fresh.sub);
  checks.push({
    name: `${n} × first-sight GET /api/v1/me, one new token`,
    outcome: `${tally(sights.map((s) => s.split(" ")[0]!))}, ${new Set(sights).size} distinct record(s); rows: ${rows}`,
    ok: rows === 1 && sights.every((s) => s === sights[0] && s.startsWith("200 ")),
  });

  // 4. One email, two usernames.
  const email = "shared@example.test";
  const [a, b] = await Promise.all([
    signUpRace(stack, "sharer-a", email, n / 2),
    signUpRace(stack, "sharer-b", email, n / 2),
  ]);
  const usersA = await usersNamed(stack, "sharer-a");
  const usersB = await usersNamed(stack, "sharer-b");
  // The pool signs in by email too (alias): confirming gives the address to one account only,
  // so confirming both at once must leave exactly one confirmed (AWS: AliasExistsException).
  const confirms = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client
        .call("AdminConfirmSignUp", { UserPoolId: stack.pool.poolId, Username: i % 2 ? "sharer-b" : "sharer-a" })
        .then(
          () => `${i % 2 ? "b" : "a"} 200`,
          (error: unknown) => `${i % 2 ? "b" : "a"} ${error instanceof ServiceError ? error.type : String(error)}`,
        ),
    ),
  );
  const confirmed = ["a", "b"].filter((who) => confirms.includes(`${who} 200`));
  const winner = `sharer-${confirmed[0] ?? "a"}`;
  const signedIn = await client.call("InitiateAuth", {
    ClientId: stack.pool.publicClientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: winner, PASSWORD: drillPassword },
  });
  const token = (signedIn.AuthenticationResult as { AccessToken: string }).AccessToken;
  const sub = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;
  client.close();
  const shared = await firstSightRace(
    stack,
    Array.from({ length: n }, () => token),
  );
  const sharedRows = rowsWithSub(stack, sub);
  checks.push({
    name: `one email, two usernames: ${n / 2} SignUps each, ${n / 2} confirmations each, ${n} first sights`,
    outcome:
      `sign-ups a: ${tally(a)}; b: ${tally(b)}; users: ${usersA} + ${usersB}; confirmations: ${tally(confirms)}; ` +
      `first sights of ${winner}: ${tally(shared.map((s) => s.split(" ")[0]!))}; rows: ${sharedRows}`,
    ok:
      [...a, ...b].every((o) =>
        ["200", "400 UsernameExistsException", "400 UserLambdaValidationException"].includes(o),
      ) &&
      a.filter((o) => o === "200").length === usersA &&
      b.filter((o) => o === "200").length === usersB &&
      usersA <= 1 &&
      usersB <= 1 &&
      usersA + usersB >= 1 &&
      confirmed.length === 1 &&
      sharedRows === 1 &&
      shared.every((s) => s.startsWith("200 ")),
  });
} finally {
  await stack.stop();
}

process.stdout.write(`\n| race | outcome | |\n|---|---|---|\n`);
for (const c of checks) process.stdout.write(`| ${c.name} | ${c.outcome} | ${c.ok ? "ok" : "**FAILED**"} |\n`);
const ok = checks.every((c) => c.ok);
process.stdout.write(ok ? "\nConcurrency drill passed.\n" : "\nConcurrency drill FAILED.\n");
process.exit(ok ? 0 : 1);
