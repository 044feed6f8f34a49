/**
 * The session plugin on its own, on both databases: sessions are made lazily (a request that
 * keeps nothing writes nothing and sets no cookie), stored ones are written back only when they
 * change or their expiry slides, a forged cookie is a new session, and a session ended
 * elsewhere is never brought back by a request that was still in flight.
 */
import cookie from "@fastify/cookie";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseSessionStore, destroyUserSessions, sessionKeyOf } from "../src/plugins/session-store.ts";
import sessions, { defaultAnonymousTtlMs } from "../src/plugins/sessions.ts";
import { userRepository } from "../src/accounts/users.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";

const secret = "a-session-secret-of-at-least-32-characters";
const ttlMs = 14 * 24 * 3600_000;
const hour = 3600_000;

const setCookieOf = (res: LightMyRequestResponse): string | undefined => {
  const header = res.headers["set-cookie"];
  return (Array.isArray(header) ? header : header ? [header] : []).find((c) => c.startsWith("sid="));
};
const cookieValueOf = (res: LightMyRequestResponse): string => {
  const value = /^sid=([^;]*)/.exec(setCookieOf(res) ?? "")?.[1];
  if (value === undefined) throw new Error("no session cookie was set");
  return value;
};

describe.each(["sqlite", "postgres"] as const)("sessions on %s", (kind) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  /** The id of a real user: sessions reference the users table. */
  let userId = "";
  let clock = Date.parse("2026-11-22T10:00:00Z");
  const db = () => database.database.db;
  const rowOf = (id: string) =>
    db().selectFrom("sessions").selectAll().where("id", "=", sessionKeyOf(id)).executeTakeFirst();
  const rowCount = async () => (await db().selectFrom("sessions").select("id").execute()).length;

  async function buildApp(secrets: string | readonly string[], secure = false): Promise<FastifyInstance> {
    // Behind a TLS proxy when secure, as in production.
    const server = Fastify({ trustProxy: secure });
    await server.register(cookie);
    await server.register(sessions, {
      secret: secrets,
      cookieName: "sid",
      store: new DatabaseSessionStore(db()),
      ttlMs,
      secure,
      now: () => clock,
    });
    server.get("/peek", async (request) => ({ userId: request.session.get("userId") ?? null }));
    server.post("/sign-in", async (request) => {
      await request.session.regenerate();
      request.session.set("userId", userId);
      return { ok: true };
    });
    server.post("/flash", async (request) => {
      request.session.set("flash", [{ level: "info", text: "Saved." }]);
      return { ok: true };
    });
    server.post("/sign-out", async (request) => {
      await request.session.regenerate();
      return { ok: true };
    });
    server.post("/slow-flash", async (request) => {
      // Another request ends every session of the user while this one is being handled.
      await destroyUserSessions(db(), userId);
      request.session.set("flash", [{ level: "info", text: "Late." }]);
      return { ok: true };
    });
    await server.ready();
    return server;
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    userId = (
      await userRepository(db()).syncFromCognito({
        sub: "0b5c1f7e-5d1c-4a3e-9f59-2f6f3a1f0c11",
        username: "sessionuser",
        email: "sessionuser@example.com",
        emailVerified: true,
        givenName: null,
        familyName: null,
        phoneNumber: null,
        picture: null,
      })
    ).id;
    app = await buildApp(secret);
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  async function signIn(): Promise<string> {
    const res = await app.inject({ method: "POST", url: "/sign-in" });
    expect(res.statusCode, res.body).toBe(200);
    return cookieValueOf(res);
  }

  it("keeps nothing for a request that stores nothing: no row, no cookie", async () => {
    const before = await rowCount();
    const res = await app.inject({ method: "GET", url: "/peek" });
    expect(res.json()).toEqual({ userId: null });
    expect(setCookieOf(res)).toBeUndefined();
    expect(await rowCount()).toBe(before);
  });

  it("stores a session when something is kept, under a signed, HttpOnly, SameSite=Lax cookie", async () => {
    const res = await app.inject({ method: "POST", url: "/sign-in" });
    const setCookie = setCookieOf(res) ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    const value = decodeURIComponent(cookieValueOf(res));
    const id = value.slice(0, value.lastIndexOf("."));
    // The table holds a hash of the id, never the cookie's value.
    expect(await rowOf(id)).toMatchObject({ user_id: userId });
    const peek = await app.inject({ method: "GET", url: "/peek", cookies: { sid: decodeURIComponent(value) } });
    expect(peek.json()).toEqual({ userId: userId });
  });

  it("gives a session nobody is signed in to hours, not the two weeks of a signed-in one", async () => {
    const anonymous = await app.inject({ method: "POST", url: "/flash" });
    const value = decodeURIComponent(cookieValueOf(anonymous));
    const row = await rowOf(value.slice(0, value.lastIndexOf(".")));
    expect(new Date(row?.expires_at ?? 0).getTime() - clock).toBe(defaultAnonymousTtlMs);
    expect(setCookieOf(anonymous)).toMatch(
      new RegExp(`Expires=${new Date(clock + defaultAnonymousTtlMs).toUTCString()}`),
    );

    // Signing in on that browser gives the session the long lifetime.
    const signedIn = await app.inject({ method: "POST", url: "/sign-in", cookies: { sid: value } });
    const next = decodeURIComponent(cookieValueOf(signedIn));
    const long = await rowOf(next.slice(0, next.lastIndexOf(".")));
    expect(new Date(long?.expires_at ?? 0).getTime() - clock).toBe(ttlMs);
  });

  it("purges expired rows when the app starts and every few minutes after", async () => {
    const store = new DatabaseSessionStore(db());
    await store.create("expired-one", {}, clock - 1000);
    await store.create("live-one", {}, clock + hour);
    const server = Fastify();
    await server.register(cookie);
    await server.register(sessions, {
      secret,
      cookieName: "sid",
      store,
      ttlMs,
      secure: false,
      now: () => clock,
      purgeEveryMs: 50,
    });
    await server.ready();
    expect(await rowOf("expired-one")).toBeUndefined();
    expect(await rowOf("live-one")).toBeDefined();
    await store.create("expired-two", {}, clock - 1000);
    await expect.poll(() => rowOf("expired-two"), { timeout: 2000 }).toBeUndefined();
    await server.close();
  });

  it("does not rewrite an unchanged session on every request, but slides its expiry once an hour", async () => {
    const value = decodeURIComponent(await signIn());
    const id = value.slice(0, value.lastIndexOf("."));
    const stored = await rowOf(id);
    const quiet = await app.inject({ method: "GET", url: "/peek", cookies: { sid: value } });
    expect(setCookieOf(quiet)).toBeUndefined();
    expect((await rowOf(id))?.updated_at).toEqual(stored?.updated_at);

    clock += hour + 1000;
    const slid = await app.inject({ method: "GET", url: "/peek", cookies: { sid: value } });
    expect(setCookieOf(slid)).toBeDefined();
    const after = await rowOf(id);
    expect(new Date(after?.expires_at ?? 0).getTime()).toBe(clock + ttlMs);
  });

  it("treats a cookie with a forged signature as no session at all", async () => {
    const value = decodeURIComponent(await signIn());
    const forged = `${value.slice(0, value.lastIndexOf("."))}.${"A".repeat(43)}`;
    const res = await app.inject({ method: "GET", url: "/peek", cookies: { sid: forged } });
    expect(res.json()).toEqual({ userId: null });
    for (const junk of ["no-dot", ".", "x".repeat(5000), "%%%"]) {
      const other = await app.inject({ method: "GET", url: "/peek", cookies: { sid: junk } });
      expect(other.statusCode).toBe(200);
      expect(other.json()).toEqual({ userId: null });
    }
  });

  it("forgets an expired session", async () => {
    const value = decodeURIComponent(await signIn());
    clock += ttlMs + 1;
    const res = await app.inject({ method: "GET", url: "/peek", cookies: { sid: value } });
    expect(res.json()).toEqual({ userId: null });
    // The dead cookie is dropped, so later requests do not look it up again.
    expect(setCookieOf(res)).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it("regenerates: the old id is dead at once, and a session left empty drops its cookie", async () => {
    const first = decodeURIComponent(await signIn());
    const second = decodeURIComponent(
      cookieValueOf(await app.inject({ method: "POST", url: "/sign-in", cookies: { sid: first } })),
    );
    expect(second).not.toBe(first);
    expect((await app.inject({ method: "GET", url: "/peek", cookies: { sid: first } })).json()).toEqual({
      userId: null,
    });
    const out = await app.inject({ method: "POST", url: "/sign-out", cookies: { sid: second } });
    expect(setCookieOf(out)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await app.inject({ method: "GET", url: "/peek", cookies: { sid: second } })).json()).toEqual({
      userId: null,
    });
  });

  it("never brings back a session that another request ended meanwhile", async () => {
    const value = decodeURIComponent(await signIn());
    const id = value.slice(0, value.lastIndexOf("."));
    const res = await app.inject({ method: "POST", url: "/slow-flash", cookies: { sid: value } });
    expect(res.statusCode).toBe(200);
    expect(await rowOf(id)).toBeUndefined();
    expect(setCookieOf(res)).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it("reads sessions that @fastify/session wrote (a `cookie` entry beside the data) and drops that entry", async () => {
    const value = decodeURIComponent(await signIn());
    const id = value.slice(0, value.lastIndexOf("."));
    await db()
      .updateTable("sessions")
      .set({ data: JSON.stringify({ cookie: { originalMaxAge: ttlMs, path: "/" }, userId: userId }) })
      .where("id", "=", sessionKeyOf(id))
      .execute();
    expect((await app.inject({ method: "GET", url: "/peek", cookies: { sid: value } })).json()).toEqual({
      userId: userId,
    });
    await app.inject({ method: "POST", url: "/flash", cookies: { sid: value } });
    expect(JSON.parse((await rowOf(id))?.data ?? "{}")).not.toHaveProperty("cookie");
  });

  it("sets and clears Secure cookies over HTTPS (a `__Host-` cookie cleared without Secure would be ignored), and keeps nothing over plain HTTP", async () => {
    const secureApp = await buildApp(secret, true);
    try {
      const https = { "x-forwarded-proto": "https" };
      const plain = await secureApp.inject({ method: "POST", url: "/sign-in" });
      expect(setCookieOf(plain)).toBeUndefined();
      const signedIn = await secureApp.inject({ method: "POST", url: "/sign-in", headers: https });
      expect(setCookieOf(signedIn)).toMatch(/; Secure/);
      const value = decodeURIComponent(cookieValueOf(signedIn));
      const out = await secureApp.inject({ method: "POST", url: "/sign-out", headers: https, cookies: { sid: value } });
      expect(setCookieOf(out)).toMatch(/Expires=Thu, 01 Jan 1970.*; Secure|; Secure.*Expires=Thu, 01 Jan 1970/);
    } finally {
      await secureApp.close();
    }
  });

  it("accepts a cookie signed with a retired secret while it rotates out, and signs it anew", async () => {
    const value = decodeURIComponent(await signIn());
    const rotated = await buildApp(["a-brand-new-secret-of-at-least-32-chars", secret]);
    try {
      const res = await rotated.inject({ method: "GET", url: "/peek", cookies: { sid: value } });
      expect(res.json()).toEqual({ userId: userId });
      const renewed = decodeURIComponent(cookieValueOf(res));
      expect(renewed.slice(0, renewed.lastIndexOf("."))).toBe(value.slice(0, value.lastIndexOf(".")));
      expect(renewed).not.toBe(value);
    } finally {
      await rotated.close();
    }
  });
});
