/**
 * The public halves of a pool's signing keys that were rotated out (key-rotation.ts). Cognito
 * keeps publishing a key while tokens it signed may still be in use, so they stay in the JWKS
 * and the emulator's own access-token checks (GetUser and the rest) still accept them.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import type { Context } from "./context.ts";

const verifiers = new WeakMap<Context, Map<string, KeyObject>>();

/** The pool's retired public keys, newest first, as JWKS entries. */
export function retiredJwks(ctx: Context, poolId: string): JWK[] {
  return ctx.store.keys.retiredOf(poolId).map((key) => JSON.parse(key.publicJwk) as JWK);
}

/** The verifying key of a retired access-token key of the pool, if `kid` is one. */
export function retiredAccessKey(ctx: Context, poolId: string, kid: string): KeyObject | undefined {
  let known = verifiers.get(ctx);
  if (!known) {
    known = new Map();
    verifiers.set(ctx, known);
  }
  const cached = known.get(kid);
  if (cached) return cached;
  const retired = ctx.store.keys.retiredOf(poolId).find((key) => key.kid === kid && key.tokenUse === "access");
  if (!retired) return undefined;
  const verifyKey = createPublicKey({ key: JSON.parse(retired.publicJwk) as JsonWebKey, format: "jwk" });
  known.set(kid, verifyKey);
  return verifyKey;
}

/** Forgets the verifying keys of kids that left the key set. */
export function forgetRetiredKeys(ctx: Context, kids: readonly string[]): void {
  const known = verifiers.get(ctx);
  for (const kid of kids) known?.delete(kid);
}
