/**
 * Shared state in Redis (issue 12): two app nodes on one Redis count rate limits and the back
 * office's lockout together; the lockout's rules hold in Redis as in the database (also under a
 * burst); and with Redis down, sign-in attempts are refused with a clear 503 while pages that
 * count nothing still answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockoutPolicy, redisLockout } from "../src/backoffice/lockout.ts";
import type { RedisSettings } from "../src/config.ts";
import { connectRedis, type SharedRedis } from "../src/shared-state/redis.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { browserAt, uniqueAddress, uniqueName } from "./accounts-fixtures.ts";
import { localUser } from "./backoffice-fixtures.ts";
import { deadRedisUrl, testRedis } from "./redis.ts";

/** A back-office sign-in from an address of its own. */
async function backofficeSignIn(h: AppHarness, username: string, password: string) {
  const browser = browserAt(h);
  await browser.get("/admin/login");
  return browser.post("/admin/login", { username, password });
}

describe("rate limits and lockout across two nodes on one Redis", () => {
  let redis: Awaited<ReturnType<typeof testRedis>>;
  let a: AppHarness;
  let b: AppHarness;
  beforeAll(async () => {
    redis = await testRedis();
    const settings: RedisSettings = { url: redis.url, keyPrefix: redis.keyPrefix };
    a = await startAppHarness({ database: "sqlite", config: { redis: settings } });
    b = await startAppHarness({ database: "sqlite", config: { redis: settings } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.cleanup();
  });

  it("counts one address's unknown pages on both nodes against one budget of 60 a minute", async () => {
    const address = uniqueAddress();
    const missing = (h: AppHarness) => h.app.inject({ method: "GET", url: "/no-such-page", remoteAddress: address });
    for (let i = 0; i < 30; i++) expect((await missing(a)).statusCode).toBe(404);
    for (let i = 0; i < 30; i++) expect((await missing(b)).statusCode).toBe(404);
    const over = await missing(a);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
    // Another address has its own budget; the API's 404s have theirs.
    expect(
      (await b.app.inject({ method: "GET", url: "/no-such-page", remoteAddress: uniqueAddress() })).statusCode,
    ).toBe(404);
    expect((await b.app.inject({ method: "GET", url: "/api/v1/nothing", remoteAddress: address })).statusCode).toBe(
      404,
    );
  });

  it("counts sign-ins for one username from many addresses on both nodes: the 11th in 5 minutes is refused", async () => {
    const username = uniqueName("shared");
    const attempt = async (h: AppHarness) => {
      const browser = browserAt(h);
      await browser.get("/login");
      return browser.post("/login", { username, password: "Wrong-Password-1" });
    };
    for (let i = 0; i < 5; i++) expect((await attempt(a)).statusCode).toBe(400);
    for (let i = 0; i < 5; i++) expect((await attempt(b)).statusCode).toBe(400);
    const refused = await attempt(a);
    expect(refused.statusCode).toBe(429);
    // Another name is not held back by this one's count.
    const other = browserAt(b);
    await other.get("/login");
    expect((await other.post("/login", { username: uniqueName("other"), password: "x" })).statusCode).toBe(400);
  });

  it("locks a back-office name after 5 wrong passwords spread over both nodes, on both nodes", async () => {
    const staff = await localUser(a);
    const attempt = (h: AppHarness, password: string) => backofficeSignIn(h, staff.username, password);
    for (const node of [a, b, a, b]) expect((await attempt(node, "wrong")).statusCode).toBe(400);
    const fifth = await attempt(b, "wrong");
    expect(fifth.statusCode).toBe(429);
    // The right password on the other node is refused while the lock runs.
    const locked = await attempt(a, staff.password);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("does not lock a name whose right password comes before the fifth failure (the count is cleared)", async () => {
    const staff = await localUser(a);
    const attempt = (h: AppHarness, password: string) => backofficeSignIn(h, staff.username, password);
    for (let i = 0; i < 4; i++) expect((await attempt(i % 2 ? a : b, "wrong")).statusCode).toBe(400);
    expect((await attempt(a, staff.password)).statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await attempt(b, "wrong")).statusCode).toBe(400);
    // (Each harness has its own database: the account exists on node A only.)
    expect((await attempt(a, staff.password)).statusCode).toBe(303);
  });
});

describe("the lockout's rules in Redis", () => {
  let redis: Awaited<ReturnType<typeof testRedis>>;
  let shared: SharedRedis;
  let clock = Date.parse("2030-01-01T00:00:00Z");
  const now = () => clock;
  beforeAll(async () => {
    redis = await testRedis();
    shared = await connectRedis({ url: redis.url, keyPrefix: redis.keyPrefix });
  });
  afterAll(async () => {
    await shared?.close();
    await redis?.cleanup();
  });

  it("allows 5 failures, refuses the 6th attempt whatever its password, and opens again when the lock ends", async () => {
    const lockout = redisLockout(shared, lockoutPolicy, now);
    const name = uniqueName("rules");
    for (let i = 0; i < 4; i++) {
      expect(await lockout.beginAttempt(name)).toEqual({ allowed: true });
      expect(await lockout.failed(name)).toBeNull();
    }
    expect(await lockout.beginAttempt(name.toUpperCase())).toEqual({ allowed: true });
    const until = await lockout.failed(name);
    expect(until?.getTime()).toBe(clock + lockoutPolicy.lockMs);
    expect(await lockout.beginAttempt(name)).toEqual({ allowed: false, lockedUntil: until });
    clock += lockoutPolicy.lockMs;
    expect(await lockout.beginAttempt(name)).toEqual({ allowed: true });
  });

  it("forgets failures older than the window, and all of them at a successful sign-in", async () => {
    const lockout = redisLockout(shared, lockoutPolicy, now);
    const name = uniqueName("window");
    for (let i = 0; i < 4; i++) {
      await lockout.beginAttempt(name);
      await lockout.failed(name);
    }
    clock += lockoutPolicy.windowMs + 1;
    for (let i = 0; i < 4; i++) {
      expect(await lockout.beginAttempt(name)).toEqual({ allowed: true });
      await lockout.failed(name);
    }
    await lockout.clear(name);
    for (let i = 0; i < 5; i++) expect(await lockout.beginAttempt(name)).toEqual({ allowed: true });
  });

  it("lets exactly 5 of 100 simultaneous attempts through", async () => {
    const lockout = redisLockout(shared, lockoutPolicy, now);
    const name = uniqueName("burst");
    const verdicts = await Promise.all(Array.from({ length: 100 }, () => lockout.beginAttempt(name)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(lockoutPolicy.maxFailures);
  });
});

describe("with Redis down", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({
      database: "sqlite",
      config: { redis: { url: deadRedisUrl, keyPrefix: "gatehouse:" } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("refuses a site sign-in with a 503 page that says why, before Cognito is asked", async () => {
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: uniqueName("down"), password: "Whatever-1" });
    expect(res.statusCode).toBe(503);
    expect(textOf(res.body)).toContain("the service that counts sign-in attempts is not answering");
  });

  it("refuses a back-office sign-in with the back office's 503 page, even with the right password", async () => {
    const staff = await localUser(h);
    const res = await backofficeSignIn(h, staff.username, staff.password);
    expect(res.statusCode).toBe(503);
    expect(textOf(res.body)).toContain("the service that counts sign-in attempts is not answering");
    expect((await h.app.users.findById(staff.id))?.lastLogin).toBeNull();
  });

  it("still serves the pages that count nothing", async () => {
    expect((await h.app.inject({ method: "GET", url: "/" })).statusCode).toBe(200);
    expect((await h.app.inject({ method: "GET", url: "/login" })).statusCode).toBe(200);
    expect((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});
