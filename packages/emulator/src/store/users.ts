/**
 * Users of a pool. The primary key is `(pool_id, username_key)`, where the key is the
 * username lower-cased unless the pool is case-sensitive; `email_key`, `phone_key` and
 * `preferred_username_key` are derived from the attributes on every write so that sign-in by
 * alias, uniqueness checks and ListUsers filters use an index.
 */
import type { Attributes, MfaSettings, User, UserStatus } from "../model.ts";
import type { Db } from "./database.ts";

interface UserRow {
  pool_id: string;
  username: string;
  username_key: string;
  sub: string;
  status: UserStatus;
  enabled: number;
  attributes: string;
  password_hash: string | null;
  srp_salt: string | null;
  srp_verifier: string | null;
  mfa: string;
  created_at: number;
  updated_at: number;
}

const toUser = (row: UserRow): User => ({
  poolId: row.pool_id,
  username: row.username,
  usernameKey: row.username_key,
  sub: row.sub,
  status: row.status,
  enabled: row.enabled === 1,
  attributes: JSON.parse(row.attributes) as Attributes,
  passwordHash: row.password_hash,
  srpSalt: row.srp_salt,
  srpVerifier: row.srp_verifier,
  mfa: JSON.parse(row.mfa) as MfaSettings,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const derivedKeys = (attributes: Attributes) => ({
  email_key: attributes.email?.toLowerCase() ?? null,
  phone_key: attributes.phone_number ?? null,
  preferred_username_key: attributes.preferred_username?.toLowerCase() ?? null,
});

/** The fields of a user that operations change; the rest are fixed at creation. */
export type UserChanges = Partial<
  Pick<User, "status" | "enabled" | "attributes" | "passwordHash" | "srpSalt" | "srpVerifier" | "mfa">
>;

/**
 * A ListUsers filter, already parsed: what it compares, `=` or `^=`, and the value.
 * `userStatus` is `cognito:user_status` (UNCONFIRMED, CONFIRMED, …), compared case-insensitively;
 * `enabled` is the filter's `status`, the text "Enabled" or "Disabled", compared as written.
 */
export interface UserFilter {
  readonly field: "username" | "userStatus" | "enabled" | "sub" | { readonly attribute: string };
  readonly operator: "=" | "^=";
  readonly value: string;
}

/** A position in a pool's users, ordered by creation then key (ListUsers' PaginationToken). */
export interface UserCursor {
  readonly createdAt: number;
  readonly usernameKey: string;
}

export function userRepository(db: Db) {
  const byKey = db.prepare<[string, string], UserRow>("SELECT * FROM users WHERE pool_id = ? AND username_key = ?");
  const bySub = db.prepare<[string, string], UserRow>("SELECT * FROM users WHERE pool_id = ? AND sub = ?");
  const byEmail = db.prepare<[string, string], UserRow>(
    "SELECT * FROM users WHERE pool_id = ? AND email_key = ? ORDER BY created_at",
  );
  const byPhone = db.prepare<[string, string], UserRow>(
    "SELECT * FROM users WHERE pool_id = ? AND phone_key = ? ORDER BY created_at",
  );
  const byPreferredUsername = db.prepare<[string, string], UserRow>(
    "SELECT * FROM users WHERE pool_id = ? AND preferred_username_key = ? ORDER BY created_at",
  );
  const insert = db.prepare(
    `INSERT INTO users (pool_id, username, username_key, sub, status, enabled, attributes, email_key, phone_key,
       preferred_username_key, password_hash, srp_salt, srp_verifier, mfa, created_at, updated_at)
     VALUES (@pool_id, @username, @username_key, @sub, @status, @enabled, @attributes, @email_key, @phone_key,
       @preferred_username_key, @password_hash, @srp_salt, @srp_verifier, @mfa, @created_at, @updated_at)`,
  );
  const update = db.prepare(
    `UPDATE users SET status = @status, enabled = @enabled, attributes = @attributes, email_key = @email_key,
       phone_key = @phone_key, preferred_username_key = @preferred_username_key, password_hash = @password_hash,
       srp_salt = @srp_salt, srp_verifier = @srp_verifier, mfa = @mfa, updated_at = @updated_at
     WHERE pool_id = @pool_id AND username_key = @username_key`,
  );
  const remove = db.prepare<[string, string]>("DELETE FROM users WHERE pool_id = ? AND username_key = ?");

  // What each filter field compares; attributes come out of the JSON document.
  const filterTargets = {
    username: "username",
    userStatus: "upper(status)",
    enabled: "(CASE enabled WHEN 1 THEN 'Enabled' ELSE 'Disabled' END)",
    sub: "sub",
  } as const;

  const rowOf = (user: User) => ({
    pool_id: user.poolId,
    username: user.username,
    username_key: user.usernameKey,
    sub: user.sub,
    status: user.status,
    enabled: user.enabled ? 1 : 0,
    attributes: JSON.stringify(user.attributes),
    ...derivedKeys(user.attributes),
    password_hash: user.passwordHash,
    srp_salt: user.srpSalt,
    srp_verifier: user.srpVerifier,
    mfa: JSON.stringify(user.mfa),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  });

  return {
    get(poolId: string, usernameKey: string): User | undefined {
      const row = byKey.get(poolId, usernameKey);
      return row && toUser(row);
    },
    findBySub(poolId: string, sub: string): User | undefined {
      const row = bySub.get(poolId, sub);
      return row && toUser(row);
    },
    /** Every user whose email (case-insensitively) is `email`; verified or not. */
    findByEmail(poolId: string, email: string): User[] {
      return byEmail.all(poolId, email.toLowerCase()).map(toUser);
    },
    findByPhone(poolId: string, phone: string): User[] {
      return byPhone.all(poolId, phone).map(toUser);
    },
    findByPreferredUsername(poolId: string, name: string): User[] {
      return byPreferredUsername.all(poolId, name.toLowerCase()).map(toUser);
    },
    insert(user: User): void {
      insert.run(rowOf(user));
    },
    /** Applies `changes` and returns the user as stored. */
    update(user: User, changes: UserChanges, updatedAt: number): User {
      const next: User = { ...user, ...changes, updatedAt };
      update.run(rowOf(next));
      return next;
    },
    delete(poolId: string, usernameKey: string): void {
      remove.run(poolId, usernameKey);
    },
    /** ListUsers: users in creation order after `cursor`, optionally filtered. */
    search(poolId: string, filter: UserFilter | null, cursor: UserCursor | null, limit: number): User[] {
      const where = ["pool_id = @poolId"];
      const params: Record<string, string | number> = { poolId, limit };
      if (cursor) {
        where.push("(created_at > @createdAt OR (created_at = @createdAt AND username_key > @afterKey))");
        params.createdAt = cursor.createdAt;
        params.afterKey = cursor.usernameKey;
      }
      if (filter) {
        // "All searches are case-insensitive" (Developer Guide, Searching for users with the
        // ListUsers API), except those the API reference marks case-sensitive: username and status.
        const target =
          typeof filter.field === "string"
            ? filterTargets[filter.field]
            : "lower(json_extract(attributes, @attributePath))";
        if (typeof filter.field !== "string") params.attributePath = `$."${filter.field.attribute}"`;
        params.value =
          filter.field === "userStatus"
            ? filter.value.toUpperCase()
            : typeof filter.field === "string"
              ? filter.value
              : filter.value.toLowerCase();
        // substr() instead of LIKE: a prefix is literal, `%` and `_` in it are not wildcards.
        where.push(filter.operator === "=" ? `${target} = @value` : `substr(${target}, 1, length(@value)) = @value`);
      }
      const sql = `SELECT * FROM users WHERE ${where.join(" AND ")} ORDER BY created_at, username_key LIMIT @limit`;
      return db.prepare<Record<string, string | number>, UserRow>(sql).all(params).map(toUser);
    },
  };
}
export type UserRepository = ReturnType<typeof userRepository>;
