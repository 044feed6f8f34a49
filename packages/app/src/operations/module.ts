/**
 * What operators and load balancers ask of a node (issue 12):
 * - `GET /healthz` — liveness: the process answers. Touches nothing else, so a database or
 *   Redis outage never makes an orchestrator restart healthy processes.
 * - `GET /readyz` — readiness: the database answers, Redis answers (when REDIS_URL is set) and the
 *   pool's signing keys are held (fetched again here if they are not). 200 or 503 with each
 *   check's result; checked at most once a second, whoever asks, so probing it costs nothing.
 *   A node that is shutting down answers 503 at once.
 * - `GET /metrics` — Prometheus text (metrics.ts). Readable with `Authorization: Bearer
 *   <METRICS_TOKEN>` from anywhere, else only by a client connected straight from loopback with
 *   no proxy headers (a proxy on the same host makes every visitor look local; docs/deploy.md).
 *
 * Also the hooks that feed the metrics: every answer, sign-in outcomes, 429s.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { sql } from "kysely";
import { createHash, timingSafeEqual } from "node:crypto";
import { createMetrics, signInOutcome, signInRoutes, type AppMetrics } from "./metrics.ts";

declare module "fastify" {
  interface FastifyInstance {
    readonly metrics: AppMetrics;
    /** Set when the node begins to shut down: /readyz then answers 503. */
    readonly lifecycle: { shuttingDown: boolean };
  }
}

export interface Readiness {
  readonly status: "ok" | "unavailable";
  readonly database: boolean;
  /** null when REDIS_URL is not set. */
  readonly redis: boolean | null;
  readonly jwks: boolean;
  readonly shuttingDown?: true;
}

const checkTimeoutMs = 2000;

/** `check` resolves true in time, else false. */
async function withinTimeout(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), checkTimeoutMs);
  });
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

const loopback = (address: string | undefined): boolean =>
  address !== undefined && (address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127."));

const proxyHeaders = ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"];

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Whether `request` may read /metrics (see the module's header). */
export function mayReadMetrics(request: FastifyRequest, token: string | null): boolean {
  if (token !== null) {
    const header = request.headers.authorization ?? "";
    const sent = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : "";
    return sent !== "" && timingSafeEqual(digest(sent), digest(token));
  }
  return loopback(request.socket.remoteAddress) && !proxyHeaders.some((name) => name in request.headers);
}

async function operations(app: FastifyInstance): Promise<void> {
  const metrics = createMetrics();
  const lifecycle = { shuttingDown: false };
  app.decorate("metrics", metrics);
  app.decorate("lifecycle", lifecycle);
  app.addHook("preClose", async () => {
    lifecycle.shuttingDown = true;
  });
  // Requests that were under way when the shutdown began are answered in full, and their
  // connection closed after the answer: kept alive, it would hold the shutdown up until the
  // keep-alive timeout (Fastify closes only the connections idle at that moment).
  app.addHook("onSend", (_request, reply, _payload, done) => {
    if (lifecycle.shuttingDown) reply.header("connection", "close");
    done();
  });

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.is404 ? "unmatched" : (request.routeOptions.url ?? "unmatched");
    const status = reply.statusCode;
    metrics.request(request.method, route, status, reply.elapsedTime / 1000);
    const site = request.method === "POST" ? signInRoutes[route] : undefined;
    if (site) {
      const location = reply.getHeader("location");
      metrics.signIn(site, signInOutcome(status, typeof location === "string" ? location : undefined));
    }
    done();
  });

  let lastCheck: { at: number; result: Promise<Readiness> } | null = null;
  const checkReadiness = async (): Promise<Readiness> => {
    const database = await withinTimeout(async () => {
      await sql`select 1`.execute(app.database.db);
      return true;
    });
    const redis = app.sharedRedis ? await withinTimeout(() => app.sharedRedis!.ping()) : null;
    const tokens = app.apiTokens;
    if (!tokens.keysLoaded) await withinTimeout(async () => (await tokens.loadKeys(), true));
    const jwks = tokens.keysLoaded;
    const ok = database && redis !== false && jwks;
    return { status: ok ? "ok" : "unavailable", database, redis, jwks };
  };

  // Probes and scrapers only: nothing here belongs in a session or a page.
  await app.register(async (probes) => {
    probes.get("/healthz", async (_request, reply) => reply.header("cache-control", "no-store").send({ status: "ok" }));

    probes.get("/readyz", async (_request, reply) => {
      reply.header("cache-control", "no-store");
      if (lifecycle.shuttingDown) {
        return reply.code(503).send({ status: "unavailable", shuttingDown: true });
      }
      const now = Date.now();
      if (!lastCheck || now - lastCheck.at >= 1000) lastCheck = { at: now, result: checkReadiness() };
      const result = await lastCheck.result;
      return reply.code(result.status === "ok" ? 200 : 503).send(result);
    });

    probes.get("/metrics", async (request, reply) => {
      reply.header("cache-control", "no-store");
      if (!mayReadMetrics(request, app.config.metrics.token)) {
        if (app.config.metrics.token !== null) reply.header("www-authenticate", 'Bearer realm="metrics"');
        return reply
          .code(app.config.metrics.token !== null ? 401 : 403)
          .type("text/plain; charset=utf-8")
          .send(
            app.config.metrics.token !== null
              ? "Send Authorization: Bearer <METRICS_TOKEN>.\n"
              : "Metrics are served to loopback clients only; set METRICS_TOKEN to read them from elsewhere.\n",
          );
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  });
}

export default fp(operations, { name: "operations" });
