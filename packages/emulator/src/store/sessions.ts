/**
 * Sign-in sessions. Each successful authentication opens one, keyed by the `origin_jti` that
 * every token it yields carries; the refresh token is stored only as a hash. Revoking the
 * session (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, disabling the user) revokes the
 * refresh token and every access token minted from it.
 *
 * Also the per-user count of failed password sign-ins behind Cognito's lockout
 * (`signin.ts`), which lives and dies with the user like the sessions do.
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
  /**
   * The device the session's tokens are bound to (their `device_key` claim) in pools that track
   * devices (operations/devices.ts); null elsewhere.
   */
  readonly deviceKey: string | null;
}

/** Failed password sign-ins of one user since the last success or reset. */
export interface SignInFailures {
  readonly failures: number;
  /** Epoch ms; 0 when not locked. */
  readonly lockedUntil: number;
  /** Epoch ms of the last attempt, locked-out attempts included. */
  readonly lastAttemptAt: number;
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
  device_key: string | null;
}

interface FailureRow {
  failures: number;
  locked_until: number;
  last_attempt_at: number;
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
  deviceKey: row.device_key,
});

// The lockout counter is this module's own state, so its table is declared here; like every
// table it is created if missing, so existing databases gain it on their next start.
const failureSchema = `
CREATE TABLE IF NOT EXISTS sign_in_failures (
  pool_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  failures INTEGER NOT NULL,
  locked_until REAL NOT NULL,
  last_attempt_at REAL NOT NULL,
  PRIMARY KEY (pool_id, username_key),
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);`;

/** Databases from before device tracking lack the column; it is added on their next start. */
function addDeviceKeyColumn(db: Db): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('sessions')").all();
  if (!columns.some((c) => c.name === "device_key")) db.exec("ALTER TABLE sessions ADD COLUMN device_key TEXT");
}

export function sessionRepository(db: Db) {
  db.exec(failureSchema);
  addDeviceKeyColumn(db);
  // Lets the periodic purge of long-expired sessions use a range scan.
  db.exec("CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions(expires_at)");
  const insert = db.prepare(
    `INSERT INTO sessions (origin_jti, pool_id, client_id, username_key, refresh_token_hash, auth_time, expires_at, revoked, device_key)
     VALUES (@originJti, @poolId, @clientId, @usernameKey, @refreshTokenHash, @authTime, @expiresAt, 0, @deviceKey)`,
  );
  const byJti = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE origin_jti = ?");
  const byRefresh = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE refresh_token_hash = ?");
  const revoke = db.prepare<[string]>("UPDATE sessions SET revoked = 1 WHERE origin_jti = ?");
  const revokeUser = db.prepare<[string, string]>(
    "UPDATE sessions SET revoked = 1 WHERE pool_id = ? AND username_key = ?",
  );
  const purge = db.prepare<[number]>("DELETE FROM sessions WHERE expires_at < ?");
  const dropDeviceRefresh = db.prepare<[string, string]>(
    "UPDATE sessions SET refresh_token_hash = NULL WHERE pool_id = ? AND device_key = ?",
  );
  const lastDeviceAuth = db.prepare<[string, string, string], { at: number | null }>(
    "SELECT max(auth_time) AS at FROM sessions WHERE pool_id = ? AND username_key = ? AND device_key = ?",
  );
  const failuresOf = db.prepare<[string, string], FailureRow>(
    "SELECT failures, locked_until, last_attempt_at FROM sign_in_failures WHERE pool_id = ? AND username_key = ?",
  );
  const putFailures = db.prepare(
    `INSERT INTO sign_in_failures (pool_id, username_key, failures, locked_until, last_attempt_at)
     VALUES (@poolId, @usernameKey, @failures, @lockedUntil, @lastAttemptAt)
     ON CONFLICT (pool_id, username_key) DO UPDATE SET failures = excluded.failures,
       locked_until = excluded.locked_until, last_attempt_at = excluded.last_attempt_at`,
  );
  const clearFailures = db.prepare<[string, string]>(
    "DELETE FROM sign_in_failures WHERE pool_id = ? AND username_key = ?",
  );

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
    /**
     * ForgetDevice: the device's refresh tokens stop working ("all future calls to revalidate
     * that device's refresh tokens will fail", AWS's device-tracking blog); its access tokens
     * live out their hour.
     */
    dropRefreshOfDevice(poolId: string, deviceKey: string): void {
      dropDeviceRefresh.run(poolId, deviceKey);
    },
    /** The auth_time (epoch seconds) of the user's latest sign-in with the device, if one is kept. */
    lastSignInWithDevice(poolId: string, usernameKey: string, deviceKey: string): number | null {
      return lastDeviceAuth.get(poolId, usernameKey, deviceKey)?.at ?? null;
    },
    failures(poolId: string, usernameKey: string): SignInFailures | undefined {
      const row = failuresOf.get(poolId, usernameKey);
      return row && { failures: row.failures, lockedUntil: row.locked_until, lastAttemptAt: row.last_attempt_at };
    },
    setFailures(poolId: string, usernameKey: string, state: SignInFailures): void {
      putFailures.run({ poolId, usernameKey, ...state });
    },
    clearFailures(poolId: string, usernameKey: string): void {
      clearFailures.run(poolId, usernameKey);
    },
  };
}
export type SessionRepository = ReturnType<typeof sessionRepository>;
