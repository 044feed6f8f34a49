/**
 * `/api/v1/health`: public, for load balancers and uptime checks — the database answers and the
 * pool's key set is held. 200 when both hold, 503 otherwise; rate-limited per address because
 * every call touches the database.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { Type } from "typebox";
import type { AccessTokenVerifier } from "../access-tokens.ts";
import { publicAccess } from "../permissions.ts";
import { errorResponses } from "../schemas.ts";

const Health = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
  database: Type.Boolean({ description: "The database answered a query." }),
  jwks: Type.Boolean({ description: "The user pool's signing keys are loaded." }),
});

const healthRoutes: FastifyPluginAsyncTypebox<{ verifier: AccessTokenVerifier }> = async (app, { verifier }) => {
  app.get(
    "/health",
    {
      config: { permission: publicAccess, rateLimit: { max: 120, timeWindow: "1 minute" } },
      schema: {
        summary: "Whether the API can serve requests",
        tags: ["health"],
        security: [],
        response: { 200: Health, 503: Health, ...errorResponses(401, 429) },
      },
    },
    async (request, reply) => {
      let database = true;
      try {
        await sql`select 1`.execute(app.database.db);
      } catch (error) {
        request.log.error({ err: error }, "health: the database did not answer");
        database = false;
      }
      // A key set that could not be had at start-up is tried again here (at most once per
      // interval: the fetcher holds back), so the API recovers without a restart.
      if (!verifier.keysLoaded) await verifier.loadKeys().catch(() => undefined);
      const ok = database && verifier.keysLoaded;
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? "ok" : "unavailable", database, jwks: verifier.keysLoaded });
    },
  );
};

export default healthRoutes;
