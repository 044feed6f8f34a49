import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  UpdateUserPoolCommand,
  type AttributeType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CognitoAdmin, latestCode, newAccount, sentCount } from "./accounts-fixtures.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { dropCognitoTokens, sessionRowsOf, sessionTokensOf, signedInPerson, signIn, userRow } from "./signed-in.ts";

const attributesOf = (list: readonly AttributeType[] | undefined): Record<string, string | undefined> =>
  Object.fromEntries((list ?? []).map((a) => [a.Name ?? "", a.Value]));

describe.each(["sqlite", "postgres"] as const)("the account page (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  const cognitoAttributes = async (username: string) =>
    attributesOf(
      (await admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username }))).UserAttributes,
    );

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  describe("seeing it", () => {
    it("shows the profile and every section's form to a signed-in person", async () => {
      const { account, browser } = await signedInPerson(h, admin, "viewer");
      const res = await browser.get("/account");
      expect(res.statusCode).toBe(200);
      expect(res.headers["cache-control"]).toBe("no-store");
      const text = textOf(res.body);
      expect(text).toContain("Your account");
      expect(text).toContain(`Username ${account.username}`);
      expect(text).toContain(`${account.email} Verified`);
      for (const action of [
        "/account/profile",
        "/account/email",
        "/account/password",
        "/account/sign-out-everywhere",
      ]) {
        expect(res.body).toContain(`action="${action}"`);
      }
      expect(res.body).toContain('href="/account/delete"');
      // Nothing is pending: no code form.
      expect(res.body).not.toContain('action="/account/email/verify"');
    });

    it("sends an anonymous visitor to the sign-in page, and back afterwards", async () => {
      const browser = h.browser();
      const res = await browser.get("/account");
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login?next=%2Faccount");
      const deletion = await h.browser().get("/account/delete");
      expect(deletion.headers.location).toBe("/login?next=%2Faccount%2Fdelete");
    });

    it("refuses a form posted without its CSRF token", async () => {
      const { account, browser } = await signedInPerson(h, admin, "csrf");
      await browser.get("/account");
      const res = await browser.post("/account/profile", { _csrf: "", given_name: "Mallory" });
      expect(res.statusCode).toBe(403);
      expect((await cognitoAttributes(account.username)).given_name).toBeUndefined();
    });

    it("refuses an anonymous form post", async () => {
      const res = await h.browser().post("/account/delete", { confirm_username: "anyone" });
      expect(res.statusCode).toBe(403);
    });
  });

  describe("names", () => {
    it("are updated in Cognito and in the local row", async () => {
      const { account, browser } = await signedInPerson(h, admin, "names");
      await browser.get("/account");
      const res = await browser.post("/account/profile", { given_name: "  Ada ", family_name: "Lovelace" });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/account");
      const page = textOf((await browser.follow()).body);
      expect(page).toContain("Your profile has been updated.");
      expect(await cognitoAttributes(account.username)).toMatchObject({ given_name: "Ada", family_name: "Lovelace" });
      expect(await userRow(h, account.username)).toMatchObject({ given_name: "Ada", family_name: "Lovelace" });
      expect((await browser.get("/dashboard")).body).toContain("Welcome, Ada");
    });

    it("are removed when emptied", async () => {
      const { account, browser } = await signedInPerson(h, admin, "unnamed");
      await browser.get("/account");
      await browser.post("/account/profile", { given_name: "Grace", family_name: "Hopper" });
      await browser.get("/account");
      const res = await browser.post("/account/profile", { given_name: "Grace", family_name: "" });
      expect(res.statusCode).toBe(303);
      const attributes = await cognitoAttributes(account.username);
      expect(attributes.given_name).toBe("Grace");
      expect(attributes.family_name).toBeUndefined();
      expect(await userRow(h, account.username)).toMatchObject({ given_name: "Grace", family_name: null });
    });

    it("say so when nothing changed", async () => {
      const { browser } = await signedInPerson(h, admin, "same");
      await browser.get("/account");
      await browser.post("/account/profile", { given_name: "", family_name: "" });
      expect(textOf((await browser.follow()).body)).toContain("Nothing has changed.");
    });

    it("longer than 100 characters are refused on the form, with the input kept", async () => {
      const { account, browser } = await signedInPerson(h, admin, "longname");
      await browser.get("/account");
      const long = "x".repeat(101);
      const res = await browser.post("/account/profile", { given_name: long, family_name: "Short" });
      expect(res.statusCode).toBe(400);
      const text = textOf(res.body);
      expect(text).toContain("Use at most 100 characters.");
      expect(text).toContain("Profile : Please correct the problem below.");
      expect(res.body).toContain(`value="${long}"`);
      expect(res.body).toContain('value="Short"');
      expect((await cognitoAttributes(account.username)).family_name).toBeUndefined();
    });

    it("with control characters are refused on the form (PostgreSQL could not store them)", async () => {
      const { account, browser } = await signedInPerson(h, admin, "badname");
      await browser.get("/account");
      const res = await browser.post("/account/profile", { given_name: "Bell\u0007Name", family_name: "Tab\tbed" });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body).match(/cannot be part of a name/g)).toHaveLength(2);
      // A NUL is refused before any form sees it (unstorable-text.ts).
      await browser.get("/account");
      const nul = await browser.post("/account/profile", { given_name: "Bad\u0000Name", family_name: "" });
      expect(nul.statusCode).toBe(400);
      expect((await cognitoAttributes(account.username)).given_name).toBeUndefined();
    });

    it("with a repeated field are a bad request, not a 500", async () => {
      const { browser } = await signedInPerson(h, admin, "repeat");
      await browser.get("/account");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(browser.last?.body ?? "")?.[1] ?? "";
      const res = await h.app.inject({
        method: "POST",
        url: "/account/profile",
        payload: `_csrf=${encodeURIComponent(csrf)}&given_name=a&given_name=b`,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookieHeader },
      });
      expect(res.statusCode).toBe(400);
    });
  });

  describe("changing the email address", () => {
    it("sends a code to the new address, and the code confirms it in Cognito and locally", async () => {
      const { account, browser } = await signedInPerson(h, admin, "mover");
      const newEmail = `${account.username}.new@example.org`;
      await browser.get("/account");
      const res = await browser.post("/account/email", { email: newEmail });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/account#email");
      const message = h.emulator.outbox.latest(account.username);
      expect(message?.destination).toBe(newEmail);

      const page = await browser.follow();
      const text = textOf(page.body);
      expect(text).toContain(`We have sent a code to ${newEmail}.`);
      expect(text).toContain(`${newEmail} Not confirmed`);
      expect(page.body).toContain('action="/account/email/verify"');
      expect(await userRow(h, account.username)).toMatchObject({ email: newEmail });
      expect(Boolean((await userRow(h, account.username))?.email_verified)).toBe(false);
      expect(await cognitoAttributes(account.username)).toMatchObject({ email: newEmail, email_verified: "false" });

      const verified = await browser.post("/account/email/verify", { code: ` ${message?.code ?? ""} ` });
      expect(verified.statusCode).toBe(303);
      const after = await browser.follow();
      expect(textOf(after.body)).toContain("Your email address is confirmed.");
      expect(textOf(after.body)).toContain(`${newEmail} Verified`);
      expect(after.body).not.toContain('action="/account/email/verify"');
      expect(Boolean((await userRow(h, account.username))?.email_verified)).toBe(true);
      expect(await cognitoAttributes(account.username)).toMatchObject({ email: newEmail, email_verified: "true" });
    });

    it("explains a wrong code, keeps it on the form and leaves the address unconfirmed", async () => {
      const { account, browser } = await signedInPerson(h, admin, "wrongcode");
      await browser.get("/account");
      await browser.post("/account/email", { email: `${account.username}@example.net` });
      await browser.follow();
      const right = latestCode(h, account.username);
      const wrong = right === "000000" ? "111111" : "000000";
      const res = await browser.post("/account/email/verify", { code: wrong });
      expect(res.statusCode).toBe(400);
      const text = textOf(res.body);
      expect(text).toContain("That code is not right.");
      expect(text).toContain("Confirm your email address : Please correct the problem below.");
      expect(res.body).toContain(`value="${wrong}"`);
      expect((await cognitoAttributes(account.username)).email_verified).toBe("false");
    });

    it("refuses a code that is not six digits before asking Cognito", async () => {
      const { account, browser } = await signedInPerson(h, admin, "shortcode");
      await browser.get("/account");
      await browser.post("/account/email", { email: `${account.username}@example.net` });
      await browser.follow();
      const res = await browser.post("/account/email/verify", { code: "12ab" });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain("Enter the 6-digit code from the email.");
    });

    it("sends the code again on request", async () => {
      const { account, browser } = await signedInPerson(h, admin, "again");
      const newEmail = `${account.username}@example.net`;
      await browser.get("/account");
      await browser.post("/account/email", { email: newEmail });
      await browser.follow();
      const before = sentCount(h, account.username);
      const res = await browser.post("/account/email/resend", {});
      expect(res.statusCode).toBe(303);
      expect(textOf((await browser.follow()).body)).toContain(`We have sent a new code to ${newEmail}.`);
      expect(sentCount(h, account.username)).toBe(before + 1);
      // The newest code is the one that works.
      await browser.post("/account/email/verify", { code: latestCode(h, account.username) });
      expect((await cognitoAttributes(account.username)).email_verified).toBe("true");
    });

    it("refuses an invalid address and the current one, with the input kept", async () => {
      const { account, browser } = await signedInPerson(h, admin, "invalidmail");
      await browser.get("/account");
      const invalid = await browser.post("/account/email", { email: "not-an-address" });
      expect(invalid.statusCode).toBe(400);
      expect(textOf(invalid.body)).toContain("Enter a valid email address.");
      expect(invalid.body).toContain('value="not-an-address"');
      const empty = await browser.post("/account/email", { email: " " });
      expect(textOf(empty.body)).toContain("This field is required.");
      const same = await browser.post("/account/email", { email: account.email.toUpperCase() });
      expect(same.statusCode).toBe(400);
      expect(textOf(same.body)).toContain("This is already your email address.");
      expect(sentCount(h, account.username)).toBe(0);
    });

    it("cannot confirm an address another account already signs in with", async () => {
      const other = await admin.confirmed(newAccount("holder"));
      const { account, browser } = await signedInPerson(h, admin, "taker");
      await browser.get("/account");
      await browser.post("/account/email", { email: other.email });
      await browser.follow();
      const res = await browser.post("/account/email/verify", { code: latestCode(h, account.username) });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain("An account with this email address already exists.");
      expect((await cognitoAttributes(account.username)).email_verified).toBe("false");
      expect((await cognitoAttributes(other.username)).email_verified).toBe("true");
    });

    it("limits how many codes one person can have sent", async () => {
      const { account, browser } = await signedInPerson(h, admin, "flood");
      await browser.get("/account");
      await browser.post("/account/email", { email: `${account.username}@example.net` });
      await browser.follow();
      let last = 0;
      for (let i = 0; i < 10; i++) last = (await browser.post("/account/email/resend", {})).statusCode;
      expect(last).toBe(429);
      expect(textOf(browser.last?.body ?? "")).toContain("Too many requests");
      expect(sentCount(h, account.username)).toBe(10);
    });
  });

  describe("changing the password", () => {
    it("works with the current password, and the new one signs in", async () => {
      const { account, browser } = await signedInPerson(h, admin, "rotate");
      await browser.get("/account");
      const res = await browser.post("/account/password", {
        current_password: account.password,
        new_password: "Another-Horse-8",
        new_password_confirm: "Another-Horse-8",
      });
      expect(res.statusCode).toBe(303);
      expect(textOf((await browser.follow()).body)).toContain("Your password has been changed.");
      await expect(admin.signIn(account.username, account.password)).rejects.toMatchObject({
        name: "NotAuthorizedException",
      });
      await signIn(h, account, "Another-Horse-8");
    });

    it("explains a wrong current password and never shows a password again", async () => {
      const { account, browser } = await signedInPerson(h, admin, "forgetful");
      await browser.get("/account");
      const res = await browser.post("/account/password", {
        current_password: "Not-The-Password-1",
        new_password: "Another-Horse-8",
        new_password_confirm: "Another-Horse-8",
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain("Your current password is not right.");
      expect(res.body).not.toContain("Not-The-Password-1");
      expect(res.body).not.toContain("Another-Horse-8");
      // The session goes on.
      expect((await browser.get("/account")).statusCode).toBe(200);
      await admin.signIn(account.username, account.password);
    });

    it("explains the password policy", async () => {
      const { browser } = await signedInPerson(h, admin, "weak");
      await browser.get("/account");
      const res = await browser.post("/account/password", {
        current_password: "Correct-Horse-7",
        new_password: "alllowercase",
        new_password_confirm: "alllowercase",
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toMatch(/upper-?case/i);
    });

    it("asks for every field and the same new password twice", async () => {
      const { browser } = await signedInPerson(h, admin, "typo");
      await browser.get("/account");
      const empty = await browser.post("/account/password", {});
      expect(empty.statusCode).toBe(400);
      expect(textOf(empty.body).match(/This field is required\./g)?.length).toBeGreaterThanOrEqual(2);
      const differ = await browser.post("/account/password", {
        current_password: "Correct-Horse-7",
        new_password: "Another-Horse-8",
        new_password_confirm: "Another-Horse-9",
      });
      expect(differ.statusCode).toBe(400);
      expect(textOf(differ.body)).toContain("The two passwords do not match.");
      const same = await browser.post("/account/password", {
        current_password: "Correct-Horse-7",
        new_password: "Correct-Horse-7",
        new_password_confirm: "Correct-Horse-7",
      });
      expect(textOf(same.body)).toContain("Choose a password that is different from your current one.");
    });
  });

  describe("signing out of all devices", () => {
    it("ends this session and every other, and revokes the refresh tokens", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "everywhere");
      const tokens = await sessionTokensOf(h, userId);
      const otherBrowser = await signIn(h, account);
      expect((await otherBrowser.get("/dashboard")).statusCode).toBe(200);
      expect(await sessionRowsOf(h, userId)).toHaveLength(2);

      await browser.get("/account");
      const res = await browser.post("/account/sign-out-everywhere", {});
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(textOf((await browser.follow()).body)).toContain("You have been signed out on every device.");

      expect(await sessionRowsOf(h, userId)).toHaveLength(0);
      expect((await browser.get("/dashboard")).statusCode).toBe(303);
      const other = await otherBrowser.get("/dashboard");
      expect(other.statusCode).toBe(303);
      expect(other.headers.location).toBe("/login?next=%2Fdashboard");
      await expect(admin.refresh(account.username, tokens.refreshToken)).rejects.toMatchObject({
        name: "NotAuthorizedException",
      });
    });
  });

  describe("deleting the account", () => {
    it("asks for the username on a confirmation page", async () => {
      const { account, browser } = await signedInPerson(h, admin, "asker");
      const res = await browser.get("/account/delete");
      expect(res.statusCode).toBe(200);
      const text = textOf(res.body);
      expect(text).toContain("Delete your account");
      expect(text).toContain(`Your username is ${account.username}.`);
      expect(res.body).toContain('action="/account/delete"');
    });

    it("keeps the account when the typed username is not the person's", async () => {
      const { account, browser } = await signedInPerson(h, admin, "keeper");
      await browser.get("/account/delete");
      const res = await browser.post("/account/delete", { confirm_username: `${account.username}x` });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(`Type your username, ${account.username}, exactly as shown.`);
      expect(res.body).toContain(`value="${account.username}x"`);
      const empty = await browser.post("/account/delete", { confirm_username: "" });
      expect(textOf(empty.body)).toContain("This field is required.");
      expect(await userRow(h, account.username)).toBeDefined();
      await admin.signIn(account.username, account.password);
    });

    it("deletes the user in Cognito and locally, ends every session, and says so on the home page", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "leaver");
      const otherBrowser = await signIn(h, account);
      await browser.get("/account/delete");
      const res = await browser.post("/account/delete", { confirm_username: account.username });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/");
      const home = await browser.follow();
      expect(textOf(home.body)).toContain("Your account has been deleted.");
      expect(textOf(home.body)).toContain("Sign in");

      await expect(
        admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: account.username })),
      ).rejects.toMatchObject({ name: "UserNotFoundException" });
      expect(await userRow(h, account.username)).toBeUndefined();
      expect(await sessionRowsOf(h, userId)).toHaveLength(0);
      expect((await otherBrowser.get("/account")).statusCode).toBe(303);
    });

    it("ends the session gracefully when an administrator already deleted the user in Cognito", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "gone");
      await browser.get("/account/delete");
      await admin.client.send(new AdminDeleteUserCommand({ UserPoolId: h.poolId, Username: account.username }));
      const res = await browser.post("/account/delete", { confirm_username: account.username });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(await sessionRowsOf(h, userId)).toHaveLength(0);
    });
  });

  describe("a session whose Cognito sign-in has ended", () => {
    it("is ended gracefully when the access token was revoked elsewhere", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "elsewhere");
      await browser.get("/account");
      await admin.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: h.poolId, Username: account.username }));
      const res = await browser.post("/account/profile", { given_name: "Late" });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(textOf((await browser.follow()).body)).toContain("Your session has ended. Please sign in again.");
      expect(await sessionRowsOf(h, userId)).toHaveLength(0);
      expect((await browser.get("/account")).statusCode).toBe(303);
    });

    it("is ended for every action that calls Cognito, never with a 500", async () => {
      const posts: [string, Record<string, string>][] = [
        ["/account/email", { email: "somewhere@example.org" }],
        ["/account/email/resend", {}],
        ["/account/email/verify", { code: "123456" }],
        [
          "/account/password",
          { current_password: "A-b-c-1-x", new_password: "Xy-z-9-abc", new_password_confirm: "Xy-z-9-abc" },
        ],
        ["/account/sign-out-everywhere", {}],
      ];
      for (const [url, form] of posts) {
        const { account, browser } = await signedInPerson(h, admin, "revoked");
        await browser.get("/account");
        await admin.client.send(
          new AdminUserGlobalSignOutCommand({ UserPoolId: h.poolId, Username: account.username }),
        );
        const res = await browser.post(url, form);
        expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({
          url,
          status: 303,
          location: "/login",
        });
      }
    });

    it("is ended when the user was disabled", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "disabled");
      await browser.get("/account");
      await admin.disable(account.username);
      const res = await browser.post("/account/profile", { given_name: "Blocked" });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(textOf((await browser.follow()).body)).toMatch(/Your session has ended|This account is disabled/);
      expect(await sessionRowsOf(h, userId)).toHaveLength(0);
    });
  });

  describe("a signed-in user without Cognito tokens (a local account)", () => {
    it("sees the account read-only and cannot change it here", async () => {
      const { account, browser, userId } = await signedInPerson(h, admin, "local");
      await dropCognitoTokens(h, userId);
      const page = await browser.get("/account");
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain("This account does not sign in through Cognito");
      expect(page.body).not.toContain('action="/account/profile"');
      expect(page.body).not.toContain('href="/account/delete"');

      const res = await browser.post("/account/profile", { given_name: "Local" });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain("This account does not sign in through Cognito");
      expect((await cognitoAttributes(account.username)).given_name).toBeUndefined();

      const deletion = await browser.get("/account/delete");
      expect(deletion.statusCode).toBe(303);
      expect(deletion.headers.location).toBe("/account#delete");
    });
  });
});

