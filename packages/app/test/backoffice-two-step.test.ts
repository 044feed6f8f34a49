/**
 * Two-step verification of staff accounts (issue 9) on SQLite and PostgreSQL: the happy flow
 * first (set up an authenticator on the two-step page, then sign in with password and code),
 * then each refusal — a password alone opens nothing, wrong, malformed and replayed codes,
 * codes of ±1 step, the shared lockout (also for a burst), an expired second step, CSRF — then
 * turning it off, a superuser's reset and who else is refused, BACKOFFICE_REQUIRE_MFA's set-up
 * at sign-in, and the sealing of secrets at rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockoutPolicy } from "../src/backoffice/lockout.ts";
import { say } from "../src/backoffice/messages.ts";
import { secretBox } from "../src/backoffice/secret-box.ts";
import { staffTotp } from "../src/backoffice/staff-totp.ts";
import { matchTotp, newTotpSecret, totpCodeAt, totpStepAt } from "../src/backoffice/totp.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, uniqueAddress } from "./accounts-fixtures.ts";
import {
  adminSignIn,
  adminSignInWithCode,
  auditOf,
  localUser,
  staffTotpRow,
  storeTotpRow,
  superuserBrowser,
  withStaffTotp,
  type LocalUser,
} from "./backoffice-fixtures.ts";

const secretOnPage = (html: string): string => /data-secret="([A-Z2-7]+)"/.exec(html)?.[1] ?? "";
const step = 30_000;

describe.each(["sqlite", "postgres"] as const)("back-office two-step verification (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database });
  });
  afterAll(async () => {
    await h.stop();
  });

  /** The password step of `user` from a new address; the browser is then at the code step. */
  const passwordStep = async (user: LocalUser, address = uniqueAddress()) => {
    const browser = browserAt(h, address);
    await browser.get("/admin/login");
    const res = await browser.post("/admin/login", { username: user.username, password: user.password });
    return { browser, res };
  };
  const codeStep = async (user: LocalUser) => {
    const { browser, res } = await passwordStep(user);
    expect(res.headers.location).toBe("/admin/login/verify");
    await browser.get("/admin/login/verify");
    return browser;
  };

  it("sets up an authenticator on the two-step page, then asks for its code after the password at every sign-in", async () => {
    const staff = await localUser(h, { prefix: "totp" });
    const browser = await adminSignIn(h, staff);
    const other = await adminSignIn(h, staff);

    const off = await browser.get("/admin/two-step");
    expect(off.statusCode).toBe(200);
    expect(textOf(off.body)).toContain("Set up an authenticator app");
    expect(off.body).toContain('data-testid="two-step-status">Off');
    expect((await browser.post("/admin/two-step/setup", {})).headers.location).toBe("/admin/two-step");
    const setup = await browser.get("/admin/two-step");
    expect(setup.body).toMatch(/<svg[^>]*viewBox/);
    const secret = secretOnPage(setup.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(textOf(setup.body)).toContain(`Account: ${staff.username} · Issuer: Gatehouse`);
    // The same secret on a reload, so a person who switched to their app finds it unchanged.
    expect(secretOnPage((await browser.get("/admin/two-step")).body)).toBe(secret);

    const confirmed = await browser.post("/admin/two-step/confirm", { code: totpCodeAt(secret) });
    expect(confirmed.statusCode).toBe(303);
    const on = await browser.follow();
    expect(textOf(on.body)).toContain(say("MFA_ENABLED"));
    expect(on.body).toContain('data-testid="two-step-status">On');
    expect((await auditOf(h, staff.id)).at(-1)?.change_message).toBe(
      "Turned on two-step verification (authenticator app).",
    );
    // Its other session, opened by a password alone, has ended; this one stays.
    expect((await other.get("/admin/")).statusCode).toBe(303);
    expect((await browser.get("/admin/")).statusCode).toBe(200);

    await browser.post("/admin/logout", {});
    const next = await codeStep(staff);
    expect(textOf(next.last?.body ?? "")).toContain(`Signing in as ${staff.username}`);
    const signedIn = await next.post("/admin/login/verify", { code: totpCodeAt(secret, Date.now() + step) });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe("/admin/");
    const home = await next.get("/admin/");
    expect(home.statusCode).toBe(200);
    expect(textOf(home.body)).toContain(`Welcome, ${staff.username}`);
    expect((await h.app.users.findById(staff.id))?.lastLogin).toBeInstanceOf(Date);
  });

  it("opens nothing on a right password alone: the session has only the waiting step, for that person", async () => {
    const staff = await localUser(h, { prefix: "halfway" });
    await withStaffTotp(h, staff);
    const { browser, res } = await passwordStep(staff);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/login/verify");
    for (const url of ["/admin/", "/admin/users", "/admin/two-step"]) {
      expect((await browser.get(url)).headers.location, url).toMatch(/^\/admin\/login\?next=/);
    }
    const rows = await h.database.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", staff.id)
      .execute();
    expect(rows).toEqual([]);
    expect((await h.app.users.findById(staff.id))?.lastLogin).toBeNull();
    const page = await browser.get("/admin/login/verify");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('autocomplete="one-time-code"');
    expect(page.body).toContain('inputmode="numeric"');
  });

  it("keeps `next` through the code step", async () => {
    const staff = await localUser(h, { prefix: "nextcode" });
    const secret = await withStaffTotp(h, staff);
    const browser = browserAt(h);
    await browser.get("/admin/login?next=%2Fadmin%2Faudit-log");
    await browser.post("/admin/login", { username: staff.username, password: staff.password, next: "/admin/two-step" });
    await browser.get("/admin/login/verify");
    const res = await browser.post("/admin/login/verify", { code: totpCodeAt(secret) });
    expect(res.headers.location).toBe("/admin/two-step");
  });

  it("refuses a wrong code, says why, and stays at the code step", async () => {
    const staff = await localUser(h, { prefix: "wrongcode" });
    const secret = await withStaffTotp(h, staff);
    const browser = await codeStep(staff);
    const right = totpCodeAt(secret);
    const wrong = right === "000000" ? "111111" : "000000";
    const res = await browser.post("/admin/login/verify", { code: wrong });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(say("MFA_CODE_INCORRECT"));
    expect(res.body).toContain('aria-invalid="true"');
    expect((await browser.get("/admin/")).statusCode).toBe(303);
    // Spaces as some apps show the code are fine.
    await browser.get("/admin/login/verify");
    const spaced = await browser.post("/admin/login/verify", { code: `${right.slice(0, 3)} ${right.slice(3)}` });
    expect(spaced.statusCode).toBe(303);
  });

  it("refuses an empty or malformed code without counting it towards the lockout", async () => {
    const staff = await localUser(h, { prefix: "badform" });
    const secret = await withStaffTotp(h, staff);
    const browser = await codeStep(staff);
    const empty = await browser.post("/admin/login/verify", { code: " " });
    expect(empty.statusCode).toBe(400);
    expect(textOf(empty.body)).toContain(say("FIELD_REQUIRED"));
    for (const code of ["12345", "1234567", "abcdef", "12345x", "١٢٣٤٥٦"]) {
      const res = await browser.post("/admin/login/verify", { code });
      expect(res.statusCode, code).toBe(400);
      expect(textOf(res.body), code).toContain(say("MFA_CODE_FORMAT"));
    }
    expect((await browser.post("/admin/login/verify", { code: totpCodeAt(secret) })).statusCode).toBe(303);
  });

  it("accepts the code of the step before and after, and refuses codes two steps away", async () => {
    // One staff member per sign-in: each unfinished second step keeps its try in the lockout's count.
    const drifting = async () => {
      const staff = await localUser(h, { prefix: "drift" });
      return { staff, secret: await withStaffTotp(h, staff) };
    };
    for (const offset of [-2 * step, 2 * step + 1000]) {
      const { staff, secret } = await drifting();
      const browser = await codeStep(staff);
      const code = totpCodeAt(secret, Date.now() + offset);
      // Skip the rare draw where a far code happens to equal a near one.
      if (matchTotp(secret, code) !== null) continue;
      expect((await browser.post("/admin/login/verify", { code })).statusCode, String(offset)).toBe(400);
    }
    for (const offset of [-step, step]) {
      const { staff, secret } = await drifting();
      const browser = await codeStep(staff);
      const code = totpCodeAt(secret, Date.now() + offset);
      expect((await browser.post("/admin/login/verify", { code })).statusCode, String(offset)).toBe(303);
    }
  });

  it("refuses a code used once when it is sent again, even from another browser, and an earlier one after a later one", async () => {
    const staff = await localUser(h, { prefix: "replay" });
    const secret = await withStaffTotp(h, staff);
    const code = totpCodeAt(secret);
    const first = await codeStep(staff);
    expect((await first.post("/admin/login/verify", { code })).statusCode).toBe(303);
    const again = await codeStep(staff);
    const replayed = await again.post("/admin/login/verify", { code });
    expect(replayed.statusCode).toBe(400);
    expect(textOf(replayed.body)).toContain(say("MFA_CODE_USED"));
    const stored = await staffTotpRow(h, staff.id);
    expect(Number(stored?.last_used_step)).toBeGreaterThanOrEqual(totpStepAt(Date.now()) - 1);
    // A later code still works; the step before it then no longer does.
    const later = await codeStep(staff);
    expect((await later.post("/admin/login/verify", { code: totpCodeAt(secret, Date.now() + step) })).statusCode).toBe(
      303,
    );
    const earlier = await codeStep(staff);
    expect((await earlier.post("/admin/login/verify", { code: totpCodeAt(secret) })).statusCode).toBe(400);
  });

  it("lets only one of two simultaneous requests with the same code through", async () => {
    const staff = await localUser(h, { prefix: "race" });
    const secret = await withStaffTotp(h, staff);
    const browsers = await Promise.all([codeStep(staff), codeStep(staff)]);
    const code = totpCodeAt(secret);
    const statuses = (await Promise.all(browsers.map((b) => b.post("/admin/login/verify", { code })))).map(
      (r) => r.statusCode,
    );
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(1);
  });

  it("counts wrong codes with wrong passwords in the lockout: the right password does not reset the count, the whole sign-in does", async () => {
    const staff = await localUser(h, { prefix: "codelock" });
    const secret = await withStaffTotp(h, staff);
    const wrong = totpCodeAt(secret) === "000000" ? "999999" : "000000";
    // One try for the password, then codes until the count is full.
    const browser = await codeStep(staff);
    const statuses: number[] = [];
    for (let i = 1; i < lockoutPolicy.maxFailures; i++) {
      statuses.push((await browser.post("/admin/login/verify", { code: wrong })).statusCode);
    }
    expect(statuses.slice(0, -1).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("Too many failed sign-in attempts for this account");
    expect(Number(browser.last?.headers["retry-after"])).toBeGreaterThan(60);
    // Locked: the right code and, from anywhere, the right password are refused.
    expect((await browser.post("/admin/login/verify", { code: totpCodeAt(secret) })).statusCode).toBe(429);
    expect((await passwordStep(staff)).res.statusCode).toBe(429);
  });

  it("clears the count once password and code are right", async () => {
    const staff = await localUser(h, { prefix: "codeclear" });
    const secret = await withStaffTotp(h, staff);
    const wrong = totpCodeAt(secret) === "000000" ? "999999" : "000000";
    const browser = await codeStep(staff);
    await browser.post("/admin/login/verify", { code: wrong });
    await browser.post("/admin/login/verify", { code: wrong });
    expect((await browser.post("/admin/login/verify", { code: totpCodeAt(secret) })).statusCode).toBe(303);
    const count = await h.database.database.db
      .withTables<{ backoffice_login_failures: { username_key: string } }>()
      .selectFrom("backoffice_login_failures")
      .selectAll()
      .where("username_key", "=", staff.username.toLowerCase())
      .execute();
    expect(count).toEqual([]);
  });

  // Which of a burst's requests the server judges first is the scheduler's choice, not the
  // sender's; what atomic counting guarantees is how many are judged at all. So the burst is all
  // wrong codes, and the right one comes after it.
  it("limits a burst of codes exactly as a sequence: of 20 simultaneous wrong codes at most four are judged, and the right code after them is refused", async () => {
    const staff = await localUser(h, { prefix: "codeburst" });
    const secret = await withStaffTotp(h, staff);
    const right = totpCodeAt(secret);
    const wrong = right === "000000" ? "999999" : "000000";
    const browser = await codeStep(staff);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => browser.post("/admin/login/verify", { code: wrong })),
    );
    const statuses = responses.map((r) => r.statusCode);
    // The password took one try of the count; codes get the rest.
    expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(lockoutPolicy.maxFailures - 1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20 - lockoutPolicy.maxFailures + 1);
    expect((await browser.post("/admin/login/verify", { code: right })).statusCode).toBe(429);
  });

  it("sends the code step back to the password after five minutes, and without a password step at all", async () => {
    const staff = await localUser(h, { prefix: "slow" });
    const secret = await withStaffTotp(h, staff);
    const browser = await codeStep(staff);
    const db = h.database.database.db;
    for (const row of await db.selectFrom("sessions").selectAll().where("data", "like", `%${staff.id}%`).execute()) {
      const data = JSON.parse(row.data) as { backofficePending?: { at: number } };
      if (data.backofficePending) data.backofficePending.at -= 5 * 60_000 + 1000;
      await db
        .updateTable("sessions")
        .set({ data: JSON.stringify(data) })
        .where("id", "=", row.id)
        .execute();
    }
    const late = await browser.post("/admin/login/verify", { code: totpCodeAt(secret) });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toMatch(/^\/admin\/login/);
    expect(textOf((await browser.follow()).body)).toContain(say("MFA_SIGN_IN_EXPIRED"));
    expect((await browser.get("/admin/")).statusCode).toBe(303);

    const stranger = browserAt(h);
    for (const url of ["/admin/login/verify", "/admin/login/setup"]) {
      expect((await stranger.get(url)).headers.location, url).toBe("/admin/login");
    }
    await stranger.get("/admin/login");
    expect((await stranger.post("/admin/login/verify", { code: "123456" })).headers.location).toBe("/admin/login");
    expect((await stranger.post("/admin/login/setup", { code: "123456" })).headers.location).toBe("/admin/login");
  });

  it("refuses a code step without its CSRF token", async () => {
    const staff = await localUser(h, { prefix: "csrfcode" });
    const secret = await withStaffTotp(h, staff);
    const browser = await codeStep(staff);
    expect((await browser.post("/admin/login/verify", { code: totpCodeAt(secret), _csrf: "" })).statusCode).toBe(403);
  });

  it("turns the authenticator off with a current code; a wrong or used one is refused and counted", async () => {
    const staff = await localUser(h, { prefix: "turnoff" });
    const secret = await withStaffTotp(h, staff);
    const browser = await adminSignInWithCode(h, staff, secret);
    const page = await browser.get("/admin/two-step");
    expect(textOf(page.body)).toContain("Turn off two-step verification");
    expect(textOf(page.body)).toMatch(/on since \d/);
    const used = await browser.post("/admin/two-step/disable", { code: totpCodeAt(secret) });
    expect(used.statusCode).toBe(400);
    expect(textOf(used.body)).toContain(say("MFA_CODE_USED"));
    const wrong = await browser.post("/admin/two-step/disable", { code: "12345" });
    expect(textOf(wrong.body)).toContain(say("MFA_CODE_FORMAT"));
    const off = await browser.post("/admin/two-step/disable", { code: totpCodeAt(secret, Date.now() + step) });
    expect(off.statusCode).toBe(303);
    expect(textOf((await browser.follow()).body)).toContain(say("MFA_DISABLED"));
    expect(await staffTotpRow(h, staff.id)).toBeUndefined();
    expect((await auditOf(h, staff.id)).at(-1)?.change_message).toBe("Turned off two-step verification.");
    // The password alone is enough again.
    expect((await passwordStep(staff)).res.headers.location).toBe("/admin/");
  });

  it("locks the account after wrong codes on the turn-off form, as at sign-in", async () => {
    const staff = await localUser(h, { prefix: "offlock" });
    const secret = await withStaffTotp(h, staff);
    const browser = await adminSignInWithCode(h, staff, secret);
    await browser.get("/admin/two-step");
    const wrong = totpCodeAt(secret) === "000000" ? "999999" : "000000";
    let last = 0;
    for (let i = 0; i < lockoutPolicy.maxFailures; i++) {
      last = (await browser.post("/admin/two-step/disable", { code: wrong })).statusCode;
    }
    expect(last).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("Too many failed sign-in attempts");
    expect(await staffTotpRow(h, staff.id)).toBeDefined();
  });

  it("cancels a set-up, and a second set-up draws a new secret", async () => {
    const staff = await localUser(h, { prefix: "cancel" });
    const browser = await adminSignIn(h, staff);
    await browser.get("/admin/two-step");
    await browser.post("/admin/two-step/setup", {});
    const first = secretOnPage((await browser.get("/admin/two-step")).body);
    await browser.post("/admin/two-step/setup", {});
    const second = secretOnPage((await browser.get("/admin/two-step")).body);
    expect(second).not.toBe(first);
    const wrong = await browser.post("/admin/two-step/confirm", { code: totpCodeAt(first) });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain(say("MFA_CODE_INCORRECT"));
    expect(secretOnPage(wrong.body)).toBe(second);
    await browser.post("/admin/two-step/cancel", {});
    const cancelled = await browser.get("/admin/two-step");
    expect(textOf(cancelled.body)).toContain(say("MFA_SETUP_CANCELLED"));
    expect(await staffTotpRow(h, staff.id)).toBeUndefined();
    const stale = await browser.post("/admin/two-step/confirm", { code: totpCodeAt(second) });
    expect(stale.headers.location).toBe("/admin/two-step");
    expect(textOf((await browser.follow()).body)).toContain(say("MFA_NOT_PENDING"));
    // A set-up never confirmed does not stand in the way of signing in.
    await browser.post("/admin/two-step/setup", {});
    expect((await passwordStep(staff)).res.headers.location).toBe("/admin/");
  });

  it("keeps a secret on when it is on: set-up is refused with a note", async () => {
    const staff = await localUser(h, { prefix: "twice" });
    const secret = await withStaffTotp(h, staff);
    const browser = await adminSignInWithCode(h, staff, secret);
    await browser.get("/admin/two-step");
    await browser.post("/admin/two-step/setup", {});
    expect(textOf((await browser.follow()).body)).toContain(say("MFA_ALREADY_ON"));
    expect((await staffTotpRow(h, staff.id))?.confirmed_at).not.toBeNull();
  });

  it("lets a superuser reset another staff member's authenticator after a confirmation page: their sessions end", async () => {
    const root = await superuserBrowser(h);
    const staff = await localUser(h, { prefix: "lostphone" });
    const secret = await withStaffTotp(h, staff);
    const theirs = await adminSignInWithCode(h, staff, secret);
    const change = await root.browser.get(`/admin/users/${staff.id}`);
    const panel = textOf(/data-testid="two-step-panel"[\s\S]*?<\/section>/.exec(change.body)?.[0] ?? "");
    expect(panel).toContain("On since");
    expect(panel).toContain("Reset…");
    const confirm = await root.browser.get(`/admin/users/${staff.id}/two-step/reset`);
    expect(confirm.statusCode).toBe(200);
    expect(textOf(confirm.body)).toContain("Are you sure?");
    expect(await staffTotpRow(h, staff.id)).toBeDefined();
    const res = await root.browser.post(`/admin/users/${staff.id}/two-step/reset`, {});
    expect(res.headers.location).toBe(`/admin/users/${staff.id}`);
    expect(textOf((await root.browser.follow()).body)).toContain(say("MFA_RESET", { username: staff.username }));
    expect(await staffTotpRow(h, staff.id)).toBeUndefined();
    expect((await theirs.get("/admin/")).statusCode).toBe(303);
    expect((await auditOf(h, staff.id)).at(-1)).toMatchObject({
      actor_id: root.user.id,
      action: "change",
      change_message: "Reset two-step verification (authenticator app); sessions ended.",
    });
    // Nothing left to reset: a note, not a confirmation page.
    const again = await root.browser.get(`/admin/users/${staff.id}/two-step/reset`);
    expect(again.statusCode).toBe(303);
    expect(textOf((await root.browser.follow()).body)).toContain(
      say("MFA_NOTHING_TO_RESET", { username: staff.username }),
    );
  });

  it("refuses the reset to staff who are not superusers (in the audit log), and to a superuser for their own", async () => {
    const manager = await localUser(h, {
      prefix: "manager",
      permissions: ["accounts.view_user", "accounts.change_user", "accounts.manage_staff"],
    });
    const browser = await adminSignIn(h, manager);
    const staff = await localUser(h, { prefix: "kept" });
    await withStaffTotp(h, staff);
    const page = await browser.get(`/admin/users/${staff.id}`);
    expect(textOf(/data-testid="two-step-panel"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? "")).not.toContain(
      "Reset…",
    );
    const view = await browser.get(`/admin/users/${staff.id}/two-step/reset`);
    expect(view.statusCode).toBe(403);
    const post = await browser.post(`/admin/users/${staff.id}/two-step/reset`, {});
    expect(post.statusCode).toBe(403);
    expect(await staffTotpRow(h, staff.id)).toBeDefined();
    expect((await auditOf(h, staff.id)).at(-1)).toMatchObject({
      actor_id: manager.id,
      action: "refuse",
      change_message: `Refused: reset two-step verification. ${say("MFA_RESET_SUPERUSER_ONLY")}`,
    });

    const root = await localUser(h, { prefix: "selfroot", superuser: true });
    const secret = await withStaffTotp(h, root);
    const own = await adminSignInWithCode(h, root, secret);
    await own.get("/admin/");
    const self = await own.post(`/admin/users/${root.id}/two-step/reset`, {});
    expect(self.statusCode).toBe(403);
    expect((await auditOf(h, root.id)).at(-1)?.change_message).toBe(
      `Refused: reset two-step verification. ${say("MFA_RESET_SELF")}`,
    );
    expect(await staffTotpRow(h, root.id)).toBeDefined();
  });

  it("does not let a secret that no key opens become 'no second factor': the code step says to ask for a reset", async () => {
    const staff = await localUser(h, { prefix: "unreadable" });
    await storeTotpRow(
      h,
      staff.id,
      secretBox(["a secret this server never had"], "backoffice-totp").seal(newTotpSecret(), staff.id),
    );
    const browser = await codeStep(staff);
    const res = await browser.post("/admin/login/verify", { code: "123456" });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(say("MFA_UNREADABLE"));
    expect((await browser.get("/admin/")).statusCode).toBe(303);
  });

  it("keeps the secret sealed in the database, bound to its row", async () => {
    const staff = await localUser(h, { prefix: "sealed" });
    const secret = await withStaffTotp(h, staff);
    const row = await staffTotpRow(h, staff.id);
    expect(row?.secret).not.toContain(secret);
    expect(row?.secret).toMatch(/^v1\.[\w-]{8}\.[\w-]+\.[\w-]+$/);
    // Copied onto another staff member's row, it opens nothing: their sign-in is refused.
    const thief = await localUser(h, { prefix: "copier" });
    await storeTotpRow(h, thief.id, row!.secret);
    const browser = await codeStep(thief);
    expect(textOf((await browser.post("/admin/login/verify", { code: totpCodeAt(secret) })).body)).toContain(
      say("MFA_UNREADABLE"),
    );
  });

  it("reseals secrets sealed under a retired SESSION_SECRET with the current one", async () => {
    const db = h.database.database.db;
    const staff = await localUser(h, { prefix: "rotated" });
    const secret = newTotpSecret();
    const old = secretBox(["the retired secret"], "backoffice-totp");
    await storeTotpRow(h, staff.id, old.seal(secret, staff.id));
    const rotating = secretBox(["the new secret", "the retired secret"], "backoffice-totp");
    const repository = staffTotp(db, rotating);
    const { resealed } = await repository.reseal();
    expect(resealed).toBeGreaterThanOrEqual(1);
    const row = await staffTotpRow(h, staff.id);
    expect(secretBox(["the new secret"], "backoffice-totp").open(row!.secret, staff.id)).toEqual({
      plaintext: secret,
      current: true,
    });
    expect((await repository.reseal()).resealed).toBe(0);
  });
});

