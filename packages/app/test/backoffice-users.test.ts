/**
 * The users pages of the back office on SQLite and PostgreSQL: the list (columns, search,
 * filters — including group and Cognito status against the running emulator — ordering, pages,
 * bulk actions with their confirmation), adding a user (with AdminCreateUser and the temporary
 * password in the emulator's outbox), the change form (fieldsets, audit message, deactivation
 * ending sessions in the same transaction), the change-password form and deletion.
 */
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { say } from "../src/backoffice/messages.ts";
import { verifyPassword } from "../src/backoffice/passwords.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, CognitoAdmin, uniqueName } from "./accounts-fixtures.ts";
import {
  adminSignIn,
  auditOf,
  cognitoLinkedUser,
  localUser,
  superuserBrowser,
  usernamesIn,
  type LocalUser,
} from "./backoffice-fixtures.ts";
import { sessionRowsOf, signedInPerson } from "./signed-in.ts";

describe.each(["sqlite", "postgres"] as const)("back-office users (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let root: { user: LocalUser; browser: TestBrowser };
  const db = () => h.database.database.db;

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
    root = await superuserBrowser(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const newGroup = async (name = uniqueName("group")): Promise<string> => {
    const id = randomUUID();
    const now = new Date().toISOString();
    await db().insertInto("groups").values({ id, name, created_at: now, updated_at: now }).execute();
    return id;
  };
  const rowOf = (id: string) => db().selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();

  describe("the list", () => {
    it("shows username, email, staff, active and created for each user, found by a search on username or email", async () => {
      const tag = uniqueName("list");
      const staffer = await localUser(h, { prefix: `${tag}a` });
      const customer = await localUser(h, { prefix: `${tag}b`, staff: false, active: false });
      const page = await root.browser.get(`/admin/users?q=${tag.toUpperCase()}`);
      expect(page.statusCode).toBe(200);
      const text = textOf(page.body);
      for (const header of ["Username", "Email address", "Staff status", "Active", "Created"])
        expect(text).toContain(header);
      expect(usernamesIn(page.body)).toEqual([staffer.username, customer.username]);
      expect(text).toContain(staffer.email);
      expect(text).toMatch(new RegExp(`${customer.username} .*${customer.email} ✗ No ✗ No`));
      expect(text).toContain("2 results");
      const byEmail = await root.browser.get(`/admin/users?q=${encodeURIComponent(customer.email)}`);
      expect(usernamesIn(byEmail.body)).toEqual([customer.username]);
    });

    it("takes % and _ in a search literally", async () => {
      const none = await root.browser.get("/admin/users?q=%25");
      expect(usernamesIn(none.body)).toEqual([]);
      expect(textOf(none.body)).toContain("No users match.");
      expect(usernamesIn((await root.browser.get("/admin/users?q=_")).body)).toEqual([]);
    });

    it("filters by staff, superuser and active status and by group", async () => {
      const tag = uniqueName("filt");
      const staffer = await localUser(h, { prefix: `${tag}staff` });
      const superuser = await localUser(h, { prefix: `${tag}super`, superuser: true });
      const gone = await localUser(h, { prefix: `${tag}gone`, staff: false, active: false });
      const member = await localUser(h, { prefix: `${tag}member`, staff: false });
      const groupId = await newGroup();
      await db().insertInto("user_groups").values({ user_id: member.id, group_id: groupId }).execute();
      const names = async (query: string) =>
        usernamesIn((await root.browser.get(`/admin/users?q=${tag}&${query}`)).body);
      expect(await names("is_staff=1")).toEqual([staffer.username, superuser.username]);
      expect(await names("is_staff=0")).toEqual([gone.username, member.username]);
      expect(await names("is_superuser=1")).toEqual([superuser.username]);
      expect(await names("is_active=0")).toEqual([gone.username]);
      expect(await names(`group=${groupId}`)).toEqual([member.username]);
      expect(await names("is_staff=1&is_superuser=0")).toEqual([staffer.username]);
      // Values that mean nothing are no filter, not an error.
      expect(await names("is_staff=maybe&group=nope&cognito=WHATEVER")).toHaveLength(4);
      const page = await root.browser.get(`/admin/users?q=${tag}&is_active=0`);
      expect(page.body).toMatch(/class="selected"><a href="[^"]*is_active=0[^"]*" aria-current="true">No/);
    });

    it("filters by Cognito status, asking the running emulator", async () => {
      const tag = uniqueName("cog");
      const confirmed = await cognitoLinkedUser(h, admin, "confirmed", `${tag}c`);
      const unconfirmed = await cognitoLinkedUser(h, admin, "unconfirmed", `${tag}u`);
      const invited = await cognitoLinkedUser(h, admin, "invited", `${tag}i`);
      const reset = await cognitoLinkedUser(h, admin, "reset-required", `${tag}r`);
      const disabled = await cognitoLinkedUser(h, admin, "disabled", `${tag}d`);
      const local = await localUser(h, { prefix: `${tag}l` });
      const names = async (status: string) =>
        usernamesIn((await root.browser.get(`/admin/users?q=${tag}&cognito=${status}`)).body);
      expect(await names("CONFIRMED")).toEqual([confirmed.account.username, disabled.account.username]);
      expect(await names("UNCONFIRMED")).toEqual([unconfirmed.account.username]);
      expect(await names("FORCE_CHANGE_PASSWORD")).toEqual([invited.account.username]);
      expect(await names("RESET_REQUIRED")).toEqual([reset.account.username]);
      expect(await names("DISABLED")).toEqual([disabled.account.username]);
      expect(await names("LOCAL")).toEqual([local.username]);
    });

    it("sorts by each column both ways, marking the sorted column", async () => {
      const tag = uniqueName("sort");
      const day = 24 * 3600_000;
      const a = await localUser(h, { prefix: `${tag}a`, createdAt: new Date(Date.now() - 3 * day), staff: false });
      const b = await localUser(h, { prefix: `${tag}b`, createdAt: new Date(Date.now() - 1 * day) });
      const c = await localUser(h, { prefix: `${tag}c`, createdAt: new Date(Date.now() - 2 * day), staff: false });
      const names = async (o: string) => usernamesIn((await root.browser.get(`/admin/users?q=${tag}&o=${o}`)).body);
      expect(await names("username")).toEqual([a.username, b.username, c.username]);
      expect(await names("-username")).toEqual([c.username, b.username, a.username]);
      expect(await names("created_at")).toEqual([a.username, c.username, b.username]);
      expect(await names("-created_at")).toEqual([b.username, c.username, a.username]);
      expect(await names("-is_staff")).toEqual([b.username, a.username, c.username]);
      expect(await names("-email")).toEqual([c.username, b.username, a.username]);
      expect(await names("password_hash")).toEqual([a.username, b.username, c.username]);
      const page = await root.browser.get(`/admin/users?q=${tag}&o=-created_at`);
      expect(page.body).toContain('aria-sort="descending"');
      expect(page.body).toContain(`href="/admin/users?q=${tag}&amp;o=created_at"`);
    });

    it("shows 50 users a page, with links that keep the search, and sends a page past the end to the last", async () => {
      const tag = uniqueName("many");
      for (let i = 0; i < 55; i++)
        await localUser(h, { prefix: `${tag}x${String(i).padStart(2, "0")}y`, staff: false });
      const first = await root.browser.get(`/admin/users?q=${tag}`);
      expect(usernamesIn(first.body)).toHaveLength(50);
      expect(textOf(first.body)).toContain("55 users");
      expect(first.body).toContain(`href="/admin/users?q=${tag}&amp;p=2"`);
      const second = await root.browser.get(`/admin/users?q=${tag}&p=2`);
      expect(usernamesIn(second.body)).toHaveLength(5);
      const beyond = await root.browser.get(`/admin/users?q=${tag}&p=9`);
      expect(beyond.statusCode).toBe(303);
      expect(beyond.headers.location).toBe(`/admin/users?q=${tag}&p=2`);
      expect((await root.browser.get(`/admin/users?q=${tag}&p=-1`)).statusCode).toBe(200);
    });
  });

  describe("bulk actions", () => {
    /** Posts a form with repeated `ids` fields, as the checkboxes send them. */
    const postMany = async (browser: TestBrowser, body: URLSearchParams) => {
      await browser.get("/admin/users");
      const token = /name="_csrf" value="([^"]+)"/.exec(browser.last?.body ?? "")?.[1] ?? "";
      body.set("_csrf", token);
      return h.app.inject({
        method: "POST",
        url: "/admin/users/actions",
        payload: body.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookieHeader },
      });
    };
    const act = (browser: TestBrowser, action: string, ids: string[], extra: Record<string, string> = {}) => {
      const body = new URLSearchParams({ action, back: "/admin/users?q=x", ...extra });
      for (const id of ids) body.append("ids", id);
      return postMany(browser, body);
    };

    it("deactivates after a confirmation page that lists every user, ending their sessions, one audit entry each", async () => {
      const admin2 = new CognitoAdmin(h);
      const person = await signedInPerson(h, admin2, "bulkoff");
      const other = await localUser(h, { prefix: "bulkoff", staff: false });
      expect(await sessionRowsOf(h, person.userId)).toHaveLength(1);
      const confirm = await act(root.browser, "deactivate", [person.userId, other.id]);
      expect(confirm.statusCode).toBe(200);
      expect(textOf(confirm.body)).toContain("Are you sure you want to deactivate the selected users?");
      expect(textOf(confirm.body)).toContain(person.account.username);
      expect(textOf(confirm.body)).toContain(other.username);
      expect((await rowOf(person.userId))?.is_active).toBeTruthy();

      const done = await act(root.browser, "deactivate", [person.userId, other.id], { confirm: "yes" });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe("/admin/users?q=x");
      expect((await rowOf(person.userId))?.is_active).toBeFalsy();
      expect((await rowOf(other.id))?.is_active).toBeFalsy();
      expect(await sessionRowsOf(h, person.userId)).toHaveLength(0);
      expect((await person.browser.get("/dashboard")).statusCode).toBe(303);
      const entries = await auditOf(h, other.id);
      expect(entries.map((e) => [e.action, e.change_message, e.actor_id])).toEqual([
        ["change", "Changed is_active.", root.user.id],
      ]);
      admin2.destroy();
    });

    it("activates at once, and says how many", async () => {
      const off = await localUser(h, { prefix: "bulkon", staff: false, active: false });
      const res = await act(root.browser, "activate", [off.id]);
      expect(res.statusCode).toBe(303);
      expect((await rowOf(off.id))?.is_active).toBeTruthy();
      expect(textOf((await root.browser.get("/admin/users?q=x")).body)).toContain("Activated 1 user.");
    });

    it("deletes after a confirmation, also from Cognito when asked", async () => {
      const local = await localUser(h, { prefix: "bulkdel", staff: false });
      const linked = await cognitoLinkedUser(h, admin, "confirmed", "bulkdel");
      const confirm = await act(root.browser, "delete", [local.id, linked.id]);
      expect(textOf(confirm.body)).toContain("Are you sure you want to delete the selected users?");
      expect(confirm.body).toContain('name="cognito"');
      const done = await act(root.browser, "delete", [local.id, linked.id], { confirm: "yes", cognito: "on" });
      expect(done.statusCode).toBe(303);
      expect(await rowOf(local.id)).toBeUndefined();
      expect(await rowOf(linked.id)).toBeUndefined();
      await expect(
        admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: linked.account.username })),
      ).rejects.toMatchObject({ name: "UserNotFoundException" });
      expect((await auditOf(h, linked.id)).map((e) => [e.action, e.change_message])).toEqual([
        ["delete", "Deleted, also from Cognito."],
      ]);
    });

    it("refuses to deactivate or delete the acting user, or to touch a superuser for a non-superuser", async () => {
      for (const action of ["deactivate", "delete"]) {
        const res = await act(root.browser, action, [root.user.id], { confirm: "yes" });
        expect(res.statusCode).toBe(303);
        expect((await rowOf(root.user.id))?.is_active).toBeTruthy();
        expect(textOf((await root.browser.get("/admin/users")).body)).toContain(say("CANNOT_CHANGE_SELF"));
      }
      const manager = await adminSignIn(
        h,
        await localUser(h, { prefix: "manager", permissions: ["accounts.view_user", "accounts.change_user"] }),
      );
      const superuser = await localUser(h, { prefix: "boss", superuser: true });
      await act(manager, "deactivate", [superuser.id], { confirm: "yes" });
      expect((await rowOf(superuser.id))?.is_active).toBeTruthy();
      expect(textOf((await manager.get("/admin/users")).body)).toContain(say("SUPERUSER_ONLY"));
      // change_user without delete_user: delete is not offered, and refused.
      expect((await manager.get("/admin/users")).body).not.toContain('value="delete"');
      expect((await act(manager, "delete", [superuser.id])).statusCode).toBe(403);
    });

    it("explains when nothing was selected or no action chosen", async () => {
      await act(root.browser, "deactivate", []);
      expect(textOf((await root.browser.get("/admin/users")).body)).toContain(say("BULK_NONE_SELECTED"));
      await act(root.browser, "", [root.user.id]);
      expect(textOf((await root.browser.get("/admin/users")).body)).toContain(say("BULK_NO_ACTION"));
      const bogus = await act(root.browser, "deactivate", ["not-an-id", randomUUID()]);
      expect(bogus.statusCode).toBe(303);
    });
  });

  describe("adding a user", () => {
    it("adds a local user with a back-office password, then shows the change form; one audit entry", async () => {
      const username = uniqueName("added");
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username,
        email: `${username}@example.com`,
        usable_password: "true",
        password1: "Plenty-Long-Secret-7",
        password2: "Plenty-Long-Secret-7",
      });
      expect(res.statusCode).toBe(303);
      const id = /\/admin\/users\/([0-9a-f-]{36})$/.exec(String(res.headers.location))?.[1] ?? "";
      const page = await root.browser.follow();
      expect(textOf(page.body)).toContain(say("USER_ADDED", { username }));
      const row = await rowOf(id);
      expect(row).toMatchObject({ username, cognito_sub: null });
      expect(await verifyPassword("Plenty-Long-Secret-7", row?.password_hash ?? "")).toBe(true);
      expect((await auditOf(h, id)).map((e) => [e.action, e.change_message, e.object_repr])).toEqual([
        ["add", "Added.", username],
      ]);
    });

    it("adds a user without a local password", async () => {
      const username = uniqueName("nopw");
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username,
        email: `${username}@example.com`,
        usable_password: "false",
      });
      expect(res.statusCode).toBe(303);
      const user = await h.app.users.findByUsername(username);
      expect(user?.hasUsablePassword).toBe(false);
    });

    it("also creates the user in Cognito, whose temporary password arrives in the emulator's outbox and works once", async () => {
      const username = uniqueName("invitee");
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username,
        email: `${username}@example.com`,
        usable_password: "false",
        cognito: "on",
      });
      expect(res.statusCode).toBe(303);
      expect(textOf((await root.browser.follow()).body)).toContain("Cognito has emailed a temporary password");
      const message = h.emulator.outbox.latest(username, "ADMIN_CREATE_USER");
      expect(message?.destination).toBe(`${username}@example.com`);
      const cognitoUser = await admin.client.send(
        new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username }),
      );
      expect(cognitoUser.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
      const sub = cognitoUser.UserAttributes?.find((a) => a.Name === "sub")?.Value;
      expect((await h.app.users.findByUsername(username))?.cognitoSub).toBe(sub);

      // The temporary password signs them in on the site, which asks for a new one.
      const person = browserAt(h);
      await person.get("/login");
      const login = await person.post("/login", { username, password: message?.code ?? "" });
      expect(login.headers.location).toBe("/new-password");
    });

    it("refuses bad input field by field, keeps what was typed, and lists every weakness of a password", async () => {
      const taken = await localUser(h, { prefix: "taken", staff: false });
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username: taken.username.toUpperCase(),
        email: "not-an-email",
        usable_password: "true",
        password1: "12345",
        password2: "12345",
        cognito: "on",
      });
      expect(res.statusCode).toBe(400);
      const text = textOf(res.body);
      expect(text).toContain(say("USERNAME_TAKEN"));
      expect(text).toContain("Enter a valid email address.");
      expect(text).toContain("This password is too short. It must contain at least 12 characters.");
      expect(text).toContain("This password is too common.");
      expect(text).toContain("This password is entirely numeric.");
      expect(res.body).toContain(`value="${taken.username.toUpperCase()}"`);
      expect(res.body).toContain('value="not-an-email"');
      expect(res.body).toMatch(/name="cognito" value="on" checked/);
      expect(res.body).not.toContain("12345");

      const mismatch = await root.browser.post("/admin/users/add", {
        username: uniqueName("mismatch"),
        email: "m@example.com",
        usable_password: "true",
        password1: "Plenty-Long-Secret-7",
        password2: "Plenty-Long-Secret-8",
      });
      expect(textOf(mismatch.body)).toContain(say("PASSWORDS_DIFFER"));
      const similar = await root.browser.post("/admin/users/add", {
        username: "margaretha",
        email: "margaretha@example.com",
        usable_password: "true",
        password1: "margaretha-2024!",
        password2: "margaretha-2024!",
      });
      expect(textOf(similar.body)).toContain("The password is too similar to the username.");
    });

    it("shows Cognito's refusal on the field when the username exists there already", async () => {
      const existing = await admin.confirmed();
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username: existing.username,
        email: `other-${existing.email}`,
        usable_password: "false",
        cognito: "on",
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain("A Cognito user with that username already exists.");
      expect(await h.app.users.findByUsername(existing.username)).toBeUndefined();
    });

    it("shows the pool's PreSignUp refusal on the email field when another Cognito user has the address in any case", async () => {
      const existing = await admin.confirmed();
      const username = uniqueName("sameaddress");
      await root.browser.get("/admin/users/add");
      const res = await root.browser.post("/admin/users/add", {
        username,
        email: existing.email.toUpperCase(),
        usable_password: "false",
        cognito: "on",
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="id_email-error">A Cognito user with that email address already exists\./);
      expect(await h.app.users.findByUsername(username)).toBeUndefined();
    });
  });

  describe("the change form", () => {
    it("shows the seeds' fieldsets with read-only dates, and links the separate password form", async () => {
      const user = await localUser(h, { prefix: "shown", staff: false });
      const page = await root.browser.get(`/admin/users/${user.id}`);
      const text = textOf(page.body);
      for (const part of [
        "Account",
        "Username",
        "Email address",
        "Password",
        "Permissions",
        "Active",
        "Staff status",
        "Superuser status",
        "Groups",
        "User permissions",
        "Important dates",
        "Created at",
        "Updated at",
        "Last login",
      ]) {
        expect(text).toContain(part);
      }
      expect(text).toContain("algorithm : scrypt");
      expect(page.body).toContain(`href="/admin/users/${user.id}/password"`);
      expect(page.body).not.toContain('name="created_at"');
      expect(page.body).not.toContain('name="updated_at"');
      expect(page.body).toContain('name="username"');
    });

    it("saves is_active and groups in one transaction with its entry 'Changed is_active and groups.', ending the user's sessions", async () => {
      const adminClient = new CognitoAdmin(h);
      const person = await signedInPerson(h, adminClient, "changed");
      adminClient.destroy();
      const groupId = await newGroup();
      await root.browser.get(`/admin/users/${person.userId}`);
      const res = await root.browser.post(`/admin/users/${person.userId}`, {
        _form: "change-user",
        groups: groupId,
        _save: "1",
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/admin/users");
      const list = await root.browser.follow();
      expect(textOf(list.body)).toContain(say("USER_CHANGED", { username: person.account.username }));
      expect(textOf(list.body)).toContain(say("USER_DEACTIVATED_SESSIONS"));
      expect((await rowOf(person.userId))?.is_active).toBeFalsy();
      expect(await sessionRowsOf(h, person.userId)).toHaveLength(0);
      const entries = await auditOf(h, person.userId);
      expect(entries.map((e) => [e.action, e.change_message])).toEqual([["change", "Changed is_active and groups."]]);
      // Their next page knows they are signed out; their next sign-in is refused with why.
      expect((await person.browser.get("/dashboard")).statusCode).toBe(303);
      const again = browserAt(h);
      await again.get("/login");
      const refused = await again.post("/login", {
        username: person.account.username,
        password: person.account.password,
      });
      expect(refused.statusCode).toBe(403);
      expect(textOf(refused.body)).toContain("This account is disabled.");
    });

    it("writes nothing when its audit entry cannot be written (the same transaction)", async () => {
      const user = await localUser(h, { prefix: "atomic", staff: false });
      await db().schema.alterTable("audit_log").renameTo("audit_log_away").execute();
      try {
        await root.browser.get(`/admin/users/${user.id}`);
        const res = await root.browser.post(`/admin/users/${user.id}`, {
          _form: "change-user",
          username: user.username,
          email: user.email,
          is_active: "on",
          is_staff: "on",
        });
        expect(res.statusCode).toBe(500);
      } finally {
        await db().schema.alterTable("audit_log_away").renameTo("audit_log").execute();
      }
      expect((await rowOf(user.id))?.is_staff).toBeFalsy();
    });

    it("keeps the input and marks the field when something is wrong; says when nothing changed", async () => {
      const user = await localUser(h, { prefix: "wrong", staff: false });
      const other = await localUser(h, { prefix: "other", staff: false });
      await root.browser.get(`/admin/users/${user.id}`);
      const res = await root.browser.post(`/admin/users/${user.id}`, {
        _form: "change-user",
        username: other.username.toUpperCase(),
        email: "broken",
        is_active: "on",
        is_staff: "on",
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(say("USERNAME_TAKEN"));
      expect(textOf(res.body)).toContain("Enter a valid email address.");
      expect(res.body).toContain('value="broken"');
      expect(res.body).toMatch(/name="is_staff" value="on" checked/);
      expect((await rowOf(user.id))?.is_staff).toBeFalsy();

      await root.browser.post(`/admin/users/${user.id}`, {
        _form: "change-user",
        username: user.username,
        email: user.email,
        is_active: "on",
        _continue: "1",
      });
      expect(textOf((await root.browser.get(`/admin/users/${user.id}`)).body)).toContain(say("NO_FIELDS_CHANGED"));
      expect(await auditOf(h, user.id)).toHaveLength(0);
    });

    it("keeps a Cognito user's username and email read-only (Cognito's), and changes a local user's", async () => {
      const linked = await cognitoLinkedUser(h, admin, "confirmed", "ro");
      const page = await root.browser.get(`/admin/users/${linked.id}`);
      expect(page.body).not.toContain('name="username"');
      await root.browser.post(`/admin/users/${linked.id}`, {
        _form: "change-user",
        username: "hijack",
        email: "x@example.com",
        is_active: "on",
      });
      expect((await rowOf(linked.id))?.username).toBe(linked.account.username);

      const local = await localUser(h, { prefix: "renamed", staff: false });
      const name = uniqueName("newname");
      await root.browser.get(`/admin/users/${local.id}`);
      await root.browser.post(`/admin/users/${local.id}`, {
        _form: "change-user",
        username: name,
        email: `${name}@example.com`,
        is_active: "on",
      });
      expect((await rowOf(local.id))?.username).toBe(name);
      expect((await auditOf(h, local.id)).at(-1)?.change_message).toBe("Changed username and email.");
    });

    it("refuses a POST without the form's fields (an empty body, another form's) instead of clearing every flag", async () => {
      const user = await localUser(h, { prefix: "emptypost" });
      await root.browser.get(`/admin/users/${user.id}`);
      const bodies = ["", "_csrf=" + (/name="_csrf" value="([^"]+)"/.exec(root.browser.last?.body ?? "")?.[1] ?? "")];
      for (const payload of bodies) {
        const res = await h.app.inject({
          method: "POST",
          url: `/admin/users/${user.id}`,
          payload,
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: root.browser.cookieHeader },
        });
        expect([400, 403]).toContain(res.statusCode);
      }
      // No body at all, the token in a header (which the CSRF check also reads): was a 500.
      const token = /name="_csrf" value="([^"]+)"/.exec(root.browser.last?.body ?? "")?.[1] ?? "";
      const bare = await h.app.inject({
        method: "POST",
        url: `/admin/users/${user.id}`,
        headers: { "csrf-token": token, cookie: root.browser.cookieHeader },
      });
      expect(bare.statusCode).toBe(400);
      const noFields = await root.browser.post(`/admin/users/${user.id}`, {});
      expect(noFields.statusCode).toBe(400);
      expect(textOf(noFields.body)).toContain(say("FORM_INCOMPLETE"));
      const row = await rowOf(user.id);
      expect(row?.is_active).toBeTruthy();
      expect(row?.is_staff).toBeTruthy();
      expect(await auditOf(h, user.id)).toEqual([]);
    });

    it("refuses a POST with only the CSRF token for a Cognito-linked staff account, whose username and email the form does not take (it cleared is_active and is_staff)", async () => {
      const person = await cognitoLinkedUser(h, admin, "confirmed", "emptylinked");
      await h.database.database.db.updateTable("users").set({ is_staff: true }).where("id", "=", person.id).execute();
      await root.browser.get(`/admin/users/${person.id}`);
      const res = await root.browser.post(`/admin/users/${person.id}`, {});
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(say("FORM_INCOMPLETE"));
      const row = await rowOf(person.id);
      expect([Boolean(row?.is_active), Boolean(row?.is_staff)]).toEqual([true, true]);
    });

    it("lets nobody deactivate or un-staff themselves, and only a superuser grant superuser status or change a superuser", async () => {
      await root.browser.get(`/admin/users/${root.user.id}`);
      const self = await root.browser.post(`/admin/users/${root.user.id}`, {
        _form: "change-user",
        is_superuser: "on",
      });
      expect(self.statusCode).toBe(400);
      expect(textOf(self.body)).toContain(say("CANNOT_CHANGE_SELF"));

      const manager = await localUser(h, {
        prefix: "mgr",
        permissions: ["accounts.view_user", "accounts.change_user", "accounts.manage_staff"],
      });
      const browser = await adminSignIn(h, manager);
      const target = await localUser(h, { prefix: "promote", staff: false });
      await browser.get(`/admin/users/${target.id}`);
      const promotion = { _form: "change-user", username: target.username, email: target.email, is_active: "on" };
      const forged = await browser.post(`/admin/users/${target.id}`, {
        ...promotion,
        is_staff: "on",
        is_superuser: "on",
      });
      expect(forged.statusCode).toBe(400);
      expect(textOf(forged.body)).toContain(say("SUPERUSER_ONLY"));
      expect((await rowOf(target.id))?.is_superuser).toBeFalsy();
      expect((await rowOf(target.id))?.is_staff).toBeFalsy();
      await browser.post(`/admin/users/${target.id}`, { ...promotion, is_staff: "on" });
      expect((await rowOf(target.id))?.is_superuser).toBeFalsy();
      expect((await rowOf(target.id))?.is_staff).toBeTruthy();

      // Nor can they hand themselves more permissions.
      const managerPage = await browser.get(`/admin/users/${manager.id}`);
      expect(managerPage.statusCode).toBe(200);
      const grab = await browser.post(`/admin/users/${manager.id}`, {
        _form: "change-user",
        username: manager.username,
        email: manager.email,
        is_active: "on",
        is_staff: "on",
        user_permissions: "accounts.delete_user",
      });
      expect(grab.statusCode).toBe(400);
      expect(textOf(grab.body)).toContain(say("OWN_PERMISSIONS"));
      expect(
        await h.database.database.db
          .selectFrom("user_permissions")
          .select("permission_id")
          .where("user_id", "=", manager.id)
          .execute(),
      ).toHaveLength(3);

      const boss = await localUser(h, { prefix: "boss", superuser: true });
      const view = await browser.get(`/admin/users/${boss.id}`);
      expect(view.body).not.toContain('name="_save"');
      expect(
        (await browser.post(`/admin/users/${boss.id}`, { _form: "change-user", is_active: "on" })).statusCode,
      ).toBe(403);
    });
  });

  describe("the change-password form", () => {
    it("sets a new back-office password that then signs in, with its audit entry, ending the user's sessions", async () => {
      const user = await localUser(h, { prefix: "pw" });
      const theirs = await adminSignIn(h, user);
      const page = await root.browser.get(`/admin/users/${user.id}/password`);
      expect(textOf(page.body)).toContain(`Change password: ${user.username}`);
      const weak = await root.browser.post(`/admin/users/${user.id}/password`, {
        password1: "password",
        password2: "password",
      });
      expect(weak.statusCode).toBe(400);
      expect(textOf(weak.body)).toContain("This password is too common.");
      const res = await root.browser.post(`/admin/users/${user.id}/password`, {
        password1: "Brand-New-Secret-42",
        password2: "Brand-New-Secret-42",
      });
      expect(res.statusCode).toBe(303);
      expect((await auditOf(h, user.id)).map((e) => e.change_message)).toEqual(["Changed password."]);
      await adminSignIn(h, { ...user, password: "Brand-New-Secret-42" });
      expect((await theirs.get("/admin/")).statusCode).toBe(303);
    });

    it("can take the local password away instead", async () => {
      const user = await localUser(h, { prefix: "nopass" });
      await root.browser.get(`/admin/users/${user.id}/password`);
      await root.browser.post(`/admin/users/${user.id}/password`, { unusable: "on" });
      expect((await rowOf(user.id))?.password_hash).toBeNull();
      expect(textOf((await root.browser.get(`/admin/users/${user.id}`)).body)).toContain("No password set.");
    });
  });

  describe("deleting a user", () => {
    it("asks first, naming what goes with the user, then deletes and records it", async () => {
      const user = await localUser(h, { prefix: "doomed", staff: false });
      const groupId = await newGroup("doomed-group");
      await db().insertInto("user_groups").values({ user_id: user.id, group_id: groupId }).execute();
      const confirm = await root.browser.get(`/admin/users/${user.id}/delete`);
      expect(textOf(confirm.body)).toContain(`Are you sure you want to delete the user “${user.username}”?`);
      expect(textOf(confirm.body)).toContain("Group membership: doomed-group");
      expect(await rowOf(user.id)).toBeDefined();
      const res = await root.browser.post(`/admin/users/${user.id}/delete`, {});
      expect(res.statusCode).toBe(303);
      expect(await rowOf(user.id)).toBeUndefined();
      expect((await auditOf(h, user.id)).map((e) => [e.action, e.object_repr])).toEqual([["delete", user.username]]);
      expect((await root.browser.get(`/admin/users/${user.id}`)).statusCode).toBe(404);
    });

    it("refuses to delete the acting user", async () => {
      expect((await root.browser.get(`/admin/users/${root.user.id}/delete`)).statusCode).toBe(403);
    });
  });
});
