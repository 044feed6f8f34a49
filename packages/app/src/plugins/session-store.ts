/**
 * Server-side sessions in our `sessions` table. Rows are keyed by the SHA-256 of the session
 * id, so the table never holds a live cookie value; `user_id` is kept beside the JSON so that
 * "sign out everywhere" and deactivation can drop a user's sessions in one statement.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/database.ts";
import { asDate } from "../db/schema.ts";
import type { SessionData } from "./session-types.ts";

export const sessionKeyOf = (sessionId: string): string => createHash("sha256").update(sessionId).digest("base64url");

export interface StoredSession {
  readonly data: SessionData;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export class DatabaseSessionStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The live session with this id; null when there is none or it has expired. */
  async load(sessionId: string, now = Date.now()): Promise<StoredSession | null> {
    const row = await this.#db
      .selectFrom("sessions")
      .select(["data", "expires_at"])
      .where("id", "=", sessionKeyOf(sessionId))
      .executeTakeFirst();
    if (!row) return null;
    const expiresAt = asDate(row.expires_at).getTime();
    if (expiresAt <= now) return null;
    // Written from a SessionData; rows that @fastify/session wrote (before sessions.ts) also hold a
    // `cookie` entry, dropped here so that it is not written back.
    const { cookie: _legacy, ...data } = JSON.parse(row.data) as SessionData & { cookie?: unknown };
    return { data, expiresAt };
  }

  /** Stores a new session. */
  async create(sessionId: string, data: SessionData, expiresAt: number): Promise<void> {
    const now = new Date().toISOString();
    await this.#db
      .insertInto("sessions")
      .values({ id: sessionKeyOf(sessionId), ...this.#columns(data, expiresAt), created_at: now, updated_at: now })
      .execute();
  }

  /**
   * Rewrites an existing session. False when its row is gone: the session was ended meanwhile
   * (signed out everywhere, deactivated) and a request still in flight must not bring it back.
   */
  async update(sessionId: string, data: SessionData, expiresAt: number): Promise<boolean> {
    const result = await this.#db
      .updateTable("sessions")
      .set({ ...this.#columns(data, expiresAt), updated_at: new Date().toISOString() })
      .where("id", "=", sessionKeyOf(sessionId))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async destroy(sessionId: string): Promise<void> {
    await this.#db.deleteFrom("sessions").where("id", "=", sessionKeyOf(sessionId)).execute();
  }

  /** Removes expired rows. */
  async purgeExpired(now = Date.now()): Promise<void> {
    await purgeExpiredSessions(this.#db, new Date(now));
  }

  #columns(data: SessionData, expiresAt: number) {
    return {
      user_id: typeof data.userId === "string" ? data.userId : null,
      data: JSON.stringify(data),
      expires_at: new Date(expiresAt).toISOString(),
    };
  }
}

/**
 * Ends every session of a user (sign out everywhere, deactivation, deletion), or every one but
 * `exceptSessionId` (a password change keeps the session it was made in: Django's
 * `update_session_auth_hash`).
 */
export async function destroyUserSessions(db: Db, userId: string, exceptSessionId?: string | null): Promise<void> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptSessionId) query = query.where("id", "!=", sessionKeyOf(exceptSessionId));
  await query.execute();
}

/** Removes expired rows; the sessions plugin runs it at start-up and every few minutes. */
export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<", now.toISOString()).execute();
}
