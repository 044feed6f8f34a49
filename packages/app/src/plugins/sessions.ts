/**
 * Server-side sessions, made lazily as Django's SessionMiddleware makes them: a request without
 * a session cookie gets an empty in-memory session (one small object); an id is drawn, a row
 * written and a cookie set only when something is stored in it. @fastify/session, used before,
 * drew an id, HMAC-signed it and hashed the contents for every request without a cookie — every
 * Bearer API call — which cost 0.04–0.08 ms a request in bench:api (see docs/decisions.md).
 *
 * The cookie holds `<id>.<HMAC-SHA256 signature>` (@fastify/cookie's Signer, which also accepts
 * older secrets while they rotate out); the row, the data (session-store.ts). A stored session
 * is written back only when its data changed or, to slide its expiry, at most once an hour, and
 * never re-created once another request ended it.
 *
 * A session nobody is signed in to (a CSRF secret for a form, a flash, a pending username) lives
 * hours, not the two weeks of a signed-in one, and expired rows are purged every few minutes:
 * a client fetching forms without keeping cookies leaves rows that go away on their own.
 */
import { Signer } from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { randomBytes } from "node:crypto";
import type { DatabaseSessionStore } from "./session-store.ts";
import type { SessionData } from "./session-types.ts";

/** A stored session's expiry is pushed forward on a request when it is older than this. */
const slideEveryMs = 3600_000;

/** How long a session nobody is signed in to lives, unless the options say otherwise. */
export const defaultAnonymousTtlMs = 3 * 3600_000;

/** How often expired rows are purged, unless the options say otherwise. */
const defaultPurgeEveryMs = 10 * 60_000;

/** Where a session came from, and so how it is saved. */
type Origin =
  | { readonly kind: "new" }
  /** The request's cookie named no live session (expired, ended elsewhere, forged). */
  | { readonly kind: "lost" }
  | { readonly kind: "stored"; readonly id: string; readonly expiresAt: number }
  /** `regenerate()` ended the stored one; a new id is drawn if anything is kept. */
  | { readonly kind: "regenerated" };

export class ServerSession {
  #data: SessionData;
  #origin: Origin;
  #changed = false;
  readonly #store: DatabaseSessionStore;

  constructor(store: DatabaseSessionStore, data: SessionData = {}, origin: Origin = { kind: "new" }) {
    this.#store = store;
    this.#data = data;
    this.#origin = origin;
  }

  get<K extends keyof SessionData>(key: K): SessionData[K] | undefined {
    return this.#data[key];
  }

