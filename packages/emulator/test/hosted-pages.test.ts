/**
 * The hosted pages as a person uses them: sign up, confirm with the emailed code and land back
 * in the app signed in; reset a forgotten password; sign in with an authenticator, with an
 * emailed code, by choosing a factor, by setting an authenticator up; replace a temporary
 * password. Each flow ends with the app's callback receiving a code that redeems for tokens.
 */
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { createHash } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formActionSources } from "../src/hosted/routes.ts";
import { totpCodeAt } from "../src/totp.ts";
import { createConfirmedUser } from "./harness.ts";
import { Browser, callback, password, startHostedFixture, type HostedFixture, type Page } from "./hosted-harness.ts";

let f: HostedFixture;
beforeAll(async () => {
  f = await startHostedFixture("pages-app");
});
afterAll(async () => f.h.stop());

const verifier = "pages-test-verifier-0123456789-0123456789-abcdef";
const authorizeUrl = () =>
  `${f.base}/oauth2/authorize?${new URLSearchParams({
    response_type: "code",
    client_id: f.web.id,
    redirect_uri: callback,
    scope: "openid email",
    state: "xyz",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  })}`;

/** The newest code the outbox holds for `username`. */
const codeFor = (username: string): string => {
  const message = f.h.emulator.outbox.list({ poolId: f.poolId, username })[0];
  if (!message) throw new Error(`no message for ${username}`);
  return message.code;
};

