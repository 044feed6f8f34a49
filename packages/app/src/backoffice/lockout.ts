/**
 * Lockout of the back office's local sign-in: after `maxFailures` wrong passwords for one
 * username within `windowMs`, that username is locked for `lockMs` — whatever the password and
 * whether or not the user exists (so the lock says nothing about who has an account). A right
 * password clears the count. Every attempt counts from the moment it starts, and is forgotten
 * only when its password proves right, so parallel attempts cannot slip past the count while
 * their passwords are being hashed. The per-address rate limit on the route stops one client trying
 * many names; this stops many clients trying one name.
 *
 * Counted in the database by default, or in Redis when REDIS_URL is set (issue 12), with the
 * same rules in one Lua script, so that an attempt is counted and judged in one atomic step there
 * too. Redis unreachable: the attempt is refused (503) before any password is checked.
 */
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { asDate, type NullableTimestamp, type Timestamp } from "../db/schema.ts";
import { luaScript, type SharedRedis } from "../shared-state/redis.ts";

export interface LoginFailuresTable {
  username_key: string;
  failures: number;
  first_failed_at: Timestamp;
  locked_until: NullableTimestamp;
}

export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export const lockoutPolicy: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** What the lockout says of an attempt about to check a password. */
export type AttemptVerdict = { readonly allowed: true } | { readonly allowed: false; readonly lockedUntil: Date };

export interface Lockout {
  /**
   * Counts an attempt before its password is checked, in one statement, so that a burst of
   * simultaneous attempts is limited exactly as a sequence is: the sixth of a hundred parallel
   * tries is refused whatever its password, as the sixth of a hundred one-by-one tries is.
   */
  beginAttempt(username: string): Promise<AttemptVerdict>;
  /** The attempt's password was wrong: the lock this starts or continues, if any. */
  failed(username: string): Promise<Date | null>;
  /** A successful sign-in forgets the attempts. */
  clear(username: string): Promise<void>;
}

const keyOf = (username: string): string => username.trim().toLowerCase().slice(0, 254);

/**
 * The Redis server each database's lockout counts in. The sign-in route builds its lockout from
 * the database it is given (`loginLockout(app.database.db)`); where the counters live is decided
 * once, by buildApp, for the whole app.
 */
const sharedCounters = new WeakMap<Db, SharedRedis>();

/** From now on, `loginLockout(db)` counts in `redis` (buildApp calls this when REDIS_URL is set). */
export function countLockoutsInRedis(db: Db, redis: SharedRedis): void {
  sharedCounters.set(db, redis);
}

export function loginLockout(db: Db, policy: LockoutPolicy = lockoutPolicy, now: () => number = Date.now): Lockout {
  const redis = sharedCounters.get(db);
  if (redis) return redisLockout(redis, policy, now);
  // The table is the back office's own (migration 0002), so it is typed here, not in the shared schema.
  const table = db.withTables<{ backoffice_login_failures: LoginFailuresTable }>();
  const column = (name: keyof LoginFailuresTable) => sql.ref(`backoffice_login_failures.${name}`);

  /** Locks `key` from `at` unless a lock is already running; returns the lock's end. */
  const lock = async (key: string, at: number): Promise<Date> => {
    const until = new Date(at + policy.lockMs).toISOString();
    const current = new Date(at).toISOString();
    const row = await table
      .updateTable("backoffice_login_failures")
      .set({
        locked_until: sql<string>`case when ${column("locked_until")} is not null and ${column("locked_until")} > ${current} then ${column("locked_until")} else ${until} end`,
      })
      .where("username_key", "=", key)
      .returning("locked_until")
      .executeTakeFirst();
    return row?.locked_until ? asDate(row.locked_until) : new Date(until);
  };

  return {
    async beginAttempt(username) {
      const key = keyOf(username);
      const at = now();
      const current = new Date(at).toISOString();
      const windowStart = new Date(at - policy.windowMs).toISOString();
      // A count from an earlier window, or one whose lock has ended, starts over at this attempt.
      const stale = sql<boolean>`((${column("locked_until")} is not null and ${column("locked_until")} <= ${current}) or (${column("locked_until")} is null and ${column("first_failed_at")} <= ${windowStart}))`;
      const row = await table
        .insertInto("backoffice_login_failures")
        .values({ username_key: key, failures: 1, first_failed_at: current, locked_until: null })
        .onConflict((oc) =>
          oc.column("username_key").doUpdateSet({
            failures: sql<number>`case when ${stale} then 1 else ${column("failures")} + 1 end`,
            first_failed_at: sql<string>`case when ${stale} then excluded.first_failed_at else ${column("first_failed_at")} end`,
            locked_until: sql<string | null>`case when ${stale} then null else ${column("locked_until")} end`,
          }),
        )
        .returning(["failures", "locked_until"])
        .executeTakeFirstOrThrow();
      if (row.locked_until && asDate(row.locked_until).getTime() > at) {
        return { allowed: false, lockedUntil: asDate(row.locked_until) };
      }
      if (Number(row.failures) > policy.maxFailures) return { allowed: false, lockedUntil: await lock(key, at) };
      return { allowed: true };
    },

    async failed(username) {
      const key = keyOf(username);
      const row = await table
        .selectFrom("backoffice_login_failures")
        .select("failures")
        .where("username_key", "=", key)
        .executeTakeFirst();
      return row && Number(row.failures) >= policy.maxFailures ? lock(key, now()) : null;
    },

    async clear(username) {
      await table.deleteFrom("backoffice_login_failures").where("username_key", "=", keyOf(username)).execute();
    },
  };
}

