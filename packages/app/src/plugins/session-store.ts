/**
 * @fastify/session's store over our `sessions` table. Rows are keyed by the SHA-256 of the
 * session id, so the table never holds a live cookie value; `user_id` is kept beside the JSON
 * so that "sign out everywhere" and deactivation can drop a user's sessions in one statement.
 */
import type { SessionStore } from "@fastify/session";
import type { Session } from "fastify";
import { createHash } from "node:crypto";
import type { Db } from "../db/database.ts";
import { asDate } from "../db/schema.ts";

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, result?: Session | null) => void;

export const sessionKeyOf = (sessionId: string): string => createHash("sha256").update(sessionId).digest("base64url");

export class DatabaseSessionStore implements SessionStore {
  readonly #db: Db;
  readonly #ttlMs: number;

  constructor(db: Db, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  set(sessionId: string, session: Session, callback: Callback): void {
    const now = new Date();
    const expires = session.cookie?.expires ? asDate(session.cookie.expires) : new Date(now.getTime() + this.#ttlMs);
    const row = {
      id: sessionKeyOf(sessionId),
      user_id: typeof session.userId === "string" ? session.userId : null,
      data: JSON.stringify(session),
      expires_at: expires.toISOString(),
      updated_at: now.toISOString(),
    };
    this.#db
      .insertInto("sessions")
      .values({ ...row, created_at: now.toISOString() })
      .onConflict((oc) =>
        oc.column("id").doUpdateSet({
          user_id: row.user_id,
          data: row.data,
          expires_at: row.expires_at,
          updated_at: row.updated_at,
        }),
      )
      .execute()
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: GetCallback): void {
    this.#db
      .selectFrom("sessions")
      .select(["data", "expires_at"])
      .where("id", "=", sessionKeyOf(sessionId))
      .executeTakeFirst()
      .then((row) => {
        if (!row || asDate(row.expires_at).getTime() <= Date.now()) return callback(null, null);
        // The JSON was written by set() from a Session; @fastify/session revives the cookie part.
        callback(null, JSON.parse(row.data) as Session);
      }, callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.#db
      .deleteFrom("sessions")
      .where("id", "=", sessionKeyOf(sessionId))
      .execute()
      .then(() => callback(), callback);
  }
}

/** Ends every session of a user (sign out everywhere, deactivation, deletion). */
export async function destroyUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

/** Removes expired rows; run at start-up and now and then. */
export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<", now.toISOString()).execute();
}
