/**
 * What the back-office tests share: staff users made straight in the database (as
 * `createsuperuser` would), with a given set of permissions, and browsers signed in to the back
 * office through its own /admin/login — each from its own client address, so no test spends
 * another's sign-in budget.
 */
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { PermissionCodename } from "../src/accounts/permissions.ts";
import { newUserRow } from "../src/accounts/users.ts";
import { hashPassword } from "../src/backoffice/passwords.ts";
import { secretBox } from "../src/backoffice/secret-box.ts";
import type { BackofficeTotpTable } from "../src/backoffice/staff-totp.ts";
import { newTotpSecret, totpCodeAt } from "../src/backoffice/totp.ts";
import { csrfTokenIn, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, newAccount, uniqueName, type Account, type CognitoAdmin } from "./accounts-fixtures.ts";

export const staffPassword = "Staff-Password-2024!";

/** One default-cost hash for every fixture user: hashing is the slow part of making them. */
let sharedHash: Promise<string> | undefined;
const staffHash = (): Promise<string> => (sharedHash ??= hashPassword(staffPassword));

export interface LocalUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export interface LocalUserOptions {
  readonly prefix?: string;
  readonly staff?: boolean;
  readonly superuser?: boolean;
  readonly active?: boolean;
  /** false: no usable password (a person who signs in through Cognito only). */
  readonly usablePassword?: boolean;
  readonly permissions?: readonly PermissionCodename[];
  readonly cognitoSub?: string | null;
  readonly createdAt?: Date;
}

/** A user row as the back office sees one, made directly in the database. */
export async function localUser(h: AppHarness, options: LocalUserOptions = {}): Promise<LocalUser> {
  const db = h.database.database.db;
  const username = uniqueName(options.prefix ?? "staff");
  const email = `${username}@example.com`;
  const id = randomUUID();
  const now = (options.createdAt ?? new Date()).toISOString();
  await db
    .insertInto("users")
    .values(
      newUserRow(
        {
          id,
          username,
          email,
          email_verified: true,
          cognito_sub: options.cognitoSub ?? null,
          is_active: options.active ?? true,
          is_staff: options.staff ?? true,
          is_superuser: options.superuser ?? false,
          password_hash: options.usablePassword === false ? null : await staffHash(),
        },
        now,
      ),
    )
    .execute();
  await grant(h, id, options.permissions ?? []);
  return { id, username, email, password: staffPassword };
}

export async function grant(h: AppHarness, userId: string, codenames: readonly PermissionCodename[]): Promise<void> {
  if (codenames.length === 0) return;
  const ids = await permissionIdsOf(h, codenames);
  await h.database.database.db
    .insertInto("user_permissions")
    .values(ids.map((id) => ({ user_id: userId, permission_id: id })))
    .execute();
}

/** The ids of the `permissions` rows of `codenames`. */
async function permissionIdsOf(h: AppHarness, codenames: readonly PermissionCodename[]): Promise<string[]> {
  const rows = await h.database.database.db
    .selectFrom("permissions")
    .select("id")
    .where("codename", "in", [...codenames])
    .execute();
  return rows.map((r) => r.id);
}

/** What a group editor holds in the tests: every group permission, nothing on users. */
export const groupEditorPermissions: readonly PermissionCodename[] = [
  "accounts.view_group",
  "accounts.change_group",
  "accounts.add_group",
  "accounts.delete_group",
];

/** A browser signed in to the back office as `user`. */
export async function adminSignIn(h: AppHarness, user: LocalUser): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/admin/login");
  const res = await browser.post("/admin/login", { username: user.username, password: user.password });
  expect(res.statusCode, `back-office sign-in of ${user.username}: ${res.body.slice(0, 200)}`).toBe(303);
  return browser;
}

/** A signed-in superuser and their browser. */
export async function superuserBrowser(h: AppHarness): Promise<{ user: LocalUser; browser: TestBrowser }> {
  const user = await localUser(h, { prefix: "root", superuser: true });
  return { user, browser: await adminSignIn(h, user) };
}

