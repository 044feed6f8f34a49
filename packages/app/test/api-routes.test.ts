/**
 * The API as a whole: deny by default (a walk over every registered `/api` route, and a route
 * that declares nothing), DRF-shaped 404/405, the OpenAPI document and the docs page's CSP, the
 * health check, and a barrage of hostile input that must never produce a 500.
 */
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type LightMyRequestResponse } from "fastify";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cognitoGateway, createCognitoClient } from "../src/accounts/cognito.ts";
import sessionAuth from "../src/accounts/session-auth.ts";
import { DatabaseSessionStore } from "../src/plugins/session-store.ts";
import sessions from "../src/plugins/sessions.ts";
import { userRepository } from "../src/accounts/users.ts";
import apiModule from "../src/api/index.ts";
import { authenticated } from "../src/api/permissions.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { ApiClient, accessClaims, apiPerson, makeStaff, poolKey, signRs256, type ApiPerson } from "./api-fixtures.ts";

let h: AppHarness;
let admin: CognitoAdmin;
let person: ApiPerson;

beforeAll(async () => {
  h = await startAppHarness({ database: "sqlite" });
  admin = new CognitoAdmin(h);
  person = await apiPerson(h, admin, "routes");
});
afterAll(async () => {
  admin.destroy();
  await h.stop();
});

/** A concrete URL for a route pattern: parameters and wildcards filled in. */
const concrete = (url: string): string =>
  url
    .split("/")
    .map((segment) => (segment.startsWith(":") ? randomUUID() : segment === "*" ? "swagger-ui.css" : segment))
    .join("/");

