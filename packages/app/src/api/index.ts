/**
 * The REST API (issue 4), mounted at `/api` like a DRF app: JSON only, TypeBox schemas on
 * every route, OpenAPI 3.1 at `/api/openapi.json` and Swagger UI at `/api/docs`.
 *
 * Everything under `/api` runs in one encapsulated context whose hooks, in order:
 * 1. authenticate: the `Authorization` header if there is one (authentication.ts), else the
 *    browser's session — before the body is read, so an anonymous caller gets 401, not 400;
 * 2. check CSRF for session-authenticated unsafe requests (DRF's SessionAuthentication);
 * 3. authorise: the route's declared `config.permission` (permissions.ts), by a hook every route
 *    gets when it is registered; none declared is 403. A machine client's token (issue 10) gets
 *    in only where the permission names one of its scopes, and the OpenAPI document says so:
 *    those routes list the OAuth 2.0 clientCredentials scheme with the scopes they need.
 * Its own error handler answers DRF's `{"detail": ...}` (errors.ts), its not-found handler 404
 * or 405 with `Allow`.
 *
 * The plugin itself is a `fastify-plugin` so that the root can see `apiRoutes` (the route table
 * the deny-by-default test walks) and `apiTokens` (the verifier, for health and benchmarks).
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler, RouteOptions } from "fastify";
import { cognitoIssuer } from "../config.ts";
import type { Db } from "../db/database.ts";
import fp from "fastify-plugin";
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from "./access-tokens.ts";
import { bearerAuthentication, hasAuthorizationHeader } from "./authentication.ts";
import { ApiError, createApiErrorHandler, notFound, permissionDenied } from "./errors.ts";
import { publicAccess, type Permission } from "./permissions.ts";
import { apiUserQueries } from "./queries.ts";
import { discoverTokenEndpoint } from "./token-endpoint.ts";
import type { SecurityHeaders } from "../plugins/security-headers.ts";
import { isSafeMethod } from "../http-methods.ts";
import healthRoutes from "./routes/health.ts";
import meRoutes from "./routes/me.ts";
import usersRoutes from "./routes/users.ts";

export interface ApiRoute {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission | undefined;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route under `/api` with the permission it declares (complete after `ready()`). */
    readonly apiRoutes: readonly ApiRoute[];
    /** The Bearer-token verifier: key set and cache state. */
    readonly apiTokens: AccessTokenVerifier;
  }
}

export interface ApiOptions {
  /**
   * More route plugins, mounted at `/api/test`: only tests use this, to prove what happens to
   * a route that declares no permission.
   */
  readonly extraRoutes?: readonly FastifyPluginAsync[];
  readonly verifier?: Partial<Omit<AccessTokenVerifierOptions, "endpoint">>;
}

/**
 * The docs page runs Swagger UI: its own scripts only (no inline script, no eval), but React
 * sets `style` attributes, which the site's `style-src 'self'` forbids. This path alone allows
 * inline styles; scripts stay `'self'`.
 */
function docsContentSecurityPolicy(https: boolean): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * The security headers of the API's JSON answers (every path under `/api/` but the docs page):
 * they load nothing, so a stricter set than the site's.
 */
