/**
 * Each pool's two RSA signing keys (one for ID tokens, one for access tokens, as AWS), and the
 * public halves of the keys rotated out before them (key-rotation.ts).
 */
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

export interface RetiredKey {
  readonly poolId: string;
  readonly tokenUse: TokenUse;
  readonly kid: string;
  readonly publicJwk: string;
  readonly retiredAt: number;
}

interface RetiredRow {
  kid: string;
  pool_id: string;
  token_use: TokenUse;
  public_jwk: string;
  retired_at: number;
}

export function keyRepository(db: Db) {
  const insert = db.prepare(
    "INSERT INTO pool_keys (pool_id, token_use, kid, private_jwk, public_jwk) VALUES (@poolId, @tokenUse, @kid, @privateJwk, @publicJwk)",
  );
  const ofPool = db.prepare<[string], KeyRow>("SELECT * FROM pool_keys WHERE pool_id = ? ORDER BY token_use");
  const remove = db.prepare<[string, TokenUse]>("DELETE FROM pool_keys WHERE pool_id = ? AND token_use = ?");
  const retire = db.prepare(
    "INSERT INTO retired_pool_keys (kid, pool_id, token_use, public_jwk, retired_at) VALUES (@kid, @poolId, @tokenUse, @publicJwk, @retiredAt)",
  );
  const retiredOf = db.prepare<[string], RetiredRow>(
    "SELECT * FROM retired_pool_keys WHERE pool_id = ? ORDER BY retired_at DESC, kid",
  );
  const forget = db.prepare<[string]>("DELETE FROM retired_pool_keys WHERE kid = ?");
  return {
    insert(key: StoredKey): void {
      insert.run(key);
    },
    ofPool(poolId: string): StoredKey[] {
      return ofPool.all(poolId).map(toKey);
    },
    /** Moves the pool's current key for `tokenUse` to the retired ones (inside a transaction). */
    retire(key: StoredKey, retiredAt: number): void {
      remove.run(key.poolId, key.tokenUse);
      retire.run({ kid: key.kid, poolId: key.poolId, tokenUse: key.tokenUse, publicJwk: key.publicJwk, retiredAt });
    },
    /** The pool's retired keys, newest first. */
    retiredOf(poolId: string): RetiredKey[] {
      return retiredOf.all(poolId).map((row) => ({
        poolId: row.pool_id,
        tokenUse: row.token_use,
        kid: row.kid,
        publicJwk: row.public_jwk,
        retiredAt: row.retired_at,
      }));
    },
    forgetRetired(kid: string): void {
      forget.run(kid);
    },
  };
}
export type KeyRepository = ReturnType<typeof keyRepository>;
