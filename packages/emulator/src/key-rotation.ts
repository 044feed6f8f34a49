/**
 * Signing-key rotation. Cognito rotates a pool's keys on its own schedule; the emulator does so
 * on request — `POST /_keys/<poolId>/rotate`, or `rotatePoolKeys` in-process — so that tests can
 * watch a verifier meet a `kid` it has not seen. Each of the pool's two keys (ID and access
 * tokens) is replaced by a new RSA-2048 pair that signs every token from then on; the old public
 * keys stay in the JWKS (retired-keys.ts) so tokens already issued still verify, the newest
 * `keptRetiredKeys` of each use, older ones leave it.
 *
 * `GET /_keys/<poolId>` says which kids sign and which are published, and how often the pool's
 * JWKS was requested (with the times), so a test can tell how often a verifier fetched it.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
import type { FastifyInstance } from "fastify";
import type { Context } from "./context.ts";
import { CognitoError } from "./errors.ts";
import { forgetRetiredKeys } from "./retired-keys.ts";
import { generatePoolKeys, jwksOf, loadPoolKeys } from "./tokens.ts";

/** Retired keys kept per token use (AWS publishes a handful at most). */
export const keptRetiredKeys = 2;

export interface PoolKeyState {
  /** The kids that sign new tokens. */
  readonly signing: { readonly id: string; readonly access: string };
  /** Every kid in the pool's JWKS, signing ones first. */
  readonly published: readonly string[];
}

export interface JwksRequests {
  readonly count: number;
  /** When each was served (the emulator's clock, ms), oldest first; the last 1,000. */
  readonly times: readonly number[];
}

const requestLogs = new WeakMap<Context, Map<string, { count: number; times: number[] }>>();

function logOf(ctx: Context, poolId: string): { count: number; times: number[] } {
  const pools = requestLogs.get(ctx) ?? new Map<string, { count: number; times: number[] }>();
  requestLogs.set(ctx, pools);
  const log = pools.get(poolId) ?? { count: 0, times: [] };
  pools.set(poolId, log);
  return log;
}

/** Notes that the pool's JWKS was served (server.ts, the `.well-known/jwks.json` route). */
export function countJwksRequest(ctx: Context, poolId: string): void {
  const log = logOf(ctx, poolId);
  log.count += 1;
  log.times.push(ctx.clock.now());
  if (log.times.length > 1000) log.times.splice(0, log.times.length - 1000);
}

export function jwksRequestsOf(ctx: Context, poolId: string): JwksRequests {
  const log = logOf(ctx, poolId);
  return { count: log.count, times: [...log.times] };
}

function requirePoolId(ctx: Context, poolId: string): void {
  if (!ctx.store.pools.get(poolId)) {
    throw new CognitoError("ResourceNotFoundException", `User pool ${poolId} does not exist.`);
  }
}

export async function poolKeyState(ctx: Context, poolId: string): Promise<PoolKeyState> {
  requirePoolId(ctx, poolId);
  const jwks = await jwksOf(ctx, poolId);
  const signing = ctx.store.keys.ofPool(poolId);
  const kidOf = (use: "id" | "access") => signing.find((key) => key.tokenUse === use)?.kid ?? "";
  return {
    signing: { id: kidOf("id"), access: kidOf("access") },
    published: jwks.keys.flatMap((key) => (typeof key.kid === "string" ? [key.kid] : [])),
  };
}

/**
 * Replaces the pool's two signing keys with new ones; the old ones stay published.
 *
 * @example
 * const { signing } = await rotatePoolKeys(ctx, "us-east-1_GatehoUse");
 * // tokens issued from now on carry signing.access / signing.id as their kid
 */
export async function rotatePoolKeys(ctx: Context, poolId: string): Promise<PoolKeyState> {
  requirePoolId(ctx, poolId);
  // Keys are made on first need: make sure there are some to retire.
  await loadPoolKeys(ctx, poolId);
  const fresh = await generatePoolKeys();
  const dropped: string[] = [];
  ctx.store.transaction(() => {
    const retiredAt = ctx.clock.now();
    for (const key of ctx.store.keys.ofPool(poolId)) ctx.store.keys.retire(key, retiredAt);
    for (const key of fresh) ctx.store.keys.insert({ poolId, ...key });
    const kept = { id: 0, access: 0 };
    for (const key of ctx.store.keys.retiredOf(poolId)) {
      kept[key.tokenUse] += 1;
      if (kept[key.tokenUse] > keptRetiredKeys) {
        ctx.store.keys.forgetRetired(key.kid);
        dropped.push(key.kid);
      }
    }
  });
  ctx.keyCache.delete(poolId);
  forgetRetiredKeys(ctx, dropped);
  return poolKeyState(ctx, poolId);
}

/** `GET /_keys/:poolId` and `POST /_keys/:poolId/rotate`, beside `/_outbox`. */
export function keyRoutes(ctx: Context) {
  return async (app: FastifyInstance): Promise<void> => {
    const answer = async (poolId: string, work: () => Promise<PoolKeyState>) => {
      const state = await work();
      return { ...state, jwksRequests: jwksRequestsOf(ctx, poolId) };
    };
    app.get<{ Params: { poolId: string } }>("/_keys/:poolId", async (request) =>
      answer(request.params.poolId, () => poolKeyState(ctx, request.params.poolId)),
    );
    app.post<{ Params: { poolId: string } }>("/_keys/:poolId/rotate", async (request) =>
      answer(request.params.poolId, () => rotatePoolKeys(ctx, request.params.poolId)),
    );
  };
}