  /** Stores a value; `undefined` removes the key. */
  set<K extends keyof SessionData>(key: K, value: SessionData[K] | undefined): void {
    if (value === undefined) {
      if (!(key in this.#data)) return;
      const { [key]: _removed, ...rest } = this.#data;
      this.#data = rest;
    } else {
      this.#data = { ...this.#data, [key]: value };
    }
    this.#changed = true;
  }

  /**
   * Ends the stored session now and starts an empty one that will get a new id: so an id fixed
   * or stolen before sign-in is worth nothing after it (Django's `cycle_key`).
   */
  async regenerate(): Promise<void> {
    if (this.#origin.kind === "stored") await this.#store.destroy(this.#origin.id);
    this.#origin = { kind: "regenerated" };
    this.#data = {};
    this.#changed = true;
  }

  /** The id of the stored session this request carries, or null (none yet, or ended). */
  get id(): string | null {
    return this.#origin.kind === "stored" ? this.#origin.id : null;
  }

  /** Is someone signed in to this session (on the site or the back office)? */
  get signedIn(): boolean {
    return typeof this.#data.userId === "string";
  }

  /** Writes the session back even if unchanged: its cookie was signed with a retired secret. */
  resign(): void {
    this.#changed = true;
  }

  /**
   * What the response must do: nothing, write the session (and its cookie), or drop the cookie.
   * `ttlMs` is this session's lifetime (signed in or not).
   */
  pendingWrite(now: number, ttlMs: number): "none" | "create" | "update" | "forget" {
    const empty = Object.keys(this.#data).length === 0;
    switch (this.#origin.kind) {
      case "new":
        return this.#changed && !empty ? "create" : "none";
      case "lost":
        // Drop the dead cookie, or every later request would look it up again.
        return this.#changed && !empty ? "create" : "forget";
      case "regenerated":
        return empty ? "forget" : "create";
      case "stored":
        if (this.#changed) return "update";
        return this.#origin.expiresAt - now < ttlMs - slideEveryMs ? "update" : "none";
    }
  }

  /** The data and id to write; draws the id of a new session. */
  toWrite(): { readonly id: string; readonly data: SessionData } {
    const id = this.#origin.kind === "stored" ? this.#origin.id : randomBytes(24).toString("base64url");
    return { id, data: this.#data };
  }
}

export interface SessionsOptions {
  /** The signing secret; a list while rotating (the first signs, all verify). */
  readonly secret: string | readonly string[];
  readonly cookieName: string;
  readonly store: DatabaseSessionStore;
  /** The lifetime of a session someone is signed in to. */
  readonly ttlMs: number;
  /** The lifetime of one nobody is signed in to (default: 3 hours). */
  readonly anonymousTtlMs?: number;
  /** How often expired rows are deleted (default: 10 minutes); 0: never (tests). */
  readonly purgeEveryMs?: number;
  /** `Secure` cookies, written only over HTTPS. */
  readonly secure: boolean;
  readonly now?: () => number;
}

declare module "fastify" {
  interface FastifyRequest {
    session: ServerSession;
  }
}

async function sessions(
  app: FastifyInstance,
  {
    secret,
    cookieName,
    store,
    ttlMs,
    anonymousTtlMs = Math.min(ttlMs, defaultAnonymousTtlMs),
    purgeEveryMs = defaultPurgeEveryMs,
    secure,
    now = Date.now,
  }: SessionsOptions,
): Promise<void> {
  const signer = new Signer(typeof secret === "string" ? secret : [...secret], "sha256");
  const cookieOptions = { path: "/", httpOnly: true, sameSite: "lax", secure } as const;

  app.decorateRequest("session", null as unknown as ServerSession);
  const lifetimeOf = (session: ServerSession): number => (session.signedIn ? ttlMs : anonymousTtlMs);

  if (purgeEveryMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    const purge = () =>
      store.purgeExpired(now()).catch((error: unknown) => app.log.warn({ err: error }, "sessions: purge failed"));
    app.addHook("onReady", async () => {
      await purge();
      timer = setInterval(() => void purge(), purgeEveryMs);
      timer.unref();
    });
    app.addHook("onClose", async () => clearInterval(timer));
  }

  async function restore(request: FastifyRequest, cookie: string): Promise<void> {
    const unsigned = signer.unsign(cookie);
    const stored = unsigned.valid && unsigned.value !== null ? await store.load(unsigned.value, now()) : null;
    if (!stored || unsigned.value === null) {
      request.session = new ServerSession(store, {}, { kind: "lost" });
      return;
    }
    request.session = new ServerSession(store, stored.data, {
      kind: "stored",
      id: unsigned.value,
      expiresAt: stored.expiresAt,
    });
    if (unsigned.renew) request.session.resign();
  }

  // Callback-style hooks: most requests (every Bearer API call) carry no cookie and change
  // nothing, and then neither hook waits for anything.
  app.addHook("onRequest", (request, _reply, done) => {
    const cookie = request.cookies[cookieName];
    if (cookie === undefined || cookie === "") {
      request.session = new ServerSession(store);
      done();
      return;
    }
    restore(request, cookie).then(() => done(), done);
  });

  async function write(request: FastifyRequest, reply: FastifyReply, change: "create" | "update" | "forget") {
    const forget = () => {
      // With the attributes it was set with: a `__Host-` cookie cleared without `Secure` is ignored.
      if (request.cookies[cookieName]) reply.clearCookie(cookieName, cookieOptions);
    };
    if (change === "forget") return forget();
    const { id, data } = request.session.toWrite();
    const expiresAt = now() + lifetimeOf(request.session);
    if (change === "create") {
      await store.create(id, data, expiresAt);
    } else if (!(await store.update(id, data, expiresAt))) {
      return forget();
    }
    reply.setCookie(cookieName, signer.sign(id), { ...cookieOptions, expires: new Date(expiresAt) });
  }

  app.addHook("onSend", (request, reply, payload, done) => {
    // Null when the request failed before the onRequest hook ran.
    const session = request.session as ServerSession | null;
    const change = session ? session.pendingWrite(now(), lifetimeOf(session)) : "none";
    // A Secure cookie sent over plain HTTP would never come back: keep nothing for it.
    if (change === "none" || (secure && request.protocol !== "https")) {
      done(null, payload);
      return;
    }
    write(request, reply, change).then(
      () => done(null, payload),
      (error: unknown) => done(error as Error),
    );
  });
}

export default fp(sessions, { name: "sessions", dependencies: ["@fastify/cookie"] });