describe.each(["sqlite", "postgres"] as const)("the account page while Cognito is down (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    // The emulator was stopped by the test; stopping it again may complain.
    await h.stop().catch(() => undefined);
  });

  it("keeps the session and says the service is not answering, never a 500", async () => {
    const { browser, userId } = await signedInPerson(h, admin, "outage");
    await browser.get("/account");
    await h.emulator.stop();
    const res = await browser.post("/account/profile", { given_name: "Patient" });
    expect(res.statusCode).toBe(503);
    expect(textOf(res.body)).toContain("The sign-in service is not answering.");
    expect(res.body).toContain('value="Patient"');
    expect(await sessionRowsOf(h, userId)).toHaveLength(1);
    expect((await browser.get("/account")).statusCode).toBe(200);
  });
});

describe.each(["sqlite", "postgres"] as const)("the account page when the pool's policy changed (%s)", (database) => {
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

  it("explains Cognito's own refusal of a new password under the field", async () => {
    const { account, browser } = await signedInPerson(h, admin, "policy");
    // The app read the policy at start-up; Cognito now also wants a symbol.
    await admin.client.send(
      new UpdateUserPoolCommand({
        UserPoolId: h.poolId,
        Policies: {
          PasswordPolicy: {
            MinimumLength: 8,
            RequireUppercase: true,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
      }),
    );
    await browser.get("/account");
    const res = await browser.post("/account/password", {
      current_password: account.password,
      new_password: "NoSymbols123",
      new_password_confirm: "NoSymbols123",
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="field-new_password-error"[^>]*>Include a symbol such as ! or %\./);
    await admin.signIn(account.username, account.password);
  });
});
