/**
 * Security headers computed once from helmet and chosen by path: what helmet would send, on
 * every answer (errors and 404s too), and a policy that depends on the request refused at start.
 */
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import securityHeaders, { helmetHeaders } from "../src/plugins/security-headers.ts";

describe("helmetHeaders", () => {
  it("records what helmet sends for static options, HSTS only when asked", () => {
    const https = helmetHeaders({ strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true } });
    expect(https["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(https["x-content-type-options"]).toBe("nosniff");
    expect(https["content-security-policy"]).toContain("default-src 'self'");
    expect(Object.isFrozen(https)).toBe(true);
    expect(helmetHeaders({ strictTransportSecurity: false })).not.toHaveProperty("strict-transport-security");
  });

  it("refuses a policy that depends on the request, which could not be computed once", () => {
    expect(() =>
      helmetHeaders({
        contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } },
      }),
    ).toThrow();
  });
});

describe("the security-headers plugin", () => {
  it("sends the site's set, or the first matching prefix's, on every answer including errors and 404s", async () => {
    const app = Fastify();
    await app.register(securityHeaders, {
      site: { "x-frame-options": "SAMEORIGIN", "x-site": "yes" },
      byPrefix: [
        { prefix: "/api/docs", headers: { "x-site": "docs" } },
        { prefix: "/api/", headers: { "x-frame-options": "DENY" } },
      ],
    });
    app.get("/page", async () => "page");
    app.get("/api/thing", async () => {
      throw Object.assign(new Error("nope"), { statusCode: 403 });
    });
    app.get("/api/docs", async () => "docs");
    try {
      expect((await app.inject("/page")).headers["x-site"]).toBe("yes");
      const refused = await app.inject("/api/thing");
      expect(refused.statusCode).toBe(403);
      expect(refused.headers["x-frame-options"]).toBe("DENY");
      expect(refused.headers["x-site"]).toBeUndefined();
      expect((await app.inject("/api/docs")).headers["x-site"]).toBe("docs");
      const missing = await app.inject("/api/none");
      expect(missing.statusCode).toBe(404);
      expect(missing.headers["x-frame-options"]).toBe("DENY");
      expect((await app.inject("/nowhere")).headers["x-site"]).toBe("yes");
    } finally {
      await app.close();
    }
  });
});
