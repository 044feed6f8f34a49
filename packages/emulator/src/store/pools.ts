/** Pools and their settings (one JSON document per pool). */
import type { Pool, PoolConfig } from "../model.ts";
import type { Db } from "./database.ts";

interface PoolRow {
  id: string;
  name: string;
  config: string;
  created_at: number;
  updated_at: number;
}

const toPool = (row: PoolRow): Pool => ({
  id: row.id,
  name: row.name,
  config: JSON.parse(row.config) as PoolConfig,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function poolRepository(db: Db) {
  const byId = db.prepare<[string], PoolRow>("SELECT * FROM pools WHERE id = ?");
  const insert = db.prepare(
    "INSERT INTO pools (id, name, config, created_at, updated_at) VALUES (@id, @name, @config, @createdAt, @updatedAt)",
  );
  const update = db.prepare("UPDATE pools SET config = @config, updated_at = @updatedAt WHERE id = @id");
  const remove = db.prepare<[string]>("DELETE FROM pools WHERE id = ?");
  const page = db.prepare<[string, number], PoolRow>("SELECT * FROM pools WHERE id > ? ORDER BY id LIMIT ?");
  const countUsers = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM users WHERE pool_id = ?");
  // Pool objects are read on every request; parsing the JSON once per change keeps that cheap.
  const cache = new Map<string, Pool>();

  return {
    get(id: string): Pool | undefined {
      const cached = cache.get(id);
      if (cached) return cached;
      const row = byId.get(id);
      if (!row) return undefined;
      const pool = toPool(row);
      cache.set(id, pool);
      return pool;
    },
    insert(pool: Pool): void {
      insert.run({ ...pool, config: JSON.stringify(pool.config) });
      cache.delete(pool.id);
    },
    update(id: string, config: PoolConfig, updatedAt: number): void {
      update.run({ id, config: JSON.stringify(config), updatedAt });
      cache.delete(id);
    },
    delete(id: string): void {
      remove.run(id);
      cache.delete(id);
    },
    /** Pools in id order after `afterId` (exclusive), for ListUserPools' NextToken. */
    list(afterId: string, limit: number): Pool[] {
      return page.all(afterId, limit).map(toPool);
    },
    estimatedUsers(id: string): number {
      return countUsers.get(id)?.n ?? 0;
    },
  };
}
export type PoolRepository = ReturnType<typeof poolRepository>;
