import { AdminUserGlobalSignOutCommand, GetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { manualClock, type ManualClock } from "@gatehouse/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { sessionRowsOf, sessionTokensOf, setTokenExpiry, signedInPerson, userRow } from "./signed-in.ts";

const minute = 60_000;

describe.each(["sqlite", "postgres"] as const)("the dashboard (%s)", (database) => {
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

  it("welcomes a signed-in person with their profile at a glance", async () => {
    const { account, browser } = await signedInPerson(h, admin, "dash");
    const res = await browser.get("/dashboard");
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const text = textOf(res.body);
    expect(text).toContain(`Welcome, ${account.username}`);
    expect(text).toContain(`Username ${account.username}`);
    expect(text).toContain(`Email ${account.email} Verified`);
    expect(text).toContain("Given name not set");
    expect(text).toMatch(/Member since \d{1,2} \w{3} \d{4}/);
    expect(text).toMatch(/Last sign-in \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
    expect(res.body).toContain('href="/account#profile"');
  });

  it("shows staff, and only staff, the way to the back office", async () => {
    const { browser, userId } = await signedInPerson(h, admin, "staffer");
    expect((await browser.get("/dashboard")).body).not.toContain('href="/admin/"');
    await h.database.database.db.updateTable("users").set({ is_staff: true }).where("id", "=", userId).execute();
    expect((await browser.get("/dashboard")).body).toContain('href="/admin/"');
  });

  it("greets by given name and warns when the email address is not confirmed", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "named");
    await h.app.users.updateProfile(userId, { givenName: "Ada", familyName: "Lovelace", emailVerified: false });
    const text = textOf((await browser.get("/dashboard")).body);
    expect(text).toContain("Welcome, Ada");
    expect(text).toContain(`Signed in as ${account.username}.`);
    expect(text).toContain("Family name Lovelace");
    expect(text).toContain("Not confirmed");
    expect(text).toContain("Your email address is not confirmed yet.");
  });

  it("sends an anonymous visitor to the sign-in page and back", async () => {
    const browser = h.browser();
    const res = await browser.get("/dashboard");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?next=%2Fdashboard");
    expect(textOf((await browser.follow()).body)).toContain("Please sign in to see that page.");
  });

  it("shows no API panel and no token outside development", async () => {
    const { browser, userId } = await signedInPerson(h, admin, "prod");
    const res = await browser.get("/dashboard");
    const tokens = await sessionTokensOf(h, userId);
    expect(res.body).not.toContain('data-testid="api-panel"');
    expect(res.body).not.toContain(tokens.accessToken);
  });
});

describe.each(["sqlite", "postgres"] as const)("the dashboard in development (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { mode: "development" } });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("shows a ready curl line with the session's current access token, which the API accepts", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "dev");
    const res = await browser.get("/dashboard");
    expect(res.statusCode).toBe(200);
    const tokens = await sessionTokensOf(h, userId);
    const text = textOf(res.body);
    expect(text).toContain("Call the API");
    expect(text).toContain(`curl -H "Authorization: Bearer ${tokens.accessToken}" http://localhost:3000/api/v1/me`);
    expect(res.body).toContain('href="/api/docs"');
    const me = await admin.client.send(new GetUserCommand({ AccessToken: tokens.accessToken }));
    expect(me.Username).toBe(account.username);
    // The line works as printed: the same request, through the app.
    const api = await h.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ username: account.username });
  });
});

describe.each(["sqlite", "postgres"] as const)("the session's access token (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = manualClock();
    h = await startAppHarness({ database, clock });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("is refreshed with the refresh token when less than five minutes are left", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "fresh");
    const before = await sessionTokensOf(h, userId);
    // Cognito's clock runs 57 minutes on (3 left of the hour), and the session agrees.
    clock.advance(57 * minute);
    await setTokenExpiry(h, userId, Date.now() + 3 * minute);

    const res = await browser.get("/dashboard");
    expect(res.statusCode).toBe(200);
    const after = await sessionTokensOf(h, userId);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 55 * minute);

    // Past the old token's hour, only the new one is good.
    clock.advance(5 * minute);
    await expect(admin.client.send(new GetUserCommand({ AccessToken: before.accessToken }))).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has expired",
    });
    const me = await admin.client.send(new GetUserCommand({ AccessToken: after.accessToken }));
    expect(me.Username).toBe(account.username);
    expect(textOf((await browser.get("/dashboard")).body)).toContain(`Welcome, ${account.username}`);
  });

  it("is not refreshed while enough time is left", async () => {
    const { browser, userId } = await signedInPerson(h, admin, "steady");
    const before = await sessionTokensOf(h, userId);
    await setTokenExpiry(h, userId, Date.now() + 6 * minute);
    await browser.get("/dashboard");
    expect((await sessionTokensOf(h, userId)).accessToken).toBe(before.accessToken);
  });

  it("ends the session when the refresh token was revoked", async () => {
    const { account, browser, userId } = await signedInPerson(h, admin, "revoked");
    await admin.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: h.poolId, Username: account.username }));
    await setTokenExpiry(h, userId, Date.now() + minute);

    const res = await browser.get("/dashboard");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?next=%2Fdashboard");
    const login = textOf((await browser.follow()).body);
    expect(login).toContain("Your session has ended. Please sign in again.");
    expect(login).not.toContain("Please sign in to see that page.");
    expect(await sessionRowsOf(h, userId)).toHaveLength(0);
    // The local user stays: only the session ended.
    expect(await userRow(h, account.username)).toBeDefined();
  });
});
