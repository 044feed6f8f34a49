/**
 * App client secrets beyond the one CreateUserPoolClient made (AddUserPoolClientSecret,
 * operations/client-secrets.ts). A client with rows here has exactly these secrets, oldest first,
 * and `clients.secret` is no longer read for it; a client with none has the one in its row.
 * They go with their client (ON DELETE CASCADE).
 *
 * Like `documents.ts`, the table belongs to this module and is created here if missing, so an
 * existing database gains it on its next start.
 */
import type { Db } from "./database.ts";

const schema = `
CREATE TABLE IF NOT EXISTS client_secrets (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS client_secrets_by_client ON client_secrets(client_id, created_at);
`;

export interface StoredClientSecret {
  readonly id: string;
  readonly secret: string;
  readonly createdAt: number;
}

interface Row {
  id: string;
  secret: string;
  created_at: number;
}

export function clientSecretRepository(db: Db) {
  db.exec(schema);
  const list = db.prepare<[string], Row>(
    "SELECT id, secret, created_at FROM client_secrets WHERE client_id = ? ORDER BY created_at, id",
  );
  const insert = db.prepare<[string, string, string, number]>(
    "INSERT INTO client_secrets (id, client_id, secret, created_at) VALUES (?, ?, ?, ?)",
  );
  const remove = db.prepare<[string, string]>("DELETE FROM client_secrets WHERE client_id = ? AND id = ?");
  return {
    /** The client's secrets, oldest first; none when it still has only the one in its row. */
    list(clientId: string): StoredClientSecret[] {
      return list.all(clientId).map((row) => ({ id: row.id, secret: row.secret, createdAt: row.created_at }));
    },
    insert(clientId: string, secret: StoredClientSecret): void {
      insert.run(secret.id, clientId, secret.secret, secret.createdAt);
    },
    /** True when there was one to delete. */
    delete(clientId: string, id: string): boolean {
      return remove.run(clientId, id).changes > 0;
    },
  };
}
export type ClientSecretRepository = ReturnType<typeof clientSecretRepository>;
