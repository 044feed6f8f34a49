/**
 * Builds the web application from its modules, like Django's INSTALLED_APPS: shared services
 * (database, Cognito, sessions, CSRF, security headers, rate limits, error pages) are set up
 * once at the root; each module registers its own routes.
 */
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { VNode } from "preact";
import type { Config } from "./config.ts";
import type { AppDatabase } from "./db/database.ts";
import { HttpError } from "./http-error.ts";
import { isSafeMethod } from "./http-methods.ts";
import { ErrorPage } from "./pages/errors.tsx";
import { renderDocument, type ViewContext } from "./pages/view.ts";
import { DatabaseSessionStore } from "./plugins/session-store.ts";
import sessions from "./plugins/sessions.ts";
import securityHeaders, { helmetHeaders, securityHeadersByPath } from "./plugins/security-headers.ts";
import { clientErrorHandler, discardRefusedBody } from "./http-refusals.ts";
import { refuseUnstorableText } from "./unstorable-text.ts";
import sessionAuth from "./accounts/session-auth.ts";
import { cognitoGateway } from "./accounts/cognito.ts";
import { userRepository } from "./accounts/users.ts";
import { hostedFormTargets } from "./accounts/routes/hosted-sign-in.ts";
import { viewContextForBareRequest, viewContextOf } from "./pages/view-context.ts";
import homeRoutes from "./pages/home.tsx";
import accountsModule from "./accounts/module.ts";
import apiModule, { apiSecurityHeaders } from "./api/index.ts";
import { isHeaderAuthenticatedApiRequest } from "./api/authentication.ts";
import { fastifyTrustProxy } from "./trusted-proxies.ts";
import { countLockoutsInRedis } from "./backoffice/lockout.ts";
import { connectRedis, type SharedRedis } from "./shared-state/redis.ts";
import { redisRateLimitStore } from "./shared-state/rate-limit-store.ts";
import operations from "./operations/module.ts";
import "./plugins/session-types.ts";

export interface AppDependencies {
  readonly config: Config;
  readonly database: AppDatabase;
  readonly cognito: CognitoIdentityProviderClient;
  readonly logger?: boolean;
  /** JSON log lines go here instead of stdout (tests read them); implies `logger`. */
  readonly logStream?: { write(line: string): void };
}

declare module "fastify" {
  interface FastifyInstance {
    readonly config: Config;
    readonly database: AppDatabase;
    readonly cognito: CognitoIdentityProviderClient;
    /** The Redis that REDIS_URL names, shared by every node; null when counting in this process. */
    readonly sharedRedis: SharedRedis | null;
  }
  interface FastifyReply {
    /** Everything the layout needs; pages add their own props. */
    viewContext(): ViewContext;
    /** Sends a rendered page (HTML, with the status already set). */
    page(page: VNode): FastifyReply;
  }
}

const sessionTtlMs = 14 * 24 * 3600_000;
const staticDir = join(dirname(fileURLToPath(import.meta.url)), "..", "static");
const bootstrapDir = join(dirname(createRequire(import.meta.url).resolve("bootstrap/package.json")), "dist");
// ALTCHA's widget without inline styles (its stylesheet apart), so the site's CSP holds.
const altchaDir = dirname(createRequire(import.meta.url).resolve("altcha/worker"));

/**
 * A request id per request, in every log line of it (`reqId`) and in the `X-Request-Id` answer
 * header. One sent by the proxy in front is kept when it looks like an id, so that its access log
 * and ours can be joined; anything else is replaced by a fresh UUID.
 */
function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const sent = request.headers["x-request-id"];
  return typeof sent === "string" && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

/** Unsafe requests must come from our own pages: a cross-site Origin or fetch is refused. */
function assertSameOrigin(request: FastifyRequest, publicOrigin: string): void {
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site") throw new HttpError(403, "Cross-site request refused.");
  const origin = request.headers.origin;
  if (origin && origin !== "null" && origin !== publicOrigin) throw new HttpError(403, "Cross-origin request refused.");
}

