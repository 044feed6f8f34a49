/**
 * The benchmark's floor: Fastify, at the app's version and with its production logger, answering
 * `GET /api/v1/me` with a constant record through a response schema — no token, no database,
 * no hooks. What any Fastify app pays per request before doing anything, measured in the same
 * run, so the report can say how much of the peer's time is left for the work itself.
 *
 * Usage: node --import tsx bench/api/floor-server.ts PORT
 */
import Fastify from "fastify";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: floor-server.ts PORT");
  process.exit(2);
}

const record = {
  id: "00000000-0000-4000-8000-000000000000",
  username: "floor",
  email: "floor@example.com",
  email_verified: true,
  given_name: null,
  family_name: null,
  is_active: true,
  is_staff: false,
  is_superuser: false,
  groups: [],
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
};
const nullableString = { anyOf: [{ type: "string" }, { type: "null" }] };
const schema = {
  type: "object",
  properties: {
    id: { type: "string" },
    username: { type: "string" },
    email: { type: "string" },
    email_verified: { type: "boolean" },
    given_name: nullableString,
    family_name: nullableString,
    is_active: { type: "boolean" },
    is_staff: { type: "boolean" },
    is_superuser: { type: "boolean" },
    groups: { type: "array", items: { type: "string" } },
    created_at: { type: "string" },
    updated_at: { type: "string" },
  },
} as const;

// As the app runs in production: JSON logs at info, its API routes at warn.
const app = Fastify({ logger: { level: "info" } });
app.get("/api/v1/me", { logLevel: "warn", schema: { response: { 200: schema } } }, async () => record);
await app.listen({ host: "127.0.0.1", port });
