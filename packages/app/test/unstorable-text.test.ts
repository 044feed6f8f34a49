/**
 * A NUL character anywhere in a form field, a query parameter or a JSON member is refused with
 * a 400 that says why, on both databases — before, PostgreSQL refused it inside a query and the
 * request ended in a 500 (one of them on the unauthenticated /admin/login).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdsNul, unstorableTextMessage } from "../src/unstorable-text.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { browserAt, CognitoAdmin } from "./accounts-fixtures.ts";
import { apiPerson } from "./api-fixtures.ts";
import { superuserBrowser } from "./backoffice-fixtures.ts";

const forms = [
  { page: "/admin/login", action: "/admin/login", fields: { username: "root\u0000", password: "x" } },
  { page: "/login", action: "/login", fields: { username: "someone\u0000", password: "Correct-Horse-7" } },
  {
    page: "/register",
    action: "/register",
    fields: {
      username: "new\u0000",
      email: "a@example.com",
      password: "Correct-Horse-7",
      password2: "Correct-Horse-7",
    },
  },
  { page: "/forgot-password", action: "/forgot-password", fields: { username: "x\u0000y" } },
  { page: "/confirm", action: "/confirm", fields: { username: "x", code: "12345\u0000" } },
] as const;

describe.each(["postgres", "sqlite"] as const)("NUL characters in input (%s)", (database) => {
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

  it.each(forms)("refuses one in a field of $action with a 400 that says why", async ({ page, action, fields }) => {
    const browser = browserAt(h);
    await browser.get(page);
    const res = await browser.post(action, fields);
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(unstorableTextMessage);
  });

  it("refuses one in a query parameter or a repeated field of a signed-in page", async () => {
    const { browser } = await superuserBrowser(h);
    expect((await browser.get("/admin/users?q=%00")).statusCode).toBe(400);
    expect((await browser.get("/admin/audit-log?q=a%00b")).statusCode).toBe(400);
    await browser.get("/admin/groups/add");
    const res = await browser.post("/admin/groups/add", { name: "Support\u0000" });
    expect(res.statusCode).toBe(400);
  });

  it("answers the API in DRF's shape: a query's NUL here, a body's field by field, changing nothing", async () => {
    const staffless = await apiPerson(h, admin, "nulq");
    const query = await h.app.inject({
      method: "GET",
      url: "/api/v1/me?format=a%00b",
      headers: { authorization: `Bearer ${staffless.accessToken}` },
    });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toEqual({ detail: unstorableTextMessage });
    const person = await apiPerson(h, admin, "nul");
    const res = await h.app.inject({
      method: "PATCH",
      url: "/api/v1/me",
      headers: { "content-type": "application/json", authorization: `Bearer ${person.accessToken}` },
      payload: JSON.stringify({ given_name: "Ada\u0000" }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ given_name: ["This contains characters that cannot be part of a name."] });
    const me = await h.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: `Bearer ${person.accessToken}` },
    });
    expect(me.json()).not.toMatchObject({ given_name: expect.stringContaining("Ada") as unknown });
  });
});

describe("holdsNul", () => {
  it("finds a NUL in strings, keys, arrays and nested objects, and nothing else", () => {
    expect(holdsNul("a\u0000")).toBe(true);
    expect(holdsNul({ ["k\u0000"]: "v" })).toBe(true);
    expect(holdsNul({ a: ["b", { c: "\u0000" }] })).toBe(true);
    expect(holdsNul({ a: ["b", { c: "d" }], n: 1, t: true, z: null })).toBe(false);
    expect(holdsNul(undefined)).toBe(false);
  });
});
