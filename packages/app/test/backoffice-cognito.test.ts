/**
 * The change form's Cognito panel and its actions, against the running emulator, on SQLite and
 * PostgreSQL: what the panel shows, each action's effect in Cognito (read back with the SDK as
 * an administrator would), the local sessions it ends, its audit entry, the confirmation pages,
 * and what staff see when Cognito refuses or does not answer; last, the MFA section: the factors
 * and the preferred one, their reset (AdminSetUserMFAPreference), and who may not reset them.
 */
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  CreateGroupCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { say } from "../src/backoffice/messages.ts";
import { totpCodeAt } from "../src/backoffice/totp.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, CognitoAdmin, uniqueName } from "./accounts-fixtures.ts";
import {
  adminSignIn,
  auditOf,
  cognitoLinkedUser,
  localUser,
  superuserBrowser,
  type LocalUser,
} from "./backoffice-fixtures.ts";
import { sessionRowsOf, sessionTokensOf, signedInPerson } from "./signed-in.ts";

describe.each(["sqlite", "postgres"] as const)("the Cognito panel (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let root: { user: LocalUser; browser: TestBrowser };

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
    root = await superuserBrowser(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const cognitoUser = (username: string) =>
    admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username }));
  const act = async (userId: string, action: string) => {
    await root.browser.get(`/admin/users/${userId}`);
    const res = await root.browser.post(`/admin/users/${userId}/cognito/${action}`, {});
    expect(res.statusCode, action).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${userId}`);
    return root.browser.follow();
  };
  const lastEntry = async (id: string) => (await auditOf(h, id)).at(-1)?.change_message;

  it("shows the user's status, enabled flag, attributes and groups as Cognito has them", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "panel");
    const group = uniqueName("beta");
    await admin.client.send(new CreateGroupCommand({ UserPoolId: h.poolId, GroupName: group }));
    await admin.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: h.poolId, Username: person.account.username, GroupName: group }),
    );
    const page = await root.browser.get(`/admin/users/${person.id}`);
    const panel = textOf(/data-testid="cognito-panel"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? "");
    expect(panel).toContain("CONFIRMED");
    expect(panel).toContain("Enabled");
    expect(panel).toContain(`email ${person.account.email}`);
    expect(panel).toContain(`sub ${person.sub}`);
    expect(panel).toContain(group);
    for (const action of ["Disable…", "Reset password…", "Sign out everywhere…", "Resync from Cognito"]) {
      expect(panel).toContain(action);
    }
    expect(panel).not.toContain("Confirm sign-up");
  });

  it("disables after a confirmation page: Cognito refuses their sign-in and their sessions here end; enables again", async () => {
    const person = await signedInPerson(h, admin, "disable");
    const confirm = await root.browser.get(`/admin/users/${person.userId}/cognito/disable`);
    expect(confirm.statusCode).toBe(200);
    expect(textOf(confirm.body)).toContain("Are you sure?");
    expect((await cognitoUser(person.account.username)).Enabled).toBe(true);

    const page = await act(person.userId, "disable");
    expect(textOf(page.body)).toContain(say("COGNITO_DISABLED", { username: person.account.username }));
    expect((await cognitoUser(person.account.username)).Enabled).toBe(false);
    expect(await sessionRowsOf(h, person.userId)).toHaveLength(0);
    expect(await lastEntry(person.userId)).toBe("Disabled in Cognito (AdminDisableUser).");
    const again = browserAt(h);
    await again.get("/login");
    const refused = await again.post("/login", {
      username: person.account.username,
      password: person.account.password,
    });
    expect(textOf(refused.body)).toContain("This account is disabled.");
    expect(textOf(page.body)).toContain("Enable");

    await act(person.userId, "enable");
    expect((await cognitoUser(person.account.username)).Enabled).toBe(true);
    expect(await lastEntry(person.userId)).toBe("Enabled in Cognito (AdminEnableUser).");
  });

  it("resets the Cognito password: the status becomes RESET_REQUIRED and Cognito sends a code", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "reset");
    const before = h.emulator.outbox.list({ username: person.account.username }).length;
    const page = await act(person.id, "reset-password");
    expect(textOf(page.body)).toContain(say("COGNITO_PASSWORD_RESET", { username: person.account.username }));
    expect((await cognitoUser(person.account.username)).UserStatus).toBe("RESET_REQUIRED");
    expect(h.emulator.outbox.list({ username: person.account.username }).length).toBe(before + 1);
    expect(textOf(page.body)).toContain("RESET_REQUIRED");
    expect(await lastEntry(person.id)).toBe("Reset the Cognito password (AdminResetUserPassword).");
  });

  it("ends the person's sessions here when it resets their Cognito password, as their own reset would", async () => {
    const person = await signedInPerson(h, admin, "resetsessions");
    expect(await sessionRowsOf(h, person.userId)).toHaveLength(1);
    await act(person.userId, "reset-password");
    expect(await sessionRowsOf(h, person.userId)).toHaveLength(0);
    expect((await person.browser.get("/dashboard")).statusCode).toBe(303);
  });

  it("offers an invited user a new invitation instead of a reset, and Cognito sends a new temporary password", async () => {
    const person = await cognitoLinkedUser(h, admin, "invited", "invited");
    const page = await root.browser.get(`/admin/users/${person.id}`);
    expect(textOf(page.body)).toContain("FORCE_CHANGE_PASSWORD");
    expect(textOf(page.body)).toContain("Resend invitation");
    expect(textOf(page.body)).not.toContain("Reset password");
    const before = h.emulator.outbox.list({ username: person.account.username }).length;
    const after = await act(person.id, "resend-invitation");
    expect(textOf(after.body)).toContain(say("COGNITO_INVITATION_RESENT", { username: person.account.username }));
    expect(h.emulator.outbox.list({ username: person.account.username }).length).toBe(before + 1);
    expect(h.emulator.outbox.latest(person.account.username)?.kind).toBe("ADMIN_CREATE_USER");
    expect(await lastEntry(person.id)).toBe("Resent the invitation (AdminCreateUser RESEND).");
  });

  it("signs a user out everywhere: their refresh token stops working and their sessions here end", async () => {
    const person = await signedInPerson(h, admin, "signout");
    const tokens = await sessionTokensOf(h, person.userId);
    await expect(admin.refresh(person.account.username, tokens.refreshToken)).resolves.toBeDefined();
    await act(person.userId, "sign-out");
    await expect(admin.refresh(person.account.username, tokens.refreshToken)).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    expect(await sessionRowsOf(h, person.userId)).toHaveLength(0);
    expect(await lastEntry(person.userId)).toBe("Signed out everywhere (AdminUserGlobalSignOut).");
  });

  it("confirms an UNCONFIRMED sign-up, offering the button only then; Cognito's refusal is shown as it said it", async () => {
    const person = await cognitoLinkedUser(h, admin, "unconfirmed", "unconf");
    const page = await root.browser.get(`/admin/users/${person.id}`);
    expect(textOf(page.body)).toContain("UNCONFIRMED");
    expect(textOf(page.body)).toContain("Confirm sign-up");
    await act(person.id, "confirm");
    expect((await cognitoUser(person.account.username)).UserStatus).toBe("CONFIRMED");
    expect(await lastEntry(person.id)).toBe("Confirmed the sign-up in Cognito (AdminConfirmSignUp).");

    const refused = await act(person.id, "confirm");
    expect(textOf(refused.body)).toContain("Cognito refused: NotAuthorizedException: User cannot be confirmed.");
    expect(await lastEntry(person.id)).toBe("Confirmed the sign-up in Cognito (AdminConfirmSignUp).");
  });

  it("resyncs our row from Cognito and names what changed", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "resync");
    const email = `new-${person.account.email}`;
    await admin.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: h.poolId,
        Username: person.account.username,
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
          { Name: "given_name", Value: "Ada" },
        ],
      }),
    );
    const page = await act(person.id, "resync");
    expect(textOf(page.body)).toContain("was resynced from Cognito: Changed email and given_name.");
    const user = await h.app.users.findById(person.id);
    expect(user).toMatchObject({ email, givenName: "Ada" });
    expect(user?.lastSyncedAt).toBeInstanceOf(Date);
    expect(await lastEntry(person.id)).toBe("Resynced from Cognito: Changed email and given_name.");
    await act(person.id, "resync");
    expect(await lastEntry(person.id)).toBe("Resynced from Cognito; no fields changed.");
  });

  it("creates a local-only user in Cognito and links them; the temporary password arrives in the outbox", async () => {
    const local = await localUser(h, { prefix: "tocognito", staff: false });
    const before = await root.browser.get(`/admin/users/${local.id}`);
    expect(textOf(before.body)).toContain("Not linked to a Cognito account");
    const page = await act(local.id, "create");
    expect(textOf(page.body)).toContain(say("COGNITO_CREATED", { username: local.username, email: local.email }));
    const created = await cognitoUser(local.username);
    expect(created.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect((await h.app.users.findById(local.id))?.cognitoSub).toBe(
      created.UserAttributes?.find((a) => a.Name === "sub")?.Value,
    );
    expect(h.emulator.outbox.latest(local.username, "ADMIN_CREATE_USER")?.destination).toBe(local.email);
    expect(await lastEntry(local.id)).toBe("Created in Cognito (AdminCreateUser).");
  });

  it("says when the linked Cognito account no longer exists, and refuses its actions with a message", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "gone");
    await admin.client.send(new AdminDeleteUserCommand({ UserPoolId: h.poolId, Username: person.account.username }));
    const page = await root.browser.get(`/admin/users/${person.id}`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain("no longer exists");
    const after = await act(person.id, "disable");
    expect(textOf(after.body)).toContain(say("COGNITO_GONE"));
    expect(await auditOf(h, person.id)).toHaveLength(0);
  });

  it("lets a staff member with view_user see the panel but not act, and refuses the action URLs", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "viewonly");
    const viewer = await adminSignIn(h, await localUser(h, { prefix: "viewer", permissions: ["accounts.view_user"] }));
    const page = await viewer.get(`/admin/users/${person.id}`);
    expect(textOf(page.body)).toContain("CONFIRMED");
    expect(page.body).not.toContain('data-testid="cognito-actions"');
    expect((await viewer.get(`/admin/users/${person.id}/cognito/disable`)).statusCode).toBe(403);
    expect((await viewer.post(`/admin/users/${person.id}/cognito/disable`, {})).statusCode).toBe(403);
    expect((await cognitoUser(person.account.username)).Enabled).toBe(true);
  });

  // ---- MFA (issue 9): the factors AdminGetUser reports, and their reset ----

  /** A Cognito user with an authenticator app (preferred) and email codes on, as they would set them up. */
  const withFactors = async (prefix: string) => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", prefix);
    const signedIn = await admin.signIn(person.account.username, person.account.password);
    const accessToken = signedIn.AuthenticationResult?.AccessToken ?? "";
    const { SecretCode } = await admin.client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    await admin.client.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCodeAt(SecretCode ?? "") }),
    );
    await admin.client.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: h.poolId,
        Username: person.account.username,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        EmailMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    return person;
  };
  const mfaSection = (html: string) => /<dd data-testid="cognito-mfa">[\s\S]*?<\/dd>/.exec(html)?.[0] ?? "";

  it("shows the factors that are on, marks the preferred one, and resets them all after a confirmation page", async () => {
    const person = await withFactors("mfa");
    const page = await root.browser.get(`/admin/users/${person.id}`);
    const section = mfaSection(page.body);
    expect(section).toContain('data-factor="SOFTWARE_TOKEN_MFA"');
    expect(section).toContain('data-factor="EMAIL_OTP"');
    expect(section).toMatch(/<li data-factor="SOFTWARE_TOKEN_MFA" data-preferred[^>]*>[\s\S]*?preferred<\/span>/);
    expect(section).not.toMatch(/<li data-factor="EMAIL_OTP" data-preferred/);
    expect(textOf(section)).toContain("Authenticator app");
    expect(textOf(section)).toContain("Email code");
    expect(textOf(page.body)).toContain("Reset MFA…");

    const confirm = await root.browser.get(`/admin/users/${person.id}/cognito/reset-mfa`);
    expect(confirm.statusCode).toBe(200);
    expect(textOf(confirm.body)).toContain("Are you sure?");
    expect((await cognitoUser(person.account.username)).UserMFASettingList).toEqual([
      "SOFTWARE_TOKEN_MFA",
      "EMAIL_OTP",
    ]);

    const res = await root.browser.post(`/admin/users/${person.id}/cognito/reset-mfa`, {});
    expect(res.statusCode).toBe(303);
    const after = await root.browser.follow();
    expect(textOf(after.body)).toContain(say("COGNITO_MFA_RESET", { username: person.account.username }));
    expect(textOf(mfaSection(after.body))).toBe("None");
    expect(textOf(after.body)).not.toContain("Reset MFA…");
    const got = await cognitoUser(person.account.username);
    expect(got.UserMFASettingList ?? []).toEqual([]);
    expect(got.PreferredMfaSetting).toBeUndefined();
    expect((await auditOf(h, person.id)).at(-1)).toMatchObject({
      actor_id: root.user.id,
      action: "change",
      change_message: "Reset MFA in Cognito (AdminSetUserMFAPreference): turned off SOFTWARE_TOKEN_MFA and EMAIL_OTP.",
    });
    // The person signs in with their password alone again (the pool's MFA is optional).
    const again = await admin.signIn(person.account.username, person.account.password);
    expect(again.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("shows 'None' and offers no reset for a user without factors", async () => {
    const person = await cognitoLinkedUser(h, admin, "confirmed", "nomfa");
    const page = await root.browser.get(`/admin/users/${person.id}`);
    expect(textOf(mfaSection(page.body))).toBe("None");
    expect(textOf(page.body)).not.toContain("Reset MFA…");
  });

  it("shows view-only staff the factors without the reset, and refuses their reset", async () => {
    const person = await withFactors("viewmfa");
    const viewer = await adminSignIn(h, await localUser(h, { prefix: "viewer", permissions: ["accounts.view_user"] }));
    const page = await viewer.get(`/admin/users/${person.id}`);
    expect(textOf(mfaSection(page.body))).toContain("Authenticator app");
    expect(textOf(page.body)).not.toContain("Reset MFA…");
    expect((await viewer.get(`/admin/users/${person.id}/cognito/reset-mfa`)).statusCode).toBe(403);
    expect((await viewer.post(`/admin/users/${person.id}/cognito/reset-mfa`, {})).statusCode).toBe(403);
    expect((await cognitoUser(person.account.username)).UserMFASettingList).toHaveLength(2);
  });

  it("lets change_user reset a customer's factors, and refuses a staff account to staff without manage_staff, in the audit log", async () => {
    const support = await localUser(h, {
      prefix: "support",
      permissions: ["accounts.view_user", "accounts.change_user"],
    });
    const browser = await adminSignIn(h, support);
    const customer = await withFactors("customer");
    await browser.get(`/admin/users/${customer.id}`);
    expect((await browser.post(`/admin/users/${customer.id}/cognito/reset-mfa`, {})).statusCode).toBe(303);
    expect((await cognitoUser(customer.account.username)).UserMFASettingList ?? []).toEqual([]);

    const colleague = await withFactors("colleague");
    await h.database.database.db.updateTable("users").set({ is_staff: true }).where("id", "=", colleague.id).execute();
    await browser.get(`/admin/users/${customer.id}`);
    const refused = await browser.post(`/admin/users/${colleague.id}/cognito/reset-mfa`, {});
    expect(refused.statusCode).toBe(403);
    expect((await cognitoUser(colleague.account.username)).UserMFASettingList).toHaveLength(2);
    expect((await auditOf(h, colleague.id)).at(-1)).toMatchObject({
      actor_id: support.id,
      action: "refuse",
      change_message: `Refused: Cognito action “reset-mfa”. ${say("STAFF_MANAGERS_ONLY")}`,
    });
  });

  it("says so when the Cognito account is gone by the time the reset is sent", async () => {
    const person = await withFactors("gonemfa");
    await root.browser.get(`/admin/users/${person.id}/cognito/reset-mfa`);
    await admin.client.send(new AdminDeleteUserCommand({ UserPoolId: h.poolId, Username: person.account.username }));
    const res = await root.browser.post(`/admin/users/${person.id}/cognito/reset-mfa`, {});
    expect(res.statusCode).toBe(303);
    expect(textOf((await root.browser.follow()).body)).toContain(say("COGNITO_GONE"));
  });
});

describe("the Cognito panel when Cognito does not answer", () => {
  it("still shows the change form, with a warning in the panel; actions change nothing and say why", async () => {
    const h = await startAppHarness({ database: "sqlite" });
    try {
      const root = await superuserBrowser(h);
      const admin = new CognitoAdmin(h);
      const person = await cognitoLinkedUser(h, admin, "confirmed", "down");
      admin.destroy();
      await h.emulator.stop();
      const page = await root.browser.get(`/admin/users/${person.id}`);
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain("Could not read this user from Cognito.");
      const list = await root.browser.get("/admin/users?cognito=CONFIRMED");
      expect(list.statusCode).toBe(200);
      expect(textOf(list.body)).toContain("The Cognito status filter could not be applied");
      await root.browser.post(`/admin/users/${person.id}/cognito/disable`, {});
      expect(textOf((await root.browser.follow()).body)).toContain(say("COGNITO_UNAVAILABLE"));
      expect(await auditOf(h, person.id)).toHaveLength(0);
    } finally {
      // The emulator is already stopped; stopping it again may complain after the rest is cleaned up.
      await h.stop().catch(() => undefined);
    }
  });
});
