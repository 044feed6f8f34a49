/** Each pool's two RSA signing keys (one for ID tokens, one for access tokens, as AWS). */
import type { Db } from "./database.ts";

export type TokenUse = "id" | "access";

export interface StoredKey {
  readonly poolId: string;
  readonly tokenUse: TokenUse;
  readonly kid: string;
  readonly privateJwk: string;
  readonly publicJwk: string;
}

interface KeyRow {
  pool_id: string;
  token_use: TokenUse;
  kid: string;
  private_jwk: string;
  public_jwk: string;
}

const toKey = (row: KeyRow): StoredKey => ({
  poolId: row.pool_id,
  tokenUse: row.token_use,
  kid: row.kid,
  privateJwk: row.private_jwk,
  publicJwk: row.public_jwk,
});

export function keyRepository(db: Db) {
  const insert = db.prepare(
    "INSERT INTO pool_keys (pool_id, token_use, kid, private_jwk, public_jwk) VALUES (@poolId, @tokenUse, @kid, @privateJwk, @publicJwk)",
  );
  const ofPool = db.prepare<[string], KeyRow>("SELECT * FROM pool_keys WHERE pool_id = ? ORDER BY token_use");
  return {
    insert(key: StoredKey): void {
      insert.run(key);
    },
    ofPool(poolId: string): StoredKey[] {
      return ofPool.all(poolId).map(toKey);
    },
  };
}
export type KeyRepository = ReturnType<typeof keyRepository>;