export async function buildApp({
  config,
  database,
  cognito,
  logger = false,
  logStream,
}: AppDependencies): Promise<FastifyInstance> {
  const secure = config.publicUrl.protocol === "https:";
  const site = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'", ...hostedFormTargets(config)],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: secure ? [] : null,
      },
    },
    strictTransportSecurity: secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  const headerSets = {
    site,
    byPrefix: [
      // Swagger UI is a page (its plugin sets that path's own CSP); the rest of /api is JSON.
      { prefix: "/api/docs", headers: site },
      { prefix: "/api/", headers: apiSecurityHeaders(secure) },
    ],
  };
  const securityHeadersFor = securityHeadersByPath(headerSets);
  const timeouts = config.http;

  const app = Fastify({
    // JSON lines in production (for log shippers), one readable line per event in development.
    logger: logStream
      ? { level: "info", stream: logStream }
      : logger
        ? config.mode === "production"
          ? { level: "info" }
          : {
              level: "info",
              transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" } },
            }
        : false,
    genReqId: requestIdOf,
    bodyLimit: 64 * 1024,
    trustProxy: fastifyTrustProxy(config.trustedProxies),
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // No socket inactivity timeout (connectionTimeout): it would also cut an answer that waits
    // on Cognito. The request timeout bounds a slow sender, the keep-alive one an idle client.
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node looks for overdue requests this often (30 s by default, which would let a 10 s
      // limit run to 40 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, timeouts.headersMs / 4)),
    },
    clientErrorHandler: clientErrorHandler(site),
    // Errors the router raises before any handler (a bad %-encoding, an over-long parameter):
    // DRF's JSON under /api, the styled page elsewhere — never Fastify's own body.
    frameworkErrors: (error, request, generic) => {
      // Typed for no route in particular; the plain reply type is what we use.
      const reply = generic as unknown as FastifyReply;
      // Before any hook: the security-headers plugin has not run for this request.
      reply.headers(securityHeadersFor(request.url));
      const status =
        typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 400;
      if (request.url.startsWith("/api/")) return reply.code(status).send({ detail: "Malformed request." });
      return reply
        .code(status)
        .type("text/html; charset=utf-8")
        .send(renderDocument(<ErrorPage ctx={viewContextForBareRequest(config, request.url)} status={400} />));
    },
  });
  app.decorate("config", config);
  app.decorate("database", database);
  app.decorate("cognito", cognito);
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });

  // Shared state (issue 12): with REDIS_URL, rate limits and the back office's lockout count in
  // Redis, so that they hold across nodes; without it, in this process as before.
  const sharedRedis = config.redis ? await connectRedis(config.redis, { log: app.log }) : null;
  app.decorate("sharedRedis", sharedRedis);
  if (sharedRedis) {
    countLockoutsInRedis(database.db, sharedRedis);
    app.addHook("onClose", async () => sharedRedis.close());
  }

  await app.register(securityHeaders, headerSets);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.addHook("preValidation", refuseUnstorableText);
  await app.register(cookie);
  await app.register(sessions, {
    secret: [config.sessionSecret, ...config.previousSessionSecrets],
    cookieName: secure ? "__Host-gatehouse" : "gatehouse",
    store: new DatabaseSessionStore(database.db),
    ttlMs: sessionTtlMs,
    secure,
  });
  // Its "secure-session" mode keeps the secret through `session.get`/`set`, which ours offer.
  await app.register(csrf, { sessionPlugin: "@fastify/secure-session" });
  await app.register(rateLimit, {
    global: false,
    ...(sharedRedis ? { store: redisRateLimitStore(sharedRedis) } : {}),
  });
  await app.register(fastifyStatic, { root: staticDir, prefix: "/static/", decorateReply: false, maxAge: "1h" });
  await app.register(fastifyStatic, {
    root: bootstrapDir,
    prefix: "/static/bootstrap/",
    decorateReply: false,
    maxAge: "1d",
  });
  await app.register(fastifyStatic, {
    root: altchaDir,
    prefix: "/static/altcha/",
    decorateReply: false,
    maxAge: "1d",
  });

  const publicOrigin = config.publicUrl.origin;
  app.addHook("onRequest", (request, _reply, done) => {
    // API calls authenticated by their Authorization header carry no ambient credential.
    if (isSafeMethod(request.method) || isHeaderAuthenticatedApiRequest(request)) return done();
    let refusal: Error | undefined;
    try {
      assertSameOrigin(request, publicOrigin);
    } catch (error) {
      refusal = error as Error;
    }
    done(refusal);
  });

  await app.register(sessionAuth, {
    users: userRepository(database.db),
    gateway: cognitoGateway(cognito, config.cognito),
  });

  app.decorateReply("viewContext", function (this: FastifyReply): ViewContext {
    return viewContextOf(this.request, this);
  });
  app.decorateReply("page", function (this: FastifyReply, page: VNode): FastifyReply {
    return this.type("text/html; charset=utf-8").send(renderDocument(page));
  });

  // Set before the modules are registered: each plugin context keeps the handler it was
  // registered under, so one set afterwards would never see the modules' errors.
  app.setErrorHandler(async (error: unknown, request, reply) => {
    const candidate = (error as { statusCode?: unknown }).statusCode;
    const status = typeof candidate === "number" && candidate >= 400 && candidate < 600 ? candidate : 500;
    const code = (error as { code?: unknown }).code;
    // A missing or wrong CSRF token is a forbidden request, not a client-syntax error.
    const shown = typeof code === "string" && code.startsWith("FST_CSRF") ? 403 : status;
    if (shown === 413) await discardRefusedBody(request, reply);
    if (shown >= 500) request.log.error({ err: error }, "request failed");
    const detail =
      config.mode === "development" && shown >= 500 && error instanceof Error
        ? (error.stack ?? error.message)
        : undefined;
    // What was wrong with a bad request is for the person to fix (other refusals' texts say
    // enough); a 503 of ours says what is unavailable.
    const message = error instanceof HttpError && (shown === 400 || shown === 503) ? error.message : undefined;
    return reply
      .code(shown)
      .page(<ErrorPage ctx={reply.viewContext()} status={shown} message={message} detail={detail} />);
  });
  await app.register(operations);
  await app.register(homeRoutes);
  await app.register(accountsModule);
  await app.register(import("./backoffice/module.ts"));
  await app.register(apiModule);

  app.setNotFoundHandler(
    { preHandler: app.rateLimit({ max: 60, timeWindow: "1 minute", groupId: "site.not-found" }) },
    async (_request, reply) => reply.code(404).page(<ErrorPage ctx={reply.viewContext()} status={404} />),
  );

  return app;
}
