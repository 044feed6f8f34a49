/**
 * Resource servers: CreateResourceServer, DescribeResourceServer, ListResourceServers,
 * UpdateResourceServer, DeleteResourceServer. A resource server's scopes are granted to app
 * clients as `<Identifier>/<ScopeName>` (AllowedOAuthScopes) and carried by access tokens.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateResourceServer.html
 *
 * Member constraints are the API reference's. The wording of "already exists" and "does not
 * exist" is the emulator's reading; the exceptions are the ones each operation declares.
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import { shape } from "../shapes.ts";
import type { ResourceServer, ResourceServerScope } from "../store/hosted.ts";
import { paginationToken, requirePool, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, isString, pageOf } from "./pagination.ts";

const identifier = shape.string({ required: true, min: 1, max: 256, pattern: String.raw`[\x21\x23-\x5B\x5D-\x7E]+` });
const name = shape.string({ required: true, min: 1, max: 256, pattern: String.raw`[\w\s+=,.@-]+` });
const scopes = shape.list(
  shape.structure(
    {
      ScopeName: shape.string({
        required: true,
        min: 1,
        max: 256,
        pattern: String.raw`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`,
      }),
      ScopeDescription: shape.string({ required: true, min: 1, max: 256 }),
    },
    { required: true },
  ),
  { max: 100 },
);
const serverMembers = { UserPoolId: userPoolId, Identifier: identifier, Name: name, Scopes: scopes } as const;

/** The scopes a request gives, refusing a name given twice. */
function scopeList(given: readonly ResourceServerScope[] | undefined): ResourceServerScope[] {
  const list = (given ?? []).map((s) => ({ ScopeName: s.ScopeName, ScopeDescription: s.ScopeDescription }));
  const names = new Set(list.map((s) => s.ScopeName));
  if (names.size !== list.length) throw invalidParameter("Scope names must be unique within a resource server.");
  return list;
}

function requireServer(ctx: Context, poolId: string, id: string): ResourceServer {
  const server = ctx.store.hosted.resourceServer(poolId, id);
  if (!server) throw new CognitoError("ResourceNotFoundException", `Resource server ${id} does not exist.`);
  return server;
}

/** Every `<Identifier>/<ScopeName>` the pool's resource servers define. */
export function customScopesOf(ctx: Context, poolId: string): Set<string> {
  return new Set(
    ctx.store.hosted
      .resourceServers(poolId)
      .flatMap((s) => s.Scopes.map((scope) => `${s.Identifier}/${scope.ScopeName}`)),
  );
}

/** Creates a resource server; used by the operation and by seed files. */
export function createResourceServer(
  ctx: Context,
  request: { UserPoolId: string; Identifier: string; Name: string; Scopes?: readonly ResourceServerScope[] },
): ResourceServer {
  const pool = requirePool(ctx, request.UserPoolId);
  const server: ResourceServer = {
    UserPoolId: pool.id,
    Identifier: request.Identifier,
    Name: request.Name,
    Scopes: scopeList(request.Scopes),
  };
  ctx.store.transaction(() => {
    if (ctx.store.hosted.resourceServer(pool.id, server.Identifier)) {
      throw invalidParameter(`${server.Identifier} already exists in user pool ${pool.id}.`);
    }
    ctx.store.hosted.putResourceServer(server);
  });
  return server;
}

/**
 * ResourceServerType as the operations return it: a server without scopes has no Scopes member
 * at all, not an empty list (moto models AWS's answer the same way, getmoto/moto#7167).
 */
function describeServer(server: ResourceServer) {
  const { Scopes, ...rest } = server;
  return Scopes.length > 0 ? { ...rest, Scopes } : rest;
}

export const resourceServerOperations = {
  CreateResourceServer: defineOperation(shape.structure(serverMembers), (ctx, request) => ({
    ResourceServer: describeServer(createResourceServer(ctx, request)),
  })),

  DescribeResourceServer: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Identifier: identifier }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return { ResourceServer: describeServer(requireServer(ctx, pool.id, request.Identifier)) };
    },
  ),

  ListResourceServers: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      MaxResults: shape.integer({ required: true, min: 1, max: 50 }),
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const limit = request.MaxResults;
      const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
      const page = ctx.store.hosted.resourceServerPage(pool.id, after, limit + 1);
      const { shown, more } = pageOf(page, limit, (server) => server.Identifier);
      return { ResourceServers: shown.map(describeServer), ...more };
    },
  ),

  UpdateResourceServer: defineOperation(shape.structure(serverMembers), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    requireServer(ctx, pool.id, request.Identifier);
    // Like AWS's other Update operations, what is left out is reset: no Scopes, no scopes.
    const server: ResourceServer = {
      UserPoolId: pool.id,
      Identifier: request.Identifier,
      Name: request.Name,
      Scopes: scopeList(request.Scopes),
    };
    ctx.store.hosted.putResourceServer(server);
    return { ResourceServer: describeServer(server) };
  }),

  DeleteResourceServer: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Identifier: identifier }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      requireServer(ctx, pool.id, request.Identifier);
      ctx.store.hosted.deleteResourceServer(pool.id, request.Identifier);
      return {};
    },
  ),
};
