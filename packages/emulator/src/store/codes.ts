/**
 * One-time codes (sign-up confirmation, forgot password, attribute verification). At most one
 * live code per user and purpose: issuing a new one replaces the old, as Cognito does. Codes
 * are stored hashed; the clear code exists only in the outbox message.
 */
import type { Db } from "./database.ts";

export type CodePurpose = "SIGN_UP" | "FORGOT_PASSWORD" | `VERIFY:${string}`;

export interface StoredCode {
  readonly codeHash: string;
  readonly expiresAt: number;
  readonly failedAttempts: number;
}

export function codeRepository(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO codes (pool_id, username_key, purpose, code_hash, expires_at, failed_attempts)
     VALUES (@poolId, @usernameKey, @purpose, @codeHash, @expiresAt, 0)
     ON CONFLICT (pool_id, username_key, purpose)
     DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, failed_attempts = 0`,
  );
  const get = db.prepare<[string, string, string], { code_hash: string; expires_at: number; failed_attempts: number }>(
    "SELECT code_hash, expires_at, failed_attempts FROM codes WHERE pool_id = ? AND username_key = ? AND purpose = ?",
  );
  const fail = db.prepare<[string, string, string]>(
    "UPDATE codes SET failed_attempts = failed_attempts + 1 WHERE pool_id = ? AND username_key = ? AND purpose = ?",
  );
  const remove = db.prepare<[string, string, string]>(
    "DELETE FROM codes WHERE pool_id = ? AND username_key = ? AND purpose = ?",
  );

  return {
    put(poolId: string, usernameKey: string, purpose: CodePurpose, codeHash: string, expiresAt: number): void {
      upsert.run({ poolId, usernameKey, purpose, codeHash, expiresAt });
    },
    get(poolId: string, usernameKey: string, purpose: CodePurpose): StoredCode | undefined {
      const row = get.get(poolId, usernameKey, purpose);
      return row && { codeHash: row.code_hash, expiresAt: row.expires_at, failedAttempts: row.failed_attempts };
    },
    recordFailure(poolId: string, usernameKey: string, purpose: CodePurpose): void {
      fail.run(poolId, usernameKey, purpose);
    },
    delete(poolId: string, usernameKey: string, purpose: CodePurpose): void {
      remove.run(poolId, usernameKey, purpose);
    },
  };
}
export type CodeRepository = ReturnType<typeof codeRepository>;
