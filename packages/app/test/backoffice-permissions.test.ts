/**
 * The back office's permission model (policy.ts) as allow/deny pairs, on SQLite and PostgreSQL:
 * for each permission that changes someone (change_user on flags, groups, permissions, the
 * back-office password and the Cognito panel; delete_user; change_group; delete_group) and each
 * kind of target — a customer, the acting user themselves, staff at the same level, staff
 * holding more, a superuser. Every refused attempt leaves a "refuse" entry in the audit log and
 * changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PermissionCodename } from "../src/accounts/permissions.ts";
import { say } from "../src/backoffice/messages.ts";
import { verifyPassword } from "../src/backoffice/passwords.ts";
import { directPermissionsOf, groupPermissionsOf } from "../src/backoffice/queries.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { CognitoAdmin, uniqueName } from "./accounts-fixtures.ts";
import {
  adminSignIn,
  auditOf,
  cognitoLinkedUser,
  grant,
  groupEditorPermissions,
  groupWith,
  localUser,
  postFormOf,
  type LocalUser,
} from "./backoffice-fixtures.ts";
import { randomUUID } from "node:crypto";

const changeUser: readonly PermissionCodename[] = ["accounts.view_user", "accounts.change_user"];
const manageStaff: readonly PermissionCodename[] = [...changeUser, "accounts.manage_staff"];

describe.each(["sqlite", "postgres"] as const)("back-office permission model (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  const db = () => h.database.database.db;

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const rowOf = (id: string) => db().selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const directPermissions = (userId: string) => directPermissionsOf(db(), userId);
  const groupPermissions = (groupId: string) => groupPermissionsOf(db(), groupId);
  const newGroup = (codenames: readonly PermissionCodename[]) => groupWith(h, codenames);
  const actor = async (permissions: readonly PermissionCodename[]) => {
    const user = await localUser(h, { prefix: "actor", permissions });
    return { user, browser: await adminSignIn(h, user) };
  };
  const refusalsOf = async (objectId: string) =>
    (await auditOf(h, objectId)).filter((e) => e.action === "refuse").map((e) => e.change_message);

  /** Submits the change form as a browser would after loading it. */
  const saveUser = async (browser: TestBrowser, target: LocalUser, fields: Record<string, string | string[]>) => {
    await browser.get(`/admin/users/${target.id}`);
    const body = new URLSearchParams({ _form: "change-user", username: target.username, email: target.email });
    for (const [name, value] of Object.entries(fields)) {
      body.delete(name);
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return postFormOf(h, browser, `/admin/users/${target.id}`, body);
  };
  const setPassword = async (browser: TestBrowser, target: LocalUser) => {
    await browser.get(`/admin/users/${target.id}`);
    return browser.post(`/admin/users/${target.id}/password`, {
      password1: "Taken-Over-Secret-99",
      password2: "Taken-Over-Secret-99",
    });
  };

  describe("change_user without manage_staff", () => {
    it("changes a customer's flags, but no staff account's, not even one holding the same permissions", async () => {
      const { browser } = await actor(changeUser);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      expect((await saveUser(browser, customer, {})).statusCode).toBe(303);
      expect((await rowOf(customer.id)).is_active).toBeFalsy();

      const peer = await localUser(h, { prefix: "peer", permissions: changeUser });
      const page = await browser.get(`/admin/users/${peer.id}`);
      expect(page.body).not.toContain('name="_save"');
      expect(textOf(page.body)).toContain(say("STAFF_MANAGERS_ONLY"));
      const res = await saveUser(browser, peer, {});
      expect(res.statusCode).toBe(403);
      expect((await rowOf(peer.id)).is_active).toBeTruthy();
      expect(await refusalsOf(peer.id)).toEqual([`Refused: change the user. ${say("STAFF_MANAGERS_ONLY")}`]);
    });

    it("cannot make a customer staff (the checkbox is disabled, a crafted one refused), nor with all permissions", async () => {
      const { browser } = await actor(changeUser);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      const page = await browser.get(`/admin/users/${customer.id}`);
      expect(page.body).toMatch(/name="is_staff"[^>]*disabled/);
      const res = await saveUser(browser, customer, {
        is_active: "on",
        is_staff: "on",
        user_permissions: ["accounts.view_user", "accounts.change_user", "accounts.delete_user"],
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(say("STAFF_MANAGERS_ONLY"));
      expect(textOf(res.body)).toContain(say("GRANT_NOT_HELD"));
      expect((await rowOf(customer.id)).is_staff).toBeFalsy();
      expect(await directPermissions(customer.id)).toEqual([]);
      expect(await refusalsOf(customer.id)).toHaveLength(2);
    });

    it("sets a customer's back-office password, but not a staff member's", async () => {
      const { browser } = await actor(changeUser);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      expect((await setPassword(browser, customer)).statusCode).toBe(303);
      const peer = await localUser(h, { prefix: "peer", permissions: changeUser });
      expect((await browser.get(`/admin/users/${peer.id}/password`)).statusCode).toBe(403);
      expect((await setPassword(browser, peer)).statusCode).toBe(403);
      expect(await verifyPassword("Taken-Over-Secret-99", (await rowOf(peer.id)).password_hash ?? "")).toBe(false);
      expect(await refusalsOf(peer.id)).toEqual([
        `Refused: change the back-office password. ${say("STAFF_MANAGERS_ONLY")}`,
      ]);
    });

    it("acts on a customer's Cognito account, but not on a staff member's", async () => {
      const { browser } = await actor(changeUser);
      const person = await cognitoLinkedUser(h, admin, "confirmed", "cust");
      await browser.get(`/admin/users/${person.id}`);
      expect((await browser.post(`/admin/users/${person.id}/cognito/sign-out`, {})).statusCode).toBe(303);

      const staffer = await localUser(h, { prefix: "peer", permissions: changeUser, cognitoSub: randomUUID() });
      await browser.get(`/admin/users/${person.id}`);
      expect((await browser.post(`/admin/users/${staffer.id}/cognito/disable`, {})).statusCode).toBe(403);
      expect(await refusalsOf(staffer.id)).toEqual([
        `Refused: Cognito action “disable”. ${say("STAFF_MANAGERS_ONLY")}`,
      ]);
    });

    it("deactivates customers in bulk, and refuses the whole batch when it holds a staff account", async () => {
      const { browser } = await actor(changeUser);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      const peer = await localUser(h, { prefix: "peer", permissions: changeUser });
      const bulk = async (ids: string[]) => {
        await browser.get("/admin/users");
        const body = new URLSearchParams({ action: "deactivate", confirm: "yes" });
        for (const id of ids) body.append("ids", id);
        return postFormOf(h, browser, "/admin/users/actions", body);
      };
      await bulk([customer.id, peer.id]);
      expect((await rowOf(customer.id)).is_active).toBeTruthy();
      expect((await rowOf(peer.id)).is_active).toBeTruthy();
      expect(await refusalsOf(peer.id)).toHaveLength(1);
      await bulk([customer.id]);
      expect((await rowOf(customer.id)).is_active).toBeFalsy();
    });
  });

  describe("change_user with manage_staff", () => {
    it("changes staff at the same level (flags and password), and makes a customer staff", async () => {
      const { browser } = await actor(manageStaff);
      const peer = await localUser(h, { prefix: "peer", permissions: changeUser });
      expect((await saveUser(browser, peer, { is_staff: "on" })).statusCode).toBe(303);
      expect((await rowOf(peer.id)).is_active).toBeFalsy();
      expect((await setPassword(browser, peer)).statusCode).toBe(303);

      const customer = await localUser(h, { prefix: "cust", staff: false });
      expect((await saveUser(browser, customer, { is_active: "on", is_staff: "on" })).statusCode).toBe(303);
      expect((await rowOf(customer.id)).is_staff).toBeTruthy();
    });

    it("does not change an account holding a permission it lacks — also while that account is inactive", async () => {
      const { browser } = await actor(manageStaff);
      for (const active of [true, false]) {
        const stronger = await localUser(h, {
          prefix: "strong",
          active,
          permissions: [...changeUser, "accounts.delete_user"],
        });
        expect((await saveUser(browser, stronger, { is_active: "on", is_staff: "on" })).statusCode).toBe(403);
        expect((await setPassword(browser, stronger)).statusCode).toBe(403);
        expect((await rowOf(stronger.id)).is_active).toBe(database === "sqlite" ? Number(active) : active);
        expect(await refusalsOf(stronger.id)).toEqual([
          `Refused: change the user. ${say("MORE_PRIVILEGED")}`,
          `Refused: change the back-office password. ${say("MORE_PRIVILEGED")}`,
        ]);
      }
      // Holding more through a group counts the same.
      const viaGroup = await localUser(h, { prefix: "strong", permissions: changeUser });
      const groupId = await newGroup(["accounts.delete_group"]);
      await db().insertInto("user_groups").values({ user_id: viaGroup.id, group_id: groupId }).execute();
      expect((await saveUser(browser, viaGroup, { is_staff: "on" })).statusCode).toBe(403);
    });

    it("does not change a superuser", async () => {
      const { browser } = await actor(manageStaff);
      const boss = await localUser(h, { prefix: "boss", superuser: true });
      expect((await saveUser(browser, boss, { is_staff: "on" })).statusCode).toBe(403);
      expect((await setPassword(browser, boss)).statusCode).toBe(403);
      expect(await refusalsOf(boss.id)).toHaveLength(2);
      expect((await rowOf(boss.id)).is_active).toBeTruthy();
    });

    it("grants the permissions it holds, not others; offers only those (the rest disabled)", async () => {
      const { browser } = await actor(manageStaff);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      const page = await browser.get(`/admin/users/${customer.id}`);
      expect(page.body).toMatch(/value="accounts\.change_user"(?![^>]*disabled)[^>]*>/);
      expect(page.body).toMatch(/value="accounts\.delete_user"[^>]*disabled/);

      const held = await saveUser(browser, customer, { is_active: "on", user_permissions: "accounts.change_user" });
      expect(held.statusCode).toBe(303);
      expect(await directPermissions(customer.id)).toEqual(["accounts.change_user"]);

      const crafted = await saveUser(browser, customer, {
        is_active: "on",
        user_permissions: ["accounts.change_user", "accounts.delete_user"],
      });
      expect(crafted.statusCode).toBe(400);
      expect(await directPermissions(customer.id)).toEqual(["accounts.change_user"]);
      expect(await refusalsOf(customer.id)).toEqual([`Refused: grant accounts.delete_user. ${say("GRANT_NOT_HELD")}`]);
    });

    it("adds someone to a group whose permissions it holds, not to a group granting more", async () => {
      const { browser } = await actor(manageStaff);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      const modest = await newGroup(["accounts.view_user"]);
      const mighty = await newGroup(["accounts.view_user", "accounts.delete_user"]);
      const page = await browser.get(`/admin/users/${customer.id}`);
      expect(page.body).toMatch(new RegExp(`value="${mighty}"[^>]*disabled`));
      expect((await saveUser(browser, customer, { is_active: "on", groups: modest })).statusCode).toBe(303);
      const crafted = await saveUser(browser, customer, { is_active: "on", groups: [modest, mighty] });
      expect(crafted.statusCode).toBe(400);
      expect(textOf(crafted.body)).toContain(say("GROUPS_NOT_HELD"));
      const groups = await db()
        .selectFrom("user_groups")
        .select("group_id")
        .where("user_id", "=", customer.id)
        .execute();
      expect(groups.map((g) => g.group_id)).toEqual([modest]);
      expect(await refusalsOf(customer.id)).toHaveLength(1);
    });

    it("changes its own email, but not its own groups or permissions", async () => {
      const actorWith = await actor(manageStaff);
      const self = actorWith.user;
      const email = `${uniqueName("me")}@example.com`;
      const res = await saveUser(actorWith.browser, self, {
        is_active: "on",
        is_staff: "on",
        email,
        user_permissions: manageStaff as string[],
      });
      expect(res.statusCode).toBe(303);
      expect((await rowOf(self.id)).email).toBe(email);
      const grab = await saveUser(
        actorWith.browser,
        { ...self, email },
        {
          is_active: "on",
          is_staff: "on",
          user_permissions: [...manageStaff, "accounts.delete_user"],
        },
      );
      expect(grab.statusCode).toBe(400);
      expect(await directPermissions(self.id)).toEqual([...manageStaff].sort());
    });
  });

  describe("delete_user", () => {
    const deleter: readonly PermissionCodename[] = ["accounts.view_user", "accounts.delete_user"];
    const deleteOf = async (browser: TestBrowser, target: { id: string }) => {
      await browser.get(`/admin/users/${target.id}`);
      return browser.post(`/admin/users/${target.id}/delete`, {});
    };

    it("deletes a customer; not itself, a staff member without manage_staff, or a superuser", async () => {
      const { user, browser } = await actor(deleter);
      const customer = await localUser(h, { prefix: "cust", staff: false });
      expect((await deleteOf(browser, customer)).statusCode).toBe(303);
      expect(
        await db().selectFrom("users").select("id").where("id", "=", customer.id).executeTakeFirst(),
      ).toBeUndefined();

      const peer = await localUser(h, { prefix: "peer", permissions: deleter });
      const boss = await localUser(h, { prefix: "boss", superuser: true });
      for (const target of [user, peer, boss]) {
        expect((await deleteOf(browser, target)).statusCode).toBe(403);
        await rowOf(target.id);
      }
      expect(await refusalsOf(peer.id)).toEqual([`Refused: delete the user. ${say("STAFF_MANAGERS_ONLY")}`]);
      expect(await refusalsOf(user.id)).toEqual([`Refused: delete the user. ${say("CANNOT_CHANGE_SELF")}`]);
    });

    it("with manage_staff deletes staff at its level, not staff holding more", async () => {
      const { browser } = await actor([...deleter, "accounts.manage_staff"]);
      const peer = await localUser(h, { prefix: "peer", permissions: deleter });
      expect((await deleteOf(browser, peer)).statusCode).toBe(303);
      const stronger = await localUser(h, { prefix: "strong", permissions: [...deleter, "accounts.change_user"] });
      expect((await deleteOf(browser, stronger)).statusCode).toBe(403);
      expect(await refusalsOf(stronger.id)).toEqual([`Refused: delete the user. ${say("MORE_PRIVILEGED")}`]);
    });
  });

  describe("change_group and delete_group", () => {
    const saveGroup = async (browser: TestBrowser, groupId: string, permissions: string[]) => {
      const page = await browser.get(`/admin/groups/${groupId}`);
      const name =
        /id="id_name"[^>]*value="([^"]*)"/.exec(page.body)?.[1] ??
        /value="([^"]*)"[^>]*id="id_name"/.exec(page.body)?.[1];
      const body = new URLSearchParams({ name: name ?? uniqueName("grp") });
      for (const p of permissions) body.append("permissions", p);
      return postFormOf(h, browser, `/admin/groups/${groupId}`, body);
    };

    it("cannot give its own group a permission, not even one it holds: the picker says why, a forged form is refused", async () => {
      const { user, browser } = await actor(groupEditorPermissions);
      const own = await newGroup([]);
      await db().insertInto("user_groups").values({ user_id: user.id, group_id: own }).execute();
      const page = await browser.get(`/admin/groups/${own}`);
      expect(textOf(page.body)).toContain(say("GROUP_HAS_SELF"));
      expect(page.body).toMatch(/value="accounts\.view_group"[^>]*disabled/);
      expect(page.body).not.toContain(`/admin/groups/${own}/delete`);

      const everything = [
        "accounts.view_group",
        "accounts.change_user",
        "accounts.delete_user",
        "accounts.manage_staff",
      ];
      const res = await saveGroup(browser, own, everything);
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(say("GROUP_HAS_SELF"));
      expect(await groupPermissions(own)).toEqual([]);
      expect(await refusalsOf(own)).toEqual([`Refused: grant ${everything.join(", ")}. ${say("GROUP_HAS_SELF")}`]);
    });

    it("adds to a group of customers the permissions it holds, and not to a group with staff in it", async () => {
      const { browser } = await actor(groupEditorPermissions);
      const customers = await newGroup([]);
      const customer = await localUser(h, { prefix: "member", staff: false });
      const colleague = await localUser(h, { prefix: "member" });
      await db().insertInto("user_groups").values({ user_id: customer.id, group_id: customers }).execute();
      expect((await saveGroup(browser, customers, ["accounts.view_group"])).statusCode).toBe(303);
      expect(await groupPermissions(customers)).toEqual(["accounts.view_group"]);

      await db().insertInto("user_groups").values({ user_id: colleague.id, group_id: customers }).execute();
      const res = await saveGroup(browser, customers, ["accounts.view_group", "accounts.change_group"]);
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(say("GROUP_HAS_STAFF"));
      expect(await groupPermissions(customers)).toEqual(["accounts.view_group"]);
    });

    it("keeps the permissions it lacks on a group it edits (they are shown disabled)", async () => {
      const { browser } = await actor(groupEditorPermissions);
      const group = await newGroup(["accounts.view_group", "accounts.delete_user"]);
      const page = await browser.get(`/admin/groups/${group}`);
      expect(page.body).toMatch(
        /value="accounts\.delete_user"[^>]*checked[^>]*disabled|value="accounts\.delete_user"[^>]*disabled[^>]*checked/,
      );
      expect((await saveGroup(browser, group, [])).statusCode).toBe(303);
      expect(await groupPermissions(group)).toEqual(["accounts.delete_user"]);
    });

    it("adds a group with permissions it holds, not with others", async () => {
      const { browser } = await actor(groupEditorPermissions);
      await browser.get("/admin/groups/add");
      const name = uniqueName("grp");
      const res = await browser.post("/admin/groups/add", { name, permissions: "accounts.delete_user" });
      expect(res.statusCode).toBe(400);
      expect(await db().selectFrom("groups").select("id").where("name", "=", name).executeTakeFirst()).toBeUndefined();
    });

    it("deletes a group granting what it holds, not a group granting more", async () => {
      const { browser } = await actor(groupEditorPermissions);
      const modest = await newGroup(["accounts.view_group"]);
      const mighty = await newGroup(["accounts.delete_user"]);
      const remove = async (id: string) => {
        await browser.get(`/admin/groups/${id}`);
        return browser.post(`/admin/groups/${id}/delete`, {});
      };
      expect((await remove(modest)).statusCode).toBe(303);
      expect((await browser.get(`/admin/groups/${mighty}`)).body).not.toContain(`/admin/groups/${mighty}/delete`);
      expect((await browser.get(`/admin/groups/${mighty}/delete`)).statusCode).toBe(403);
      expect((await remove(mighty)).statusCode).toBe(403);
      expect(await groupPermissions(mighty)).toEqual(["accounts.delete_user"]);
      expect(await refusalsOf(mighty)).toEqual([`Refused: delete the group. ${say("GROUP_MORE_PRIVILEGED")}`]);
    });
  });

  it("a superuser may do all of it, and the audit log lists refusals under their own filter", async () => {
    const root = await localUser(h, { prefix: "root", superuser: true });
    const browser = await adminSignIn(h, root);
    const stronger = await localUser(h, { prefix: "strong", permissions: [...manageStaff, "accounts.delete_user"] });
    expect((await saveUser(browser, stronger, { is_staff: "on" })).statusCode).toBe(303);
    expect((await setPassword(browser, stronger)).statusCode).toBe(303);

    const watcher = await localUser(h, {
      prefix: "watch",
      permissions: ["backoffice.view_auditlogentry", ...changeUser],
    });
    await grant(h, watcher.id, []);
    const watching = await adminSignIn(h, watcher);
    const peer = await localUser(h, { prefix: "peer", permissions: changeUser });
    await saveUser(watching, peer, {});
    const log = await watching.get(`/admin/audit-log?action=refuse&actor=${watcher.id}`);
    expect(log.statusCode).toBe(200);
    expect(textOf(log.body)).toContain(`Refused User: ${peer.username}`);
  });
});
