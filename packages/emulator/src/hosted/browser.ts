/**
 * The hosted UI's state in the browser: the `cognito` cookie of a hosted sign-in session (so a
 * second authorization request skips the form, until /logout or an hour has passed), the
 * `XSRF-TOKEN` cookie and `_csrf` field that every form posts back (double submit, plus an
 * Origin / Sec-Fetch-Site check), and a signed note that this browser has just signed up, so
 * that confirming the code signs it in as Cognito's hosted UI does.
 *
 * Cookies are HttpOnly, SameSite=Lax and scoped to the domain's path; Secure over HTTPS.
 * The session lives one hour: "the managed login session cookie … is valid for one hour"
 * (developer guide, "User pool managed login").
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.ts";
import type { Pool, User } from "../model.ts";
import { PageError } from "./errors.ts";

export const sessionCookie = "cognito";
export const csrfCookie = "XSRF-TOKEN";
const signUpCookie = "cognito-signup";
export const hostedSessionLifetimeMs = 3_600_000;
const signUpNoteLifetimeMs = 3_600_000;

/** The request's cookies by name (RFC 6265 §5.2, first value wins). */
export function cookiesOf(request: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === "" || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    out.set(name, value);
  }
  return out;
}

function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  name: string,
  value: string,
  maxAgeSeconds: number,
) {
  const secure = request.protocol === "https" ? "; Secure" : "";
  reply.header("set-cookie", [
    ...[reply.getHeader("set-cookie") ?? []].flat().map(String),
    `${name}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`,
  ]);
}

const hashOf = (value: string): string => createHash("sha256").update(value).digest("base64url");
const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The CSRF token of this browser, drawn (and set as a cookie) on its first form. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, path: string): string {
  const existing = cookiesOf(request).get(csrfCookie);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString("base64url");
  setCookie(request, reply, path, csrfCookie, token, 86_400);
  return token;
}

/** Refuses a form post that did not come from our own page. */
export function assertSameOriginForm(request: FastifyRequest, form: URLSearchParams): void {
  const refuse = (): never => {
    throw new PageError(
      "invalid_request",
      "This form has expired or did not come from this page. Go back and try again.",
      403,
    );
  };
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") refuse();
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null" && origin !== `${request.protocol}://${request.host}`) refuse();
  const cookie = cookiesOf(request).get(csrfCookie);
  const field = form.get("_csrf");
  if (!cookie || !field || !equal(cookie, field)) refuse();
}

/** Starts a hosted session for `user` and sets its cookie. */
export function startHostedSession(
  ctx: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  user: User,
): number {
  const id = randomBytes(32).toString("base64url");
  const now = ctx.clock.now();
  const authTime = Math.floor(now / 1000);
  ctx.store.hosted.purgeHostedSessions(now);
  ctx.store.hosted.insertHostedSession({
    idHash: hashOf(id),
    poolId: user.poolId,
    usernameKey: user.usernameKey,
    authTime,
    expiresAt: now + hostedSessionLifetimeMs,
  });
  setCookie(request, reply, path, sessionCookie, id, hostedSessionLifetimeMs / 1000);
  return authTime;
}

/** The user of this browser's hosted session in `pool`, if it is still good. */
export function hostedSessionUser(
  ctx: Context,
  request: FastifyRequest,
  pool: Pool,
): { user: User; authTime: number } | null {
  const id = cookiesOf(request).get(sessionCookie);
  if (!id) return null;
  const session = ctx.store.hosted.hostedSession(hashOf(id));
  if (!session || session.poolId !== pool.id || session.expiresAt <= ctx.clock.now()) return null;
  const user = ctx.store.users.get(pool.id, session.usernameKey);
  if (!user || !user.enabled || user.status !== "CONFIRMED") return null;
  return { user, authTime: session.authTime };
}

/** Ends this browser's hosted session, server-side and in the cookie. */
export function endHostedSession(ctx: Context, request: FastifyRequest, reply: FastifyReply, path: string): void {
  const id = cookiesOf(request).get(sessionCookie);
  if (id) ctx.store.hosted.deleteHostedSession(hashOf(id));
  setCookie(request, reply, path, sessionCookie, "", 0);
}

/** A key per running emulator for the sign-up note; a restart simply forgets pending notes. */
const noteKeys = new WeakMap<Context, Buffer>();
const noteKey = (ctx: Context): Buffer => {
  let key = noteKeys.get(ctx);
  if (!key) {
    key = randomBytes(32);
    noteKeys.set(ctx, key);
  }
  return key;
};
const sign = (ctx: Context, body: string): string =>
  createHmac("sha256", noteKey(ctx)).update(body).digest("base64url");

/** Remembers that this browser signed up `user` (it knows the password it chose). */
export function noteSignUp(ctx: Context, request: FastifyRequest, reply: FastifyReply, path: string, user: User): void {
  const body = Buffer.from(
    JSON.stringify({ p: user.poolId, u: user.usernameKey, e: ctx.clock.now() + signUpNoteLifetimeMs }),
  ).toString("base64url");
  setCookie(request, reply, path, signUpCookie, `${body}.${sign(ctx, body)}`, signUpNoteLifetimeMs / 1000);
}

/** Whether this browser signed up `user` within the hour; the note is spent either way. */
export function takeSignUpNote(
  ctx: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  user: User,
): boolean {
  const value = cookiesOf(request).get(signUpCookie);
  if (!value) return false;
  setCookie(request, reply, path, signUpCookie, "", 0);
  const [body = "", signature = ""] = value.split(".");
  if (!equal(sign(ctx, body), signature)) return false;
  try {
    const note = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
      p?: unknown;
      u?: unknown;
      e?: unknown;
    };
    return (
      note.p === user.poolId && note.u === user.usernameKey && typeof note.e === "number" && note.e > ctx.clock.now()
    );
  } catch {
    return false;
  }
}
