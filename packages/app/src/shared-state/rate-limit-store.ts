/**
 * @fastify/rate-limit's counters in Redis, so that a limit counts every node's requests.
 * https://github.com/fastify/fastify-rate-limit#custom-store
 *
 * Why not the plugin's own `redis` option: its store names a limiter's keys after the route it
 * is attached to, and limiters made with `app.rateLimit()` or `createRateLimit()` (our sign-in
 * and 404 limits) have none, so they would all share one counter per address. Here each limiter
 * gets a name of its own: its route, else its `groupId`, else the order in which it was made
 * (the same on every node running the same code).
 *
 * A Redis error fails the count, and the request with it (`SharedStateUnavailable`, 503).
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import { luaScript, type SharedRedis } from "./redis.ts";

// INCR, with the window set by the first request (and again if the key lost its TTL).
const increment = luaScript(`
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`);

const read = luaScript(`
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}
`);

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface ChildParams {
  readonly routeInfo?: { readonly method?: unknown; readonly url?: unknown };
  readonly groupId?: unknown;
}

const asCount = (value: unknown): { current: number; ttl: number } => {
  const [current, ttl] = Array.isArray(value) ? value : [];
  return { current: Number(current ?? 0), ttl: Number(ttl ?? 0) };
};

/** A store class for `@fastify/rate-limit`'s `store` option, counting in `redis`. */
export function redisRateLimitStore(redis: SharedRedis): FastifyRateLimitStoreCtor {
  let unnamed = 0;

  class RedisRateLimitStore implements FastifyRateLimitStore {
    readonly #prefix: string;

    constructor(_options: FastifyRateLimitOptions, prefix = `${redis.keyPrefix}rl:`) {
      this.#prefix = prefix;
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      redis.run(increment, [this.#prefix + key], [Math.max(1, Math.trunc(timeWindow))]).then(
        (result) => callback(null, asCount(result)),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: Callback): void {
      redis.run(read, [this.#prefix + key], []).then(
        (result) => callback(null, asCount(result)),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore["child"]>[0]): FastifyRateLimitStore {
      const params = routeOptions as unknown as ChildParams;
      const route = params.routeInfo;
      const name =
        typeof route?.url === "string" && route.url !== ""
          ? `${String(route.method)}${route.url}`
          : typeof params.groupId === "string"
            ? params.groupId
            : `limiter-${++unnamed}`;
      return new RedisRateLimitStore({}, `${redis.keyPrefix}rl:${name}:`);
    }
  }

  return RedisRateLimitStore;
}
