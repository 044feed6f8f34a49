/** App clients of a pool (one JSON document of settings per client). */
import type { Client, ClientConfig } from "../model.ts";
import type { ClientSecretRepository } from "./client-secrets.ts";
import type { Db } from "./database.ts";

interface ClientRow {
  id: string;
  pool_id: string;
  name: string;
  secret: string | null;
  config: string;
  created_at: number;
  updated_at: number;
}

const toClient = (row: ClientRow): Client => ({
  id: row.id,
  poolId: row.pool_id,
  name: row.name,
  secret: row.secret,
  config: JSON.parse(row.config) as ClientConfig,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function clientRepository(db: Db, secrets: ClientSecretRepository) {
  const byId = db.prepare<[string], ClientRow>("SELECT * FROM clients WHERE id = ?");
  const insert = db.prepare(
    "INSERT INTO clients (id, pool_id, name, secret, config, created_at, updated_at) VALUES (@id, @poolId, @name, @secret, @config, @createdAt, @updatedAt)",
  );
  const update = db.prepare(
    "UPDATE clients SET name = @name, config = @config, updated_at = @updatedAt WHERE id = @id",
  );
  const remove = db.prepare<[string]>("DELETE FROM clients WHERE id = ?");
  const page = db.prepare<[string, string, number], ClientRow>(
    "SELECT * FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?",
  );
  const cache = new Map<string, Client>();

  return {
    get(id: string): Client | undefined {
      const cached = cache.get(id);
      if (cached) return cached;
      const row = byId.get(id);
      if (!row) return undefined;
      // Secrets added by AddUserPoolClientSecret replace the row's: the oldest is `secret`.
      const added = secrets.list(id);
      const first = added[0];
      const client = first
        ? { ...toClient(row), secret: first.secret, secrets: added.map((s) => s.secret) }
        : toClient(row);
      cache.set(id, client);
      return client;
    },
    insert(client: Client): void {
      insert.run({ ...client, config: JSON.stringify(client.config) });
      cache.delete(client.id);
    },
    update(id: string, name: string, config: ClientConfig, updatedAt: number): void {
      update.run({ id, name, config: JSON.stringify(config), updatedAt });
      cache.delete(id);
    },
    delete(id: string): void {
      remove.run(id);
      cache.delete(id);
    },
    /** Forgets the cached client, whose secrets changed (operations/client-secrets.ts). */
    forget(id: string): void {
      cache.delete(id);
    },
    /** Forgets cached clients of a pool that was just deleted (rows go by cascade). */
    forgetPool(poolId: string): void {
      for (const [id, client] of cache) if (client.poolId === poolId) cache.delete(id);
    },
    list(poolId: string, afterId: string, limit: number): Client[] {
      return page.all(poolId, afterId, limit).map(toClient);
    },
  };
}
export type ClientRepository = ReturnType<typeof clientRepository>;
