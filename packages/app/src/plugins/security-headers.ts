/**
 * Security headers, computed once at start-up. helmet knows which headers to send and how to
 * spell a policy; @fastify/helmet, used before, rebuilt helmet's middleware for every request
 * and ran two hooks even on routes that skipped it (0.01–0.02 ms a request in bench:api). Our
 * policies are static, so helmet runs once here against a recording response and every request
 * gets the recorded set. A route picks another set with `config.securityHeaders` (the API's
 * JSON endpoints do).
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";
import type { IncomingMessage, ServerResponse } from "node:http";

export type SecurityHeaders = Readonly<Record<string, string>>;

declare module "fastify" {
  interface FastifyContextConfig {
    /** This route's security headers instead of the site's. */
    securityHeaders?: SecurityHeaders;
  }
}

/** The headers helmet's middleware sets for these options (which must not depend on the request). */
export function helmetHeaders(options: HelmetOptions): SecurityHeaders {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  // helmet's middleware is synchronous for static options; it throws on bad ones.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {
    finished = true;
  });
  if (!finished) throw new Error("helmet did not finish synchronously: a policy depends on the request");
  return Object.freeze(headers);
}

export interface SecurityHeadersOptions {
  /** What every route sends unless its config names another set. */
  readonly site: SecurityHeaders;
}

async function securityHeaders(app: FastifyInstance, { site }: SecurityHeadersOptions): Promise<void> {
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(request.routeOptions.config.securityHeaders ?? site);
    done();
  });
}

export default fp(securityHeaders, { name: "security-headers" });
