/**
 * `/forgot-password` and `/reset-password` against the running emulator, on SQLite and
 * PostgreSQL: the reset and a sign-in with the new password first, then what must not reveal an
 * account, wrong, expired and exhausted codes, the policy, re-sends, CSRF and rate limits.
 */
import { CognitoIdentityProviderClient, UpdateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
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
const newPassword = "Brand-New-Pass-9";

/** A browser that asked for a reset code for `login`, now on /reset-password. */
async function askedForCode(h: AppHarness, login: string): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/forgot-password");
  const res = await browser.post("/forgot-password", { username: login });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe("/reset-password");
  await browser.follow();
  return browser;
}

const resetForm = (code: string, password = newPassword) => ({ code, password, password2: password });

describe.each(databases)("recovering a password (%s)", (database) => {
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

  async function signsIn(account: Account, password: string): Promise<boolean> {
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password });
    return res.statusCode === 303 && res.headers.location === "/dashboard";
  }

  it("emails a code, takes it with a new password, and the new password signs in", async () => {
    const account = await admin.confirmed(newAccount("forgetful"));
    const browser = browserAt(h);
    const page = await browser.get("/forgot-password");
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain("Username or email");

    await browser.post("/forgot-password", { username: account.username });
    expect(browser.last?.headers.location).toBe("/reset-password");
    const reset = await browser.follow();
    const text = textOf(reset.body);
    expect(text).toContain("If an account exists for that name, we have sent a code to its email address.");
    expect(text).toContain(`For ${account.username}`);
    expect(text).toContain("At least 8 characters, including an upper-case letter, a lower-case letter, and a number.");
    expect(h.emulator.outbox.latest(account.username)?.kind).toBe("FORGOT_PASSWORD");

    const res = await browser.post("/reset-password", resetForm(latestCode(h, account.username)));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?username=${account.username}`);
    expect(textOf((await browser.follow()).body)).toContain(
      "Your password has been changed. Sign in with your new password.",
    );
    expect(await signsIn(account, newPassword)).toBe(true);
    expect(await signsIn(account, account.password)).toBe(false);
  });

  it("recovers by email address as well", async () => {
    const account = await admin.confirmed(newAccount("bymail"));
    const browser = await askedForCode(h, account.email);
    const res = await browser.post("/reset-password", resetForm(latestCode(h, account.username)));
    expect(res.statusCode).toBe(303);
    expect(await signsIn(account, newPassword)).toBe(true);
  });

  it("answers an unknown name exactly as a real one, and sends nothing (no user enumeration)", async () => {
    const account = await admin.confirmed(newAccount("real"));
    const ghost = uniqueName("ghost");
    const answer = async (login: string) => {
      const browser = await askedForCode(h, login);
      return textOf(browser.last?.body ?? "").replace(login, "NAME");
    };
    expect(await answer(ghost)).toEqual(await answer(account.username));
    expect(sentCount(h, ghost)).toBe(0);
  });

  it("answers a disabled account as any other, and its code never works", async () => {
    const account = await admin.confirmed(newAccount("off"));
    await admin.disable(account.username);
    const browser = await askedForCode(h, account.username);
    expect(textOf(browser.last?.body ?? "")).toContain("If an account exists for that name");
    const res = await browser.post("/reset-password", resetForm("123456"));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
  });

  it("takes the username on /reset-password when the session does not know it", async () => {
    const account = await admin.confirmed(newAccount("direct"));
    await askedForCode(h, account.username);
    const browser = browserAt(h);
    const page = await browser.get("/reset-password");
    expect(page.body).toContain('name="username"');
    const res = await browser.post("/reset-password", {
      username: account.username,
      ...resetForm(latestCode(h, account.username)),
    });
    expect(res.statusCode).toBe(303);
    expect(await signsIn(account, newPassword)).toBe(true);
  });

  it("explains a wrong code next to the field, and an unknown username reads the same", async () => {
    const account = await admin.confirmed(newAccount("wrongcode"));
    const browser = await askedForCode(h, account.username);
    const right = latestCode(h, account.username);
    const res = await browser.post("/reset-password", resetForm(right === "000000" ? "111111" : "000000"));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
    expect(res.body).not.toContain(newPassword);

    const stranger = browserAt(h);
    await stranger.get("/reset-password");
    const unknown = await stranger.post("/reset-password", { username: uniqueName("nobody"), ...resetForm("123456") });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
  });

  it("checks the new password against the policy and its repetition without spending the code", async () => {
    const account = await admin.confirmed(newAccount("policy"));
    const browser = await askedForCode(h, account.username);
    const code = latestCode(h, account.username);
    const weak = await browser.post("/reset-password", resetForm(code, "weakpass"));
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/id="field-password-error">Include an upper-case letter\. Include a number\./);
    const differ = await browser.post("/reset-password", { code, password: newPassword, password2: "Other-Pass-9" });
    expect(differ.body).toMatch(/id="field-password2-error">The two passwords do not match\./);
    expect((await browser.post("/reset-password", resetForm(code))).statusCode).toBe(303);
  });

  it("keeps Cognito's InvalidPasswordException as the final word", async () => {
    const account = await admin.confirmed(newAccount("final"));
    const cognito = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const policy = (requireSymbols: boolean) =>
      new UpdateUserPoolCommand({
        UserPoolId: h.poolId,
        AutoVerifiedAttributes: ["email"],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 8,
            RequireUppercase: true,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: requireSymbols,
          },
        },
      });
    try {
      await cognito.send(policy(true));
      const browser = await askedForCode(h, account.username);
      const res = await browser.post("/reset-password", resetForm(latestCode(h, account.username), "NoSymbol99"));
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="field-password-error">Include a symbol such as ! or %\./);
    } finally {
      await cognito.send(policy(false));
      cognito.destroy();
    }
  });

  it("answers too many wrong codes like a wrong one, and a code sent again works", async () => {
    const account = await admin.confirmed(newAccount("tries"));
    const browser = await askedForCode(h, account.username);
    const right = latestCode(h, account.username);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) await browser.post("/reset-password", resetForm(wrong));
    const blocked = await browser.post("/reset-password", resetForm(right));
    expect(blocked.statusCode).toBe(400);
    expect(blocked.body).toMatch(/id="field-code-error">That code is not right or no longer valid\./);

    expect(browser.last?.body).toContain('formaction="/reset-password/resend"');
    const resent = await browser.post("/reset-password/resend", {});
    expect(resent.statusCode).toBe(303);
    expect(resent.headers.location).toBe("/reset-password");
    await browser.follow();
    expect((await browser.post("/reset-password", resetForm(latestCode(h, account.username)))).statusCode).toBe(303);
    expect(await signsIn(account, newPassword)).toBe(true);
  });

  it("shows 'This field is required.' and refuses malformed input, never a 500", async () => {
    const browser = browserAt(h);
    await browser.get("/forgot-password");
    const empty = await browser.post("/forgot-password", { username: "  " });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toMatch(/id="field-username-error">This field is required\./);
    for (const username of ["x".repeat(10_000), "名前🙂", "two words"]) {
      await browser.get("/forgot-password");
      const res = await browser.post("/forgot-password", { username });
      expect(res.statusCode, username.slice(0, 20)).toBe(303);
    }
    // A NUL is refused before any form sees it (unstorable-text.ts), for every name alike.
    await browser.get("/forgot-password");
    expect((await browser.post("/forgot-password", { username: "nul\u0000" })).statusCode).toBe(400);

    const reset = browserAt(h);
    await reset.get("/reset-password");
    const blank = await reset.post("/reset-password", { username: "", code: "", password: "", password2: "" });
    expect(blank.statusCode).toBe(400);
    for (const field of ["username", "code", "password"]) {
      expect(blank.body).toMatch(new RegExp(`id="field-${field}-error">This field is required\\.`));
    }
    const odd = await reset.post("/reset-password", {
      username: "名前🙂",
      code: "12ab56",
      password: "p".repeat(300),
      password2: "",
    });
    expect(odd.statusCode).toBe(400);
    expect(textOf(odd.body)).toContain("Enter the 6-digit code from the email.");
    expect(textOf(odd.body)).toContain("Use at most 256 characters.");
    const resendBlank = await reset.post("/reset-password/resend", { username: "" });
    expect(resendBlank.statusCode).toBe(400);
  });

  it("refuses each recovery form without its CSRF token with the 403 page", async () => {
    const account = await admin.confirmed(newAccount("csrf"));
    const browser = browserAt(h);
    await browser.get("/forgot-password");
    const forgot = await browser.post("/forgot-password", { username: account.username, _csrf: "" });
    expect(forgot.statusCode).toBe(403);
    expect(textOf(forgot.body)).toContain("or the form expired");
    expect(sentCount(h, account.username)).toBe(0);

    const asked = await askedForCode(h, account.username);
    const code = latestCode(h, account.username);
    expect((await asked.post("/reset-password", { ...resetForm(code), _csrf: "forged" })).statusCode).toBe(403);
    await asked.get("/reset-password");
    expect((await asked.post("/reset-password/resend", { _csrf: "" })).statusCode).toBe(403);
    expect(sentCount(h, account.username)).toBe(1);
    expect(await signsIn(account, account.password)).toBe(true);
  });

  it("limits code requests per username (forgot and re-send together), from any address", async () => {
    const account = await admin.confirmed(newAccount("bomb"));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const browser = browserAt(h);
      await browser.get("/forgot-password");
      statuses.push((await browser.post("/forgot-password", { username: account.username })).statusCode);
    }
    for (let i = 0; i < 3; i++) {
      const browser = browserAt(h);
      await browser.get("/reset-password");
      statuses.push((await browser.post("/reset-password/resend", { username: account.username })).statusCode);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
    expect(sentCount(h, account.username)).toBe(5);
  });

  it("limits code requests per address, whichever names they give", async () => {
    const browser = browserAt(h);
    await browser.get("/forgot-password");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      await browser.get("/forgot-password");
      statuses.push((await browser.post("/forgot-password", { username: uniqueName("spray") })).statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("You have tried this too often.");
  });

  it("takes a person whose password an administrator reset from sign-in through the reset", async () => {
    const account = await admin.resetRequired(newAccount("adminreset"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    const page = await browser.follow();
    expect(textOf(page.body)).toContain(
      "You need to choose a new password. We have sent a code to your email address.",
    );
    expect(textOf(page.body)).toContain(`For ${account.username}`);
    const res = await browser.post("/reset-password", resetForm(latestCode(h, account.username)));
    expect(res.statusCode).toBe(303);
    expect(await signsIn(account, newPassword)).toBe(true);
  });
});

describe.each(databases)("recovering with an old code (%s)", (database) => {
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

  it("refuses a code after an hour, read as any refused code", async () => {
    const account = await admin.confirmed(newAccount("late"));
    const browser = await askedForCode(h, account.username);
    clock.advance(61 * 60_000);
    const res = await browser.post("/reset-password", resetForm(latestCode(h, account.username)));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="field-code-error">That code is not right or no longer valid\. Check the most recent email we sent you, or send a new code\./,
    );
  });
});
