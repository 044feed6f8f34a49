/**
 * Who may use which back-office route, on SQLite and PostgreSQL, by walking the route table:
 * anonymous visitors and non-staff go to the sign-in page, a staff member without a route's
 * permission gets 403, a route that declares nothing is refused, a superuser may use them all;
 * every allow is paired with a deny (view without change: the change form has no Save button and
 * its POST is refused). Bad ids answer the 404 page.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, staffOf } from "../src/backoffice/access.ts";
import type { BackofficeRoute } from "../src/backoffice/module.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { adminSignIn, localUser, superuserBrowser, withStaffTotp, type LocalUser } from "./backoffice-fixtures.ts";
import { signedInPerson } from "./signed-in.ts";

/** A concrete URL for a route pattern: ids of real rows, or of nothing at all. */
function urlOf(route: BackofficeRoute, ids: { user: string; group: string }): string {
  return route.url
    .replace(/^\/admin\/groups\/:id/, `/admin/groups/${ids.group}`)
    .replace(":id", ids.user)
    .replace(":action", "disable");
}

describe.each(["sqlite", "postgres"] as const)("back-office permissions (%s)", (database) => {
  let h: AppHarness;
  let routes: readonly BackofficeRoute[];
  let guarded: readonly BackofficeRoute[];
  let ids: { user: string; group: string };
  let root: { user: LocalUser; browser: TestBrowser };

  beforeAll(async () => {
    h = await startAppHarness({ database });
    routes = h.app.backofficeRoutes;
    guarded = routes.filter((r) => r.guarded);
    root = await superuserBrowser(h);
    const target = await localUser(h, { prefix: "target", staff: false });
    // So that the two-step reset has something to reset, and shows its confirmation page.
    await withStaffTotp(h, target);
    const groupId = randomUUID();
    const now = new Date().toISOString();
    await h.database.database.db
      .insertInto("groups")
      .values({ id: groupId, name: `g-${groupId.slice(0, 8)}`, created_at: now, updated_at: now })
      .execute();
    ids = { user: target.id, group: groupId };
  });
  afterAll(async () => {
    await h.stop();
  });

  it("guards every route but the sign-in pages and assets, and every guarded route declares who may use it", () => {
    const open = routes.filter((r) => !r.guarded).map((r) => `${r.method} ${r.url.replace(/\.[0-9a-f]{10}\./, ".*.")}`);
    expect(open.sort()).toEqual(
      [
        "GET /admin",
        "GET /admin/login",
        "POST /admin/login",
        "GET /admin/login/verify",
        "POST /admin/login/verify",
        "GET /admin/login/setup",
        "POST /admin/login/setup",
        "POST /admin/logout",
        "GET /admin/static/backoffice.*.css",
        "GET /admin/static/backoffice.*.js",
      ].sort(),
    );
    expect(guarded.length).toBeGreaterThan(20);
    for (const route of guarded) expect(route.access, `${route.method} ${route.url}`).not.toBeNull();
  });

  it("refuses a route that declares nothing, whoever asks (deny by default)", async () => {
    const superuser = await h.app.users.findById(root.user.id);
    const staff = staffOf(superuser!, new Set(["accounts.view_user"]));
    expect(allows(undefined, staff)).toBe(false);
    expect(allows({ anyOf: ["accounts.change_user"] }, staff)).toBe(false);
    expect(allows({ anyOf: ["accounts.view_user", "accounts.change_user"] }, staff)).toBe(true);
  });

  it("sends anonymous visitors of every guarded route to the sign-in page", async () => {
    const browser = h.browser();
    await browser.get("/admin/login");
    for (const route of guarded) {
      const url = urlOf(route, ids);
      const res = route.method === "GET" ? await browser.get(url) : await browser.post(url, {});
      expect(res.statusCode, `${route.method} ${url}`).toBe(303);
      expect(res.headers.location, `${route.method} ${url}`).toMatch(/^\/admin\/login\?next=/);
    }
  });

  it("sends a person signed in to the site who is not staff to the sign-in page from every guarded route", async () => {
    const admin = new CognitoAdmin(h);
    try {
      const { browser } = await signedInPerson(h, admin, "member");
      for (const route of guarded) {
        const url = urlOf(route, ids);
        const res = route.method === "GET" ? await browser.get(url) : await browser.post(url, {});
        expect(res.statusCode, `${route.method} ${url}`).toBe(303);
        expect(res.headers.location).toMatch(/^\/admin\/login/);
      }
    } finally {
      admin.destroy();
    }
  });

  it("lets a staff member without permissions see only the home page, which offers nothing, and answers 403 elsewhere", async () => {
    const browser = await adminSignIn(h, await localUser(h, { prefix: "bare" }));
    const home = await browser.get("/admin/");
    expect(home.statusCode).toBe(200);
    expect(textOf(home.body)).toContain("You don’t have permission to view or edit anything.");
    expect(home.body).not.toContain('href="/admin/users"');
    // Besides the home page, only the staff member's own two-step pages are for any staff.
    const forAnyStaff = guarded.filter((r) => r.access && "anyStaff" in r.access).map((r) => r.url);
    expect([...new Set(forAnyStaff)].sort()).toEqual([
      "/admin/",
      "/admin/two-step",
      "/admin/two-step/cancel",
      "/admin/two-step/confirm",
      "/admin/two-step/disable",
      "/admin/two-step/setup",
    ]);
    for (const route of guarded.filter((r) => !forAnyStaff.includes(r.url))) {
      await browser.get("/admin/");
      const url = urlOf(route, ids);
      const res = route.method === "GET" ? await browser.get(url) : await browser.post(url, {});
      expect(res.statusCode, `${route.method} ${url}`).toBe(403);
      expect(textOf(res.body)).toContain("You do not have permission to do this");
    }
  });

  it("shows a staff member with view_user the users read-only: no Save button, no actions, and refuses its POSTs", async () => {
    const browser = await adminSignIn(h, await localUser(h, { prefix: "viewer", permissions: ["accounts.view_user"] }));
    const home = await browser.get("/admin/");
    expect(home.body).toContain('href="/admin/users"');
    expect(home.body).not.toContain('href="/admin/users/add"');
    expect(home.body).not.toContain('href="/admin/groups"');
    expect(home.body).not.toContain('href="/admin/audit-log"');

    const list = await browser.get("/admin/users");
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain("Select user to view");
    expect(list.body).not.toContain('name="action"');

    const change = await browser.get(`/admin/users/${ids.user}`);
    expect(change.statusCode).toBe(200);
    expect(textOf(change.body)).toContain("View user:");
    expect(change.body).not.toMatch(/<button[^>]*>\s*Save\s*</);
    expect(change.body).not.toContain("Save and continue editing");
    expect(change.body).toMatch(/name="is_active"[^>]*disabled/);
    expect(change.body).not.toContain("Reset the back-office password");

    const post = await browser.post(`/admin/users/${ids.user}`, { _form: "change-user", is_active: "on" });
    expect(post.statusCode).toBe(403);
    for (const url of [`/admin/users/${ids.user}/password`, `/admin/users/${ids.user}/delete`, "/admin/users/add"]) {
      expect((await browser.get(url)).statusCode, url).toBe(403);
    }
  });

  it("gives a staff member with change_user the Save button, and their POST changes the user", async () => {
    const browser = await adminSignIn(
      h,
      await localUser(h, { prefix: "changer", permissions: ["accounts.view_user", "accounts.change_user"] }),
    );
    const change = await browser.get(`/admin/users/${ids.user}`);
    expect(textOf(change.body)).toContain("Change user:");
    expect(change.body).toMatch(/<button[^>]*name="_save"[^>]*>\s*Save\s*</);
    expect(change.body).not.toContain(`href="/admin/users/${ids.user}/delete"`);
    const res = await browser.post(`/admin/users/${ids.user}`, { _form: "change-user", username: "", email: "" });
    expect(res.statusCode).toBe(400);
  });

  it("shows each staff member only the models they may see", async () => {
    const browser = await adminSignIn(
      h,
      await localUser(h, { prefix: "groupie", permissions: ["accounts.view_group", "backoffice.view_auditlogentry"] }),
    );
    const home = await browser.get("/admin/");
    expect(home.body).toContain('href="/admin/groups"');
    expect(home.body).toContain('href="/admin/audit-log"');
    expect(home.body).not.toContain('href="/admin/users"');
    expect((await browser.get("/admin/groups")).statusCode).toBe(200);
    expect((await browser.get("/admin/audit-log")).statusCode).toBe(200);
    expect((await browser.get("/admin/users")).statusCode).toBe(403);
    expect((await browser.get("/admin/groups/add")).statusCode).toBe(403);
  });

  it("gives a staff member permissions through a group, as directly", async () => {
    const db = h.database.database.db;
    const member = await localUser(h, { prefix: "viagroup" });
    const groupId = randomUUID();
    const now = new Date().toISOString();
    await db
      .insertInto("groups")
      .values({ id: groupId, name: `support-${groupId.slice(0, 6)}`, created_at: now, updated_at: now })
      .execute();
    const perm = await db
      .selectFrom("permissions")
      .select("id")
      .where("codename", "=", "accounts.view_user")
      .executeTakeFirstOrThrow();
    await db.insertInto("group_permissions").values({ group_id: groupId, permission_id: perm.id }).execute();
    const browser = await adminSignIn(h, member);
    expect((await browser.get("/admin/users")).statusCode).toBe(403);
    await db.insertInto("user_groups").values({ user_id: member.id, group_id: groupId }).execute();
    expect((await browser.get("/admin/users")).statusCode).toBe(200);
  });

  it("lets a superuser open every page", async () => {
    for (const route of guarded.filter((r) => r.method === "GET")) {
      const url = urlOf(route, ids);
      const res = await root.browser.get(url);
      expect(res.statusCode, url).toBe(200);
    }
  });

  it("answers a bad, unknown or hostile id with the 404 page, never a 500", async () => {
    const badIds = ["not-a-uuid", randomUUID(), "1' OR '1'='1", "%00", "0".repeat(90)];
    for (const route of guarded.filter((r) => r.url.includes(":id"))) {
      for (const bad of badIds) {
        const url = route.url.replace(":id", encodeURIComponent(bad)).replace(":action", "disable");
        await root.browser.get("/admin/");
        const res = route.method === "GET" ? await root.browser.get(url) : await root.browser.post(url, {});
        expect(res.statusCode, `${route.method} ${url}`).toBe(404);
      }
    }
    const unknownAction = await root.browser.get(`/admin/users/${ids.user}/cognito/explode`);
    expect(unknownAction.statusCode).toBe(404);
    expect(textOf(unknownAction.body)).toContain("Page not found");
  });
});