describe.each(["sqlite", "postgres"] as const)("BACKOFFICE_REQUIRE_MFA (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { backoffice: { requireMfa: true } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  const signInFrom = async (user: LocalUser): Promise<TestBrowser> => {
    const browser = browserAt(h);
    await browser.get("/admin/login");
    await browser.post("/admin/login", { username: user.username, password: user.password });
    return browser;
  };

  it("has staff without an authenticator set one up after their password, before the back office opens", async () => {
    const staff = await localUser(h, { prefix: "mustenrol" });
    const browser = await signInFrom(staff);
    expect(browser.last?.headers.location).toBe("/admin/login/setup");
    expect((await browser.get("/admin/")).statusCode).toBe(303);
    const page = await browser.get("/admin/login/setup");
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain(say("MFA_REQUIRED_SETUP"));
    expect(page.body).toMatch(/<svg[^>]*viewBox/);
    const secret = secretOnPage(page.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const wrong = await browser.post("/admin/login/setup", {
      code: totpCodeAt(secret) === "000000" ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain(say("MFA_CODE_INCORRECT"));
    expect(secretOnPage(wrong.body)).toBe(secret);
    expect((await browser.post("/admin/login/setup", { code: "" })).statusCode).toBe(400);

    const done = await browser.post("/admin/login/setup", { code: totpCodeAt(secret) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/admin/");
    const home = await browser.follow();
    expect(home.statusCode).toBe(200);
    expect(textOf(home.body)).toContain(say("MFA_ENABLED"));
    expect((await auditOf(h, staff.id)).at(-1)?.change_message).toContain(
      "at sign-in, as BACKOFFICE_REQUIRE_MFA requires",
    );

    // From now on: the code step, and the two-step page offers no way to turn it off.
    const next = await signInFrom(staff);
    expect(next.last?.headers.location).toBe("/admin/login/verify");
    await next.get("/admin/login/verify");
    expect((await next.post("/admin/login/verify", { code: totpCodeAt(secret, Date.now() + step) })).statusCode).toBe(
      303,
    );
    const own = await next.get("/admin/two-step");
    expect(textOf(own.body)).toContain(say("MFA_REQUIRED_CANNOT_DISABLE"));
    expect(own.body).not.toContain('action="/admin/two-step/disable"');
    const refused = await next.post("/admin/two-step/disable", { code: totpCodeAt(secret) });
    expect(refused.statusCode).toBe(400);
    expect(await staffTotpRow(h, staff.id)).toBeDefined();
  });

  it("sends a staff member with an authenticator to the code step, and one at the set-up step back there if they went to the other", async () => {
    const staff = await localUser(h, { prefix: "hasone" });
    await withStaffTotp(h, staff);
    const browser = await signInFrom(staff);
    expect(browser.last?.headers.location).toBe("/admin/login/verify");
    expect((await browser.get("/admin/login/setup")).headers.location).toBe("/admin/login/verify");

    const newcomer = await localUser(h, { prefix: "newcomer" });
    const other = await signInFrom(newcomer);
    expect((await other.get("/admin/login/verify")).headers.location).toBe("/admin/login/setup");
  });

  it("moves a set-up at sign-in to the code step when the authenticator was turned on meanwhile", async () => {
    const staff = await localUser(h, { prefix: "meanwhile" });
    const browser = await signInFrom(staff);
    // The set-up page makes its secret on first sight; it is then confirmed behind the page's back.
    await browser.get("/admin/login/setup");
    await h.database.database.db
      .withTables<{ backoffice_totp: { user_id: string; confirmed_at: string | null } }>()
      .updateTable("backoffice_totp")
      .set({ confirmed_at: new Date().toISOString() })
      .where("user_id", "=", staff.id)
      .execute();
    expect((await browser.get("/admin/login/setup")).headers.location).toBe("/admin/login/verify");
  });
});

describe("sealed secrets", () => {
  const box = secretBox(["current-secret-of-at-least-32-characters"], "backoffice-totp");

  it("open with the key and context they were sealed with", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP", "user-1");
    expect(box.open(sealed, "user-1")).toEqual({ plaintext: "JBSWY3DPEHPK3PXP", current: true });
    expect(box.seal("JBSWY3DPEHPK3PXP", "user-1")).not.toBe(sealed);
  });

  it("refuse another context, another purpose, an unknown key, a changed byte and a bad shape", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP", "user-1");
    expect(box.open(sealed, "user-2")).toBeNull();
    expect(secretBox(["current-secret-of-at-least-32-characters"], "other").open(sealed, "user-1")).toBeNull();
    expect(secretBox(["another secret"], "backoffice-totp").open(sealed, "user-1")).toBeNull();
    const [v, id, iv, body] = sealed.split(".");
    const flipped = `${body!.slice(0, -2)}${body!.endsWith("A") ? "B" : "A"}${body!.slice(-1)}`;
    expect(box.open([v, id, iv, flipped].join("."), "user-1")).toBeNull();
    for (const bad of ["", "v1", "v2.x.y.z", `${sealed}.extra`, "v1.abcdefgh.!!.??"]) {
      expect(box.open(bad, "user-1"), bad).toBeNull();
    }
  });

  it("open what a retired secret sealed, saying it is not current", () => {
    const retired = secretBox(["old-secret"], "backoffice-totp").seal("SECRET", "u");
    const rotating = secretBox(["new-secret", "old-secret"], "backoffice-totp");
    expect(rotating.open(retired, "u")).toEqual({ plaintext: "SECRET", current: false });
    expect(rotating.open(rotating.seal("SECRET", "u"), "u")).toEqual({ plaintext: "SECRET", current: true });
  });
});