/** The audit entries about one object, oldest first. */
export async function auditOf(h: AppHarness, objectId: string) {
  return h.database.database.db
    .selectFrom("audit_log")
    .selectAll()
    .where("object_id", "=", objectId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** The user ids a page links to with their change form, in order. */
export const idsIn = (html: string): string[] =>
  [...html.matchAll(/href="\/admin\/users\/([0-9a-f-]{36})"/g)]
    .map((m) => m[1]!)
    .filter((v, i, a) => a.indexOf(v) === i);

export type CognitoState = "confirmed" | "unconfirmed" | "invited" | "reset-required" | "disabled";

/**
 * A person with a Cognito account in `state` (made with the SDK as an administrator would) and a
 * local row linked to it by sub, as their first sign-in would have made.
 */
export async function cognitoLinkedUser(
  h: AppHarness,
  admin: CognitoAdmin,
  state: CognitoState,
  prefix = "person",
): Promise<{ account: Account; id: string; sub: string }> {
  const account = newAccount(prefix);
  if (state === "unconfirmed") await admin.unconfirmed(account);
  else if (state === "invited") await admin.adminCreated(account, "Temporary-Pass-1");
  else if (state === "reset-required") await admin.resetRequired(account);
  else await admin.confirmed(account);
  if (state === "disabled") await admin.disable(account.username);
  const got = await admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: account.username }));
  const sub = got.UserAttributes?.find((a) => a.Name === "sub")?.Value ?? "";
  const id = randomUUID();
  const now = new Date().toISOString();
  await h.database.database.db
    .insertInto("users")
    .values(
      newUserRow(
        {
          id,
          username: account.username,
          email: account.email,
          email_verified: state !== "unconfirmed",
          cognito_sub: sub,
          last_synced_at: now,
        },
        now,
      ),
    )
    .execute();
  return { account, id, sub };
}

/** The usernames listed on a users-list page, in order. */
export const usernamesIn = (html: string): string[] =>
  [...html.matchAll(/<a href="\/admin\/users\/[0-9a-f-]{36}" class="fw-semibold">([^<]+)<\/a>/g)].map((m) => m[1]!);

/** The back office's sealing of TOTP secrets, as the harness's app does it. */
const totpBoxOf = (h: AppHarness) =>
  secretBox([h.config.sessionSecret, ...h.config.previousSessionSecrets], "backoffice-totp");

/** Stores a confirmed `backoffice_totp` row whose secret is `sealed` as given (a test may seal it with any key). */
export async function storeTotpRow(h: AppHarness, userId: string, sealed: string, lastUsedStep: number | null = null) {
  const now = new Date().toISOString();
  await h.database.database.db
    .withTables<{ backoffice_totp: BackofficeTotpTable }>()
    .insertInto("backoffice_totp")
    .values({ user_id: userId, secret: sealed, confirmed_at: now, last_used_step: lastUsedStep, created_at: now })
    .execute();
}

/**
 * Turns an authenticator on for `user` straight in the database (as confirming one would), and
 * returns its secret; `lastUsedStep` marks a code as already spent.
 */
export async function withStaffTotp(h: AppHarness, user: { id: string }, lastUsedStep: number | null = null) {
  const secret = newTotpSecret();
  await storeTotpRow(h, user.id, totpBoxOf(h).seal(secret, user.id), lastUsedStep);
  return secret;
}

/** The `backoffice_totp` row of a user, as stored. */
export async function staffTotpRow(h: AppHarness, userId: string) {
  return h.database.database.db
    .withTables<{ backoffice_totp: BackofficeTotpTable }>()
    .selectFrom("backoffice_totp")
    .selectAll()
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/**
 * A browser signed in to the back office as `user` with their authenticator's `secret`: the
 * password, then a code of the next time step (so a code the test just used is not replayed).
 */
export async function adminSignInWithCode(h: AppHarness, user: LocalUser, secret: string): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/admin/login");
  const res = await browser.post("/admin/login", { username: user.username, password: user.password });
  expect(res.headers.location).toBe("/admin/login/verify");
  await browser.get("/admin/login/verify");
  const verified = await browser.post("/admin/login/verify", { code: totpCodeAt(secret) });
  expect(verified.statusCode, `second step of ${user.username}: ${verified.body.slice(0, 200)}`).toBe(303);
  return browser;
}

/** A group granting `codenames`, with `memberIds` in it; its id. */
export async function groupWith(
  h: AppHarness,
  codenames: readonly PermissionCodename[],
  memberIds: readonly string[] = [],
): Promise<string> {
  const db = h.database.database.db;
  const id = randomUUID();
  const now = new Date().toISOString();
  await db
    .insertInto("groups")
    .values({ id, name: uniqueName("grp"), created_at: now, updated_at: now })
    .execute();
  if (codenames.length > 0) {
    const ids = await permissionIdsOf(h, codenames);
    await db
      .insertInto("group_permissions")
      .values(ids.map((permission_id) => ({ group_id: id, permission_id })))
      .execute();
  }
  for (const userId of memberIds)
    await db.insertInto("user_groups").values({ user_id: userId, group_id: id }).execute();
  return id;
}

/**
 * Submits `form` (which may repeat a field, as checkboxes do) from `browser`, with the CSRF token
 * of the last page it loaded.
 */
export async function postFormOf(h: AppHarness, browser: TestBrowser, url: string, form: URLSearchParams) {
  const body = new URLSearchParams(form);
  body.set("_csrf", csrfTokenIn(browser.last?.body ?? "") ?? "");
  return h.app.inject({
    method: "POST",
    url,
    payload: body.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookieHeader },
  });
}
