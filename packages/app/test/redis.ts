/**
 * The Redis server the shared-state tests use (TEST_REDIS_URL, else the local one on 6379), and a
 * key prefix of each test's own. Redis is required: when it cannot be reached the test fails with
 * how to start it; it is never skipped.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { RedisSettings } from "../src/config.ts";

export const testRedisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** An address where nothing listens: Redis "down" for the fail-closed tests. */
export const deadRedisUrl = "redis://127.0.0.1:1/0";

/** Settings with a fresh key prefix, after checking that the server answers. */
export async function testRedis(): Promise<RedisSettings & { readonly cleanup: () => Promise<void> }> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis is required for the shared-state tests and is not reachable at ${testRedisUrl} (${(error as Error).message}). ` +
        'Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") or set TEST_REDIS_URL.',
      { cause: error },
    );
  }
  const keyPrefix = `gatehouse-test:${randomBytes(6).toString("hex")}:`;
  return {
    url: testRedisUrl,
    keyPrefix,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await client.quit();
    },
  };
}
