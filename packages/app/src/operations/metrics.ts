/**
 * The app's Prometheus metrics (prom-client), one registry per app so that two apps in one
 * process (tests, benchmarks) count apart. https://github.com/siimon/prom-client
 *
 * - `gatehouse_http_requests_total{method,route,status}` and
 *   `gatehouse_http_request_duration_seconds{method,route}`: `route` is the route's pattern
 *   (`/api/v1/users/:id`), or `unmatched` for 404s, so that scanners cannot grow the label set;
 * - `gatehouse_sign_in_total{site,outcome}`: POSTs to `/login` and `/admin/login`, by what
 *   they answered (`signInOutcome`);
 * - `gatehouse_api_token_refusals_total{reason}`: Bearer tokens refused, by the verifier's code;
 * - `gatehouse_rate_limit_hits_total{route}`: requests answered 429 (rate limit or lockout);
 * - prom-client's default process metrics (`gatehouse_process_*`, `gatehouse_nodejs_*`).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

export type SignInSite = "site" | "backoffice";
export type SignInOutcome = "success" | "challenge" | "refused" | "limited" | "unavailable" | "error";

/** The sign-in forms whose answers are counted, by route pattern (POST only). */
export const signInRoutes: Readonly<Record<string, SignInSite>> = { "/login": "site", "/admin/login": "backoffice" };

/** Where a sign-in sends someone who has a step left (confirm, reset, new password, MFA). */
const nextStepPaths = ["/confirm", "/reset-password", "/new-password", "/login", "/admin/login"];

/** What a sign-in POST's answer says about it. */
export function signInOutcome(status: number, location: string | undefined): SignInOutcome {
  if (status === 303 || status === 302) {
    const path = (location ?? "").split("?")[0] ?? "";
    return nextStepPaths.some((step) => path === step || path.startsWith(`${step}/`)) ? "challenge" : "success";
  }
  if (status === 429) return "limited";
  if (status === 503) return "unavailable";
  if (status >= 400 && status < 500) return "refused";
  return "error";
}

export interface AppMetrics {
  readonly registry: Registry;
  request(method: string, route: string, status: number, seconds: number): void;
  signIn(site: SignInSite, outcome: SignInOutcome): void;
  tokenRefused(reason: string): void;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gatehouse_" });
  const requests = new Counter({
    name: "gatehouse_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "gatehouse_http_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by method and route pattern.",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const signIns = new Counter({
    name: "gatehouse_sign_in_total",
    help: "Sign-in attempts (POST /login, POST /admin/login), by site and outcome.",
    labelNames: ["site", "outcome"] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: "gatehouse_api_token_refusals_total",
    help: "API Bearer tokens refused, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "gatehouse_rate_limit_hits_total",
    help: "Requests refused with 429 (a rate limit or the back office's lockout), by route pattern.",
    labelNames: ["route"] as const,
    registers: [registry],
  });
  return {
    registry,
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
      if (status === 429) rateLimited.inc({ route });
    },
    signIn: (site, outcome) => signIns.inc({ site, outcome }),
    tokenRefused: (reason) => refusals.inc({ reason }),
  };
}
