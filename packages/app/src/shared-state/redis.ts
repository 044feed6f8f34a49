/**
 * The Redis connection that several app nodes share (REDIS_URL): rate-limit counters and the
 * back office's lockout counters live there, so that a limit holds whichever node a request
 * reaches. https://github.com/redis/ioredis#connect-to-redis
 *
 * A counter that cannot be read must not let an attempt through (fail closed): commands never
 * wait in ioredis's offline queue while the server is away, and a server that stops answering is
 * given up on after a second, so a sign-in refused for want of Redis is a prompt 503, not a hang.
 */
import { Redis } from "ioredis";
import { createHash } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { RedisSettings } from "../config.ts";
import { HttpError } from "../http-error.ts";

/** Redis could not count: the request that needed the count is refused with 503. */
export class SharedStateUnavailable extends HttpError {
  readonly code = "SHARED_STATE_UNAVAILABLE";
  constructor(cause: unknown) {
    super(503, "Signing in is paused for a moment: the service that counts sign-in attempts is not answering.");
    this.cause = cause;
  }
}

export interface SharedRedis {
  readonly client: Redis;
  /** REDIS_KEY_PREFIX; every key this app writes starts with it. */
  readonly keyPrefix: string;
  /** Runs a Lua script atomically (EVALSHA, loading it on the first NOSCRIPT); Redis errors become `SharedStateUnavailable`. */
  run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** Whether the server answers PING within the command timeout. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

/** A script and its SHA-1, computed once. */
export const luaScript = (source: string): LuaScript => ({
  source,
  sha1: createHash("sha1").update(source).digest("hex"),
});

export interface RedisConnectOptions {
  /** How long a command may take before it fails; default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** How long to wait for the first connection before starting anyway; default 2000 ms. */
  readonly readyTimeoutMs?: number;
  readonly log?: FastifyBaseLogger;
}

/**
 * Connects to `settings.url` and waits (briefly) for the first connection. A server that is down
 * at start-up does not stop the app: /readyz reports it, counted requests get 503, and the client
 * keeps reconnecting.
 */
export async function connectRedis(settings: RedisSettings, options: RedisConnectOptions = {}): Promise<SharedRedis> {
  const commandTimeout = options.commandTimeoutMs ?? 1000;
  const client = new Redis(settings.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout,
    connectTimeout: 2000,
    // Keep trying, at most every 2 s: the server coming back should need no restart of ours.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
  });
  // Logged when the state changes, not on every reconnection attempt.
  let healthy = true;
  client.on("error", (error: Error) => {
    if (!healthy) return;
    healthy = false;
    options.log?.error({ err: error }, "Redis is not answering: counted requests (sign-in, rate limits) get 503");
  });
  client.on("ready", () => {
    if (healthy) return;
    healthy = true;
    options.log?.info("Redis answers again");
  });
  const readyTimeout = options.readyTimeoutMs ?? 2000;
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, readyTimeout).unref()),
  ]);

  return {
    client,
    keyPrefix: settings.keyPrefix,
    async run(script, keys, args) {
      try {
        try {
          return await client.evalsha(script.sha1, keys.length, ...keys, ...args);
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
          return await client.eval(script.source, keys.length, ...keys, ...args);
        }
      } catch (error) {
        throw new SharedStateUnavailable(error);
      }
    },
    async ping() {
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
