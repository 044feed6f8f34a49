/**
 * A person in real Chromium: sign-up with the emailed code, sign-in, the dashboard, sign-out, and
 * password recovery — driven by what is on the screen (labels, roles, the catalogue's messages),
 * against the app on a loopback port and the Cognito emulator whose outbox stands in for email.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { IncomingMessage } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { messages, t } from "../packages/app/src/accounts/messages.ts";
import { totpCodeAt } from "../packages/app/src/backoffice/totp.ts";
import { launchChromium, viewports } from "./chromium.ts";
import { signIn, startSite, uniqueUser, type Site, type TestUser } from "./site.ts";

/** What the person reads: the page's visible text. */
const visibleText = (page: Page): Promise<string> => page.locator("body").innerText();

/** Submits the form whose button is named `name` and waits for the next page to load. */
async function submit(page: Page, name: RegExp): Promise<void> {
  await page.getByRole("button", { name }).click();
  await page.waitForLoadState("load");
}

/** Waits until the captcha widget has solved the page's challenge (it starts as the page loads). */
async function captchaSolved(page: Page): Promise<void> {
  await expect.poll(() => page.locator('input[name="altcha"]').inputValue(), { timeout: 10_000 }).not.toBe("");
}

/** Fills in the registration form for `user` and waits for the captcha to be solved. */
async function fillRegistration(page: Page, user: TestUser): Promise<void> {
  await page.goto("/register");
  await page.getByLabel(/^username$/i).fill(user.username);
  await page.getByLabel(/^email/i).fill(user.email);
  await page.getByLabel(/^password$/i).fill(user.password);
  await page.getByLabel(/password again|confirm password/i).fill(user.password);
  await captchaSolved(page);
}

/** A code of the same shape that is certainly not `code`. */
const otherCodeThan = (code: string): string => code.replace(/.$/, (d) => String((Number(d) + 1) % 10));

