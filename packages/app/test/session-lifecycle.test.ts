/**
 * What the site keeps in its sessions table over a visitor's life, on SQLite and PostgreSQL: an
 * anonymous page view without a form writes no row; a form's CSRF secret writes one that lives
 * hours; a password change ends the account's other sessions and keeps the one it was made in;
 * a password reset ends them all (Django's `update_session_auth_hash` and its reset view).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultAnonymousTtlMs } from "../src/plugins/sessions.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { browserAt, CognitoAdmin, latestCode } from "./accounts-fixtures.ts";
import { sessionRowsOf, signedInPerson, signIn } from "./signed-in.ts";

describe.each(["sqlite", "postgres"] as const)("session lifecycle (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  const db = () => h.database.database.db;
  const rowCount = async () => (await db().selectFrom("sessions").select("id").execute()).length;

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("writes no session for anonymous views of pages without a form", async () => {
    const before = await rowCount();
    for (let i = 0; i < 20; i++) {
      const res = await browserAt(h).get("/");
      expect(res.statusCode).toBe(200);
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
    expect(await rowCount()).toBe(before);
  });

  it("keeps a form's anonymous session for hours, not weeks", async () => {
    const started = Date.now();
    const res = await browserAt(h).get("/login");
    expect(res.headers["set-cookie"]).toBeDefined();
    const newest = await db()
      .selectFrom("sessions")
      .selectAll()
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    const lifetime = new Date(newest?.expires_at ?? 0).getTime() - started;
    expect(newest?.user_id).toBeNull();
    expect(lifetime).toBeGreaterThan(defaultAnonymousTtlMs - 60_000);
    expect(lifetime).toBeLessThanOrEqual(defaultAnonymousTtlMs + 60_000);
  });

  it("ends the account's other sessions on a password change, and keeps this browser signed in", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "pwchange");
    const elsewhere = await signIn(h, account);
    expect(await sessionRowsOf(h, userId)).toHaveLength(2);

    await browser.get("/account");
    const newPassword = "Another-Horse-8";
    const res = await browser.post("/account/password", {
      current_password: account.password,
      new_password: newPassword,
      new_password_confirm: newPassword,
    });
    expect(res.statusCode).toBe(303);
    expect(await sessionRowsOf(h, userId)).toHaveLength(1);
    expect((await browser.get("/dashboard")).statusCode).toBe(200);
    const other = await elsewhere.get("/dashboard");
    expect(other.statusCode).toBe(303);
    expect(other.headers.location).toMatch(/^\/login/);
  });

  it("ends every session of the account on a password reset", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "pwreset");
    const stranger = browserAt(h);
    await stranger.get("/forgot-password");
    await stranger.post("/forgot-password", { username: account.username });
    await stranger.get("/reset-password");
    const password = "Reset-Horse-9";
    const res = await stranger.post("/reset-password", {
      code: latestCode(h, account.username),
      password,
      password2: password,
    });
    expect(res.statusCode).toBe(303);
    expect(await sessionRowsOf(h, userId)).toHaveLength(0);
    expect((await browser.get("/dashboard")).statusCode).toBe(303);
  });
});
