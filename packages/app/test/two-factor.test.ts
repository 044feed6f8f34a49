/**
 * Two-step verification on the site, against the running emulator, on SQLite and PostgreSQL:
 * setting up an authenticator app on the account page (QR code and key, first code), signing in
 * with its code (wrong, replayed, then right), email codes as a second step, choosing between
 * factors, turning factors off (password and a current code), the setup a pool that requires MFA
 * asks for at sign-in, and signing in with an emailed code instead of a password.
 */
import { manualClock } from "@gatehouse/emulator";
import {
  AdminSetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../src/accounts/messages.ts";
import { accountLimits } from "../src/accounts/rate-limits.ts";
import { totpCodeAt } from "../src/backoffice/totp.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, CognitoAdmin, latestCode, newAccount, uniqueName, type Account } from "./accounts-fixtures.ts";
import { signedInPerson } from "./signed-in.ts";

const step = 30_000;

/** The authenticator key shown on a setup page, without its spaces. */
const secretIn = (html: string): string => {
  const shown = /data-testid="totp-secret">([^<]+)</.exec(html)?.[1];
  if (!shown) throw new Error("no authenticator key on the page");
  return shown.replace(/\s/g, "");
};

describe.each(["sqlite", "postgres"] as const)("two-step verification (%s)", (database) => {
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

  /** The code of `secret` now, on the emulator's clock; the clock then moves a step on, so the next code is new. */
  const nextCode = (secret: string): string => {
    clock.advance(step);
    return totpCodeAt(secret, clock.now());
  };

  /** Sets up an authenticator on the account page; its key. */
  async function enableTotp(browser: TestBrowser, account: Account): Promise<string> {
    const page = await browser.get("/account/mfa/totp");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<svg");
    const secret = secretIn(page.body);
    const res = await browser.post("/account/mfa/totp", { code: nextCode(secret) });
    expect(res.statusCode, textOf(res.body).slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe("/account#security");
    expect(textOf((await browser.follow()).body)).toContain(t("TOTP_ENABLED"));
    expect(account.username).not.toBe("");
    return secret;
  }

  /** Signs in with the password; the browser stands on the page Cognito's answer leads to. */
  async function passwordStep(account: Account): Promise<TestBrowser> {
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.statusCode).toBe(303);
    await browser.follow();
    return browser;
  }

  it("sets up an authenticator app with a QR code and key, then asks for its code at sign-in: wrong, replayed, right", async () => {
    const { account, browser } = await signedInPerson(h, admin, "totp");
    const before = await browser.get("/account");
    expect(textOf(before.body)).toContain("Two-step verification");
    expect(before.body).toContain('href="/account/mfa/totp"');

    const setup = await browser.get("/account/mfa/totp");
    const secret = secretIn(setup.body);
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(setup.body).toContain(`Gatehouse: ${account.username}`);
    const wrong = await browser.post("/account/mfa/totp", { code: "000000" });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain(t("MFA_CODE_WRONG"));
    const used = nextCode(secret);
    expect((await browser.post("/account/mfa/totp", { code: used })).statusCode).toBe(303);
    expect(textOf((await browser.get("/account")).body)).toMatch(/Authenticator app\s*On/);

    const second = await passwordStep(account);
    expect(second.last?.headers["content-type"]).toContain("text/html");
    expect(textOf(second.last?.body ?? "")).toContain("Two-step verification");
    expect((await second.post("/login/code", { code: "12" })).statusCode).toBe(400);
    const mismatch = await second.post("/login/code", { code: "000000" });
    expect(mismatch.statusCode).toBe(400);
    expect(textOf(mismatch.body)).toContain(t("MFA_CODE_WRONG"));
    // The code that verified the app, replayed within its step, is refused (Cognito:
    // ExpiredCodeException, "Your software token has already been used once."), and the
    // challenge stays open for the next code.
    const replayed = await second.post("/login/code", { code: used });
    expect(replayed.statusCode).toBe(400);
    expect(textOf(replayed.body)).toContain(t("MFA_CODE_USED"));
    const right = await second.post("/login/code", { code: nextCode(secret) });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe("/dashboard");
    expect((await second.get("/dashboard")).statusCode).toBe(200);
  });

  it("ends the attempt when the challenge is gone, and never signs in without the code", async () => {
    const { account, browser } = await signedInPerson(h, admin, "totpgone");
    await enableTotp(browser, account);
    const second = await passwordStep(account);
    expect((await second.get("/dashboard")).statusCode).toBe(303);
    // Cognito's Session lasts 3 minutes.
    clock.advance(4 * 60_000);
    const late = await second.post("/login/code", { code: "123456" });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe("/login");
    expect(textOf((await second.follow()).body)).toContain(t("SESSION_EXPIRED"));
    expect((await browserAt(h).get("/login/code")).headers.location).toBe("/login");
  });

  it("turns the authenticator off only with the password and a current code", async () => {
    const { account, browser } = await signedInPerson(h, admin, "totpoff");
    const secret = await enableTotp(browser, account);
    await browser.get("/account");
    const noCode = await browser.post("/account/mfa/totp/disable", { current_password: account.password, code: "" });
    expect(noCode.statusCode).toBe(400);
    const wrongPassword = await browser.post("/account/mfa/totp/disable", {
      current_password: "Not-The-Password-1",
      code: nextCode(secret),
    });
    expect(wrongPassword.statusCode).toBe(400);
    expect(textOf(wrongPassword.body)).toContain(t("CURRENT_PASSWORD_WRONG"));
    const wrongCode = await browser.post("/account/mfa/totp/disable", {
      current_password: account.password,
      code: "000000",
    });
    expect(wrongCode.statusCode).toBe(400);
    expect(textOf(wrongCode.body)).toContain(t("MFA_CODE_WRONG"));
    const off = await browser.post("/account/mfa/totp/disable", {
      current_password: account.password,
      code: nextCode(secret),
    });
    expect(off.statusCode).toBe(303);
    expect(textOf((await browser.follow()).body)).toContain(t("TOTP_DISABLED"));
    const again = browserAt(h);
    await again.get("/login");
    const signedIn = await again.post("/login", { username: account.username, password: account.password });
    expect(signedIn.headers.location).toBe("/dashboard");
  });

  it("sends a code by email as the second step, and lets a person with two factors choose", async () => {
    const { account, browser } = await signedInPerson(h, admin, "emailmfa");
    await browser.get("/account");
    expect((await browser.post("/account/mfa/email/enable", {})).statusCode).toBe(303);
    const second = await passwordStep(account);
    expect(textOf(second.last?.body ?? "")).toMatch(/We have sent a 6-digit code to \S+/);
    const right = await second.post("/login/code", { code: latestCode(h, account.username) });
    expect(right.headers.location).toBe("/dashboard");

    const secret = await enableTotp(second, account);
    await second.get("/account");
    // Email was preferred as the first factor; the authenticator is asked first once chosen.
    expect((await second.post("/account/mfa/preferred", { factor: "SOFTWARE_TOKEN_MFA" })).statusCode).toBe(303);
    const third = await passwordStep(account);
    expect(textOf(third.last?.body ?? "")).toContain("authenticator app");
    expect((await third.post("/login/code", { code: nextCode(secret) })).headers.location).toBe("/dashboard");
  });

  it("asks which factor to use when an account has two and prefers neither", async () => {
    const { account, browser } = await signedInPerson(h, admin, "choose");
    const secret = await enableTotp(browser, account);
    await admin.client.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: h.poolId,
        Username: account.username,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
        EmailMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    const second = await passwordStep(account);
    expect(second.last?.body).toContain('value="SOFTWARE_TOKEN_MFA"');
    expect(second.last?.body).toContain('value="EMAIL_OTP"');
    expect((await second.post("/login/choose", { factor: "SMS_MFA" })).statusCode).toBe(400);
    const chosen = await second.post("/login/choose", { factor: "SOFTWARE_TOKEN_MFA" });
    expect(chosen.headers.location).toBe("/login/code");
    await second.follow();
    expect((await second.post("/login/code", { code: nextCode(secret) })).headers.location).toBe("/dashboard");
  });

  it("counts code tries with password tries against the account's one budget, then answers 429", async () => {
    const { account, browser } = await signedInPerson(h, admin, "codelimit");
    await enableTotp(browser, account);
    // The sign-in that made the person spent one try already.
    const budget = accountLimits.login.perUsername.max - 1;
    const statuses: number[] = [];
    while (statuses.length < budget + 1) {
      const attempt = browserAt(h);
      await attempt.get("/login");
      const password = await attempt.post("/login", { username: account.username, password: account.password });
      statuses.push(password.statusCode);
      if (password.statusCode !== 303) continue;
      await attempt.follow();
      statuses.push((await attempt.post("/login/code", { code: "000000" })).statusCode);
    }
    // Each sign-in costs two tries (the password, the code) until the budget is spent.
    expect(statuses.slice(0, budget)).toEqual(Array.from({ length: budget }, (_, i) => (i % 2 === 0 ? 303 : 400)));
    expect(statuses.at(budget)).toBe(429);
  });

  it("signs in with an emailed code instead of a password, and answers an unknown name alike", async () => {
    const account = await admin.confirmed(newAccount("nopass"));
    const page = await browserAt(h).get("/login");
    expect(page.body).toContain('href="/login/email-code?next=%2Fdashboard"');
    const browser = browserAt(h);
    await browser.get("/login/email-code");
    const start = await browser.post("/login/email-code", { username: account.username, next: "/account" });
    expect(start.headers.location).toBe("/login/code");
    const codePage = await browser.follow();
    expect(textOf(codePage.body)).toContain("Check your email");
    expect(codePage.body).toContain('formaction="/login/code/resend"');
    expect((await browser.post("/login/code", { code: "000000" })).statusCode).toBe(400);
    const res = await browser.post("/login/code", { code: latestCode(h, account.username) });
    expect(res.headers.location).toBe("/account");

    const stranger = browserAt(h);
    await stranger.get("/login/email-code");
    const ghost = await stranger.post("/login/email-code", { username: uniqueName("ghost") });
    expect(ghost.headers.location).toBe("/login/code");
    const ghostPage = await stranger.follow();
    expect(textOf(ghostPage.body).replace(/\s+/g, " ")).toBe(
      textOf(codePage.body)
        .replace(/\s+/g, " ")
        .replace(/\S+\*\*\*@\S+\*\*\*/, "your email address"),
    );
    expect((await stranger.post("/login/code", { code: "123456" })).statusCode).toBe(400);
  });
});

describe.each(["sqlite", "postgres"] as const)("a pool that requires MFA (%s)", (database) => {
  const clock = manualClock();
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database, clock });
    admin = new CognitoAdmin(h);
    await admin.client.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: h.poolId,
        MfaConfiguration: "ON",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("sets up an authenticator at sign-in before the dashboard, refusing a wrong first code", async () => {
    const account = await admin.confirmed(newAccount("mustmfa"));
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: account.username, password: account.password });
    expect(res.headers.location).toBe("/login/setup");
    const page = await browser.follow();
    expect(textOf(page.body)).toContain(t("MFA_SETUP_REQUIRED"));
    expect(page.body).toContain("<svg");
    const secret = secretIn(page.body);
    const wrong = await browser.post("/login/setup", { code: "000000" });
    expect(wrong.statusCode).toBe(400);
    expect(secretIn(wrong.body)).toBe(secret);
    clock.advance(step);
    const done = await browser.post("/login/setup", { code: totpCodeAt(secret, clock.now()) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/dashboard");
    expect((await browser.get("/dashboard")).statusCode).toBe(200);

    // The next sign-in asks for the code; the last factor cannot be turned off here.
    const later = await signInWithCode(h, account, () => {
      clock.advance(step);
      return totpCodeAt(secret, clock.now());
    });
    await later.get("/account");
    clock.advance(step);
    const off = await later.post("/account/mfa/totp/disable", {
      current_password: account.password,
      code: totpCodeAt(secret, clock.now()),
    });
    expect(off.statusCode).toBe(400);
    expect(textOf(off.body)).toContain(t("MFA_REQUIRED_BY_POOL"));
  });
});

async function signInWithCode(h: AppHarness, account: Account, code: () => string): Promise<TestBrowser> {
  const browser = browserAt(h);
  await browser.get("/login");
  const res = await browser.post("/login", { username: account.username, password: account.password });
  expect(res.headers.location).toBe("/login/code");
  await browser.get("/login/code");
  expect((await browser.post("/login/code", { code: code() })).headers.location).toBe("/dashboard");
  return browser;
}
