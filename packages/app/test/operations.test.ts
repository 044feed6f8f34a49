/**
 * What operators see (issue 12): /healthz, /readyz with each dependency down, /metrics (its
 * contents and who may read it), and JSON log lines that carry the request id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCognitoClient } from "../src/accounts/cognito.ts";
import { buildApp } from "../src/server.tsx";
import { signInOutcome } from "../src/operations/metrics.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { browserAt, uniqueAddress, uniqueName } from "./accounts-fixtures.ts";
import { deadRedisUrl, testRedis } from "./redis.ts";

const readyz = async (h: AppHarness) => {
  const res = await h.app.inject({ method: "GET", url: "/readyz" });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};

const metricsText = async (h: AppHarness, headers: Record<string, string> = {}) =>
  (await h.app.inject({ method: "GET", url: "/metrics", headers })).body;

describe("/healthz and /readyz", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("answers liveness with 200 and no session cookie", async () => {
    const res = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("is ready when the database answers and the signing keys are held (no Redis configured)", async () => {
    expect(await readyz(h)).toEqual({
      status: 200,
      body: { status: "ok", database: true, redis: null, jwks: true },
    });
  });

  it("is not ready once the node begins to shut down", async () => {
    h.app.lifecycle.shuttingDown = true;
    try {
      expect(await readyz(h)).toEqual({ status: 503, body: { status: "unavailable", shuttingDown: true } });
    } finally {
      h.app.lifecycle.shuttingDown = false;
    }
  });
});

describe("/readyz with a dependency down", () => {
  it("says the database is down", async () => {
    const h = await startAppHarness({ database: "postgres" });
    try {
      await h.app.database.close();
      const { status, body } = await readyz(h);
      expect(status).toBe(503);
      expect(body).toMatchObject({ status: "unavailable", database: false, jwks: true });
    } finally {
      await h.stop().catch(() => undefined);
    }
  });

  it("says Redis is down, and up when it answers", async () => {
    const down = await startAppHarness({
      database: "sqlite",
      config: { redis: { url: deadRedisUrl, keyPrefix: "gatehouse:" } },
    });
    const redis = await testRedis();
    const up = await startAppHarness({ database: "sqlite", config: { redis } });
    try {
      expect(await readyz(down)).toEqual({
        status: 503,
        body: { status: "unavailable", database: true, redis: false, jwks: true },
      });
      expect(await readyz(up)).toEqual({
        status: 200,
        body: { status: "ok", database: true, redis: true, jwks: true },
      });
    } finally {
      await down.stop();
      await up.stop();
      await redis.cleanup();
    }
  });

  it("says the signing keys are missing when the key set cannot be fetched", async () => {
    const h = await startAppHarness({
      database: "sqlite",
      api: { jwksUrl: "http://127.0.0.1:1/us-east-1_nothing/.well-known/jwks.json" },
    });
    try {
      const { status, body } = await readyz(h);
      expect(status).toBe(503);
      expect(body).toEqual({ status: "unavailable", database: true, redis: null, jwks: false });
    } finally {
      await h.stop();
    }
  });
});

describe("/metrics", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("counts requests by route pattern and status, with latency histograms, in Prometheus text", async () => {
    await h.app.inject({ method: "GET", url: "/" });
    await h.app.inject({ method: "GET", url: "/no-such-page-12345" });
    const res = await h.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    const text = res.body;
    expect(text).toMatch(/^gatehouse_http_requests_total\{method="GET",route="\/",status="200"\} [1-9]/m);
    expect(text).toMatch(/^gatehouse_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    expect(text).toMatch(/^gatehouse_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/"\} /m);
    expect(text).toContain("gatehouse_process_cpu_seconds_total");
    // Unknown paths do not become label values.
    expect(text).not.toContain("no-such-page-12345");
  });

  it("counts sign-in outcomes, API token refusals by reason and rate-limit hits", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: uniqueName("metrics"), password: "Wrong-Password-1" });
    await h.app.inject({ method: "GET", url: "/api/v1/me", headers: { authorization: "Bearer not.a.token" } });
    await h.app.inject({ method: "GET", url: "/api/v1/me", headers: { authorization: "Bearer" } });
    const address = uniqueAddress();
    for (let i = 0; i < 61; i++) await h.app.inject({ method: "GET", url: "/nothing-here", remoteAddress: address });
    const text = await metricsText(h);
    expect(text).toMatch(/^gatehouse_sign_in_total\{site="site",outcome="refused"\} 1$/m);
    expect(text).toMatch(/^gatehouse_api_token_refusals_total\{reason="malformed"\} 1$/m);
    expect(text).toMatch(/^gatehouse_api_token_refusals_total\{reason="no-credentials-after-prefix"\} 1$/m);
    expect(text).toMatch(/^gatehouse_rate_limit_hits_total\{route="unmatched"\} 1$/m);
  });

  it("is refused to a client that is not on loopback, or that comes through a proxy", async () => {
    const remote = await h.app.inject({ method: "GET", url: "/metrics", remoteAddress: "198.51.100.7" });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).not.toContain("gatehouse_");
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      const proxied = await h.app.inject({ method: "GET", url: "/metrics", headers: { [header]: "198.51.100.7" } });
      expect(proxied.statusCode, header).toBe(403);
    }
  });

  it("with METRICS_TOKEN, is served to whoever sends the token, from anywhere, and to nobody else", async () => {
    const token = "metrics-token-0123456789abcdef";
    const t = await startAppHarness({ database: "sqlite", config: { metrics: { token } } });
    try {
      const ask = (headers: Record<string, string>) =>
        t.app.inject({ method: "GET", url: "/metrics", remoteAddress: "198.51.100.8", headers });
      const right = await ask({ authorization: `Bearer ${token}`, "x-forwarded-for": "203.0.113.1" });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain("gatehouse_http_requests_total");
      for (const authorization of ["", "Bearer", `Bearer ${token}x`, `Basic ${token}`, token]) {
        const wrong = await ask(authorization ? { authorization } : {});
        expect(wrong.statusCode, authorization).toBe(401);
        expect(wrong.headers["www-authenticate"]).toContain("Bearer");
      }
      // Loopback alone is not enough once a token is set.
      expect((await t.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(401);
    } finally {
      await t.stop();
    }
  });

  it("tells sign-in outcomes apart by the answer", () => {
    expect(signInOutcome(303, "/")).toBe("success");
    expect(signInOutcome(303, "/admin/")).toBe("success");
    expect(signInOutcome(303, "/confirm")).toBe("challenge");
    expect(signInOutcome(303, "/new-password")).toBe("challenge");
    expect(signInOutcome(303, "/admin/login/mfa?next=%2F")).toBe("challenge");
    expect(signInOutcome(400, undefined)).toBe("refused");
    expect(signInOutcome(429, undefined)).toBe("limited");
    expect(signInOutcome(503, undefined)).toBe("unavailable");
    expect(signInOutcome(500, undefined)).toBe("error");
  });
});

describe("structured logs", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("writes one JSON line per event with the request id, taken from X-Request-Id when it looks like one", async () => {
    const lines: string[] = [];
    const cognito = createCognitoClient(h.config.cognito);
    const app = await buildApp({
      config: h.config,
      database: h.database.database,
      cognito,
      logStream: { write: (line) => lines.push(line) },
    });
    try {
      const given = await app.inject({ method: "GET", url: "/", headers: { "x-request-id": "edge-4f2a.17" } });
      expect(given.headers["x-request-id"]).toBe("edge-4f2a.17");
      const made = await app.inject({ method: "GET", url: "/", headers: { "x-request-id": "no spaces <allowed>" } });
      const madeId = String(made.headers["x-request-id"]);
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/);

      const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const ofGiven = events.filter((event) => event.reqId === "edge-4f2a.17");
      expect(ofGiven.map((event) => event.msg)).toEqual(["incoming request", "request completed"]);
      expect(ofGiven[1]).toMatchObject({ level: 30, res: { statusCode: 200 } });
      expect(events.filter((event) => event.reqId === madeId)).toHaveLength(2);
      // Headers (cookies, tokens) are not logged.
      expect(lines.join("\n")).not.toContain("cookie");
    } finally {
      await app.close();
      cognito.destroy();
    }
  });
});
