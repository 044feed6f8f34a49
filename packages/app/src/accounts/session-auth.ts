/**
 * Who is signed in, from the server-side session: loads the local user on every request,
 * refreshes the Cognito access token shortly before it expires (ending the session when that
 * fails), and offers the helpers pages use to sign in, sign out, guard routes and flash
 * messages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { FlashLevel } from "../plugins/session-types.ts";
import type { CognitoGateway } from "./cognito.ts";
import { t, type MessageCode } from "./messages.ts";
import { CognitoFailure, profileFromIdToken } from "./cognito.ts";
import type { User, UserRepository } from "./users.ts";
import type { CognitoTokens } from "../plugins/session-types.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in, active local user, or null. */
    user: User | null;
  }
  interface FastifyInstance {
    readonly users: UserRepository;
    readonly cognitoGateway: CognitoGateway;
  }
}

/** Refresh when less than this is left, so a page never calls Cognito with a dying token. */
const refreshMarginMs = 5 * 60_000;

export function flash(
  request: FastifyRequest,
  level: FlashLevel,
  code: MessageCode,
  params: Readonly<Record<string, string | number>> = {},
): void {
  const current = request.session.get("flash") ?? [];
  request.session.set("flash", [...current, { level, text: t(code, params) }]);
}

/**
 * Same-site paths only: `next` never sends a person to another site. The path is checked after
 * the URL parser has resolved dot segments, so `/..//evil.example` (which resolves to
 * `//evil.example`, a scheme-relative URL to another host) is refused like `//evil.example`;
 * backslashes (which browsers read as slashes), encoded slashes and control characters are
 * refused before parsing.
 */
export function safeNext(next: unknown, fallback = "/dashboard"): string {
  if (typeof next !== "string" || next.length > 2048 || !next.startsWith("/")) return fallback;
  const path = next.split(/[?#]/u, 1)[0] ?? "";
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/u.test(next) || /%(?:2f|5c|00)/iu.test(path)) return fallback;
  let url: URL;
  try {
    url = new URL(next, "http://same.site");
  } catch {
    return fallback;
  }
  if (url.origin !== "http://same.site" || url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}`;
}

/**
 * Signs `user` in: a new session id (so a fixed or stolen pre-login id is worthless), the user
 * id and Cognito's tokens in the session, never in the cookie.
 */
export async function startSession(request: FastifyRequest, user: User, tokens: CognitoTokens): Promise<void> {
  const keep = request.session.get("flash");
  await request.session.regenerate();
  request.session.set("userId", user.id);
  request.session.set("cognito", tokens);
  if (keep) request.session.set("flash", keep);
  request.user = user;
}

/**
 * Ends the session: its row is deleted and a fresh, empty session (new id) takes its place, so
 * the response can still carry a flash message and a CSRF token.
 */
export async function endSession(request: FastifyRequest): Promise<void> {
  await request.session.regenerate();
  request.user = null;
}

/** preHandler for pages that need a signed-in user: others go to /login?next=… */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.user) return;
  // A session that just ended (a failed token refresh) already says why; one message is enough.
  if ((request.session.get("flash") ?? []).length === 0) flash(request, "info", "LOGIN_REQUIRED");
  const next = encodeURIComponent(safeNext(request.url, "/dashboard"));
  await reply.redirect(`/login?next=${next}`, 303);
}

/** The session's current Cognito tokens (refreshed by the hook when close to expiry). */
export function tokensOf(request: FastifyRequest): CognitoTokens | null {
  return request.session.get("cognito") ?? null;
}

export interface SessionAuthOptions {
  readonly users: UserRepository;
  readonly gateway: CognitoGateway;
  readonly now?: () => number;
}

async function sessionAuth(
  app: FastifyInstance,
  { users, gateway, now = Date.now }: SessionAuthOptions,
): Promise<void> {
  app.decorate("users", users);
  app.decorate("cognitoGateway", gateway);
  app.decorateRequest("user", null);

  async function loadUser(request: FastifyRequest, userId: string): Promise<void> {
    const user = await users.findById(userId);
    if (!user || !user.isActive) {
      await endSession(request);
      return;
    }
    const tokens = request.session.get("cognito");
    if (tokens && tokens.expiresAt - now() < refreshMarginMs) {
      try {
        const refreshed = await gateway.refresh(tokens.refreshToken, profileFromIdToken(tokens.idToken).username);
        request.session.set("cognito", refreshed);
      } catch (error) {
        // Cognito unreachable: keep the session while the current token is still valid, so an
        // outage does not sign everyone out; a refusal (revoked, disabled) ends it.
        const unavailable =
          error instanceof CognitoFailure &&
          (error.code === "SERVICE_UNAVAILABLE" || error.code === "TOO_MANY_REQUESTS");
        if (!(unavailable && tokens.expiresAt > now())) {
          request.log.info({ err: error }, "token refresh failed; ending the session");
          await endSession(request);
          flash(request, "warning", "SESSION_ENDED");
          return;
        }
        request.log.warn({ err: error }, "token refresh failed; Cognito unavailable, keeping the session for now");
      }
    }
    request.user = user;
  }

  // Callback-style: a request without a signed-in session (every Bearer API call) waits for
  // nothing here.
  app.addHook("preHandler", (request, _reply, done) => {
    const userId = request.session.get("userId");
    if (!userId) {
      done();
      return;
    }
    loadUser(request, userId).then(() => done(), done);
  });
}

export default fp(sessionAuth, { name: "session-auth", dependencies: ["sessions"] });
