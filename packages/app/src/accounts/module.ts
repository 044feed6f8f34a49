/**
 * The accounts module (Django's `accounts` app): registration, confirmation, sign-in and
 * recovery pages, the dashboard and the account page. Each route file is a Fastify plugin.
 */
import type { FastifyInstance } from "fastify";

export default async function accountsModule(_app: FastifyInstance): Promise<void> {
  // Route files register themselves here, one line each.
}