/**
 * One hash per username: `failures`, `first` (ms) and `until` (ms, the lock's end). ARGV: the
 * step (`begin` or `failed`), now, the window, the lock's length, the most failures allowed.
 * Returns `{allowed (1/0), lockedUntil (ms, 0 for none)}`. The key expires once neither its
 * window nor its lock can matter any more.
 */
const lockoutStep = luaScript(`
local key = KEYS[1]
local step = ARGV[1]
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local lockFor = tonumber(ARGV[4])
local maxFailures = tonumber(ARGV[5])
local state = redis.call('HMGET', key, 'failures', 'first', 'until')
local failures = tonumber(state[1]) or 0
local first = tonumber(state[2]) or now
local lockedUntil = tonumber(state[3]) or 0
local function lock()
  if lockedUntil <= now then lockedUntil = now + lockFor end
  redis.call('HSET', key, 'until', lockedUntil)
  redis.call('PEXPIRE', key, lockedUntil - now + window)
  return {0, lockedUntil}
end
if step == 'failed' then
  if failures >= maxFailures then return lock() end
  return {1, 0}
end
local stale = (lockedUntil > 0 and lockedUntil <= now) or (lockedUntil == 0 and first <= now - window)
if failures == 0 or stale then
  failures = 1
  first = now
  lockedUntil = 0
  redis.call('HDEL', key, 'until')
else
  failures = failures + 1
end
redis.call('HSET', key, 'failures', failures, 'first', first)
redis.call('PEXPIRE', key, math.max(lockedUntil - now, 0) + window + lockFor)
if lockedUntil > now then return {0, lockedUntil} end
if failures > maxFailures then return lock() end
return {1, 0}
`);

/** The same lockout, counted in Redis: several app nodes then share one count per username. */
export function redisLockout(
  redis: SharedRedis,
  policy: LockoutPolicy = lockoutPolicy,
  now: () => number = Date.now,
): Lockout {
  const keyFor = (username: string): string => `${redis.keyPrefix}lockout:${keyOf(username)}`;
  const step = async (name: "begin" | "failed", username: string): Promise<Date | null> => {
    const result = await redis.run(
      lockoutStep,
      [keyFor(username)],
      [name, now(), policy.windowMs, policy.lockMs, policy.maxFailures],
    );
    const [allowed, until] = Array.isArray(result) ? result.map(Number) : [0, now() + policy.lockMs];
    return allowed === 1 ? null : new Date(until ?? now() + policy.lockMs);
  };
  return {
    async beginAttempt(username) {
      const lockedUntil = await step("begin", username);
      return lockedUntil ? { allowed: false, lockedUntil } : { allowed: true };
    },
    failed: (username) => step("failed", username),
    async clear(username) {
      await redis.run(clearKey, [keyFor(username)], []);
    },
  };
}

const clearKey = luaScript(`return redis.call('DEL', KEYS[1])`);