export function apiSecurityHeaders(https: boolean): SecurityHeaders {
  return {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** `/api/v1/users/:id` → a regular expression for concrete paths, for 405s. */
const patternOf = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split("/")
      .map((segment) =>
        segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}$`,
  );

/** The hooks made by `authorizationHook`, so that a route gets one only. */
const authorizationHooks = new WeakSet<object>();

/**
 * Checks `route.config.permission` (read at request time: plugins such as the docs' set it
 * in their own onRoute hooks, after ours). No permission declared is 403, whoever calls.
 */
function authorizationHook(route: RouteOptions, db: Db): onRequestHookHandler {
  const hook: onRequestHookHandler = (request, reply, done) => {
    const permission = route.config?.permission;
    if (!permission) return done(permissionDenied());
    const credentials = request.apiCredentials;
    const decide = (allowed: boolean) => {
      if (!allowed) return done(credentials ? permissionDenied() : new ApiError(401, "NOT_AUTHENTICATED"));
      // Someone's own data: no shared cache may keep it.
      if (!permission.isPublic) reply.header("cache-control", "no-store");
      done();
    };
    try {
      // A machine is asked as nobody, with its token's scopes (permissions.ts).
      const user = credentials !== null && credentials.via !== "machine" ? credentials.user : null;
      const scopes = credentials?.via === "machine" ? credentials.token.scopes : null;
      // Callback-style: most permissions answer at once, with nothing to wait for.
      const allowed = permission.allows(user, db, scopes);
      if (typeof allowed === "boolean") decide(allowed);
      else allowed.then(decide, done);
    } catch (error) {
      done(error as Error);
    }
  };
  authorizationHooks.add(hook);
  return hook;
}

const methodsOf = (route: RouteOptions): string[] => (Array.isArray(route.method) ? route.method : [route.method]);

interface ContextOptions {
  readonly verifier: AccessTokenVerifier;
  /** The pool's token endpoint when machine clients are configured and it was found; else null. */
  readonly tokenUrl: string | null;
  readonly routes: RouteOptions[];
  readonly extraRoutes: readonly FastifyPluginAsync[];
}

/** Routes anyone may call: the OpenAPI document and the docs page (whose routes a plugin makes). */
async function publicDocs(app: FastifyInstance): Promise<void> {
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, permission: publicAccess };
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // The page links its assets from here; without it they would point at /docs/static.
    indexPrefix: "/api",
    staticCSP: docsContentSecurityPolicy(app.config.publicUrl.protocol === "https:"),
    uiConfig: { deepLinking: true, persistAuthorization: false },
  });
}

/** OpenAPI's OAuth 2.0 security scheme with the one flow machine clients use. */
interface ClientCredentialsScheme {
  readonly type: "oauth2";
  readonly description: string;
  readonly flows: {
    readonly clientCredentials: { readonly tokenUrl: string; readonly scopes: Record<string, string> };
  };
}

/** The OpenAPI name of the machine clients' security scheme. */
const machineScheme = "machineClient";

/** How people authenticate: every operation but the public ones. */
const peopleSecurity = (): Record<string, string[]>[] => [{ bearerAuth: [] }, { sessionCookie: [] }];

/** Every scope a route's permission may name (`hasScope`), described for the OpenAPI document. */
export const machineScopes: Readonly<Record<string, string>> = {
  "gatehouse/users.read": "Read the user list and any one user (`GET /api/v1/users`, `/api/v1/users/{id}`).",
};

async function apiContext(
  app: FastifyInstance,
  { verifier, tokenUrl, routes, extraRoutes }: ContextOptions,
): Promise<void> {
  const settings = app.config.api;
  const db = app.database.db;
  const queries = apiUserQueries(app.database, app.config.database, app.log);
  app.addHook("onClose", async () => queries.close());
  const bearer = bearerAuthentication({
    settings,
    verifier,
    users: app.users,
    queries,
    gateway: app.cognitoGateway,
    cognito: app.cognito,
    userPoolId: app.config.cognito.userPoolId,
    onRefused: (reason) => app.metrics.tokenRefused(reason),
  });

  app.setErrorHandler(createApiErrorHandler(settings.headerPrefix));
  // TypeBox's own checker reports every problem at once (Ajv as configured stops at the first),
  // so a client sees all its field errors in one answer, as DRF gives them.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // JSON only (DRF's JSONParser): forms and plain text are refused with 415.
  app.removeContentTypeParser(["application/x-www-form-urlencoded", "text/plain"]);
  app.addHook("onRoute", (route) => {
    routes.push(route);
    // Deny by default, bound to each route as it is registered: a route-level hook runs after
    // the context's (authentication, CSRF) and reads the route's own options, not the
    // per-request copy `request.routeOptions` builds. A HEAD route made from a GET comes
    // with the GET's hook already in place.
    const hooks =
      route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    if (!hooks.some((hook) => authorizationHooks.has(hook))) route.onRequest = [authorizationHook(route, db), ...hooks];
    // A route a machine may call says so, with the scopes it needs (the rest inherit the
    // document's people-only security).
    const scopes = route.config?.permission?.scopes ?? [];
    if (tokenUrl !== null && scopes.length > 0 && route.schema && route.schema.security === undefined) {
      route.schema = { ...route.schema, security: [...peopleSecurity(), { [machineScheme]: [...scopes] }] };
    }
  });

  const secure = app.config.publicUrl.protocol === "https:";
  const machineClients: Record<string, ClientCredentialsScheme> =
    tokenUrl === null
      ? {}
      : {
          [machineScheme]: {
            type: "oauth2",
            description:
              "A machine client's access token from Cognito's token endpoint (grant_type=client_credentials, " +
              "the client's id and secret by HTTP Basic), sent as `Authorization: Bearer <token>`. " +
              "Accepted only on the operations that list this scheme, with the scope they name.",
            flows: { clientCredentials: { tokenUrl, scopes: { ...machineScopes } } },
          },
        };
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Gatehouse API",
        version: "1.0.0",
        description:
          "Authenticate with a Cognito access token (`Authorization: Bearer <token>`) or, from the site's own pages, " +
          "the session cookie (unsafe methods then need the `X-CSRF-Token` header). Machine clients (OAuth 2.0 " +
          "client_credentials) may call only the operations that list the `machineClient` scheme. " +
          'Errors are `{"detail": "..."}`, ' +
          'or messages per field for 400s: `{"given_name": ["..."]}`.',
      },
      servers: [{ url: app.config.publicUrl.origin }],
      components: {
        securitySchemes: {
          bearerAuth:
            settings.headerPrefix.toLowerCase() === "bearer"
              ? { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A Cognito access token." }
              : {
                  type: "apiKey",
                  in: "header",
                  name: "Authorization",
                  description: `\`${settings.headerPrefix} <Cognito access token>\``,
                },
          sessionCookie: { type: "apiKey", in: "cookie", name: secure ? "__Host-gatehouse" : "gatehouse" },
          ...machineClients,
        },
      },
      security: peopleSecurity(),
    },
  });

  app.addHook("onRequest", async (request) => {
    if (request.is404) return;
    if (hasAuthorizationHeader(request)) {
      request.apiCredentials = await bearer.authenticate(request.headers.authorization ?? "", request.log);
      return;
    }
    const permission = request.routeOptions.config.permission;
    if (!permission || permission.isPublic) return;
    const userId = request.session.get("userId");
    if (!userId) return;
    const user = await app.users.findById(userId);
    if (user?.isActive) request.apiCredentials = { via: "session", user };
  });

  app.addHook("onRequest", (request, reply, done) => {
    if (request.apiCredentials?.via === "session" && !isSafeMethod(request.method)) {
      app.csrfProtection(request, reply, done);
      return;
    }
    done();
  });

  app.addHook("preHandler", (request, _reply, done) => {
    const credentials = request.apiCredentials;
    if (credentials?.via !== "session") return done();
    // The site's session hook ran in between: it may have ended the session (its Cognito token
    // could not be refreshed) or read a newer row.
    if (!request.user || request.user.id !== credentials.user.id) return done(new ApiError(401, "NOT_AUTHENTICATED"));
    request.apiCredentials = { via: "session", user: request.user };
    done();
  });

  await app.register(publicDocs);
  await app.register(
    async (v1) => {
      await v1.register(meRoutes);
      await v1.register(usersRoutes);
      await v1.register(healthRoutes, { verifier });
    },
    // Per-request log lines only when asked for: they are two synchronous writes each, the
    // largest single cost of a cached request in bench:api's profiles (~18 %).
    { prefix: "/v1", ...(app.config.api.logRequests ? {} : { logLevel: "warn" as const }) },
  );
  for (const extra of extraRoutes) await app.register(extra, { prefix: "/test" });

  let patterns: { pattern: RegExp; methods: string[] }[] | null = null;
  app.setNotFoundHandler(
    { preHandler: app.rateLimit({ max: 60, timeWindow: "1 minute", groupId: "api.not-found" }) },
    async (request) => {
      patterns ??= routes.map((route) => ({ pattern: patternOf(route.url), methods: methodsOf(route) }));
      const path = request.url.split("?")[0] ?? "";
      const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).flatMap((p) => p.methods))].sort();
      // A route that takes this method but found nothing (a missing docs asset) is a plain 404.
      if (allowed.length > 0 && !allowed.includes(request.method)) {
        throw new ApiError(405, "METHOD_NOT_ALLOWED", {
          params: { method: request.method.slice(0, 20) },
          headers: { allow: allowed.join(", ") },
        });
      }
      throw notFound();
    },
  );
}

