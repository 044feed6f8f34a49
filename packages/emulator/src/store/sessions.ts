/**
 * Sign-in sessions. Each successful authentication opens one, keyed by the `origin_jti` that
 * every token it yields carries; the refresh token is stored only as a hash. Revoking the
 * session (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, disabling the user) revokes the
 * refresh token and every access token minted from it.
 */
import type { Db } from "./database.ts";

export interface Session {
  readonly originJti: string;
  readonly poolId: string;
  readonly clientId: string;
  readonly usernameKey: string;
  readonly refreshTokenHash: string | null;
  readonly authTime: number;
  readonly expiresAt: number;
  readonly revoked: boolean;
}

interface SessionRow {
  origin_jti: string;
  pool_id: string;
  client_id: string;
  username_key: string;
  refresh_token_hash: string | null;
  auth_time: number;
  expires_at: number;
  revoked: number;
}

const toSession = (row: SessionRow): Session => ({
  originJti: row.origin_jti,
  poolId: row.pool_id,
  clientId: row.client_id,
  usernameKey: row.username_key,
  refreshTokenHash: row.refresh_token_hash,
  authTime: row.auth_time,
  expiresAt: row.expires_at,
  revoked: row.revoked === 1,
});

export function sessionRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO sessions (origin_jti, pool_id, client_id, username_key, refresh_token_hash, auth_time, expires_at, revoked)
     VALUES (@originJti, @poolId, @clientId, @usernameKey, @refreshTokenHash, @authTime, @expiresAt, 0)`,
  );
  const byJti = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE origin_jti = ?");
  const byRefresh = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE refresh_token_hash = ?");
  const revoke = db.prepare<[string]>("UPDATE sessions SET revoked = 1 WHERE origin_jti = ?");
  const revokeUser = db.prepare<[string, string]>(
    "UPDATE sessions SET revoked = 1 WHERE pool_id = ? AND username_key = ?",
  );
  const purge = db.prepare<[number]>("DELETE FROM sessions WHERE expires_at < ?");

  return {
    insert(session: Omit<Session, "revoked">): void {
      insert.run(session);
    },
    get(originJti: string): Session | undefined {
      const row = byJti.get(originJti);
      return row && toSession(row);
    },
    findByRefreshTokenHash(hash: string): Session | undefined {
      const row = byRefresh.get(hash);
      return row && toSession(row);
    },
    revoke(originJti: string): void {
      revoke.run(originJti);
    },
    revokeAllOfUser(poolId: string, usernameKey: string): void {
      revokeUser.run(poolId, usernameKey);
    },
    purgeExpired(now: number): void {
      purge.run(now);
    },
  };
}
export type SessionRepository = ReturnType<typeof sessionRepository>;
