/**
 * The hosted sign-in in real Chromium (issue 10): the app's sign-in page → "Continue with the
 * hosted sign-in" → sign up on the emulator's hosted pages → confirm with the outbox code → back
 * in the app, signed in, on the dashboard → sign out → the hosted session is over too (a second
 * authorization shows the sign-in form instead of skipping it).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, viewports } from "./chromium.ts";
import { startSite, uniqueUser, type Site } from "./site.ts";

/** The emulator's pages for the dev seed's domain. */
const hostedPath = "/gatehouse-dev/";

describe("the hosted sign-in in Chromium", { timeout: 60_000 }, () => {
  let site: Site;
  let browser: Browser | undefined;
  let page: Page;

  // One person, one browser context, from the app's sign-in page to the second hosted sign-in.
  beforeAll(async () => {
    site = await startSite();
    browser = await launchChromium();
    const person = await browser.newContext({ viewport: viewports.desktop, baseURL: site.url });
    // Shorter than the test's own limit, so a missing label or button fails by name.
    person.setDefaultTimeout(10_000);
    person.setDefaultNavigationTimeout(20_000);
    page = await person.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  const onHostedPage = (name: string): Promise<void> =>
    page.waitForURL((url) => url.origin === site.harness.emulator.url && url.pathname === `${hostedPath}${name}`);

  it("signs up on the hosted pages, comes back signed in, and signing out ends the hosted session", async () => {
    const user = uniqueUser("hosted");
    // A form whose redirect the page's CSP refuses leaves the person where they are, with only
    // this console line to say why (the confirmation page did, before form-action named the callback).
    const refused: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });

    await page.goto("/login");
    await page.getByRole("link", { name: "Continue with the hosted sign-in" }).click();
    await onHostedPage("login");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toMatch(/sign in/i);

    await page.getByRole("link", { name: "Create an account" }).click();
    await onHostedPage("signup");
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Create account" }).click();

    await onHostedPage("confirmUser");
    const code = site.latestCode(user.username);
    expect(code).toMatch(/^\d{6}$/);
    await page.getByLabel("Verification code").fill(code);
    await page.getByRole("button", { name: "Confirm account" }).click();

    // Cognito's managed login continues the authorization after a confirmed sign-up: back to
    // the app's callback with a code, which starts the app's session.
    await page.waitForURL(`${site.url}/dashboard`);
    await expect.poll(() => page.getByTestId("signed-in-as").innerText()).toContain(user.username);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${site.url}/`);
    expect(await page.getByTestId("signed-in-as").count()).toBe(0);

    // The hosted session ended with the app's: the next hosted sign-in asks again.
    await page.goto("/login");
    await page.getByRole("link", { name: "Continue with the hosted sign-in" }).click();
    await onHostedPage("login");
    expect(await page.getByLabel("Username or email").isVisible()).toBe(true);

    // And signing in there brings the person back, signed in again.
    await page.getByLabel("Username or email").fill(user.username);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${site.url}/dashboard`);
    await expect.poll(() => page.getByTestId("signed-in-as").innerText()).toContain(user.username);
    expect(refused).toEqual([]);
  });
});
