/**
 * `/confirm` and `POST /confirm/resend` against the running emulator, on SQLite and PostgreSQL:
 * confirming with the emailed code first, then wrong, malformed, expired and exhausted codes,
 * re-sends, and accounts in other states.
 */
import { AdminUpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider";
import { manualClock } from "@gatehouse/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import {
  browserAt,
  CognitoAdmin,
  latestCode,
  newAccount,
  sentCount,
  uniqueName,
  type Account,
} from "./accounts-fixtures.ts";

const databases = ["sqlite", "postgres"] as const;

/** A browser that tried to sign in as the unconfirmed `account`, so its session knows the name. */
async function cameFromLogin(h: AppHarness, account: Account): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/login");
  const res = await browser.post("/login", { username: account.username, password: account.password });
  expect(res.headers.location).toBe("/confirm");
  await browser.follow();
  return browser;
}

/** A code that is not the one Cognito sent. */
const wrongCode = (right: string): string => (right === "000000" ? "111111" : "000000");

describe.each(databases)("confirming an email address (%s)", (database) => {
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

  it("confirms with the username and the code typed in, then the person can sign in", async () => {
    const account = await admin.unconfirmed(newAccount("typed"));
    const browser = browserAt(h);
    const page = await browser.get("/confirm");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="username"');
    expect(page.body).toContain('autocomplete="one-time-code"');
    expect(page.body).toContain('formaction="/confirm/resend"');

    const res = await browser.post("/confirm", { username: account.username, code: latestCode(h, account.username) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?username=${account.username}`);
    expect(textOf((await browser.follow()).body)).toContain("Your email address is confirmed. You can sign in now.");
    const signedIn = await browser.post("/login", { username: account.username, password: account.password });
    expect(signedIn.headers.location).toBe("/dashboard");
  });

  it("remembers the username from the sign-in attempt, and takes the code with spaces in it", async () => {
    const account = await admin.unconfirmed(newAccount("remembered"));
    const browser = await cameFromLogin(h, account);
    const page = browser.last!;
    expect(textOf(page.body)).toContain("Your email address is not confirmed yet. We have sent you a new code.");
    expect(textOf(page.body)).toContain(`For ${account.username}`);
    expect(page.body).not.toContain('name="username"');

    const code = latestCode(h, account.username);
    const res = await browser.post("/confirm", { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?username=${account.username}`);
  });

  it("offers another username through 'Not you?'", async () => {
    const account = await admin.unconfirmed(newAccount("notyou"));
    const browser = await cameFromLogin(h, account);
    expect(browser.last?.body).toContain('href="/confirm?other=1"');
    const other = await browser.get("/confirm?other=1");
    expect(other.body).toContain('name="username"');
    const someoneElse = await admin.unconfirmed(newAccount("someone"));
    const res = await browser.post("/confirm", {
      username: someoneElse.username,
      code: latestCode(h, someoneElse.username),
    });
    expect(res.headers.location).toBe(`/login?username=${someoneElse.username}`);
  });

  it("explains a wrong code next to the field", async () => {
    const account = await admin.unconfirmed(newAccount("wrong"));
    const browser = await cameFromLogin(h, account);
    const res = await browser.post("/confirm", { code: wrongCode(latestCode(h, account.username)) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
  });

  it("answers an unknown username as a wrong code (no user enumeration)", async () => {
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm", { username: uniqueName("ghost"), code: "123456" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
  });

  it("refuses a code that is not six digits before Cognito counts a wrong try", async () => {
    const account = await admin.unconfirmed(newAccount("format"));
    const browser = await cameFromLogin(h, account);
    for (const code of ["abc", "12345", "1234567", "１２３４５６", "x".repeat(5000)]) {
      const res = await browser.post("/confirm", { code });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="field-code-error">Enter the 6-digit code from the email\./);
    }
    const res = await browser.post("/confirm", { code: latestCode(h, account.username) });
    expect(res.statusCode).toBe(303);
  });

  it("shows 'This field is required.' for an empty username and code", async () => {
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm", { username: " ", code: "" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="field-username-error">This field is required\./);
    expect(res.body).toMatch(/id="field-code-error">This field is required\./);
    const unicode = await browser.post("/confirm", { username: "名前🙂\u0000", code: "123456" });
    expect(unicode.statusCode).toBe(400);
    const huge = await browser.post("/confirm", { username: "n".repeat(10_000), code: "123456" });
    expect(huge.statusCode).toBe(400);
    expect(textOf(huge.body)).toContain("Use up to 128 letters");
  });

  it("answers too many wrong codes like a wrong one (only an existing account has a code to use up), and a new code works", async () => {
    const account = await admin.unconfirmed(newAccount("tries"));
    const browser = await cameFromLogin(h, account);
    const wrong = wrongCode(latestCode(h, account.username));
    for (let i = 0; i < 5; i++) expect((await browser.post("/confirm", { code: wrong })).statusCode).toBe(400);
    const blocked = await browser.post("/confirm", { code: latestCode(h, account.username) });
    expect(blocked.statusCode).toBe(400);
    expect(blocked.body).toMatch(/id="field-code-error">That code is not right or no longer valid\./);

    const resent = await browser.post("/confirm/resend", {});
    expect(resent.statusCode).toBe(303);
    expect(resent.headers.location).toBe("/confirm");
    expect(textOf((await browser.follow()).body)).toContain(
      "If that account is waiting for confirmation, we have sent a new code to its email address.",
    );
    const res = await browser.post("/confirm", { code: latestCode(h, account.username) });
    expect(res.statusCode).toBe(303);
  });

  it("sends the code again for a typed username, and only the newest code works", async () => {
    const account = await admin.unconfirmed(newAccount("resend"));
    const first = latestCode(h, account.username);
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm/resend", { username: account.username, code: "" });
    expect(res.statusCode).toBe(303);
    const page = await browser.follow();
    expect(textOf(page.body)).toContain(`For ${account.username}`);
    const second = latestCode(h, account.username);
    expect(h.emulator.outbox.latest(account.username)?.kind).toBe("RESEND_CODE");
    if (first !== second) {
      expect((await browser.post("/confirm", { code: first })).statusCode).toBe(400);
    }
    expect((await browser.post("/confirm", { code: second })).statusCode).toBe(303);
  });

  it("answers a re-send for an unknown username like one for a real account", async () => {
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm/resend", { username: uniqueName("ghost") });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/confirm");
    expect(textOf((await browser.follow()).body)).toContain(
      "If that account is waiting for confirmation, we have sent a new code to its email address.",
    );
  });

  it("asks for the username when a re-send does not know it", async () => {
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm/resend", { username: "" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="field-username-error">This field is required\./);
  });

  it("answers an already confirmed account as an unknown one, from the code and from the re-send", async () => {
    const account = await admin.confirmed(newAccount("done"));
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm", { username: account.username, code: "123456" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="field-code-error">That code is not right or no longer valid\./);
    expect(res.body).toContain('href="/login"');
    const resend = await browser.post("/confirm/resend", { username: account.username });
    expect(resend.headers.location).toBe("/confirm");
    expect(textOf((await browser.follow()).body)).toContain(
      "If that account is waiting for confirmation, we have sent a new code to its email address.",
    );
  });

  it("explains that the email address already belongs to another confirmed account", async () => {
    // The pool's PreSignUp trigger refuses a sign-up with a taken address (register.test.ts), so
    // here the address is taken after the sign-up: another account changes to it and has it
    // verified. Cognito then refuses the confirmation (AliasExistsException).
    const late = await admin.unconfirmed(newAccount("late"));
    const owner = await admin.confirmed(newAccount("owner"));
    await admin.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: h.poolId,
        Username: owner.username,
        UserAttributes: [
          { Name: "email", Value: late.email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm", { username: late.username, code: latestCode(h, late.username) });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain("An account with this email address already exists.");
  });

  it("refuses a confirmation or a re-send without the CSRF token with the 403 page", async () => {
    const account = await admin.unconfirmed(newAccount("csrf"));
    const browser = await cameFromLogin(h, account);
    const sent = sentCount(h, account.username);
    const confirm = await browser.post("/confirm", { code: latestCode(h, account.username), _csrf: "" });
    expect(confirm.statusCode).toBe(403);
    expect(textOf(confirm.body)).toContain("or the form expired");
    await browser.get("/confirm");
    const resend = await browser.post("/confirm/resend", { _csrf: "wrong" });
    expect(resend.statusCode).toBe(403);
    expect(sentCount(h, account.username)).toBe(sent);
  });

  it("limits re-sends per username, from any address, with the 429 page", async () => {
    const account = await admin.unconfirmed(newAccount("bomb"));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const browser = browserAt(h);
      await browser.get("/confirm");
      statuses.push((await browser.post("/confirm/resend", { username: account.username })).statusCode);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
  });

  it("limits re-sends per address, whichever usernames they name", async () => {
    const browser = browserAt(h);
    await browser.get("/confirm");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      await browser.get("/confirm?other=1");
      statuses.push((await browser.post("/confirm/resend", { username: uniqueName("many") })).statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("You have tried this too often.");
  });

  it("stops sending codes on sign-in attempts once the person's budget is spent", async () => {
    const account = await admin.unconfirmed(newAccount("quota"));
    for (let i = 0; i < 5; i++) {
      const browser = browserAt(h);
      await browser.get("/confirm");
      await browser.post("/confirm/resend", { username: account.username });
    }
    const sent = sentCount(h, account.username);
    const browser = await cameFromLogin(h, account);
    expect(sentCount(h, account.username)).toBe(sent);
    expect(textOf(browser.last?.body ?? "")).toContain(
      "Your email address is not confirmed yet. Enter the code from the most recent email we sent you.",
    );
  });
});

describe.each(databases)("confirming with an old code (%s)", (database) => {
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

  it("refuses a code after 24 hours (read as any refused code), and a new one works", async () => {
    const account = await admin.unconfirmed(newAccount("stale"));
    const code = latestCode(h, account.username);
    clock.advance(25 * 3600_000);
    const browser = browserAt(h);
    await browser.get("/confirm");
    const res = await browser.post("/confirm", { username: account.username, code });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
    expect(res.body).toContain(`value="${account.username}"`);
    await browser.post("/confirm/resend", { username: account.username });
    expect((await browser.post("/confirm", { code: latestCode(h, account.username) })).statusCode).toBe(303);
  });
});
