/**
 * Security headers, computed once at start-up. helmet knows which headers to send and how to
 * spell a policy; @fastify/helmet, used before, rebuilt helmet's middleware for every request
 * and ran two hooks even on routes that skipped it (0.01–0.02 ms a request in bench:api). Our
 * policies are static, so helmet runs once here against a recording response and every request
 * gets the recorded set. Paths under a given prefix may get another set (the API's JSON
 * endpoints do), chosen by the URL: `request.routeOptions` builds a new object on every access,
 * which cost more than the headers themselves.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";
import type { IncomingMessage, ServerResponse } from "node:http";

export type SecurityHeaders = Readonly<Record<string, string>>;

/** The headers helmet's middleware sets for these options (which must not depend on the request). */
export function helmetHeaders(options: HelmetOptions): SecurityHeaders {
  // helmet calls a directive given as a function with each request (nonces); computed once,
  // it would give every response the same value.
  const policy = options.contentSecurityPolicy;
  const directives = typeof policy === "object" ? Object.entries(policy.directives ?? {}) : [];
  for (const [name, value] of directives) {
    if (typeof value === "function" || (Array.isArray(value) && value.some((v) => typeof v === "function"))) {
      throw new Error(`security headers are computed once: the CSP directive ${name} must not depend on the request`);
    }
  }
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
  /** What every response carries unless its path is under one of `byPrefix`. */
  readonly site: SecurityHeaders;
  /** Other sets for paths that start with these prefixes (the first that matches). */
  readonly byPrefix?: readonly { readonly prefix: string; readonly headers: SecurityHeaders }[];
}

/**
 * The set for a request's URL: the first matching prefix's, else the site's. For the answers
 * given before any hook runs (the router's `frameworkErrors`), which must carry them too.
 */
export function securityHeadersByPath({
  site,
  byPrefix = [],
}: SecurityHeadersOptions): (url: string) => SecurityHeaders {
  return (url) => byPrefix.find(({ prefix }) => url.startsWith(prefix))?.headers ?? site;
}

async function securityHeaders(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const headersFor = securityHeadersByPath(options);
  // Set when the request arrives, so that every answer, errors and 404s included, has them.
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(headersFor(request.url));
    done();
  });
}

export default fp(securityHeaders, { name: "security-headers" });
