/**
 * `/api/v1/users` and `/api/v1/users/{id}` on SQLite and PostgreSQL: staff with
 * `accounts.view_user` only (each allow paired with its deny), DRF's pagination, search and
 * ordering, and every bad query answered with field errors or 404, never a 500.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { ApiClient, apiPerson, eventually, makeStaff, type ApiPerson } from "./api-fixtures.ts";
import { newUserRow } from "../src/accounts/users.ts";
import { databaseKinds } from "./databases.ts";
import { signedInPerson } from "./signed-in.ts";

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: { id: string; username: string; email: string; created_at: string; groups: string[] }[];
}

describe.each(databaseKinds)("/api/v1/users (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let api: ApiClient;
  /** Staff with accounts.view_user. */
  let viewer: ApiPerson;
  /** Local users made for listing: `tag` marks them so searches find only them. */
  const tag = `lst${randomUUID().slice(0, 6)}`;
  const listed: { id: string; username: string; email: string }[] = [];

  /** A person the API has seen (so they have a local row). */
  async function seen(prefix: string): Promise<ApiPerson> {
    const person = await apiPerson(h, admin, prefix);
    expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
    return person;
  }

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
    api = new ApiClient(h);
    viewer = await seen("viewer");
    await makeStaff(h, viewer.account.username, { permissions: ["accounts.view_user"] });
    const db = h.database.database.db;
    // 25 users with names that sort in a known order, and created a second apart.
    for (let i = 0; i < 25; i++) {
      const id = randomUUID();
      const username = `${tag}_${String(i).padStart(2, "0")}`;
      const email = `${String(24 - i).padStart(2, "0")}.${tag}@example.com`;
      const at = new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString();
      await db
        .insertInto("users")
        .values(
          newUserRow(
            { id, username, email, email_verified: true, password_hash: i === 0 ? "scrypt$secret$hash" : null },
            at,
          ),
        )
        .execute();
      listed.push({ id, username, email });
    }
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const list = async (query: string, token = viewer.accessToken) => api.get(`/api/v1/users${query}`, token);

  it("lists users, 20 a page, with DRF's count, next, previous and results", async () => {
    const res = await list(`?search=${tag}`);
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.count).toBe(25);
    expect(page.results).toHaveLength(20);
    expect(page.results[0]?.username).toBe(`${tag}_00`);
    expect(page.previous).toBeNull();
    expect(page.next).toBe(`http://localhost:3000/api/v1/users?search=${tag}&page=2`);
    // Never the password hash, not even for a user who has one.
    expect(JSON.stringify(page)).not.toContain("scrypt");
    expect(Object.keys(page.results[0] ?? {})).not.toContain("password_hash");

    const second = (await list(`?search=${tag}&page=2`)).json<Page>();
    expect(second.results.map((u) => u.username)).toEqual(listed.slice(20).map((u) => u.username));
    expect(second.next).toBeNull();
    // Like DRF, the link back to the first page leaves `page` out.
    expect(second.previous).toBe(`http://localhost:3000/api/v1/users?search=${tag}`);
  });

  it("takes a page size up to 100, keeping it in the links", async () => {
    const page = (await list(`?search=${tag}&page_size=10&page=2&ordering=-username`)).json<Page>();
    expect(page.results.map((u) => u.username)).toEqual(
      listed
        .map((u) => u.username)
        .reverse()
        .slice(10, 20),
    );
    const next = new URL(page.next ?? "");
    expect(Object.fromEntries(next.searchParams)).toEqual({
      page_size: "10",
      search: tag,
      ordering: "-username",
      page: "3",
    });
    expect((await list(`?page_size=100`)).statusCode).toBe(200);
  });

  it("orders by username, created_at and email, each both ways", async () => {
    const usernames = (ordering: string) =>
      list(`?search=${tag}&page_size=100&ordering=${ordering}`).then((r) =>
        r.json<Page>().results.map((u) => u.username),
      );
    const ascending = listed.map((u) => u.username);
    expect(await usernames("username")).toEqual(ascending);
    expect(await usernames("-username")).toEqual([...ascending].reverse());
    expect(await usernames("created_at")).toEqual(ascending);
    expect(await usernames("-created_at")).toEqual([...ascending].reverse());
    // The emails count down while the usernames count up.
    expect(await usernames("email")).toEqual([...ascending].reverse());
    expect(await usernames("-email")).toEqual(ascending);
  });

  it("searches usernames and emails case-insensitively, with % and _ taken literally", async () => {
    const bySearch = (term: string) =>
      list(`?search=${encodeURIComponent(term)}&page_size=100`).then((r) => r.json<Page>());
    expect((await bySearch(`${tag.toUpperCase()}_1`)).results.map((u) => u.username)).toEqual(
      listed.slice(10, 20).map((u) => u.username),
    );
    expect((await bySearch(`03.${tag}@EXAMPLE`)).results.map((u) => u.email)).toEqual([`03.${tag}@example.com`]);
    expect((await bySearch("%")).count).toBe(0);
    expect((await bySearch(`${tag}%`)).count).toBe(0);
    expect((await bySearch("'; drop table users; --")).count).toBe(0);
    expect((await bySearch(viewer.account.username)).results.map((u) => u.username)).toEqual([viewer.account.username]);
  });

  it("answers one user by id, 404 for an unknown or malformed one", async () => {
    const target = listed[3];
    const res = await api.get(`/api/v1/users/${target?.id}`, viewer.accessToken);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: target?.id, username: target?.username, groups: [] });
    const upper = await api.get(`/api/v1/users/${target?.id.toUpperCase()}`, viewer.accessToken);
    expect(upper.statusCode).toBe(200);
    for (const id of [randomUUID(), "nope", "1", "' or 1=1", "%00", "x".repeat(100)]) {
      const missing = await api.get(`/api/v1/users/${encodeURIComponent(id)}`, viewer.accessToken);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ detail: "Not found." });
    }
    // Fastify's router refuses path parameters over 100 characters before any route (or the
    // API's error handler) is chosen; its answer is a 414 in Fastify's own JSON.
    const long = await api.get(`/api/v1/users/${"x".repeat(500)}`, viewer.accessToken);
    expect(long.statusCode).toBe(414);
  });

  it("answers field errors for a bad query and 404 for a page past the end", async () => {
    const cases: [string, Record<string, string[]>][] = [
      ["?page=0", { page: ["Ensure this value is greater than or equal to 1."] }],
      ["?page=abc", { page: ["A valid integer is required."] }],
      ["?page=1.5", { page: ["A valid integer is required."] }],
      [
        "?page=0x10&page_size=1e3",
        { page: ["A valid integer is required."], page_size: ["A valid integer is required."] },
      ],
      ["?page=", { page: ["A valid integer is required."] }],
      ["?page_size=101", { page_size: ["Ensure this value is less than or equal to 100."] }],
      ["?page_size=0", { page_size: ["Ensure this value is greater than or equal to 1."] }],
      ["?ordering=password_hash", { ordering: ["Not a valid choice."] }],
      [`?search=${"x".repeat(300)}`, { search: ["Ensure this field has no more than 254 characters."] }],
      [
        "?page=0&ordering=nope",
        { page: ["Ensure this value is greater than or equal to 1."], ordering: ["Not a valid choice."] },
      ],
    ];
    for (const [query, errors] of cases) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json(), query).toEqual(errors);
    }
    const past = await list(`?search=${tag}&page=3`);
    expect([past.statusCode, past.json()]).toEqual([404, { detail: "Invalid page." }]);
    expect((await list(`?search=nobody-${tag}`)).json<Page>()).toEqual({
      count: 0,
      next: null,
      previous: null,
      results: [],
    });
  });

  describe("permissions", () => {
    it("answer 401 to an anonymous caller", async () => {
      for (const url of ["/api/v1/users", `/api/v1/users/${listed[0]?.id}`]) {
        const res = await api.get(url);
        expect(res.statusCode).toBe(401);
        expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
      }
    });

    it("refuse a signed-in user who is not staff (403), allow staff with accounts.view_user", async () => {
      const plain = await seen("plain");
      for (const url of ["/api/v1/users", `/api/v1/users/${listed[0]?.id}`]) {
        const refused = await api.get(url, plain.accessToken);
        expect(refused.statusCode).toBe(403);
        expect(refused.json()).toEqual({ detail: "You do not have permission to perform this action." });
        expect((await api.get(url, viewer.accessToken)).statusCode).toBe(200);
      }
    });

    it("refuse staff without accounts.view_user, allow them once granted", async () => {
      const person = await seen("staffonly");
      await makeStaff(h, person.account.username);
      expect((await list("", person.accessToken)).statusCode).toBe(403);
      const db = h.database.database.db;
      const groupId = randomUUID();
      const now = new Date().toISOString();
      await db
        .insertInto("groups")
        .values({ id: groupId, name: `viewers-${groupId}`, created_at: now, updated_at: now })
        .execute();
      const permission = await db
        .selectFrom("permissions")
        .select("id")
        .where("codename", "=", "accounts.view_user")
        .executeTakeFirstOrThrow();
      await db.insertInto("group_permissions").values({ group_id: groupId, permission_id: permission.id }).execute();
      const row = await db
        .selectFrom("users")
        .select("id")
        .where("username_key", "=", person.account.username.toLowerCase())
        .executeTakeFirstOrThrow();
      await db.insertInto("user_groups").values({ user_id: row.id, group_id: groupId }).execute();
      // Granted through a group, as Django does.
      expect((await list("", person.accessToken)).statusCode).toBe(200);
    });

    it("refuse a holder of accounts.view_user who is not staff, allow a staff superuser", async () => {
      const notStaff = await seen("permonly");
      await makeStaff(h, notStaff.account.username, { staff: false, permissions: ["accounts.view_user"] });
      expect((await list("", notStaff.accessToken)).statusCode).toBe(403);
      const superuser = await seen("super");
      await makeStaff(h, superuser.account.username, { superuser: true });
      await eventually(h, async () => expect((await list("", superuser.accessToken)).statusCode).toBe(200));
    });

    it("take effect at once (on PostgreSQL within a second): staff who lose the flag are refused with the same token", async () => {
      const person = await seen("demoted");
      await makeStaff(h, person.account.username, { permissions: ["accounts.view_user"] });
      expect((await list("", person.accessToken)).statusCode).toBe(200);
      await makeStaff(h, person.account.username, { staff: false });
      await eventually(h, async () => expect((await list("", person.accessToken)).statusCode).toBe(403));
    });

    it("apply to the browser's session the same way", async () => {
      const { browser, account } = await signedInPerson(h, admin, "sessionstaff");
      expect((await browser.get("/api/v1/users")).statusCode).toBe(403);
      await makeStaff(h, account.username, { permissions: ["accounts.view_user"] });
      expect((await browser.get("/api/v1/users")).statusCode).toBe(200);
    });
  });
});
