/**
 * `/api/v1/me` on SQLite and PostgreSQL: reading and changing one's own record with a Bearer
 * token and with the browser's session (DRF's SessionAuthentication, CSRF on unsafe methods),
 * Cognito kept in step, and every bad body answered with DRF's field errors, never a 500.
 */
import { AdminGetUserCommand, GlobalSignOutCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { csrfTokenIn, startAppHarness, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { ApiClient, addToCognitoGroup, apiPerson, type ApiPerson } from "./api-fixtures.ts";
import { databaseKinds } from "./databases.ts";
import { signedInPerson, userRow } from "./signed-in.ts";

describe.each(databaseKinds)("/api/v1/me (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let api: ApiClient;

  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });
  beforeEach(() => {
    api = new ApiClient(h);
  });

  async function cognitoAttributes(username: string): Promise<Record<string, string>> {
    const result = await admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username }));
    return Object.fromEntries((result.UserAttributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""]));
  }

  describe("with a Bearer token", () => {
    let person: ApiPerson;
    beforeEach(async () => {
      person = await apiPerson(h, admin, "me");
    });

    it("changes the caller's names in Cognito and here, and answers the new record", async () => {
      const res = await api.patch("/api/v1/me", { given_name: "  Ada ", family_name: "Lovelace" }, person.accessToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        username: person.account.username,
        given_name: "Ada",
        family_name: "Lovelace",
      });
      expect(await cognitoAttributes(person.account.username)).toMatchObject({
        given_name: "Ada",
        family_name: "Lovelace",
      });
      const row = await userRow(h, person.account.username);
      expect([row?.given_name, row?.family_name]).toEqual(["Ada", "Lovelace"]);
      expect((await api.get("/api/v1/me", person.accessToken)).json()).toMatchObject({ given_name: "Ada" });
    });

    it("changes only the fields sent, and removes a name sent as empty or null", async () => {
      await api.patch("/api/v1/me", { given_name: "Grace", family_name: "Hopper" }, person.accessToken);
      const res = await api.patch("/api/v1/me", { family_name: null }, person.accessToken);
      expect(res.json()).toMatchObject({ given_name: "Grace", family_name: null });
      const cleared = await api.patch("/api/v1/me", { given_name: "" }, person.accessToken);
      expect(cleared.json()).toMatchObject({ given_name: null, family_name: null });
      const attributes = await cognitoAttributes(person.account.username);
      expect(attributes.given_name ?? "").toBe("");
    });

    it("ignores fields it does not change (username, email, flags), as DRF ignores read-only fields", async () => {
      const res = await api.patch(
        "/api/v1/me",
        { username: "root", email: "x@evil.example", is_staff: true, is_superuser: true, given_name: "Eve" },
        person.accessToken,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        username: person.account.username,
        email: person.account.email,
        is_staff: false,
        is_superuser: false,
        given_name: "Eve",
      });
    });

    it("lists the caller's groups", async () => {
      await api.get("/api/v1/me", person.accessToken);
      const db = h.database.database.db;
      const row = await userRow(h, person.account.username);
      const now = new Date().toISOString();
      for (const name of ["zeta", "alpha"]) {
        const id = crypto.randomUUID();
        await db
          .insertInto("groups")
          .values({ id, name: `${name}-${id.slice(0, 6)}`, created_at: now, updated_at: now })
          .execute();
        await db
          .insertInto("user_groups")
          .values({ user_id: row?.id ?? "", group_id: id })
          .execute();
      }
      const groups = (await api.get("/api/v1/me", person.accessToken)).json<{ groups: string[] }>().groups;
      expect(groups).toHaveLength(2);
      expect(groups[0]?.startsWith("alpha-")).toBe(true);
      // Cognito groups are Cognito's business; the API shows the app's own groups.
      await addToCognitoGroup(h, admin, person.account.username, "staff");
      expect((await api.get("/api/v1/me", person.accessToken)).json<{ groups: string[] }>().groups).toHaveLength(2);
    });

    it("answers field errors for every bad name at once, and changes nothing", async () => {
      const res = await api.patch(
        "/api/v1/me",
        { given_name: "x".repeat(101), family_name: "bad\u0000name" },
        person.accessToken,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        given_name: ["Use at most 100 characters."],
        family_name: ["This contains characters that cannot be part of a name."],
      });
      expect((await userRow(h, person.account.username))?.given_name).toBeNull();
    });

    it("answers type errors per field, and a body that is not an object as a whole", async () => {
      const wrongTypes = await api.patch("/api/v1/me", { given_name: 5, family_name: ["a"] }, person.accessToken);
      expect(wrongTypes.statusCode).toBe(400);
      expect(wrongTypes.json()).toEqual({ given_name: ["Not a valid string."], family_name: ["Not a valid string."] });
      for (const body of [[1, 2], "text", 42, null]) {
        const res = await api.patch("/api/v1/me", body, person.accessToken);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ non_field_errors: ["Invalid data. Expected a JSON object."] });
      }
    });

    it("answers 400 for broken JSON, 415 for other media types and 413 for a huge body", async () => {
      const headers = { authorization: `Bearer ${person.accessToken}` };
      const broken = await api.request({
        method: "PATCH",
        url: "/api/v1/me",
        payload: '{"given_name": ',
        headers: { ...headers, "content-type": "application/json" },
      });
      expect([broken.statusCode, broken.json()]).toEqual([400, { detail: "JSON parse error." }]);
      const empty = await api.request({
        method: "PATCH",
        url: "/api/v1/me",
        payload: "",
        headers: { ...headers, "content-type": "application/json" },
      });
      expect(empty.statusCode).toBe(400);
      for (const type of [
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
      ]) {
        const res = await api.request({
          method: "PATCH",
          url: "/api/v1/me",
          payload: "given_name=Mallory",
          headers: { ...headers, "content-type": type },
        });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toEqual({ detail: `Unsupported media type "${type}" in request.` });
      }
      const huge = await api.patch("/api/v1/me", { given_name: "x".repeat(70 * 1024) }, person.accessToken);
      expect([huge.statusCode, huge.json()]).toEqual([413, { detail: "Request body is too large." }]);
    });

    it("treats a PATCH without a body as a change of nothing", async () => {
      const res = await api.request({
        method: "PATCH",
        url: "/api/v1/me",
        headers: { authorization: `Bearer ${person.accessToken}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ username: person.account.username, given_name: null });
    });

    it("checks the token before the body: an anonymous caller with a bad body gets 401", async () => {
      const res = await api.request({
        method: "PATCH",
        url: "/api/v1/me",
        payload: "{broken",
        headers: { "content-type": "application/json" },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Authentication credentials were not provided." });
    });

    it("takes a Bearer request from another origin (no cookie is involved)", async () => {
      const res = await api.patch("/api/v1/me", { given_name: "Cross" }, person.accessToken, {
        origin: "https://spa.example.com",
        "sec-fetch-site": "cross-site",
      });
      expect(res.statusCode).toBe(200);
    });

    it("answers 401 when Cognito no longer accepts a token we still do (signed out everywhere)", async () => {
      expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
      await admin.client.send(new GlobalSignOutCommand({ AccessToken: person.accessToken }));
      // A JWT stays valid until it expires (the seeds and DRF work the same way) …
      expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
      // … but Cognito refuses it for a change, and so do we.
      const res = await api.patch("/api/v1/me", { given_name: "Late" }, person.accessToken);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Cognito no longer accepts this token; sign in again." });
      expect((await userRow(h, person.account.username))?.given_name).toBeNull();
    });
  });

  describe("with the browser's session", () => {
    /** A page's CSRF token, as the app's own scripts would read it from the page. */
    async function csrfOf(browser: TestBrowser): Promise<string> {
      const page = await browser.get("/account");
      const token = csrfTokenIn(page.body);
      if (!token) throw new Error("no CSRF token on /account");
      return token;
    }

    const patchAs = (browser: TestBrowser, body: unknown, headers: Record<string, string> = {}) =>
      h.app.inject({
        method: "PATCH",
        url: "/api/v1/me",
        payload: JSON.stringify(body),
        headers: { "content-type": "application/json", cookie: browser.cookieHeader, ...headers },
      });

    it("reads the signed-in person's record", async () => {
      const { account, browser } = await signedInPerson(h, admin, "session");
      const res = await browser.get("/api/v1/me");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ username: account.username, email: account.email });
    });

    it("changes names with the session's Cognito token when the request carries the CSRF token", async () => {
      const { account, browser } = await signedInPerson(h, admin, "sessionpatch");
      const csrf = await csrfOf(browser);
      const res = await patchAs(browser, { given_name: "Sess" }, { "x-csrf-token": csrf });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ given_name: "Sess" });
      expect((await cognitoAttributes(account.username)).given_name).toBe("Sess");
    });

    it("refuses an unsafe request without the CSRF token, or with a wrong one", async () => {
      const { browser, account } = await signedInPerson(h, admin, "nocsrf");
      for (const headers of [{}, { "x-csrf-token": "forged" }] as Record<string, string>[]) {
        const res = await patchAs(browser, { given_name: "Csrf" }, headers);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ detail: "CSRF Failed: CSRF token missing or incorrect." });
      }
      expect((await userRow(h, account.username))?.given_name).toBeNull();
    });

    it("refuses a cross-site request that rides on the session cookie", async () => {
      const { browser } = await signedInPerson(h, admin, "crosssite");
      const csrf = await csrfOf(browser);
      const res = await patchAs(
        browser,
        { given_name: "Evil" },
        { "x-csrf-token": csrf, origin: "https://evil.example" },
      );
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ detail: "Cross-origin request refused." });
    });

    it("ignores the session when an Authorization header is present: a bad header is a 401", async () => {
      const { browser } = await signedInPerson(h, admin, "both");
      const res = await browser.get("/api/v1/me", { authorization: "Bearer not.a.token" });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Invalid token." });
    });

    it("answers 401 once the person is deactivated, and when signed out", async () => {
      const { browser, userId } = await signedInPerson(h, admin, "sessiongone");
      await h.database.database.db.updateTable("users").set({ is_active: false }).where("id", "=", userId).execute();
      const res: LightMyRequestResponse = await browser.get("/api/v1/me");
      expect(res.statusCode).toBe(401);
      const anonymous = await h.browser().get("/api/v1/me");
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toBe('Bearer realm="api"');
    });
  });
});