describe("a person in Chromium", { timeout: 60_000 }, () => {
  let browser: Browser | undefined;
  let site: Site;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => {
    await site?.stop();
    await browser?.close();
  });
  beforeEach(async () => {
    // Launched here rather than in beforeAll so that a missing Chromium fails every test by
    // name (with how to install it) instead of showing them as skipped.
    browser ??= await launchChromium();
    context = await browser.newContext({ viewport: viewports.desktop, baseURL: site.url });
    // Shorter than the test's own limit, so a missing label or button fails by name.
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(20_000);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  it("registers, confirms with the emailed code, signs in, sees the dashboard and signs out", async () => {
    const user = uniqueUser("ada");

    await fillRegistration(page, user);
    await submit(page, /^create account$/i);
    await page.waitForURL(/\/confirm/);

    const code = site.latestCode(user.username);
    expect(code).toMatch(/^\d{6}$/);

    // A wrong code is explained, and the person stays on the confirmation page.
    await page.getByLabel(/code/i).fill(otherCodeThan(code));
    await submit(page, /^confirm/i);
    expect(new URL(page.url()).pathname).toBe("/confirm");
    expect(await visibleText(page)).toContain(messages.CODE_NOT_ACCEPTED);

    await page.getByLabel(/code/i).fill(code);
    await submit(page, /^confirm/i);
    await page.waitForURL(/\/login/);
    expect(await visibleText(page)).toContain(messages.CONFIRMED);

    await page.getByLabel(/username or email/i).fill(user.email);
    await page.getByLabel(/^password$/i).fill(user.password);
    await submit(page, /^sign in$/i);
    await page.waitForURL(`${site.url}/dashboard`);
    const dashboard = await visibleText(page);
    expect(dashboard).toContain(user.username);
    expect(dashboard).toContain(user.email);
    expect(await page.getByTestId("signed-in-as").innerText()).toContain(user.username);

    await submit(page, /^sign out$/i);
    expect(await visibleText(page)).toContain(messages.SIGNED_OUT);
    await expect(page.getByTestId("signed-in-as").count()).resolves.toBe(0);

    // The session is gone: the dashboard asks to sign in again.
    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("registers and confirms: the PostConfirmation trigger has made the person's row, before any sign-in or API call", async () => {
    const user = uniqueUser("ida");
    // Every request the app's socket receives from here on, browser's and triggers' alike.
    const requests: string[] = [];
    const listen = (request: IncomingMessage) => requests.push(`${request.method} ${request.url}`);
    site.harness.app.server.on("request", listen);
    try {
      await fillRegistration(page, user);
      await submit(page, /^create account$/i);
      await page.waitForURL(/\/confirm/);
      expect(await site.harness.app.users.findByUsername(user.username)).toBeUndefined();

      await page.getByLabel(/code/i).fill(site.latestCode(user.username));
      await submit(page, /^confirm/i);
      await page.waitForURL(/\/login/);
      expect(await visibleText(page)).toContain(messages.CONFIRMED);
    } finally {
      site.harness.app.server.off("request", listen);
    }

    const cognito = new CognitoIdentityProviderClient({
      endpoint: site.harness.emulator.url,
      region: site.harness.config.cognito.region,
      credentials: { accessKeyId: "e2e", secretAccessKey: "e2e" },
    });
    const { UserAttributes = [] } = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: site.harness.poolId, Username: user.username }),
    );
    cognito.destroy();
    const sub = UserAttributes.find((a) => a.Name === "sub")?.Value;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);

    const row = await site.harness.app.users.findBySub(sub!);
    expect(row).toMatchObject({
      username: user.username,
      email: user.email,
      emailVerified: true,
      cognitoSub: sub,
      isActive: true,
      // No sign-in made it: a sign-in sets last_login.
      lastLogin: null,
    });
    expect(row?.lastSyncedAt).toBeInstanceOf(Date);
    // The trigger's signed call made it; no token ever reached the app.
    expect(requests).toContain("POST /hooks/cognito/post-confirmation");
    expect(requests.filter((r) => r.startsWith("POST /login") || r.includes("/api/"))).toEqual([]);
  });

  it("refuses a sign-up with an email address another account has in another letter case, next to the field", async () => {
    const holder = uniqueUser("alan");
    await site.createConfirmedUser(holder);
    const user = { ...uniqueUser("alan"), email: holder.email.toUpperCase() };
    await fillRegistration(page, user);
    await submit(page, /^create account$/i);
    expect(new URL(page.url()).pathname).toBe("/register");
    // The message is next to the field and read out with it (aria-describedby).
    const describedBy = (await page.getByLabel(/^email/i).getAttribute("aria-describedby")) ?? "";
    expect(describedBy.split(" ")).toContain("field-email-error");
    expect(await page.locator("#field-email-error").innerText()).toBe(messages.EMAIL_EXISTS);
    expect(await page.getByLabel(/^username$/i).inputValue()).toBe(user.username);
    await expect(site.harness.app.users.findByUsername(user.username)).resolves.toBeUndefined();
  });

  it("registers, turns on an authenticator app from the key on the page, then signs in with its code — not a wrong or a replayed one", async () => {
    const user = uniqueUser("grace");
    await fillRegistration(page, user);
    await submit(page, /^create account$/i);
    await page.getByLabel(/code/i).fill(site.latestCode(user.username));
    await submit(page, /^confirm/i);
    await page.waitForURL(/\/login/);
    await signIn(page, site, user);

    await page.goto("/account");
    await page.getByRole("link", { name: /set up an authenticator app/i }).click();
    await page.waitForURL(/\/account\/mfa\/totp/);
    await expect.poll(() => page.getByTestId("totp-qr").locator("svg").count()).toBe(1);
    const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s/g, "");
    const first = totpCodeAt(secret);
    await page.getByLabel(/code from the app/i).fill(first);
    await submit(page, /^turn on$/i);
    expect(await visibleText(page)).toContain(messages.TOTP_ENABLED);
    await submit(page, /^sign out$/i);

    await page.goto("/login");
    await page.getByLabel(/username or email/i).fill(user.username);
    await page.getByLabel(/^password$/i).fill(user.password);
    await submit(page, /^sign in$/i);
    await page.waitForURL(/\/login\/code/);
    await page.getByLabel(/authenticator code/i).fill(otherCodeThan(first));
    await submit(page, /^verify$/i);
    expect(await visibleText(page)).toContain(messages.MFA_CODE_WRONG);
    // The code that turned the app on has been used: it does not sign in again.
    await page.getByLabel(/authenticator code/i).fill(first);
    await submit(page, /^verify$/i);
    expect(await visibleText(page)).toContain(messages.MFA_CODE_USED);

    // The next step's code, as the app shows it 30 seconds later.
    await page.getByLabel(/authenticator code/i).fill(totpCodeAt(secret, Date.now() + 30_000));
    await submit(page, /^verify$/i);
    await page.waitForURL(`${site.url}/dashboard`);
    expect(await visibleText(page)).toContain(t("SIGNED_IN", { username: user.username }));
  });

  it("resets a forgotten password with the emailed code and signs in with the new one, not the old", async () => {
    const user = uniqueUser("grace");
    await site.createConfirmedUser(user);
    const newPassword = "Brand-New-Pass-42";

    await page.goto("/login");
    await page.getByRole("link", { name: /forgot/i }).click();
    await page.waitForURL(/\/forgot-password/);
    await page.getByLabel(/username or email/i).fill(user.username);
    await captchaSolved(page);
    await submit(page, /email me a code/i);
    await page.waitForURL(/\/reset-password/);
    expect(await visibleText(page)).toContain(messages.RESET_CODE_SENT);

    const code = site.latestCode(user.username);
    await page.getByLabel(/code/i).fill(code);
    await page.getByLabel(/^new password$/i).fill(newPassword);
    await page.getByLabel(/new password again|confirm new password/i).fill(newPassword);
    await submit(page, /^change password$/i);
    await page.waitForURL(/\/login/);
    expect(await visibleText(page)).toContain(messages.PASSWORD_RESET);

    // The old password no longer works …
    await page.getByLabel(/username or email/i).fill(user.username);
    await page.getByLabel(/^password$/i).fill(user.password);
    await submit(page, /^sign in$/i);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await visibleText(page)).toContain(messages.INCORRECT_CREDENTIALS);

    // … the new one does.
    await signIn(page, site, { username: user.username, password: newPassword });
    expect(await visibleText(page)).toContain(t("SIGNED_IN", { username: user.username }));
  });
});
