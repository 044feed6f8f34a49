import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadInParts } from "../../emulator/test/slow-upload.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { apiPerson } from "./api-fixtures.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness({ database: "sqlite" });
});
afterAll(async () => h.stop());

describe("the site's frame", () => {
  it("serves the home page with Bootstrap, the navbar and a strict CSP", async () => {
    const res = await h.browser().get("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain('href="/static/bootstrap/css/bootstrap.min.css"');
    expect(textOf(res.body)).toContain("Create account");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("serves Bootstrap and the app's stylesheet from the site itself", async () => {
    const browser = h.browser();
    expect((await browser.get("/static/bootstrap/css/bootstrap.min.css")).statusCode).toBe(200);
    expect((await browser.get("/static/bootstrap/js/bootstrap.bundle.min.js")).statusCode).toBe(200);
    expect((await browser.get("/static/app.css")).statusCode).toBe(200);
  });

  it("answers an unknown address with the styled 404 page", async () => {
    const res = await h.browser().get("/no/such/page");
    expect(res.statusCode).toBe(404);
    expect(textOf(res.body)).toContain("Page not found");
  });

  it("refuses a cross-site form post with the 403 page", async () => {
    const res = await h.browser().post("/logout", {}, { origin: "https://evil.example" });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain("Forbidden");
  });
});

describe("requests the router refuses", () => {
  it("answers a malformed %-encoding with the styled 400 page on the site and DRF's JSON under /api", async () => {
    const page = await h.app.inject({ method: "GET", url: "/account/%E0%A4%A" });
    expect(page.statusCode).toBe(400);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(textOf(page.body)).toContain("Bad request");
    const api = await h.app.inject({ method: "GET", url: "/api/v1/users/%E0%A4%A" });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toEqual({ detail: "Malformed request." });
  });

  it("sends the same security headers as the site's pages or the API's answers", async () => {
    const pageHeaders = securityHeadersOf(await h.app.inject({ method: "GET", url: "/" }));
    const apiHeaders = securityHeadersOf(await h.app.inject({ method: "GET", url: "/api/v1/health" }));
    expect(pageHeaders["content-security-policy"]).toContain("default-src 'self'");
    expect(apiHeaders["content-security-policy"]).toContain("default-src 'none'");
    const page = await h.app.inject({ method: "GET", url: "/account/%E0%A4%A" });
    expect([page.statusCode, securityHeadersOf(page)]).toEqual([400, pageHeaders]);
    const api = await h.app.inject({ method: "GET", url: "/api/v1/users/%E0%A4%A" });
    expect([api.statusCode, securityHeadersOf(api)]).toEqual([400, apiHeaders]);
    const missing = await h.app.inject({ method: "GET", url: "/no/such/page" });
    expect([missing.statusCode, securityHeadersOf(missing)]).toEqual([404, pageHeaders]);
    for (const [type, payload] of [
      ["application/json", '{"given_name": '],
      ["application/json; charset=nonsense; ;;", "{}"],
      ["not a media type", "x"],
    ]) {
      const res = await h.app.inject({
        method: "PATCH",
        url: "/api/v1/me",
        payload,
        headers: { "content-type": type, authorization: "Bearer x" },
      });
      expect([res.statusCode >= 400, securityHeadersOf(res)]).toEqual([true, apiHeaders]);
    }
  });

  it("answers an over-long path parameter without Fastify's own body", async () => {
    const api = await h.app.inject({ method: "GET", url: `/api/v1/users/${"a".repeat(200)}` });
    expect(api.statusCode).toBeLessThan(500);
    expect(Object.keys(api.json() as object)).toEqual(["detail"]);
  });
});

/** The security headers of a response (what the site's and the API's sets name). */
function securityHeadersOf(res: LightMyRequestResponse): Record<string, string> {
  const names = [
    "content-security-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "origin-agent-cluster",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-dns-prefetch-control",
    "x-download-options",
    "x-frame-options",
    "x-permitted-cross-domain-policies",
    "x-xss-protection",
  ];
  return Object.fromEntries(names.flatMap((name) => (res.headers[name] ? [[name, String(res.headers[name])]] : [])));
}

describe("over a real socket", () => {
  let live: AppHarness;
  let admin: CognitoAdmin;
  let token: string;
  beforeAll(async () => {
    // Short timeouts so that a slow request is cut off within the test.
    live = await startAppHarness({
      database: "sqlite",
      listen: true,
      config: { http: { requestMs: 1000, headersMs: 500, keepAliveMs: 5000 } },
    });
    admin = new CognitoAdmin(live);
    token = (await apiPerson(live, admin, "socket")).accessToken;
  });
  afterAll(async () => {
    admin.destroy();
    await live.stop();
  });

  const patchMe = (declaredBytes: number, parts: readonly number[]) =>
    uploadInParts(live.url, {
      method: "PATCH",
      path: "/api/v1/me",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      declaredBytes,
      parts,
    });

  it("answers a 2 MB API body with DRF's 413, and fetch receives it", async () => {
    const res = await fetch(`${live.url}/api/v1/me`, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ given_name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: "Request body is too large." });
    expect((await fetch(`${live.url}/api/v1/health`)).status).toBe(200);
  });

  it("reads a refused API body to its end before closing, so a client still sending it gets the 413, not a reset", async () => {
    // 2 MB declared, sent in two parts with a pause: the answer is due before the second part.
    // A server that closed then, with bytes unread, would reset the connection (RFC 9112 §9.6).
    const res = await patchMe(2 * 1024 * 1024, [1024 * 1024, 1024 * 1024]);
    expect(res.socketError).toBeNull();
    expect([res.status, JSON.parse(res.body)]).toEqual([413, { detail: "Request body is too large." }]);
  });

  it("does the same for the site's forms, with the 413 page", async () => {
    const res = await uploadInParts(live.url, {
      method: "POST",
      path: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      declaredBytes: 2 * 1024 * 1024,
      parts: [1024 * 1024, 1024 * 1024],
    });
    expect(res.socketError).toBeNull();
    expect(res.status).toBe(413);
    expect(textOf(res.body)).toContain("What you sent is larger than this site accepts.");
  });

  it("answers a body declared far beyond what it would read (1 GB) at once, and closes", async () => {
    const res = await patchMe(1024 * 1024 * 1024, [64 * 1024]);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
  });

  it("answers a request Node's parser refuses (a header name with a space) with the site's security headers", async () => {
    const page = await fetch(`${live.url}/`);
    const res = await uploadInParts(live.url, {
      method: "GET",
      path: "/",
      headers: { "bad header": "x" },
      declaredBytes: 0,
      parts: [],
    });
    expect(res.status).toBe(400);
    for (const name of ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"]) {
      expect([name, res.headers[name]]).toEqual([name, page.headers.get(name)]);
    }
  });

  it("cuts off headers that never finish at the headers timeout, with a 408 and the security headers", async () => {
    const started = Date.now();
    const res = await uploadInParts(live.url, {
      method: "GET",
      path: "/",
      headers: { "x-slow": "1" },
      declaredBytes: 0,
      parts: [],
      unfinishedHeaders: true,
    });
    expect(res.status).toBe(408);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers.connection).toBe("close");
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("cuts off a body that never finishes at the request timeout, with a 408", async () => {
    expect([live.app.server.requestTimeout, live.app.server.headersTimeout]).toEqual([1000, 500]);
    const started = Date.now();
    // 100 bytes declared, 10 sent, then silence for longer than the request timeout.
    const res = await patchMe(100, [10]);
    expect(res.status).toBe(408);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
