/**
 * Lockout of the back office's local sign-in: after `maxFailures` wrong passwords for one
 * username within `windowMs`, that username is locked for `lockMs` — whatever the password and
 * whether or not the user exists (so the lock says nothing about who has an account). A right
 * password clears the count. The per-address rate limit on the route stops one client trying
 * many names; this stops many clients trying one name.
 */
import type { Db } from "../db/database.ts";
import { asDate, type NullableTimestamp, type Timestamp } from "../db/schema.ts";

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

export interface Lockout {
  /** When the username's lock ends, or null when it may try. */
  lockedUntil(username: string): Promise<Date | null>;
  /** Counts a failure; returns the end of the lock this failure started or continued, if any. */
  recordFailure(username: string): Promise<Date | null>;
  /** A successful sign-in forgets the failures. */
  clear(username: string): Promise<void>;
}

const keyOf = (username: string): string => username.trim().toLowerCase().slice(0, 254);

export function loginLockout(db: Db, policy: LockoutPolicy = lockoutPolicy, now: () => number = Date.now): Lockout {
  // The table is the back office's own (migration 0002), so it is typed here, not in the shared schema.
  const table = db.withTables<{ backoffice_login_failures: LoginFailuresTable }>();
  const read = (key: string) =>
    table.selectFrom("backoffice_login_failures").selectAll().where("username_key", "=", key).executeTakeFirst();

  return {
    async lockedUntil(username) {
      const row = await read(keyOf(username));
      if (!row?.locked_until) return null;
      const until = asDate(row.locked_until);
      return until.getTime() > now() ? until : null;
    },

    async recordFailure(username) {
      const key = keyOf(username);
      const at = now();
      const existing = await read(key);
      // A count from an earlier window (or a lock that has ended) starts over.
      const stale =
        existing &&
        (existing.locked_until
          ? asDate(existing.locked_until).getTime() <= at
          : asDate(existing.first_failed_at).getTime() + policy.windowMs <= at);
      if (stale) await table.deleteFrom("backoffice_login_failures").where("username_key", "=", key).execute();
      // One atomic upsert, so concurrent failures each count.
      await table
        .insertInto("backoffice_login_failures")
        .values({ username_key: key, failures: 1, first_failed_at: new Date(at).toISOString(), locked_until: null })
        .onConflict((oc) =>
          oc
            .column("username_key")
            .doUpdateSet((eb) => ({ failures: eb("backoffice_login_failures.failures", "+", 1) })),
        )
        .execute();
      const row = await read(key);
      if (!row || row.failures < policy.maxFailures) return null;
      if (row.locked_until && asDate(row.locked_until).getTime() > at) return asDate(row.locked_until);
      const until = new Date(at + policy.lockMs);
      await table
        .updateTable("backoffice_login_failures")
        .set({ locked_until: until.toISOString() })
        .where("username_key", "=", key)
        .execute();
      return until;
    },

    async clear(username) {
      await table.deleteFrom("backoffice_login_failures").where("username_key", "=", keyOf(username)).execute();
    },
  };
}