/** The callback got a code: it redeems for tokens of `username`. */
async function expectSignedIn(back: Page, username: string) {
  expect(back.status).toBe(302);
  const url = new URL(back.location!);
  expect(`${url.origin}${url.pathname}`).toBe(callback);
  expect(url.searchParams.get("state")).toBe("xyz");
  const response = await fetch(`${f.base}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: f.web.id,
      code: url.searchParams.get("code")!,
      redirect_uri: callback,
      code_verifier: verifier,
    }).toString(),
  });
  expect(response.status).toBe(200);
  const tokens = (await response.json()) as { id_token: string };
  expect(decodeJwt(tokens.id_token)["cognito:username"]).toBe(username);
}

async function loginPage(browser: Browser): Promise<Page> {
  const page = await browser.follow(authorizeUrl(), f.h.emulator.url);
  expect(page.status).toBe(200);
  return page;
}

describe("sign-up", () => {
  it("signs up, confirms with the emailed code, and goes back to the app signed in", async () => {
    const browser = new Browser();
    const login = await loginPage(browser);
    expect(login.html).toContain("Create an account");
    const signUp = await browser.get(
      new URL(login.html.match(/href="([^"]*\/signup[^"]*)"/)![1]!.replace(/&amp;/g, "&"), login.url).toString(),
    );
    expect(signUp.status).toBe(200);
    const sent = await browser.submit(signUp, "/signup", { username: "bob", email: "bob@example.com", password });
    expect(sent.status).toBe(302);
    expect(sent.location).toContain("/confirmUser?");
    const confirm = await browser.get(sent.location!);
    expect(confirm.html).toContain("b***@e***"); // the masked destination, as CodeDeliveryDetails has it
    const back = await browser.submit(confirm, "/confirmUser", { code: codeFor("bob") });
    await expectSignedIn(back, "bob");
    // The hosted session began: the next authorization skips the form.
    expect((await browser.get(authorizeUrl())).location?.startsWith(callback)).toBe(true);
  });

  it("lets every page's forms lead to the client's callback, which a browser checks on the redirect after Confirm account", async () => {
    // Chromium applies CSP form-action to each redirect that follows a form post: with 'self'
    // alone, the 302 to the callback after confirming (or signing in) was blocked and the person
    // stayed on the confirmation page.
    const browser = new Browser();
    const signUp = await browser.get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    const sent = await browser.submit(signUp, "/signup", {
      username: "csp-ivy",
      email: "csp-ivy@example.com",
      password,
    });
    const confirm = await browser.get(sent.location!);
    for (const page of [await loginPage(new Browser()), signUp, confirm]) {
      const policy = page.headers.get("content-security-policy") ?? "";
      expect(policy).toContain(`form-action 'self' ${new URL(callback).origin};`);
      expect(policy).toContain("frame-ancestors 'none'");
    }
    await expectSignedIn(await browser.submit(confirm, "/confirmUser", { code: codeFor("csp-ivy") }), "csp-ivy");
    // A page drawn before any callback is known (an unknown client) allows its own origin only.
    const error = await new Browser().get(`${f.base}/login?client_id=nosuchclient&response_type=code`);
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.headers.get("content-security-policy")).toContain("form-action 'self';");
  });

  it("names an app's own scheme as the form target of a native app's callback", () => {
    expect(formActionSources("com.example.app://callback")).toBe("'self' com.example.app:");
    expect(formActionSources("https://app.example.com:8443/cb?x=1")).toBe("'self' https://app.example.com:8443");
    expect(formActionSources(null)).toBe("'self'");
  });

  it("shows Cognito's refusal on the form: a taken username, a weak password", async () => {
    const browser = new Browser();
    const signUp = await browser.get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    const taken = await browser.submit(signUp, "/signup", { username: "alice", email: "a2@example.com", password });
    expect(taken.status).toBe(400);
    expect(taken.html).toContain("User already exists");
    const weak = await browser.submit(taken, "/signup", {
      username: "carol",
      email: "carol@example.com",
      password: "short",
    });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain("Password did not conform with policy");
  });

  it("does not sign in a browser that did not sign up: confirming elsewhere leads to the sign-in form", async () => {
    const first = new Browser();
    const signUp = await first.get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    const sent = await first.submit(signUp, "/signup", { username: "dave", email: "dave@example.com", password });
    const other = new Browser();
    const confirm = await other.get(sent.location!);
    const answer = await other.submit(confirm, "/confirmUser", { code: codeFor("dave") });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain("Your account is confirmed");
    expect(other.cookies.has("cognito")).toBe(false);
  });

  it("says so for a wrong code, and sends a new one on request", async () => {
    const browser = new Browser();
    const signUp = await browser.get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    const sent = await browser.submit(signUp, "/signup", { username: "erin", email: "erin@example.com", password });
    const confirm = await browser.get(sent.location!);
    const wrong = await browser.submit(confirm, "/confirmUser", {
      code: "000000" === codeFor("erin") ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Invalid verification code provided, please try again.");
    const resent = await browser.submit(wrong, "/resendCode", {});
    expect(resent.html).toContain("We sent you a new code.");
    expect(f.h.emulator.outbox.list({ poolId: f.poolId, username: "erin" }).length).toBeGreaterThan(1);
    await expectSignedIn(await browser.submit(resent, "/confirmUser", { code: codeFor("erin") }), "erin");
  });

  it("sends an unconfirmed user who signs in to the confirmation page with a fresh code", async () => {
    const browser = new Browser();
    const signUp = await browser.get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    await browser.submit(signUp, "/signup", { username: "fay", email: "fay@example.com", password });
    const later = new Browser();
    const login = await loginPage(later);
    const answer = await later.submit(login, "/login", { username: "fay", password });
    expect(answer.status).toBe(302);
    expect(answer.location).toContain("/confirmUser?");
    expect(f.h.emulator.outbox.list({ poolId: f.poolId, username: "fay" })[0]?.kind).toBe("RESEND_CODE");
  });
});

describe("forgotten password", () => {
  it("sends a code, takes a new password, and the new password signs in", async () => {
    await createConfirmedUser(f.h, { poolId: f.poolId, clientId: f.web.id }, "gina", password, {
      email: "gina@example.com",
    });
    // Only a verified email can receive a reset code.
    await f.h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: f.poolId,
        Username: "gina",
        UserAttributes: [{ Name: "email_verified", Value: "true" }],
      }),
    );
    const browser = new Browser();
    const forgot = await browser.get(`${f.base}/forgotPassword?${new URL(authorizeUrl()).searchParams}`);
    const sent = await browser.submit(forgot, "/forgotPassword", { username: "gina" });
    expect(sent.location).toContain("/confirmForgotPassword?");
    const reset = await browser.get(sent.location!);
    const mismatch = await browser.submit(reset, "/confirmForgotPassword", {
      code: codeFor("gina"),
      password: "N3w-password!",
      confirm: "other",
    });
    expect(mismatch.html).toContain("The two passwords are not the same.");
    const done = await browser.submit(mismatch, "/confirmForgotPassword", {
      code: codeFor("gina"),
      password: "N3w-password!",
      confirm: "N3w-password!",
    });
    expect(done.html).toContain("Your password has been changed.");
    await expectSignedIn(await browser.submit(done, "/login", { username: "gina", password: "N3w-password!" }), "gina");
  });
});

describe("two-step verification", () => {
  beforeEach(async () => {
    await f.h.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: f.poolId,
        MfaConfiguration: "OPTIONAL",
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Message: "Your code is {####}", Subject: "Your code" },
      }),
    );
  });

  /** A user with a verified authenticator, set up through the API as an app's settings page would. */
  async function userWithAuthenticator(username: string): Promise<string> {
    await createConfirmedUser(f.h, { poolId: f.poolId, clientId: f.web.id }, username, password, {
      email: `${username}@example.com`,
    });
    return setUpAuthenticator(username);
  }

  async function setUpAuthenticator(username: string): Promise<string> {
    const { UserPoolClient } = await f.h.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: f.poolId,
        ClientName: "admin-helper",
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
      }),
    );
    const signIn = await f.h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: f.poolId,
        ClientId: UserPoolClient!.ClientId!,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const accessToken = signIn.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await f.h.cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    await f.h.cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCodeAt(SecretCode!, f.h.clock.now()) }),
    );
    await f.h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: f.poolId,
        Username: username,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    f.h.clock.advance(30_000);
    return SecretCode!;
  }

  it("asks for the authenticator's code after the password, and a right code signs in", async () => {
    const secret = await userWithAuthenticator("hana");
    const browser = new Browser();
    const mfa = await browser.submit(await loginPage(browser), "/login", { username: "hana", password });
    expect(mfa.status).toBe(200);
    expect(mfa.html).toContain("Enter the 6-digit code from your authenticator app.");
    const wrong = await browser.submit(mfa, "/mfa", {
      code: "000000" === totpCodeAt(secret, f.h.clock.now()) ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Invalid code or auth state for the user.");
    await expectSignedIn(await browser.submit(wrong, "/mfa", { code: totpCodeAt(secret, f.h.clock.now()) }), "hana");
  });

  it("shows AWS's message for an authenticator code used once already, and takes the next one", async () => {
    const secret = await userWithAuthenticator("hugo");
    const used = totpCodeAt(secret, f.h.clock.now());
    const first = new Browser();
    const firstMfa = await first.submit(await loginPage(first), "/login", { username: "hugo", password });
    await expectSignedIn(await first.submit(firstMfa, "/mfa", { code: used }), "hugo");
    const second = new Browser();
    const mfa = await second.submit(await loginPage(second), "/login", { username: "hugo", password });
    // AWS: ExpiredCodeException "Your software token has already been used once."
    const again = await second.submit(mfa, "/mfa", { code: used });
    expect(again.status).toBe(400);
    expect(again.html).toContain("Your software token has already been used once.");
    await expectSignedIn(
      await second.submit(again, "/mfa", { code: totpCodeAt(secret, f.h.clock.now() + 30_000) }),
      "hugo",
    );
  });

  it("emails a code when the user's factor is email, and offers a choice when there are two", async () => {
    const secret = await userWithAuthenticator("ivan");
    await f.h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: f.poolId,
        Username: "ivan",
        SoftwareTokenMfaSettings: { Enabled: false },
        EmailMfaSettings: { Enabled: true },
      }),
    );
    const browser = new Browser();
    const mfa = await browser.submit(await loginPage(browser), "/login", { username: "ivan", password });
    expect(mfa.html).toContain("We sent a code to");
    await expectSignedIn(await browser.submit(mfa, "/mfa", { code: codeFor("ivan") }), "ivan");

    await f.h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: f.poolId,
        Username: "ivan",
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
        EmailMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    const chooser = new Browser();
    const choice = await chooser.submit(await loginPage(chooser), "/login", { username: "ivan", password });
    expect(choice.html).toContain("How do you want to confirm it’s you?");
    const totp = await chooser.submit(choice, "/mfa", { factor: "SOFTWARE_TOKEN_MFA" });
    expect(totp.html).toContain("authenticator app");
    await expectSignedIn(await chooser.submit(totp, "/mfa", { code: totpCodeAt(secret, f.h.clock.now()) }), "ivan");
  });

  it("sets up an authenticator when MFA is required and the user has none", async () => {
    await f.h.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: f.poolId,
        MfaConfiguration: "ON",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    try {
      await createConfirmedUser(f.h, { poolId: f.poolId, clientId: f.web.id }, "jade", password, {
        email: "jade@example.com",
      });
      const browser = new Browser();
      const setup = await browser.submit(await loginPage(browser), "/login", { username: "jade", password });
      expect(setup.html).toContain("Set up an authenticator");
      const secret = setup.html.match(/name="secret" value="([A-Z2-7]+)"/)?.[1];
      expect(secret).toBeTruthy();
      expect(setup.html).toContain("otpauth://totp/");
      await expectSignedIn(
        await browser.submit(setup, "/mfaSetup", { code: totpCodeAt(secret!, f.h.clock.now()) }),
        "jade",
      );
    } finally {
      await f.h.cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: f.poolId, MfaConfiguration: "OFF" }));
    }
  });
});

describe("temporary password", () => {
  it("asks a user created by an administrator for a new password, then signs in", async () => {
    await f.h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: f.poolId,
        Username: "kim",
        TemporaryPassword: "Temp-passw0rd!",
        UserAttributes: [{ Name: "email", Value: "kim@example.com" }],
        MessageAction: "SUPPRESS",
      }),
    );
    const browser = new Browser();
    const change = await browser.submit(await loginPage(browser), "/login", {
      username: "kim",
      password: "Temp-passw0rd!",
    });
    expect(change.html).toContain("Your temporary password has to be replaced");
    await expectSignedIn(
      await browser.submit(change, "/newPassword", { password: "Kim-s-own-passw0rd", confirm: "Kim-s-own-passw0rd" }),
      "kim",
    );
  });

  it("refuses sign-up on a pool where only administrators create users", async () => {
    await f.h.cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: f.poolId,
        AutoVerifiedAttributes: ["email"],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      }),
    );
    const page = await new Browser().get(`${f.base}/signup?${new URL(authorizeUrl()).searchParams}`);
    expect(page.status).toBe(403);
    const login = await loginPage(new Browser());
    expect(login.html).not.toContain("Create an account");
  });
});
