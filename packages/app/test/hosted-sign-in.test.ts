/**
 * "Continue with the hosted sign-in" against the emulator's hosted UI, on SQLite and
 * PostgreSQL: the sign-in page links to it, the code + PKCE flow ends in the same session as a
 * password sign-in, and the callback refuses a wrong state, a wrong nonce, a replayed code and a
 * callback nobody started; signing out also ends the hosted session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../src/accounts/messages.ts";
import {
  hostedFormTargets,
  isHostedFormTarget,
  type HostedFormSettings,
} from "../src/accounts/routes/hosted-sign-in.ts";
import { Browser, signInThrough } from "../../emulator/test/hosted-harness.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, CognitoAdmin, newAccount } from "./accounts-fixtures.ts";
import { userRow } from "./signed-in.ts";

describe.each(["sqlite", "postgres"] as const)("the hosted sign-in (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { hostedUi: true } });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  /** The app's redirect to the authorization endpoint, from a browser of its own. */
  async function start(next = "/dashboard"): Promise<{ app: TestBrowser; authorize: URL }> {
    const app = browserAt(h);
    const res = await app.get(`/auth/hosted?next=${encodeURIComponent(next)}`);
    expect(res.statusCode).toBe(303);
    const authorize = new URL(String(res.headers.location));
    return { app, authorize };
  }

  /** Signs in on the hosted page; the callback URL Cognito sends the browser back to. */
  async function hostedCallback(authorize: URL, account: { username: string; password: string }): Promise<URL> {
    const back = await signInThrough(new Browser(), authorize.href, account.username, account.password);
    expect(back.location, back.html.slice(0, 300)).toMatch(/^http:\/\/localhost:3000\/auth\/callback\?/);
    return new URL(back.location ?? "");
  }

  const callbackPath = (url: URL) => `${url.pathname}${url.search}`;

  it("offers it on the sign-in page, and signs in with code + PKCE into the same session as a password", async () => {
    expect((await browserAt(h).get("/login")).body).toContain('href="/auth/hosted?next=%2Fdashboard"');
    const account = await admin.confirmed(newAccount("hosted"));
    const { app, authorize } = await start("/account");
    expect(authorize.pathname).toMatch(/\/oauth2\/authorize$/);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("scope")).toContain("openid");

    const done = await app.get(callbackPath(await hostedCallback(authorize, account)));
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/account");
    expect((await app.get("/account")).statusCode).toBe(200);
    expect((await userRow(h, account.username))?.last_login).not.toBeNull();
  });

  it("refuses a wrong state, a replayed code and a callback nobody started", async () => {
    const account = await admin.confirmed(newAccount("hoststate"));
    const { app, authorize } = await start();
    const callback = await hostedCallback(authorize, account);
    const forged = new URL(callback);
    forged.searchParams.set("state", "not-the-state");
    const refused = await app.get(callbackPath(forged));
    expect(refused.headers.location).toBe("/login");
    expect(textOf((await app.follow()).body)).toContain(t("HOSTED_SIGN_IN_FAILED"));
    expect((await app.get("/dashboard")).statusCode).toBe(303);

    // The right callback, now that the pending sign-in is gone, and then a replay of its code.
    const second = await start();
    const good = await hostedCallback(second.authorize, account);
    expect((await second.app.get(callbackPath(good))).headers.location).toBe("/dashboard");
    const replay = await start();
    const replayed = new URL(good);
    replayed.searchParams.set("state", replay.authorize.searchParams.get("state") ?? "");
    expect((await replay.app.get(callbackPath(replayed))).headers.location).toBe("/login");
    expect((await browserAt(h).get(callbackPath(good))).headers.location).toBe("/login");
  });

  it("refuses an ID token whose nonce is not the one the sign-in sent", async () => {
    const account = await admin.confirmed(newAccount("hostnonce"));
    const { app, authorize } = await start();
    const other = new URL(authorize);
    other.searchParams.set("nonce", "someone-elses-nonce");
    const refused = await app.get(callbackPath(await hostedCallback(other, account)));
    expect(refused.headers.location).toBe("/login");
    expect((await app.get("/dashboard")).statusCode).toBe(303);
  });

  it("ends the hosted session at sign-out", async () => {
    const account = await admin.confirmed(newAccount("hostout"));
    const { app, authorize } = await start();
    await app.get(callbackPath(await hostedCallback(authorize, account)));
    await app.get("/dashboard");
    const out = await app.post("/logout", {});
    expect(out.statusCode).toBe(303);
    const logout = new URL(String(out.headers.location));
    expect(logout.pathname).toMatch(/\/logout$/);
    expect(logout.searchParams.get("client_id")).toBe(h.webClientId);
    expect(logout.searchParams.get("logout_uri")).toBe("http://localhost:3000/");
    // The page the sign-out form is on lets that redirect through (Chromium checks it against
    // form-action, e2e/hosted.test.ts).
    const policy = String((await browserAt(h).get("/login")).headers["content-security-policy"]);
    expect(policy).toContain(`form-action 'self' ${new URL(h.emulator.url).origin};`);
  });
});

describe("the site's form targets for the hosted sign-in", () => {
  const aws: HostedFormSettings = { hostedUi: true, cognito: { region: "eu-west-1", endpoint: null } };

  it("names the emulator's origin, or AWS's managed-login domains of the pool's region", () => {
    const emulator = { hostedUi: true, cognito: { region: "us-east-1", endpoint: "http://127.0.0.1:9229" } };
    expect(hostedFormTargets(emulator)).toEqual(["http://127.0.0.1:9229"]);
    expect(hostedFormTargets(aws)).toEqual(["https://*.auth.eu-west-1.amazoncognito.com"]);
    expect(hostedFormTargets({ ...aws, hostedUi: false })).toEqual([]);
  });

  it("sends sign-out to Cognito only where the CSP lets the browser follow", () => {
    expect(isHostedFormTarget(aws, "https://myapp.auth.eu-west-1.amazoncognito.com/logout?x=1")).toBe(true);
    for (const url of [
      "https://auth.example.com/logout",
      "https://myapp.auth.us-east-1.amazoncognito.com/logout",
      "http://myapp.auth.eu-west-1.amazoncognito.com/logout",
      "https://myapp.auth.eu-west-1.amazoncognito.com:8443/logout",
      "https://evil-auth.eu-west-1.amazoncognito.com/logout",
    ]) {
      expect(isHostedFormTarget(aws, url), url).toBe(false);
    }
  });
});
