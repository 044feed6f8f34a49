/**
 * `/admin/login` and `/admin/logout` on SQLite and PostgreSQL: the happy flow first, then who is
 * refused (and that they all read alike), the lockout, the per-address limit, `next`, CSRF, and
 * a hash with old work factors renewed at sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, parsePasswordHash } from "../src/backoffice/passwords.ts";
import { lockoutPolicy } from "../src/backoffice/lockout.ts";
import { say } from "../src/backoffice/messages.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { browserAt, CognitoAdmin, offSiteNexts, uniqueAddress, uniqueName } from "./accounts-fixtures.ts";
import { adminSignIn, localUser } from "./backoffice-fixtures.ts";
import { signedInPerson } from "./signed-in.ts";

const sessionCookie = (cookieHeader: string): string | undefined => /(?:^|; )gatehouse=([^;]+)/.exec(cookieHeader)?.[1];

describe.each(["sqlite", "postgres"] as const)("back-office sign-in (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database });
  });
  afterAll(async () => {
    await h.stop();
  });

  const attempt = async (username: string, password: string, address = uniqueAddress()) => {
    const browser = browserAt(h, address);
    await browser.get("/admin/login");
    return { browser, res: await browser.post("/admin/login", { username, password }) };
  };

  it("signs a staff user in with their local password: new session id, last login noted, to the home page", async () => {
    const staff = await localUser(h, { prefix: "ada" });
    const browser = browserAt(h);
    const page = await browser.get("/admin/login");
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain("Back-office sign-in");
    expect(page.body).toContain('name="_csrf"');
    const before = sessionCookie(browser.cookieHeader);

    const res = await browser.post("/admin/login", {
      username: staff.username.toUpperCase(),
      password: staff.password,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/");
    expect(sessionCookie(browser.cookieHeader)).not.toBe(before);
    const row = await h.app.users.findById(staff.id);
    expect(row?.lastLogin).toBeInstanceOf(Date);

    const home = await browser.get("/admin/");
    expect(home.statusCode).toBe(200);
    expect(textOf(home.body)).toContain("Site administration");
    expect(textOf(home.body)).toContain(`Welcome, ${staff.username}`);
  });

  it("sends an anonymous visitor of any back-office page to the sign-in page and back there afterwards", async () => {
    const staff = await localUser(h);
    const browser = browserAt(h);
    const res = await browser.get("/admin/users?is_staff=1");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/users?is_staff=1")}`);
    const login = await browser.follow();
    expect(textOf(login.body)).toContain(say("LOGIN_REQUIRED"));
    expect(login.body).toContain('name="next" value="/admin/users?is_staff=1"');
    const signedIn = await browser.post("/admin/login", {
      username: staff.username,
      password: staff.password,
      next: "/admin/users?is_staff=1",
    });
    expect(signedIn.headers.location).toBe("/admin/users?is_staff=1");
    expect((await browser.get("/admin")).headers.location).toBe("/admin/");
  });

  // One sign-in per `next` (a scrypt check each): slow on a busy machine, so a longer limit.
  it("keeps `next` on this site", { timeout: 60_000 }, async () => {
    const staff = await localUser(h);
    for (const next of ["https://evil.example/admin/", ...offSiteNexts]) {
      const browser = browserAt(h);
      await browser.get("/admin/login");
      const res = await browser.post("/admin/login", { username: staff.username, password: staff.password, next });
      expect(res.headers.location, next).toBe("/admin/");
    }
  });

  it("refuses a wrong password with Django's message, keeping the username and never the password", async () => {
    const staff = await localUser(h);
    const { browser, res } = await attempt(staff.username, "Wrong-Password-99");
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(say("LOGIN_INCORRECT"));
    expect(res.body).toContain(`value="${staff.username}"`);
    expect(res.body).not.toContain("Wrong-Password-99");
    expect((await browser.get("/admin/")).statusCode).toBe(303);
  });

  it("answers an unknown user, a non-staff user, an inactive one and one without a local password exactly as a wrong password", async () => {
    const known = await localUser(h);
    const wrong = await attempt(known.username, "Wrong-Password-99");
    const answerOf = async (username: string, password: string) => {
      const { res } = await attempt(username, password);
      return { status: res.statusCode, text: textOf(res.body).replace(username, "NAME") };
    };
    const expected = { status: wrong.res.statusCode, text: textOf(wrong.res.body).replace(known.username, "NAME") };
    const customer = await localUser(h, { prefix: "customer", staff: false });
    const inactive = await localUser(h, { prefix: "inactive", active: false });
    const cognitoOnly = await localUser(h, { prefix: "cognitoonly", usablePassword: false });
    expect(await answerOf(uniqueName("nobody"), "Wrong-Password-99")).toEqual(expected);
    expect(await answerOf(customer.username, customer.password)).toEqual(expected);
    expect(await answerOf(inactive.username, inactive.password)).toEqual(expected);
    expect(await answerOf(cognitoOnly.username, "Any-Password-123")).toEqual(expected);
  });

  it("shows 'This field is required.' under each empty field", async () => {
    const { res } = await attempt("  ", "");
    expect(res.statusCode).toBe(400);
    expect(res.body.match(/This field is required\./g)).toHaveLength(2);
    expect(res.body).toContain('aria-invalid="true"');
  });

  it("locks a username after repeated failures, says until when, refuses even the right password, and lets it in after the lock", async () => {
    const staff = await localUser(h, { prefix: "locked" });
    for (let i = 1; i < lockoutPolicy.maxFailures; i++) {
      expect((await attempt(staff.username, `Wrong-Password-${i}`)).res.statusCode).toBe(400);
    }
    const locking = (await attempt(staff.username, "Wrong-Password-last")).res;
    expect(locking.statusCode).toBe(429);
    expect(Number(locking.headers["retry-after"])).toBeGreaterThan(60);
    expect(textOf(locking.body)).toContain("Too many failed sign-in attempts for this account. It is locked until");

    // From a new address and with the right password: still locked.
    const right = (await attempt(staff.username, staff.password)).res;
    expect(right.statusCode).toBe(429);
    expect(textOf(right.body)).toContain("locked until");

    // The lock ends: the right password works, and the count starts again.
    await h.database.database.db
      .withTables<{ backoffice_login_failures: { username_key: string; locked_until: string | null } }>()
      .updateTable("backoffice_login_failures")
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where("username_key", "=", staff.username.toLowerCase())
      .execute();
    expect((await attempt(staff.username, staff.password)).res.statusCode).toBe(303);
    expect((await attempt(staff.username, "Wrong-Password-again")).res.statusCode).toBe(400);
  });

  it("limits a burst exactly as a sequence: of 100 simultaneous tries only the first five check a password, the right one sent 96th and one sent after are refused", async () => {
    const staff = await localUser(h, { prefix: "burst" });
    const browsers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const browser = browserAt(h);
        await browser.get("/admin/login");
        return browser;
      }),
    );
    const responses = await Promise.all(
      browsers.map((browser, i) =>
        browser.post("/admin/login", {
          username: staff.username,
          password: i === 95 ? staff.password : `Wrong-Password-${i}`,
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 303)).toHaveLength(0);
    expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(lockoutPolicy.maxFailures - 1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - lockoutPolicy.maxFailures + 1);
    const after = (await attempt(staff.username, staff.password)).res;
    expect(after.statusCode).toBe(429);
    expect(textOf(after.body)).toContain("locked until");
  });

  it("locks a made-up username the same way, so a lock tells nobody who has an account", async () => {
    const name = uniqueName("ghost");
    let last;
    for (let i = 0; i < lockoutPolicy.maxFailures; i++) last = (await attempt(name, `Wrong-Password-${i}`)).res;
    expect(last?.statusCode).toBe(429);
    expect(textOf(last?.body ?? "")).toContain("locked until");
  });

  it("limits sign-in attempts per client address (30 a minute) with the 429 page", async () => {
    const address = uniqueAddress();
    const browser = browserAt(h, address);
    await browser.get("/admin/login");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await browser.post("/admin/login", { username: `someone${i}`, password: "" })).statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("Too many requests");
    // Another address is not affected.
    expect((await attempt("someone", "")).res.statusCode).toBe(400);
  });

  it("refuses a sign-in form without its CSRF token", async () => {
    const staff = await localUser(h);
    const browser = browserAt(h);
    await browser.get("/admin/login");
    const res = await browser.post("/admin/login", { username: staff.username, password: staff.password, _csrf: "" });
    expect(res.statusCode).toBe(403);
  });

  it("signs out: the session ends and the back office asks to sign in again", async () => {
    const staff = await localUser(h);
    const browser = await adminSignIn(h, staff);
    await browser.get("/admin/");
    const res = await browser.post("/admin/logout", {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/login");
    expect(textOf((await browser.follow()).body)).toContain(say("SIGNED_OUT"));
    expect((await browser.get("/admin/")).statusCode).toBe(303);
  });

  it("tells a person signed in to the site but not staff why the back office sends them to its sign-in page", async () => {
    const admin = new CognitoAdmin(h);
    try {
      const { account, browser } = await signedInPerson(h, admin, "member");
      const res = await browser.get("/admin/");
      expect(res.statusCode).toBe(303);
      const page = await browser.follow();
      expect(textOf(page.body)).toContain(
        `You are signed in as ${account.username}, but are not authorized to access this page.`,
      );
    } finally {
      admin.destroy();
    }
  });

  it("does not open the back office to a Cognito sign-in on the site, even for a staff account with a local password", async () => {
    const admin = new CognitoAdmin(h);
    try {
      const { account, browser, userId } = await signedInPerson(h, admin, "cognitostaff");
      const staffHash = await hashPassword("Local-Staff-Password-1");
      await h.database.database.db
        .updateTable("users")
        .set({ is_staff: true, is_superuser: true, password_hash: staffHash })
        .where("id", "=", userId)
        .execute();
      expect((await browser.get("/dashboard")).statusCode).toBe(200);
      for (const url of ["/admin/", "/admin/users", `/admin/users/${userId}/password`]) {
        const res = await browser.get(url);
        expect(res.statusCode, url).toBe(303);
        expect(res.headers.location, url).toMatch(/^\/admin\/login\?next=/);
      }
      const login = await browser.get("/admin/login");
      expect(login.statusCode).toBe(200);
      expect(textOf(login.body)).toContain(say("BACKOFFICE_SIGN_IN_REQUIRED", { username: account.username }));
      const post = await browser.post(`/admin/users/${userId}/password`, {
        password1: "Another-Password-77",
        password2: "Another-Password-77",
      });
      expect(post.statusCode).toBe(303);
      expect(post.headers.location).toBe("/admin/login?next=%2Fadmin%2F");
      expect((await h.app.users.findById(userId))?.passwordHash).toBe(staffHash);
      // Their own back-office sign-in still works, from the same browser.
      const signedIn = await browser.post("/admin/login", {
        username: account.username,
        password: "Local-Staff-Password-1",
      });
      expect(signedIn.headers.location).toBe("/admin/");
      expect((await browser.get("/admin/")).statusCode).toBe(200);
    } finally {
      admin.destroy();
    }
  });

  it("turns a staff user away at their next request once they are deactivated or lose staff status or their password", async () => {
    const db = h.database.database.db;
    for (const change of [{ is_active: false }, { is_staff: false }, { password_hash: null }] as const) {
      const staff = await localUser(h);
      const browser = await adminSignIn(h, staff);
      expect((await browser.get("/admin/")).statusCode).toBe(200);
      await db.updateTable("users").set(change).where("id", "=", staff.id).execute();
      expect((await browser.get("/admin/")).statusCode, JSON.stringify(change)).toBe(303);
    }
  });

  it("renews a hash made with older work factors when its owner signs in", async () => {
    const staff = await localUser(h);
    const old = await hashPassword(staff.password, { cost: 2 ** 12, blockSize: 8, parallelism: 1 });
    await h.database.database.db.updateTable("users").set({ password_hash: old }).where("id", "=", staff.id).execute();
    await adminSignIn(h, staff);
    const stored = (await h.app.users.findById(staff.id))?.passwordHash ?? "";
    expect(stored).not.toBe(old);
    expect(parsePasswordHash(stored)?.params).toEqual({ cost: 2 ** 15, blockSize: 8, parallelism: 3 });
  });
});