async function api(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const verifier = createAccessTokenVerifier(app.config.api, {
    endpoint: app.config.cognito.endpoint,
    ...options.verifier,
  });
  // Like the seeds, the key set is read at start-up; if Cognito cannot be reached the site
  // still starts, tokens are refused with 503 and /api/v1/health says why and tries again.
  // Machine clients' token endpoint, for the OpenAPI document only (their tokens are verified
  // like any other): looked up alongside the keys, and only when machine clients are configured.
  const [keys, tokenEndpoint] = await Promise.allSettled([
    verifier.loadKeys(),
    app.config.api.machineClientIds.length > 0
      ? discoverTokenEndpoint(cognitoIssuer(app.config.cognito), app.config.cognito.endpoint)
      : Promise.resolve(null),
  ]);
  if (keys.status === "rejected") {
    app.log.error(
      { err: keys.reason, jwksUrl: app.config.api.jwksUrl },
      "could not load the user pool's signing keys; API tokens are refused until they load",
    );
  }
  if (tokenEndpoint.status === "rejected") {
    app.log.warn(
      { err: tokenEndpoint.reason },
      "could not find the pool's token endpoint; the OpenAPI document leaves the machine clients' scheme out",
    );
  }
  const tokenUrl = tokenEndpoint.status === "fulfilled" ? tokenEndpoint.value : null;
  app.addHook("onClose", async () => verifier.close());

  const routes: RouteOptions[] = [];
  app.decorate("apiRoutes", {
    getter: (): readonly ApiRoute[] =>
      routes.flatMap((route) =>
        methodsOf(route).map((method) => ({ method, url: route.url, permission: route.config?.permission })),
      ),
  });
  app.decorate("apiTokens", verifier);
  app.decorateRequest("apiCredentials", null);
  await app.register(apiContext, {
    prefix: "/api",
    verifier,
    tokenUrl,
    routes,
    extraRoutes: options.extraRoutes ?? [],
  });
}

export default fp(api, { name: "api", dependencies: ["session-auth"] });
