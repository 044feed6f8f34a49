/**
 * What the tests of the signed-in pages share: a person signed in through the app's own
 * /login (from their own client address, so no test spends another's sign-in budget), and the
 * server-side session rows those tests inspect or age.
 */
import { expect } from "vitest";
import type { CognitoTokens } from "../src/plugins/session-types.ts";
import type { AppHarness, TestBrowser } from "./app-harness.ts";
import { browserAt, newAccount, type Account, type CognitoAdmin } from "./accounts-fixtures.ts";

/** A browser signed in as `account` through GET and POST /login. */
export async function signIn(h: AppHarness, account: Account, password = account.password): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/login");
  const res = await browser.post("/login", { username: account.username, password });
  expect(res.statusCode, "sign-in should redirect").toBe(303);
  return browser;
}

/** A new confirmed person (verified email), signed in, and their local user id. */
export async function signedInPerson(
  h: AppHarness,
  admin: CognitoAdmin,
  prefix = "person",
): Promise<{ account: Account; browser: TestBrowser; userId: string }> {
  const account = await admin.confirmed(newAccount(prefix));
  const browser = await signIn(h, account);
  const row = await userRow(h, account.username);
  if (!row) throw new Error(`no local user for ${account.username} after sign-in`);
  return { account, browser, userId: row.id };
}

/** The local user row of `username`. */
export async function userRow(h: AppHarness, username: string) {
  return h.database.database.db
    .selectFrom("users")
    .selectAll()
    .where("username_key", "=", username.toLowerCase())
    .executeTakeFirst();
}

export async function sessionRowsOf(h: AppHarness, userId: string) {
  return h.database.database.db.selectFrom("sessions").selectAll().where("user_id", "=", userId).execute();
}

/** The Cognito tokens kept in a user's only session. */
export async function sessionTokensOf(h: AppHarness, userId: string): Promise<CognitoTokens> {
  const rows = await sessionRowsOf(h, userId);
  expect(rows).toHaveLength(1);
  const data = JSON.parse(rows[0]!.data) as { cognito?: CognitoTokens };
  if (!data.cognito) throw new Error("the session holds no Cognito tokens");
  return data.cognito;
}

/** Rewrites when the app believes the access token of each of a user's sessions expires (epoch ms). */
export async function setTokenExpiry(h: AppHarness, userId: string, expiresAt: number): Promise<void> {
  for (const row of await sessionRowsOf(h, userId)) {
    const data = JSON.parse(row.data) as { cognito?: CognitoTokens };
    if (!data.cognito) continue;
    data.cognito = { ...data.cognito, expiresAt };
    await h.database.database.db
      .updateTable("sessions")
      .set({ data: JSON.stringify(data) })
      .where("id", "=", row.id)
      .execute();
  }
}

/** Takes the Cognito tokens out of a user's sessions: what a local (back-office) sign-in holds. */
export async function dropCognitoTokens(h: AppHarness, userId: string): Promise<void> {
  for (const row of await sessionRowsOf(h, userId)) {
    const { cognito: _dropped, ...data } = JSON.parse(row.data) as { cognito?: CognitoTokens };
    await h.database.database.db
      .updateTable("sessions")
      .set({ data: JSON.stringify(data) })
      .where("id", "=", row.id)
      .execute();
  }
}
