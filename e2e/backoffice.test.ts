/**
 * The back office in real Chromium: a superuser signs in at /admin/login, finds a person by
 * searching the users list, and deactivates them on the change form. At that moment the
 * person's API call with an access token that is still valid is refused, their open session on
 * the site has ended, and signing in again tells them why — against the app on a loopback port
 * and the Cognito emulator.
 */
import { InitiateAuthCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { messages } from "../packages/app/src/accounts/messages.ts";
import { say } from "../packages/app/src/backoffice/messages.ts";
import { launchChromium, viewports } from "./chromium.ts";
import { insertLocalUser } from "./local-users.ts";
import { signIn, startSite, uniqueUser, type Site } from "./site.ts";

const visibleText = (page: Page): Promise<string> => page.locator("body").innerText();

describe("the back office in Chromium", { timeout: 90_000 }, () => {
  let browser: Browser | undefined;
  let site: Site;
  const contexts: BrowserContext[] = [];
  const superuser = { username: `root${Date.now().toString(36)}`, password: "Babbage-Difference-1822" };

  beforeAll(async () => {
    site = await startSite();
    await insertLocalUser(site, {
      username: superuser.username,
      is_staff: true,
      is_superuser: true,
      password: superuser.password,
    });
  });
  afterAll(async () => {
    await site?.stop();
    await browser?.close();
  });
  beforeEach(async () => {
    // Launched here so that a missing Chromium fails the test by name with how to install it.
    browser ??= await launchChromium();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser!.newContext({ viewport: viewports.desktop, baseURL: site.url });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(20_000);
    contexts.push(context);
    return context.newPage();
  };

  /** An access token for `username` from the web client, as an app client would hold one. */
  async function accessTokenOf(username: string, password: string): Promise<string> {
    const { cognito } = site.harness.config;
    const client = new CognitoIdentityProviderClient({
      endpoint: site.harness.emulator.url,
      region: cognito.region,
      credentials: { accessKeyId: "e2e", secretAccessKey: "e2e" },
    });
    try {
      const secretHash = createHmac("sha256", cognito.clientSecret ?? "")
        .update(username + cognito.clientId)
        .digest("base64");
      const result = await client.send(
        new InitiateAuthCommand({
          ClientId: cognito.clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: secretHash },
        }),
      );
      const token = result.AuthenticationResult?.AccessToken;
      if (!token) throw new Error("Cognito returned no access token");
      return token;
    } finally {
      client.destroy();
    }
  }

  const callMe = async (token: string) => {
    const res = await fetch(`${site.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("a superuser finds a person by search and deactivates them: their valid token is refused and their sign-in says why", async () => {
    const person = uniqueUser("grace");
    await site.createConfirmedUser(person);
    const token = await accessTokenOf(person.username, person.password);
    const before = await callMe(token);
    expect(before.status).toBe(200);
    expect(before.body.username).toBe(person.username);

    // The person is also signed in on the site.
    const personPage = await newPage();
    await signIn(personPage, site, person);

    const admin = await newPage();
    await admin.goto("/admin/");
    await admin.waitForURL(/\/admin\/login/);
    await admin.getByLabel("Username").fill(superuser.username);
    await admin.getByLabel("Password").fill(superuser.password);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.waitForURL(`${site.url}/admin/`);
    expect(await admin.getByTestId("signed-in-as").innerText()).toContain(superuser.username);

    await admin.getByRole("navigation", { name: "Models" }).getByRole("link", { name: "Users" }).click();
    await admin.waitForURL(/\/admin\/users$/);
    await admin.getByRole("searchbox", { name: /search by username or email/i }).fill(person.username);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL(/\/admin\/users\?q=/);
    expect(await admin.getByTestId("user-row").count()).toBe(1);
    await admin.getByRole("link", { name: person.username, exact: true }).click();
    await admin.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    expect(await admin.getByTestId("cognito-status").first().innerText()).toBe("CONFIRMED");

    await admin.getByLabel("Active", { exact: true }).uncheck();
    await admin.getByRole("button", { name: "Save", exact: true }).click();
    await admin.waitForURL(/\/admin\/users$/);
    const flash = await visibleText(admin);
    expect(flash).toContain(say("USER_CHANGED", { username: person.username }));
    expect(flash).toContain(say("USER_DEACTIVATED_SESSIONS"));

    // The access token has not expired, and the API refuses it from now on.
    const after = await callMe(token);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: "User inactive or deleted." });

    // Their open session on the site has ended …
    await personPage.goto("/dashboard");
    await personPage.waitForURL(/\/login/);
    // … and signing in again says why.
    await personPage.getByLabel(/username or email/i).fill(person.username);
    await personPage.getByLabel(/^password$/i).fill(person.password);
    await personPage.getByRole("button", { name: /^sign in$/i }).click();
    await personPage.waitForLoadState("load");
    expect(new URL(personPage.url()).pathname).toBe("/login");
    expect(await visibleText(personPage)).toContain(messages.USER_DISABLED);

    // The change is in the audit log, read-only.
    await admin.getByRole("link", { name: "Audit log" }).first().click();
    await admin.waitForURL(/\/admin\/audit-log/);
    const firstRow = await admin.getByTestId("audit-row").first().innerText();
    expect(firstRow).toContain(person.username);
    expect(firstRow).toContain("Changed is_active.");
  });
});
