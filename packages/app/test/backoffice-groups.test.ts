/**
 * Groups and the audit log in the back office, on SQLite and PostgreSQL: listing, adding and
 * changing a group with the permission picker (and members gaining what it grants), deleting
 * after a confirmation; the audit log's filters and search, and that nothing can write to it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { say } from "../src/backoffice/messages.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { uniqueName } from "./accounts-fixtures.ts";
import { adminSignIn, auditOf, localUser, superuserBrowser, type LocalUser } from "./backoffice-fixtures.ts";

describe.each(["sqlite", "postgres"] as const)("back-office groups and audit log (%s)", (database) => {
  let h: AppHarness;
  let root: { user: LocalUser; browser: TestBrowser };
  const db = () => h.database.database.db;

  beforeAll(async () => {
    h = await startAppHarness({ database });
    root = await superuserBrowser(h);
  });
  afterAll(async () => {
    await h.stop();
  });

  const groupNamed = (name: string) =>
    db().selectFrom("groups").selectAll().where("name", "=", name).executeTakeFirst();
  const permissionsOfGroup = async (groupId: string) =>
    (
      await db()
        .selectFrom("group_permissions")
        .innerJoin("permissions", "permissions.id", "group_permissions.permission_id")
        .select("permissions.codename")
        .where("group_id", "=", groupId)
        .orderBy("permissions.codename")
        .execute()
    ).map((r) => r.codename);

  it("adds a group with permissions from the picker; its members gain them at once", async () => {
    const name = uniqueName("Support ");
    const page = await root.browser.get("/admin/groups/add");
    expect(page.body).toContain('value="accounts.view_user"');
    expect(page.body).toContain('aria-label="Can change user"');
    const body = new URLSearchParams({ name, _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "" });
    body.append("permissions", "accounts.view_user");
    body.append("permissions", "accounts.change_user");
    body.append("permissions", "accounts.fly_to_the_moon");
    const res = await h.app.inject({
      method: "POST",
      url: "/admin/groups/add",
      payload: body.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: root.browser.cookieHeader },
    });
    expect(res.statusCode).toBe(303);
    const group = await groupNamed(name);
    expect(group).toBeDefined();
    expect(await permissionsOfGroup(group!.id)).toEqual(["accounts.change_user", "accounts.view_user"]);
    expect((await auditOf(h, group!.id)).map((e) => [e.action, e.object_type, e.change_message])).toEqual([
      ["add", "group", "Added."],
    ]);

    const member = await localUser(h, { prefix: "member" });
    const browser = await adminSignIn(h, member);
    expect((await browser.get("/admin/users")).statusCode).toBe(403);
    await db().insertInto("user_groups").values({ user_id: member.id, group_id: group!.id }).execute();
    expect((await browser.get("/admin/users")).statusCode).toBe(200);

    const list = await root.browser.get(`/admin/groups?q=${encodeURIComponent(name)}`);
    expect(textOf(list.body)).toContain(`${name} 1 2`);
  });

  it("changes a group's name and permissions with the entry 'Changed name and permissions.'", async () => {
    const name = uniqueName("Ops");
    await root.browser.get("/admin/groups/add");
    await root.browser.post("/admin/groups/add", { name, permissions: "accounts.view_group" });
    const group = (await groupNamed(name))!;
    const page = await root.browser.get(`/admin/groups/${group.id}`);
    expect(page.body).toMatch(/value="accounts\.view_group"[^>]*checked/);
    const renamed = `${name} team`;
    const res = await root.browser.post(`/admin/groups/${group.id}`, {
      name: renamed,
      permissions: "accounts.add_group",
      _continue: "1",
    });
    expect(res.headers.location).toBe(`/admin/groups/${group.id}`);
    expect(await permissionsOfGroup(group.id)).toEqual(["accounts.add_group"]);
    expect((await auditOf(h, group.id)).at(-1)?.change_message).toBe("Changed name and permissions.");
    expect(textOf((await root.browser.follow()).body)).toContain(say("GROUP_CHANGED", { name: renamed }));
  });

  it("refuses an empty, duplicate or unprintable name, keeping the ticked permissions", async () => {
    const name = uniqueName("Dup");
    await root.browser.get("/admin/groups/add");
    await root.browser.post("/admin/groups/add", { name });
    for (const [bad, message] of [
      ["", say("FIELD_REQUIRED")],
      [name.toUpperCase(), say("GROUP_NAME_TAKEN")],
      ["tab\there", say("GROUP_NAME_INVALID")],
      ["x".repeat(151), say("GROUP_NAME_INVALID")],
    ] as const) {
      const res = await root.browser.post("/admin/groups/add", { name: bad, permissions: "accounts.delete_user" });
      expect(res.statusCode, bad).toBe(400);
      expect(textOf(res.body)).toContain(message);
      expect(res.body).toMatch(/value="accounts\.delete_user"[^>]*checked/);
    }
  });

  it("deletes a group after a confirmation naming its members, who lose its permissions", async () => {
    const name = uniqueName("Temp");
    await root.browser.get("/admin/groups/add");
    await root.browser.post("/admin/groups/add", { name, permissions: "accounts.view_user" });
    const group = (await groupNamed(name))!;
    const member = await localUser(h, { prefix: "temp" });
    await db().insertInto("user_groups").values({ user_id: member.id, group_id: group.id }).execute();
    const confirm = await root.browser.get(`/admin/groups/${group.id}/delete`);
    expect(textOf(confirm.body)).toContain(`Are you sure you want to delete the group “${name}”?`);
    expect(textOf(confirm.body)).toContain(`Membership of ${member.username}`);
    const res = await root.browser.post(`/admin/groups/${group.id}/delete`, {});
    expect(res.statusCode).toBe(303);
    expect(await groupNamed(name)).toBeUndefined();
    expect((await auditOf(h, group.id)).map((e) => e.action)).toEqual(["add", "delete"]);
    const browser = await adminSignIn(h, member);
    expect((await browser.get("/admin/users")).statusCode).toBe(403);
  });

  it("answers 403 to group changes without the permission, and shows the group read-only", async () => {
    const name = uniqueName("Locked");
    await root.browser.get("/admin/groups/add");
    await root.browser.post("/admin/groups/add", { name });
    const group = (await groupNamed(name))!;
    const viewer = await adminSignIn(h, await localUser(h, { prefix: "gview", permissions: ["accounts.view_group"] }));
    const page = await viewer.get(`/admin/groups/${group.id}`);
    expect(textOf(page.body)).toContain("View group");
    expect(page.body).not.toContain('name="_save"');
    expect((await viewer.post(`/admin/groups/${group.id}`, { name: "hacked" })).statusCode).toBe(403);
    expect((await viewer.post(`/admin/groups/${group.id}/delete`, {})).statusCode).toBe(403);
    expect((await groupNamed(name))?.name).toBe(name);
  });

  describe("the audit log", () => {
    it("lists every entry newest first with who, what and the message, filtered and searched", async () => {
      const actor = await localUser(h, {
        prefix: "auditor",
        permissions: [
          "accounts.view_user",
          "accounts.change_user",
          "accounts.manage_staff",
          "backoffice.view_auditlogentry",
        ],
      });
      const browser = await adminSignIn(h, actor);
      const target = await localUser(h, { prefix: "audited", staff: false });
      await browser.get(`/admin/users/${target.id}`);
      await browser.post(`/admin/users/${target.id}`, {
        _form: "change-user",
        username: target.username,
        email: target.email,
        is_staff: "on",
      });
      await browser.get(`/admin/users/${target.id}`);
      await browser.post(`/admin/users/${target.id}`, {
        _form: "change-user",
        username: target.username,
        email: target.email,
        is_active: "on",
        is_staff: "on",
      });

      const page = await browser.get(`/admin/audit-log?actor=${actor.id}`);
      expect(page.statusCode).toBe(200);
      const rows = [...page.body.matchAll(/data-testid="audit-row"[\s\S]*?<\/tr>/g)].map((m) => textOf(m[0]));
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain(`${actor.username} Changed User: ${target.username} Changed is_active.`);
      expect(rows[1]).toContain(`${actor.username} Changed User: ${target.username} Changed is_active and is_staff.`);

      const count = async (query: string) =>
        [...(await browser.get(`/admin/audit-log?${query}`)).body.matchAll(/data-testid="audit-row"/g)].length;
      expect(await count(`actor=${actor.id}&action=add`)).toBe(0);
      expect(await count(`actor=${actor.id}&action=change&type=user`)).toBe(2);
      expect(await count(`actor=${actor.id}&type=group`)).toBe(0);
      expect(await count(`object=user:${target.id}`)).toBe(2);
      expect(await count(`actor=${actor.id}&q=${encodeURIComponent("and is_staff")}`)).toBe(1);
      expect(await count(`actor=${actor.id}&age=today`)).toBe(2);
      expect(await count(`actor=${actor.id}&action=bogus&age=forever&object=user:nope`)).toBe(2);
      const history = await browser.get(`/admin/users/${target.id}`);
      expect(history.body).toContain(`href="/admin/audit-log?object=user:${target.id}"`);
    });

    it("is read-only: no route writes to it, and it needs its own permission", async () => {
      const writes = h.app.backofficeRoutes.filter((r) => r.url.startsWith("/admin/audit-log") && r.method !== "GET");
      expect(writes).toEqual([]);
      expect((await root.browser.post("/admin/audit-log", {})).statusCode).toBe(404);
      const viewer = await adminSignIn(
        h,
        await localUser(h, { prefix: "noaudit", permissions: ["accounts.view_user"] }),
      );
      expect((await viewer.get("/admin/audit-log")).statusCode).toBe(403);
      expect((await viewer.get(`/admin/users/${randomUUID()}`)).statusCode).toBe(404);
    });

    it("shows a staff member's own recent actions on the home page", async () => {
      const actor = await localUser(h, {
        prefix: "recent",
        permissions: ["accounts.add_group", "accounts.view_group"],
      });
      const browser = await adminSignIn(h, actor);
      const name = uniqueName("Recent");
      await browser.get("/admin/groups/add");
      await browser.post("/admin/groups/add", { name });
      const home = await browser.get("/admin/");
      const recent = textOf(/data-testid="recent-actions"[\s\S]*?<\/ul>/.exec(home.body)?.[0] ?? "");
      expect(recent).toContain(`Added ${name} Group · Added.`);
    });
  });
});
