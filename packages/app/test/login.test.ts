/**
 * `/login` and `/logout` against the running emulator, on SQLite and PostgreSQL: the happy flow
 * first, then each Cognito answer and each kind of bad input.
 */
import { manualClock } from "@gatehouse/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountLimits } from "../src/accounts/rate-limits.ts";
import { t } from "../src/accounts/messages.ts";
import { unstorableTextMessage } from "../src/unstorable-text.ts";
import { csrfTokenIn, startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import {
  browserAt,
  CognitoAdmin,
  latestCode,
  limitedAnswers,
  newAccount,
  offSiteNexts,
  sentCount,
  simultaneousPosts,
  uniqueAddress,
  uniqueName,
} from "./accounts-fixtures.ts";

const sessionCookie = (cookieHeader: string): string | undefined => /(?:^|; )gatehouse=([^;]+)/.exec(cookieHeader)?.[1];

describe.each(["sqlite", "postgres"] as const)("signing in and out (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("signs a person in by username: new session id, local user synced, welcome, to the dashboard", async () => {
    const account = await admin.confirmed(newAccount("alice"));
    const browser = browserAt(h);
    const page = await browser.get("/login");
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain("Username or email");
    expect(page.body).toContain('name="_csrf"');
    const before = sessionCookie(browser.cookieHeader);
    expect(before).toBeDefined();

    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/dashboard");
    expect(sessionCookie(browser.cookieHeader)).not.toBe(before);

    const user = await h.app.users.findByUsername(account.username);
    expect(user).toMatchObject({ username: account.username, email: account.email, emailVerified: true });
    expect(user?.cognitoSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(user?.lastLogin).toBeInstanceOf(Date);

    const home = textOf((await browser.get("/")).body);
    expect(home).toContain(`Welcome back, ${account.username}.`);
    expect(home).toContain(`Signed in as ${account.username}`);
  });

  it("refuses a Cognito sign-up that picked a local account's username, and hands it nothing", async () => {
    const account = newAccount("boss");
    const now = new Date().toISOString();
    // A local superuser (createsuperuser's kind: a local password, no Cognito sub).
    await h.database.database.db
      .insertInto("users")
      .values({
        id: "5d1b8c62-0000-4000-8000-00000000b055",
        username: account.username,
        username_key: account.username.toLowerCase(),
        email: `root-${account.email}`,
        email_key: `root-${account.email}`.toLowerCase(),
        email_verified: true,
        is_active: true,
        is_staff: true,
        is_superuser: true,
        password_hash: "scrypt$32768$c2FsdHNhbHRzYWx0$8$3$aGFzaGhhc2hoYXNoaGFzaA==",
        created_at: now,
        updated_at: now,
      })
      .execute();
    await admin.confirmed(account);
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain(t("ACCOUNT_CONFLICT"));
    const row = await h.app.users.findByUsername(account.username);
    expect(row?.cognitoSub).toBeNull();
    expect((await browser.get("/dashboard")).statusCode).toBe(303);
  });

  it("signs a person in by email address, as the same local user", async () => {
    const account = await admin.confirmed(newAccount("byemail"));
    const first = browserAt(h);
    await first.get("/login");
    expect((await first.post("/login", { username: account.username, password: account.password })).statusCode).toBe(
      303,
    );
    const second = browserAt(h);
    await second.get("/login");
    const res = await second.post("/login", { username: account.email.toUpperCase(), password: account.password });
    expect(res.statusCode).toBe(303);
    expect(textOf((await second.get("/")).body)).toContain(`Signed in as ${account.username}`);
    const rows = await h.database.database.db
      .selectFrom("users")
      .select("id")
      .where("email_key", "=", account.email.toLowerCase())
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("sends a person to a same-site `next` and nowhere else", async () => {
    const account = await admin.confirmed(newAccount("next"));
    const browser = browserAt(h);
    const page = await browser.get("/login?next=%2Faccount%3Ftab%3Dsecurity");
    expect(page.body).toContain('name="next" value="/account?tab=security"');
    // The form carries `next` in a hidden field, as a browser submits it.
    const res = await browser.post("/login", {
      username: account.username,
      password: account.password,
      next: "/account?tab=security",
    });
    expect(res.headers.location).toBe("/account?tab=security");

    const other = browserAt(h);
    await other.get("/login");
    const answer = await other.post("/login", {
      username: account.username,
      password: account.password,
      next: "/..//evil.example",
    });
    expect(answer.headers.location).toBe("/dashboard");
    // Signed in, /login sends the person straight on: the same check, without a password try each.
    for (const next of offSiteNexts) {
      const onward = await browser.get(`/login?next=${encodeURIComponent(next)}`);
      expect(onward.headers.location, next).toBe("/dashboard");
    }
  });

  it("sends a person who is already signed in on to where they were going", async () => {
    const account = await admin.confirmed(newAccount("already"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    const res = await browser.get("/login?next=/account");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/account");
  });

  it("says 'Incorrect username or password.' for a wrong password, keeping the username but never the password", async () => {
    const account = await admin.confirmed(newAccount("wrongpw"));
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: "Not-The-Password-1" });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain("Incorrect username or password.");
    expect(res.body).toContain(`value="${account.username}"`);
    expect(res.body).not.toContain("Not-The-Password-1");
    expect(sessionCookie(browser.cookieHeader)).toBeDefined();
    expect(textOf((await browser.get("/")).body)).not.toContain("Signed in as");
  });

  it("answers an unknown user exactly as a wrong password (no user enumeration)", async () => {
    const account = await admin.confirmed(newAccount("known"));
    const unknown = uniqueName("nobody");
    const answer = async (username: string) => {
      const browser = browserAt(h);
      await browser.get("/login");
      const res = await browser.post("/login", { username, password: "Some-Password-1" });
      return { status: res.statusCode, text: textOf(res.body).replace(username, "NAME") };
    };
    const wrong = await answer(account.username);
    const missing = await answer(unknown);
    expect(missing).toEqual(wrong);
  });

  it("shows 'This field is required.' under each empty field", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: "  ", password: "" });
    expect(res.statusCode).toBe(400);
    expect(res.body.match(/This field is required\./g)).toHaveLength(2);
    expect(res.body).toContain('aria-invalid="true"');
  });

  it("refuses huge, repeated, unicode and malformed input with a message, never a 500", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    const cases: Record<string, string>[] = [
      { username: "x".repeat(5000), password: "Some-Password-1" },
      { username: "someone", password: "p".repeat(5000) },
      { username: "名前ü🙂", password: "Pässwörd-🙂-1" },
      { username: "with space", password: "Some-Password-1" },
    ];
    for (const form of cases) {
      const res = await browser.post("/login", form);
      expect(res.statusCode, JSON.stringify(form).slice(0, 40)).toBe(400);
      expect(textOf(res.body)).toContain("Incorrect username or password.");
    }
    // A NUL is refused before any form sees it (unstorable-text.ts).
    const nul = await browser.post("/login", { username: "nul\u0000byte", password: "Some-Password-1" });
    expect(nul.statusCode).toBe(400);
    expect(textOf(nul.body)).toContain(unstorableTextMessage);
    // A repeated field is read as its first value; a repeated CSRF token is no token.
    const address = uniqueAddress();
    const visitor = browserAt(h, address);
    const token = csrfTokenIn((await visitor.get("/login")).body) ?? "";
    const raw = (payload: string) =>
      h.app.inject({
        method: "POST",
        url: "/login",
        remoteAddress: address,
        payload,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: visitor.cookieHeader },
      });
    const repeated = await raw(`_csrf=${token}&username=a&username=b&password=Some-Pass-1&password=x`);
    expect(repeated.statusCode).toBe(400);
    expect(textOf(repeated.body)).toContain("Incorrect username or password.");
    expect(repeated.body).toContain('value="a"');
    const doubleToken = await raw(`_csrf=${token}&_csrf=${token}&username=a&password=Some-Pass-1`);
    expect(doubleToken.statusCode).toBe(403);
    const tooLarge = await browser.post("/login", { username: "x", password: "y".repeat(70_000) });
    expect(tooLarge.statusCode).toBe(413);
    expect(textOf(tooLarge.body)).toContain("What you sent is larger than this site accepts.");
  });

  it("refuses a form without its CSRF token, or with a wrong one, with the 403 page", async () => {
    const account = await admin.confirmed(newAccount("csrf"));
    const browser = browserAt(h);
    await browser.get("/login");
    const missing = await browser.post("/login", { username: account.username, password: account.password, _csrf: "" });
    expect(missing.statusCode).toBe(403);
    expect(missing.headers["content-type"]).toContain("text/html");
    expect(textOf(missing.body)).toContain("or the form expired");
    await browser.get("/login");
    const wrong = await browser.post("/login", {
      username: account.username,
      password: account.password,
      _csrf: "forged-token",
    });
    expect(wrong.statusCode).toBe(403);
    // A fresh visitor with no session at all.
    const stranger = await browserAt(h).post("/login", { username: account.username, password: account.password });
    expect(stranger.statusCode).toBe(403);
  });

  it("takes an unconfirmed person to /confirm, sends a fresh code and remembers the username", async () => {
    const account = await admin.unconfirmed(newAccount("unconf"));
    const sentBefore = sentCount(h, account.username);
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/confirm");
    expect(sentCount(h, account.username)).toBe(sentBefore + 1);
    expect(h.emulator.outbox.latest(account.username)?.kind).toBe("RESEND_CODE");
    const rows = await h.database.database.db.selectFrom("sessions").select("data").execute();
    expect(rows.some((row) => JSON.parse(row.data).pendingUsername === account.username)).toBe(true);
  });

  // Cognito answers UserNotConfirmedException before it checks the password (AWS in
  // amazon-cognito-identity-js#288: "intended behavior"; the emulator follows it since de335b7),
  // so no app can hide an unconfirmed account from someone who types its username: the page
  // leads to the confirmation step whatever the password. What the app still owes is that the
  // step itself grants nothing without the code, and that it is rate limited like sign-in.
  it("leads an unconfirmed account to the confirmation step whatever the password, as Cognito answers, granting nothing", async () => {
    const account = await admin.unconfirmed(newAccount("unconfwrong"));
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: "Wrong-Password-1" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/confirm");
    expect(textOf((await browser.get("/")).body)).not.toContain("Signed in as");
  });

  it("takes a person whose password was reset by an administrator to /reset-password with a new code", async () => {
    const account = await admin.resetRequired(newAccount("resetreq"));
    const adminCode = latestCode(h, account.username);
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/reset-password");
    const message = h.emulator.outbox.latest(account.username);
    expect(message?.kind).toBe("FORGOT_PASSWORD");
    expect(message?.code).not.toBe(adminCode);
  });

  it("takes a person created by an administrator to /new-password", async () => {
    const account = newAccount("invited");
    await admin.adminCreated(account, "Temporary-Pass-1");
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: "Temporary-Pass-1" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/new-password");
    expect(textOf((await browser.get("/")).body)).not.toContain("Signed in as");
  });

  it("lets a person created by an administrator choose a password and signs them in where they were going", async () => {
    const account = newAccount("chooser");
    await admin.adminCreated(account, "Temporary-Pass-1");
    const browser = browserAt(h);
    await browser.get("/login?next=/account");
    await browser.post("/login", { username: account.username, password: "Temporary-Pass-1", next: "/account" });
    const page = await browser.follow();
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain("Your account was set up with a temporary password.");
    expect(text).toContain(`You are signing in as ${account.username}.`);
    expect(text).toContain("At least 8 characters, including an upper-case letter, a lower-case letter, and a number.");

    const weak = await browser.post("/new-password", { password: "weak", password2: "weak" });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/id="field-password-error">Use at least 8 characters\./);
    const differ = await browser.post("/new-password", { password: account.password, password2: "Other-Pass-1" });
    expect(differ.body).toMatch(/id="field-password2-error">The two passwords do not match\./);
    expect(differ.body).not.toContain(account.password);

    const res = await browser.post("/new-password", { password: account.password, password2: account.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/account");
    expect(textOf((await browser.get("/")).body)).toContain(`Signed in as ${account.username}`);
    expect(await h.app.users.findByUsername(account.username)).toMatchObject({ email: account.email });
    // The challenge is spent: the page is gone, and the new password is the password now.
    expect((await browser.get("/new-password")).headers.location).toBe("/login");
    await expect(admin.signIn(account.username, account.password)).resolves.toHaveProperty("AuthenticationResult");
  });

  it("sends a visitor without a pending challenge from /new-password to sign in", async () => {
    const browser = browserAt(h);
    const page = await browser.get("/new-password");
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe("/login");
    await browser.get("/login");
    const res = await browser.post("/new-password", { password: "Some-Pass-1", password2: "Some-Pass-1" });
    expect(res.statusCode).toBe(303);
    expect(textOf((await browser.follow()).body)).toContain("This step took too long. Please sign in again.");
  });

  it("refuses a new password without the CSRF token with the 403 page", async () => {
    const account = newAccount("csrfnew");
    await admin.adminCreated(account, "Temporary-Pass-1");
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: "Temporary-Pass-1" });
    await browser.follow();
    const res = await browser.post("/new-password", {
      password: account.password,
      password2: account.password,
      _csrf: "",
    });
    expect(res.statusCode).toBe(403);
    await expect(admin.signIn(account.username, account.password)).rejects.toThrow("Incorrect username or password.");
  });

  it("refuses a person whose account is disabled in Cognito", async () => {
    const account = await admin.confirmed(newAccount("disabled"));
    await admin.disable(account.username);
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain("This account is disabled.");
  });

  it("refuses a person whose local user is inactive, and revokes the tokens Cognito just issued", async () => {
    const account = await admin.confirmed(newAccount("inactive"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    await h.database.database.db
      .updateTable("users")
      .set({ is_active: false })
      .where("username_key", "=", account.username.toLowerCase())
      .execute();

    const again = browserAt(h);
    await again.get("/login");
    const res = await again.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain("This account is disabled.");
    expect(res.body).toContain(`value="${account.username}"`);
    expect(textOf((await again.get("/")).body)).not.toContain("Signed in as");
    // The first browser's session ended too: the session hook drops inactive users.
    expect(textOf((await browser.get("/")).body)).not.toContain("Signed in as");
  });

  it("explains Cognito's lockout after repeated wrong passwords", async () => {
    const account = await admin.confirmed(newAccount("lockout"));
    const browser = browserAt(h);
    await browser.get("/login");
    for (let i = 0; i < 5; i++)
      await browser.post("/login", { username: account.username, password: `Wrong-${i}-Aa1` });
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(429);
    expect(textOf(res.body)).toContain("Too many attempts.");
  });

  it("limits sign-in attempts per username, whichever address they come from, with the 429 page", async () => {
    const username = uniqueName("target");
    let last;
    for (let i = 0; i < 11; i++) {
      const browser = browserAt(h);
      await browser.get("/login");
      last = await browser.post("/login", { username, password: "Guess-Number-1" });
      if (i < 10) expect(last.statusCode).toBe(400);
    }
    expect(last?.statusCode).toBe(429);
    expect(last?.headers["retry-after"]).toMatch(/^\d+$/);
    expect(last?.headers["content-type"]).toContain("text/html");
    expect(textOf(last?.body ?? "")).toContain("You have tried this too often.");
    // Another person is not affected.
    const other = browserAt(h);
    await other.get("/login");
    expect((await other.post("/login", { username: uniqueName("bystander"), password: "Guess-1a" })).statusCode).toBe(
      400,
    );
  });

  it("limits a burst of sign-ins to one account exactly as a sequence: of 100 at once 10 are tried, then the right password is refused too", async () => {
    const account = await admin.confirmed(newAccount("burst"));
    // Cognito's own lockout (after 5 wrong passwords) answers 429 too; the limiter's page says
    // "tried this too often", and only the attempts it let through reached Cognito.
    const answers = await simultaneousPosts(
      h,
      "/login",
      "/login",
      Array.from({ length: 100 }, () => ({ username: account.username, password: "Guess-Number-1" })),
    );
    expect(answers.length - limitedAnswers(answers).length).toBe(accountLimits.login.perUsername.max);
    const right = browserAt(h);
    await right.get("/login");
    expect((await right.post("/login", { username: account.username, password: account.password })).statusCode).toBe(
      429,
    );
  });

  it("limits sign-in attempts per address, whichever usernames they name", async () => {
    const browser = browserAt(h, uniqueAddress());
    await browser.get("/login");
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      statuses.push(
        (await browser.post("/login", { username: uniqueName("spray"), password: "Guess-Number-1" })).statusCode,
      );
    }
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("You have tried this too often.");
  });

  it("signs out: revokes the refresh token, ends the session, says so, back to the home page", async () => {
    const account = await admin.confirmed(newAccount("bye"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    const signedIn = await browser.get("/");
    const cookieBefore = browser.cookieHeader;
    const user = await h.app.users.findByUsername(account.username);
    const row = await h.database.database.db
      .selectFrom("sessions")
      .select("data")
      .where("user_id", "=", user?.id ?? "")
      .executeTakeFirstOrThrow();
    const refreshToken = (JSON.parse(row.data) as { cognito: { refreshToken: string } }).cognito.refreshToken;
    await expect(admin.refresh(account.username, refreshToken)).resolves.toBeDefined();
    expect(signedIn.body).toContain('action="/logout"');

    const res = await browser.post("/logout", {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/");
    const home = textOf((await browser.get("/")).body);
    expect(home).toContain("You have been signed out.");
    expect(home).not.toContain("Signed in as");
    await expect(admin.refresh(account.username, refreshToken)).rejects.toThrow(/revoked|Invalid/);

    // The old cookie is worth nothing now.
    const replay = await h.app.inject({ method: "GET", url: "/", headers: { cookie: cookieBefore } });
    expect(textOf(replay.body)).not.toContain("Signed in as");
  });

  it("refuses a sign-out without the CSRF token, and never signs out on a GET", async () => {
    const account = await admin.confirmed(newAccount("stay"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    await browser.get("/");
    const forged = await browser.post("/logout", { _csrf: "" });
    expect(forged.statusCode).toBe(403);
    expect((await browser.get("/logout")).statusCode).toBe(404);
    expect(textOf((await browser.get("/")).body)).toContain(`Signed in as ${account.username}`);
  });

  it("lets a visitor who is not signed in sign out harmlessly", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/logout", {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/");
  });
});

describe.each(["sqlite", "postgres"] as const)("a slow answer to the new-password challenge (%s)", (database) => {
  const clock = manualClock();
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database, clock });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("sends the person back to sign in when Cognito's challenge session expired", async () => {
    const account = newAccount("slow");
    await admin.adminCreated(account, "Temporary-Pass-1");
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: "Temporary-Pass-1" });
    await browser.follow();
    clock.advance(4 * 60_000);
    const res = await browser.post("/new-password", { password: account.password, password2: account.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login");
    expect(textOf((await browser.follow()).body)).toContain("This step took too long. Please sign in again.");
    expect((await browser.get("/new-password")).headers.location).toBe("/login");
  });
});

describe.each(["sqlite", "postgres"] as const)("when Cognito does not answer (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    await h.emulator.stop();
  });
  afterAll(async () => h.stop());

  it("says the sign-in service is not answering, on every form, with a 503 and the input kept", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    const login = await browser.post("/login", { username: "someone", password: "Some-Password-1" });
    expect(login.statusCode).toBe(503);
    expect(textOf(login.body)).toContain("The sign-in service is not answering. Please try again in a moment.");
    expect(login.body).toContain('value="someone"');

    await browser.get("/register");
    const register = await browser.post("/register", {
      username: "someone",
      email: "someone@example.com",
      password: "Some-Password-1",
      password2: "Some-Password-1",
    });
    expect(register.statusCode).toBe(503);
    expect(textOf(register.body)).toContain("The sign-in service is not answering.");
    expect(register.body).toContain('value="someone@example.com"');

    await browser.get("/forgot-password");
    const forgot = await browser.post("/forgot-password", { username: "someone" });
    expect(forgot.statusCode).toBe(503);
    expect(textOf(forgot.body)).toContain("The sign-in service is not answering.");

    await browser.get("/confirm");
    const confirm = await browser.post("/confirm", { username: "someone", code: "123456" });
    expect(confirm.statusCode).toBe(503);
    await browser.get("/reset-password");
    const reset = await browser.post("/reset-password", {
      username: "someone",
      code: "123456",
      password: "Some-Password-1",
      password2: "Some-Password-1",
    });
    expect(reset.statusCode).toBe(503);
  });
});
