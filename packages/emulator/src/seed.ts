/**
 * Seed files: pools, clients, groups and users declared with fixed ids, names and secrets, so
 * that an app's configuration (pool id, client id, client secret) stays the same across
 * restarts and fresh databases. Applying a seed creates what is missing and leaves what exists.
 * A pool's `MfaConfig` takes SetUserPoolMfaConfig's members and is applied when the pool is made.
 * `Domain` gives the pool a prefix domain (its hosted UI, `<emulator>/<domain>/login`) and
 * `ResourceServers` CreateResourceServer's members; both are made before the clients, whose
 * AllowedOAuthScopes may name a resource server's scopes. The top-level `triggers` maps the
 * Lambda ARNs of pools' `LambdaConfig` to local handlers: a module path (relative to the seed
 * file) or an http(s) URL (triggers/runtime.ts).
 *
 * @example
 *   {
 *     "pools": [{
 *       "Id": "us-east-1_Gatehouse", "PoolName": "gatehouse",
 *       "Policies": { "PasswordPolicy": { "MinimumLength": 8 } },
 *       "AutoVerifiedAttributes": ["email"],
 *       "Clients": [
 *         { "ClientId": "gatehousewebclient00000000", "ClientName": "web",
 *           "ClientSecret": "…", "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"] }
 *       ],
 *       "Groups": [{ "GroupName": "staff", "Precedence": 1 }],
 *       "MfaConfig": { "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": { "Enabled": true } }
 *     }]
 *   }
 */
import type { Context } from "./context.ts";
import { createClient, createClientInput } from "./operations/clients.ts";
import { createPoolDomain } from "./operations/domains.ts";
import { createResourceServer } from "./operations/resource-servers.ts";
import { setPoolMfaConfig, setUserPoolMfaConfigInput } from "./operations/mfa.ts";
import { createPool, createUserPoolInput } from "./operations/pools.ts";
import { validate, shape } from "./shapes.ts";
import { poolIdPattern } from "./ids.ts";
import { resolveTriggerTargets, type TriggerTarget } from "./triggers/runtime.ts";

export interface Seed {
  readonly pools: readonly Record<string, unknown>[];
  /** Lambda ARN → module path (absolute once parsed) or URL. */
  readonly triggers?: Readonly<Record<string, TriggerTarget>>;
}

const seedPoolShape = shape.structure({
  Id: shape.string({ required: true, min: 1, max: 55, pattern: poolIdPattern }),
  Domain: shape.string({ min: 1, max: 63 }),
  ResourceServers: shape.list(
    shape.structure(
      {
        Identifier: shape.string({ required: true, min: 1, max: 256 }),
        Name: shape.string({ required: true, min: 1, max: 256 }),
        Scopes: shape.list(
          shape.structure({
            ScopeName: shape.string({ required: true, min: 1, max: 256 }),
            ScopeDescription: shape.string({ required: true, min: 1, max: 256 }),
          }),
        ),
      },
      { required: true },
    ),
  ),
  Clients: shape.list(
    shape.structure({
      ClientId: shape.string({ required: true, min: 1, max: 128, pattern: String.raw`[\w+]+` }),
      ClientSecret: shape.string({ min: 1, max: 128, pattern: String.raw`[\w+]+` }),
    }),
  ),
  Groups: shape.list(
    shape.structure({
      GroupName: shape.string({ required: true, min: 1, max: 128 }),
      Description: shape.string({ max: 2048 }),
      Precedence: shape.integer({ min: 0 }),
      RoleArn: shape.string({ min: 20, max: 2048 }),
    }),
  ),
});

/**
 * Reads and checks a seed document; throws with a message naming the bad member. Trigger
 * module paths are resolved against `baseDir` (the seed file's folder; default: the working
 * directory).
 */
export function parseSeed(document: unknown, baseDir: string = process.cwd()): Seed {
  if (typeof document !== "object" || document === null || !Array.isArray((document as { pools?: unknown }).pools)) {
    throw new Error('A seed file must be a JSON object with a "pools" array.');
  }
  const pools = (document as { pools: unknown[] }).pools;
  pools.forEach((pool, i) => {
    try {
      validate(seedPoolShape, pool);
      validate(createUserPoolInput, pool);
      mfaConfigOf(pool);
    } catch (error) {
      throw new Error(`Seed pool #${i + 1}: ${(error as Error).message}`);
    }
  });
  const triggers = (document as { triggers?: unknown }).triggers;
  if (triggers !== undefined && (typeof triggers !== "object" || triggers === null || Array.isArray(triggers))) {
    throw new Error('"triggers" must be an object mapping Lambda ARNs to module paths or URLs.');
  }
  return {
    pools: pools as Record<string, unknown>[],
    ...(triggers ? { triggers: resolveTriggerTargets(triggers as Record<string, unknown>, baseDir) } : {}),
  };
}

/** The seed pool's `MfaConfig` as a SetUserPoolMfaConfig request, or undefined. */
function mfaConfigOf(pool: unknown) {
  const { Id, MfaConfig } = pool as { Id?: unknown; MfaConfig?: unknown };
  if (MfaConfig === undefined) return undefined;
  if (typeof MfaConfig !== "object" || MfaConfig === null) throw new Error("MfaConfig must be an object.");
  return validate(setUserPoolMfaConfigInput, { ...MfaConfig, UserPoolId: Id });
}

export async function applySeed(ctx: Context, seed: Seed): Promise<void> {
  for (const raw of seed.pools) {
    const poolSeed = validate(seedPoolShape, raw);
    const request = validate(createUserPoolInput, raw);
    if (!ctx.store.pools.get(poolSeed.Id)) {
      await createPool(ctx, request, poolSeed.Id);
      const mfa = mfaConfigOf(raw);
      if (mfa) setPoolMfaConfig(ctx, mfa);
    }
    if (poolSeed.Domain !== undefined && !ctx.store.hosted.domain(poolSeed.Domain)) {
      createPoolDomain(ctx, { Domain: poolSeed.Domain, UserPoolId: poolSeed.Id });
    }
    for (const server of poolSeed.ResourceServers ?? []) {
      if (ctx.store.hosted.resourceServer(poolSeed.Id, server.Identifier)) continue;
      createResourceServer(ctx, { UserPoolId: poolSeed.Id, ...server });
    }
    for (const clientRaw of (raw.Clients as Record<string, unknown>[] | undefined) ?? []) {
      const fixed = validate(seedPoolShape.members.Clients.member, clientRaw);
      if (ctx.store.clients.get(fixed.ClientId)) continue;
      const clientRequest = validate(createClientInput, { ...clientRaw, UserPoolId: poolSeed.Id });
      createClient(ctx, clientRequest, { id: fixed.ClientId, secret: fixed.ClientSecret });
    }
    const now = ctx.clock.now();
    for (const group of poolSeed.Groups ?? []) {
      if (ctx.store.groups.get(poolSeed.Id, group.GroupName)) continue;
      ctx.store.groups.insert({
        poolId: poolSeed.Id,
        name: group.GroupName,
        description: group.Description ?? null,
        roleArn: group.RoleArn ?? null,
        precedence: group.Precedence ?? null,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
}
