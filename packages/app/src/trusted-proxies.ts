/**
 * `TRUST_PROXY`: which peers may tell the app, through `X-Forwarded-For` and
 * `X-Forwarded-Proto`, who the client is and whether it came over HTTPS. Off by default: a
 * header anyone can send must not decide a per-address rate limit, so only the addresses of the
 * proxies in front of the app (or their networks) are believed. Values are what Fastify's
 * `trustProxy` (proxy-addr) takes: IPv4/IPv6 addresses, CIDR ranges, and the names `loopback`,
 * `linklocal` and `uniquelocal`.
 */
import { isIP } from "node:net";

export type TrustedProxies = readonly string[];

const rangeNames = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Why one entry is unusable, or null when proxy-addr accepts it. */
function entryProblem(entry: string): string | null {
  if (rangeNames.has(entry)) return null;
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address, a CIDR range or loopback`;
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `"${entry}" has a prefix length outside 0–${max}`;
  return null;
}

/**
 * The trusted proxies listed in `raw` (comma-separated), or the problems with the list. An
 * empty or unset value trusts nobody.
 *
 * @example
 *   parseTrustedProxies("10.0.0.0/8, loopback"); // { proxies: ["10.0.0.0/8", "loopback"], problems: [] }
 */
export function parseTrustedProxies(raw: string | undefined): { proxies: TrustedProxies; problems: string[] } {
  const entries = (raw ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const problems = entries.map(entryProblem).filter((p): p is string => p !== null);
  return { proxies: problems.length > 0 ? [] : entries, problems };
}

/** Fastify's `trustProxy` option for `proxies`: false (the socket's peer is the client) when empty. */
export const fastifyTrustProxy = (proxies: TrustedProxies): false | string[] =>
  proxies.length === 0 ? false : [...proxies];
