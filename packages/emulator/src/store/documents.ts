/**
 * Pool-owned settings that Cognito stores and hands back but that the emulator does not act on
 * (identity providers, UI customization, log delivery, risk configuration, provider links,
 * managed login branding, terms): one JSON document per (pool, kind, key).
 * They go with their pool (ON DELETE CASCADE).
 *
 * Like `hosted.ts`, the table belongs to this module and is created here if missing, so an
 * existing database gains it on its next start.
 */
import type { Db } from "./database.ts";

export type DocumentKind =
  | "identity-provider"
  | "ui-customization"
  | "log-delivery"
  | "risk"
  /** A source IdP identity linked to a user (operations/provider-links.ts), keyed by the identity. */
  | "provider-link"
  | "managed-login-branding"
  | "terms";

const schema = `
CREATE TABLE IF NOT EXISTS pool_documents (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (pool_id, kind, key)
);
`;

export interface StoredDocument<T> {
  readonly key: string;
  readonly body: T;
  readonly createdAt: number;
}

interface Row {
  key: string;
  body: string;
  created_at: number;
}

const toDocument = <T>(row: Row): StoredDocument<T> => ({
  key: row.key,
  body: JSON.parse(row.body) as T,
  createdAt: row.created_at,
});

export function documentRepository(db: Db) {
  db.exec(schema);
  const getRow = db.prepare<[string, string, string], Row>(
    "SELECT key, body, created_at FROM pool_documents WHERE pool_id = ? AND kind = ? AND key = ?",
  );
  const upsert = db.prepare<[string, string, string, string, number]>(
    `INSERT INTO pool_documents (pool_id, kind, key, body, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (pool_id, kind, key) DO UPDATE SET body = excluded.body`,
  );
  const remove = db.prepare<[string, string, string]>(
    "DELETE FROM pool_documents WHERE pool_id = ? AND kind = ? AND key = ?",
  );
  const page = db.prepare<[string, string, string, number], Row>(
    `SELECT key, body, created_at FROM pool_documents WHERE pool_id = ? AND kind = ? AND key > ?
     ORDER BY key LIMIT ?`,
  );
  const everyRow = db.prepare<[string, string], Row>(
    "SELECT key, body, created_at FROM pool_documents WHERE pool_id = ? AND kind = ? ORDER BY key",
  );
  return {
    get<T>(poolId: string, kind: DocumentKind, key: string): StoredDocument<T> | undefined {
      const row = getRow.get(poolId, kind, key);
      return row ? toDocument<T>(row) : undefined;
    },
    /** Inserts or replaces; a replaced document keeps its creation time. */
    put(poolId: string, kind: DocumentKind, key: string, body: unknown, now: number): void {
      upsert.run(poolId, kind, key, JSON.stringify(body), now);
    },
    /** True when there was one to delete. */
    delete(poolId: string, kind: DocumentKind, key: string): boolean {
      return remove.run(poolId, kind, key).changes > 0;
    },
    /** Every document of the kind, in key order: for kinds a pool has few of (one per client). */
    all<T>(poolId: string, kind: DocumentKind): StoredDocument<T>[] {
      return everyRow.all(poolId, kind).map((row) => toDocument<T>(row));
    },
    /** Up to `limit` documents of the kind after key `after`, in key order. */
    page<T>(poolId: string, kind: DocumentKind, after: string, limit: number): StoredDocument<T>[] {
      return page.all(poolId, kind, after, limit).map((row) => toDocument<T>(row));
    },
  };
}