describe("deny by default", () => {
  it("registers the endpoints of issue 4, each with a declared permission", () => {
    const declared = new Map(h.app.apiRoutes.map((r) => [`${r.method} ${r.url}`, r.permission?.description]));
    expect(Object.fromEntries([...declared].filter(([key]) => key.includes("/v1/")))).toEqual({
      "GET /api/v1/me": "authenticated",
      "HEAD /api/v1/me": "authenticated",
      "PATCH /api/v1/me": "authenticated",
      "GET /api/v1/users": "staff and has accounts.view_user or machine with scope gatehouse/users.read",
      "HEAD /api/v1/users": "staff and has accounts.view_user or machine with scope gatehouse/users.read",
      "GET /api/v1/users/:id": "staff and has accounts.view_user or machine with scope gatehouse/users.read",
      "HEAD /api/v1/users/:id": "staff and has accounts.view_user or machine with scope gatehouse/users.read",
      "GET /api/v1/health": "public",
      "HEAD /api/v1/health": "public",
    });
    expect(h.app.apiRoutes.filter((r) => r.permission === undefined)).toEqual([]);
  });

  it("refuses every route to an anonymous caller except the ones declared public (health, OpenAPI, docs)", async () => {
    const api = new ApiClient(h);
    const publicUrls = new Set<string>();
    for (const route of h.app.apiRoutes) {
      const res = await api.request({ method: route.method as "GET", url: concrete(route.url) });
      const where = `${route.method} ${route.url}`;
      if (route.permission?.isPublic) {
        publicUrls.add(route.url.replace(/\/$/, ""));
        expect(res.statusCode, where).toBeLessThan(400);
      } else {
        expect(res.statusCode, where).toBe(401);
        if (route.method !== "HEAD") {
          expect(res.json(), where).toEqual({ detail: "Authentication credentials were not provided." });
        }
        expect(res.headers["www-authenticate"], where).toBe('Bearer realm="api"');
      }
    }
    expect([...publicUrls].every((url) => /^\/api\/(openapi\.json|docs(\/.*)?|v1\/health)$/.test(url))).toBe(true);
    expect(publicUrls).toContain("/api/v1/health");
  });

  it("refuses every route, public ones included, to a caller with a bad token (DRF authenticates first)", async () => {
    const api = new ApiClient(h);
    for (const route of h.app.apiRoutes) {
      const res = await api.request({
        method: route.method as "GET",
        url: concrete(route.url),
        headers: { authorization: "Bearer not.a.token" },
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  describe("a route that declares no permission", () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      const undeclared: FastifyPluginAsync = async (scope) => {
        scope.get("/undeclared", async () => ({ secret: true }));
        scope.post("/undeclared", async () => ({ secret: true }));
        scope.get("/declared", { config: { permission: authenticated } }, async () => ({ ok: true }));
      };
      app = await appWithExtraRoutes(h, [undeclared]);
    });
    afterAll(async () => app.close());

    it("answers 403 to everyone, signed in or not, whatever the method", async () => {
      for (const headers of [{}, { authorization: `Bearer ${person.accessToken}` }]) {
        for (const method of ["GET", "POST"] as const) {
          const res = await app.inject({ method, url: "/api/test/undeclared", headers });
          expect(res.statusCode).toBe(403);
          expect(res.json()).toEqual({ detail: "You do not have permission to perform this action." });
        }
      }
    });

    it("while its declared neighbour lets the signed-in caller in", async () => {
      const res = await app.inject({
        method: "GET",
        url: "/api/test/declared",
        headers: { authorization: `Bearer ${person.accessToken}` },
      });
      expect([res.statusCode, res.json()]).toEqual([200, { ok: true }]);
      expect((await app.inject({ method: "GET", url: "/api/test/declared" })).statusCode).toBe(401);
    });
  });
});

describe("DRF's answers for what is not there", () => {
  it("answers 404 in JSON for an unknown API address", async () => {
    const api = new ApiClient(h);
    for (const url of [
      "/api/nope",
      "/api",
      "/api/v1",
      "/api/v1/me/",
      "/api/v1/users/x/y",
      "/api/v2/me",
      "/api/docs/static/missing.js",
    ]) {
      const res = await api.get(url, person.accessToken);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"]).toContain("application/json");
      expect(res.json()).toEqual({ detail: "Not found." });
    }
  });

  it("answers 405 with Allow for a known address and another method", async () => {
    const api = new ApiClient(h);
    const cases: [string, string, string][] = [
      ["DELETE", "/api/v1/me", "GET, HEAD, PATCH"],
      ["PUT", "/api/v1/me", "GET, HEAD, PATCH"],
      ["OPTIONS", "/api/v1/me", "GET, HEAD, PATCH"],
      ["POST", "/api/v1/users", "GET, HEAD"],
      ["DELETE", `/api/v1/users/${randomUUID()}`, "GET, HEAD"],
      ["POST", "/api/v1/health", "GET, HEAD"],
    ];
    for (const [method, url, allow] of cases) {
      const res = await api.request({
        method: method as "GET",
        url,
        headers: { authorization: `Bearer ${person.accessToken}` },
      });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json()).toEqual({ detail: `Method "${method}" not allowed.` });
    }
  });

  it("leaves the site's own 404 page alone", async () => {
    const res = await h.browser().get("/apixyz");
    expect(res.headers["content-type"]).toContain("text/html");
  });
});

describe("OpenAPI and the docs page", () => {
  it("describes every endpoint, its schemas and how to authenticate", async () => {
    const res = await new ApiClient(h).get("/api/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
      security: unknown[];
    }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/health",
      "/api/v1/me",
      "/api/v1/users",
      "/api/v1/users/{id}",
    ]);
    expect(Object.keys(doc.paths["/api/v1/me"] ?? {}).sort()).toEqual(["get", "patch"]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    // No machine clients configured: no OAuth 2.0 scheme offered (api-machine-clients.test.ts).
    expect(doc.components.securitySchemes.machineClient).toBeUndefined();
    expect(doc.paths["/api/v1/users"]?.get?.security).toBeUndefined();
    expect(doc.paths["/api/v1/health"]?.get?.security).toEqual([]);
    expect(Object.keys(doc.paths["/api/v1/users"]?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "401", "403"]),
    );
    expect(JSON.stringify(doc)).not.toContain("password_hash");
  });

  it("serves Swagger UI with its assets, under a CSP that allows inline styles on that path only", async () => {
    const api = new ApiClient(h);
    const page = await api.get("/api/docs");
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset.startsWith("/api/docs/static/"), asset).toBe(true);
      expect((await api.get(asset)).statusCode, asset).toBe(200);
    }
    const initializer = await api.get("/api/docs/static/swagger-initializer.js");
    expect(initializer.body).toContain("./json");
    expect((await api.get("/api/docs/json")).json<{ openapi: string }>().openapi).toBe("3.1.0");

    // The JSON endpoints have a stricter policy still: they load nothing at all.
    const me = await api.get("/api/v1/me", person.accessToken);
    expect(me.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(me.headers["x-content-type-options"]).toBe("nosniff");
    expect(me.headers["x-frame-options"]).toBe("DENY");
    // A Bearer call keeps no session: no cookie is set, no row written.
    expect(me.headers["set-cookie"]).toBeUndefined();
    const refused = await api.get("/api/v1/me");
    expect(refused.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe("/api/v1/health", () => {
  it("says the database and the key set are there", async () => {
    const res = await new ApiClient(h).get("/api/v1/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", database: true, jwks: true });
    expect(res.headers["cache-control"]).toBeUndefined();
  });

  it("answers 503 while the key set cannot be had, and so do token-authenticated calls", async () => {
    const broken = await startAppHarness({
      database: "sqlite",
      api: { jwksUrl: `${h.emulator.url}/us-east-1_Nowhere1/.well-known/jwks.json` },
    });
    const brokenAdmin = new CognitoAdmin(broken);
    try {
      const api = new ApiClient(broken);
      const caller = await apiPerson(broken, brokenAdmin, "nokeys");
      const res = await api.get("/api/v1/health");
      expect([res.statusCode, res.json()]).toEqual([503, { status: "unavailable", database: true, jwks: false }]);
      // Tokens cannot be checked: the service is unavailable, not the caller wrong.
      const me = await api.get("/api/v1/me", caller.accessToken);
      expect([me.statusCode, me.json()]).toEqual([
        503,
        { detail: "Service temporarily unavailable, try again later." },
      ]);
    } finally {
      brokenAdmin.destroy();
      await broken.stop();
    }
  });
});

describe("hostile input", () => {
  /** Claims of every wrong type, each signed with the pool's real key. */
  function oddlyTypedTokens(): string[] {
    const { kid, key } = poolKey(h);
    const variants: Record<string, unknown>[] = [
      { exp: "9999999999" },
      { exp: 1e308 },
      { exp: null },
      { exp: -1 },
      { iat: "now" },
      { iat: -1e308 },
      { nbf: "later" },
      { sub: null },
      { sub: {} },
      { sub: randomUUID().toUpperCase() },
      { client_id: [h.publicClientId] },
      { client_id: null },
      { token_use: ["access"] },
      { token_use: "refresh" },
      { iss: 5 },
      { iss: [h.config.api.issuer] },
      { username: 5 },
      { username: "" },
      { aud: { a: 1 } },
      { scope: ["x"] },
      { jti: 7 },
      { "cognito:groups": "staff" },
      { __proto__: { admin: true } },
      { constructor: { prototype: { admin: true } } },
    ];
    return [
      ...variants.map((v) => signRs256({ kid, alg: "RS256" }, accessClaims(h, v), key)),
      signRs256({ kid, alg: "RS256", typ: 5 }, accessClaims(h), key),
      signRs256({ kid, alg: ["RS256"] }, accessClaims(h), key),
      signRs256({ kid: { $ne: null }, alg: "RS256" }, accessClaims(h), key),
      signRs256({ kid, alg: "RS256", crit: ["exp"] }, accessClaims(h), key),
      signRs256({ kid, alg: "RS256", jku: "http://evil.example/jwks.json" }, accessClaims(h), key),
      signRs256({ kid, alg: "RS256", jwk: { kty: "RSA", n: "AQAB", e: "AQAB" } }, accessClaims(h), key),
      signRs256({ kid: "../../etc/passwd", alg: "RS256" }, accessClaims(h), key),
    ];
  }

  it("never answers 500, whatever the header, query, path or body", async () => {
    const api = new ApiClient(h);
    const responses: [string, LightMyRequestResponse][] = [];
    const send = async (label: string, options: Parameters<ApiClient["request"]>[0]) =>
      responses.push([label, await api.request(options)]);

    for (const token of oddlyTypedTokens()) {
      await send(`odd token ${token.slice(0, 40)}`, {
        method: "GET",
        url: "/api/v1/me",
        headers: { authorization: `Bearer ${token}` },
      });
    }
    const headers = [
      "Bearer",
      "Bearer ",
      "Bearer \t",
      `Bearer ${".".repeat(5000)}`,
      `Bearer ${"=".repeat(100)}.${"=".repeat(100)}.x`,
      "Bearer e30.e30.e30",
      "Bearer bnVsbA.bnVsbA.bnVsbA",
      "Bearer W10.W10.W10",
      `Bearer ${Buffer.from('{"alg":"RS256","kid":"' + "k".repeat(10_000) + '"}').toString("base64url")}.e30.AA`,
      "Basic dXNlcjpwYXNz",
      "Bearer\u00a0abc",
      "Negotiate",
      `Bearer ${person.accessToken},${person.accessToken}`,
    ];
    for (const authorization of headers) {
      await send(`header ${authorization.slice(0, 40)}`, {
        method: "GET",
        url: "/api/v1/me",
        headers: { authorization },
      });
    }
    const auth = { authorization: `Bearer ${person.accessToken}` };
    // Staff who may list users, so that the list's own parsing is what meets the odd queries.
    await makeStaff(h, person.account.username, { permissions: ["accounts.view_user"] });
    for (const url of [
      "/api/v1/users?page=1&page=2",
      "/api/v1/users?search[]=x",
      "/api/v1/users?search=%00",
      "/api/v1/users?ordering=username&ordering=email",
      "/api/v1/users?page=99999999999999999999",
      "/api/v1/users/%00",
      "/api/v1/users/..%2f..%2fetc",
      "/api/../api/v1/me",
      "/api/v1/me?x=%",
      "/api//v1//me",
      "/api/v1/me/",
      `/api/v1/users?search=${"%F0%9F%92%A9".repeat(100)}`,
    ]) {
      await send(`url ${url}`, { method: "GET", url, headers: auth });
    }
    const bodies: [string, string][] = [
      ["application/json", '{"given_name": {"$gt": ""}}'],
      ["application/json", '{"__proto__": {"is_staff": true}, "given_name": "P"}'],
      ["application/json", '{"given_name": "a", "given_name": "b"}'],
      ["application/json", "[".repeat(5000)],
      ["application/json", '"\\ud800"'],
      ["application/json; charset=utf-16", '{"given_name":"x"}'],
      ["application/json", '{"given_name": "\\u0000"}'],
      ["application/json", '{"given_name": "' + "é".repeat(100) + '"}'],
      ["application/json", "1e999999"],
      ["", ""],
      ["application/x-www-form-urlencoded", "given_name=x"],
      ["multipart/form-data", "--x"],
    ];
    for (const [type, payload] of bodies) {
      await send(`body ${type} ${payload.slice(0, 30)}`, {
        method: "PATCH",
        url: "/api/v1/me",
        payload,
        headers: { ...auth, ...(type ? { "content-type": type } : {}) },
      });
    }
    const oddTokens = responses.filter(([label]) => label.startsWith("odd token"));
    expect(oddTokens.map(([, res]) => res.statusCode)).toEqual(oddTokens.map(() => 401));
    const failures = responses
      .filter(([, res]) => res.statusCode >= 500)
      .map(([label, res]) => `${label}: ${res.statusCode} ${res.body}`);
    expect(failures).toEqual([]);
    // And every refusal says why in DRF's shape.
    for (const [label, res] of responses) {
      if (res.statusCode >= 400) expect(Object.keys(res.json<object>()).length, label).toBeGreaterThan(0);
    }
  });

  it("answers a 100 KB header on a real socket with Node's 431, before the app sees it", async () => {
    const server = await appWithExtraRoutes(h, []);
    try {
      const address = await server.listen({ port: 0, host: "127.0.0.1" });
      const res = await fetch(`${address}/api/v1/me`, {
        headers: { authorization: `Bearer ${"a".repeat(100 * 1024)}` },
      });
      expect(res.status).toBe(431);
    } finally {
      await server.close();
    }
  });
});

/**
 * The API on a bare Fastify with only what it depends on (decorations, cookies, sessions, CSRF,
 * rate limits, the session's user) and extra route plugins: how a test gets a route that
 * declares nothing into the API's context.
 */
async function appWithExtraRoutes(harness: AppHarness, extraRoutes: FastifyPluginAsync[]): Promise<FastifyInstance> {
  const app = Fastify();
  const cognito = createCognitoClient(harness.config.cognito);
  app.decorate("config", harness.config);
  app.decorate("database", harness.database.database);
  app.decorate("cognito", cognito);
  app.addHook("onClose", async () => cognito.destroy());
  await app.register(cookie);
  await app.register(sessions, {
    secret: harness.config.sessionSecret,
    cookieName: "gatehouse",
    store: new DatabaseSessionStore(harness.database.database.db),
    ttlMs: 3600_000,
    secure: false,
  });
  await app.register(csrf, { sessionPlugin: "@fastify/secure-session" });
  await app.register(rateLimit, { global: false });
  await app.register(sessionAuth, {
    users: userRepository(harness.database.database.db),
    gateway: cognitoGateway(cognito, harness.config.cognito),
  });
  await app.register(apiModule, { extraRoutes });
  await app.ready();
  return app;
}
