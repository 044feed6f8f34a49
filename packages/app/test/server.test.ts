import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("answers an over-long path parameter without Fastify's own body", async () => {
    const api = await h.app.inject({ method: "GET", url: `/api/v1/users/${"a".repeat(200)}` });
    expect(api.statusCode).toBeLessThan(500);
    expect(Object.keys(api.json() as object)).toEqual(["detail"]);
  });
});
