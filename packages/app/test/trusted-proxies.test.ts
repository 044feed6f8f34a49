/**
 * TRUST_PROXY: forwarded headers are believed only from the proxies it lists, so a client that
 * sends a new `X-Forwarded-For` with every request still spends one address's budget (issue 14:
 * production used to trust any header, and 70 of 70 sign-ins over the limit got through).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountLimits } from "../src/accounts/rate-limits.ts";
import { loadConfig } from "../src/config.ts";
import { parseTrustedProxies } from "../src/trusted-proxies.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { browserAt, uniqueAddress } from "./accounts-fixtures.ts";

const minimal = { COGNITO_USER_POOL_ID: "us-east-1_AbC123xyZ", COGNITO_CLIENT_ID: "abc123" };

describe("TRUST_PROXY", () => {
  it("is off unless set, also in production", () => {
    const production = loadConfig({
      ...minimal,
      NODE_ENV: "production",
      SESSION_SECRET: "x".repeat(32),
      PUBLIC_URL: "https://app.example.com",
    });
    expect(production.ok && production.config.trustedProxies).toEqual([]);
  });

  it("takes addresses, CIDR ranges and proxy-addr's range names", () => {
    const result = loadConfig({ ...minimal, TRUST_PROXY: " 10.0.0.0/8, 192.0.2.7 ,loopback,fd00::/8," });
    expect(result.ok && result.config.trustedProxies).toEqual(["10.0.0.0/8", "192.0.2.7", "loopback", "fd00::/8"]);
  });

  it("refuses what is not an address, with the entry named", () => {
    for (const bad of ["*", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/2", "::1/129", "true"]) {
      expect(parseTrustedProxies(bad).problems).toHaveLength(1);
      const result = loadConfig({ ...minimal, TRUST_PROXY: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatchObject({ setting: "TRUST_PROXY" });
    }
  });
});

describe("per-address limits behind TRUST_PROXY", () => {
  let open: AppHarness;
  let behindProxy: AppHarness;
  beforeAll(async () => {
    // Production mode: it used to trust every forwarded header there.
    open = await startAppHarness({ database: "sqlite", config: { mode: "production" } });
    behindProxy = await startAppHarness({
      database: "sqlite",
      config: { trustedProxies: ["192.0.2.0/24"] },
    });
  });
  afterAll(async () => {
    await behindProxy.stop();
    await open.stop();
  });

  const { max } = accountLimits.codeSend.perAddress;

  /**
   * Forgot-password posts (their per-address budget is the smallest) from one socket address,
   * each claiming a new client address; the empty username makes each a quick 400.
   */
  const spoofedPosts = async (h: AppHarness, socketAddress: string): Promise<number[]> => {
    const browser = browserAt(h, socketAddress);
    await browser.get("/forgot-password");
    const statuses: number[] = [];
    for (let i = 0; i <= max; i++) {
      const res = await browser.post("/forgot-password", { username: "" }, { "x-forwarded-for": uniqueAddress() });
      statuses.push(res.statusCode);
    }
    return statuses;
  };

  it("ignore X-Forwarded-For from a peer that is not a trusted proxy: one try over the budget is refused", async () => {
    const statuses = await spoofedPosts(open, uniqueAddress());
    expect(statuses.slice(0, max).every((s) => s === 400)).toBe(true);
    expect(statuses[max]).toBe(429);
  });

  it("ignore it from an untrusted peer even when some proxies are trusted", async () => {
    const statuses = await spoofedPosts(behindProxy, "203.0.113.9");
    expect(statuses[max]).toBe(429);
  });

  it("believe it from a trusted proxy, so clients behind it have their own budgets", async () => {
    const statuses = await spoofedPosts(behindProxy, "192.0.2.10");
    expect(statuses.every((s) => s === 400)).toBe(true);
  });
});
