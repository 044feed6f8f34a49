/**
 * App clients: CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients,
 * UpdateUserPoolClient, DeleteUserPoolClient.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
 */
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import { checkOAuthSettings } from "../hosted/client-settings.ts";
import { newClientId, newClientSecret } from "../ids.ts";
import type { Client, ClientConfig, ExplicitAuthFlow, Pool, TimeUnit } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { clientId, epochSeconds, paginationToken, requirePool, requirePoolClient, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, isString, pageOf } from "./pagination.ts";

const timeUnit = shape.string({ enum: ["seconds", "minutes", "hours", "days"] });
const urls = shape.list(shape.string({ min: 1, max: 1024, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+` }), {
  max: 100,
});
const attributeNames = shape.list(shape.string({ min: 1, max: 2048 }));

const settingsMembers = {
  ClientName: shape.string({ min: 1, max: 128, pattern: String.raw`[\w\s+=,.@-]+` }),
  RefreshTokenValidity: shape.integer({ min: 0, max: 315360000 }),
  AccessTokenValidity: shape.integer({ min: 1, max: 86400 }),
  IdTokenValidity: shape.integer({ min: 1, max: 86400 }),
  TokenValidityUnits: shape.structure({ AccessToken: timeUnit, IdToken: timeUnit, RefreshToken: timeUnit }),
  ReadAttributes: attributeNames,
  WriteAttributes: attributeNames,
  ExplicitAuthFlows: shape.list(
    shape.string({
      enum: [
        "ADMIN_NO_SRP_AUTH",
        "CUSTOM_AUTH_FLOW_ONLY",
        "USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_AUTH",
      ],
    }),
  ),
  SupportedIdentityProviders: shape.list(shape.string({ min: 1, max: 32 })),
  CallbackURLs: urls,
  LogoutURLs: urls,
  DefaultRedirectURI: shape.string({ min: 1, max: 1024 }),
  AllowedOAuthFlows: shape.list(shape.string({ enum: ["code", "implicit", "client_credentials"] }), { max: 3 }),
  AllowedOAuthScopes: shape.list(shape.string({ min: 1, max: 256, pattern: String.raw`[\x21\x23-\x5B\x5D-\x7E]+` }), {
    max: 50,
  }),
  AllowedOAuthFlowsUserPoolClient: shape.boolean(),
  PreventUserExistenceErrors: shape.string({ enum: ["LEGACY", "ENABLED"] }),
  EnableTokenRevocation: shape.boolean(),
  EnablePropagateAdditionalUserContextData: shape.boolean(),
  AuthSessionValidity: shape.integer({ min: 3, max: 15 }),
} as const;

type ClientSettings = Infer<ReturnType<typeof shape.structure<typeof settingsMembers>>>;

const legacyFlows: Partial<Record<ExplicitAuthFlow, ExplicitAuthFlow>> = {
  ADMIN_NO_SRP_AUTH: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  USER_PASSWORD_AUTH: "ALLOW_USER_PASSWORD_AUTH",
  CUSTOM_AUTH_FLOW_ONLY: "ALLOW_CUSTOM_AUTH",
};

/** Whether the client allows `flow` (an ALLOW_… name), legacy names included. */
export function allowsFlow(client: Client, flow: ExplicitAuthFlow): boolean {
  const flows = client.config.ExplicitAuthFlows;
  if (flows.includes(flow)) return true;
  // Legacy clients (no ALLOW_ values) also allow SRP and refresh, as AWS documents.
  const legacy = flows.every((f) => !f.startsWith("ALLOW_"));
  if (legacy && (flow === "ALLOW_USER_SRP_AUTH" || flow === "ALLOW_REFRESH_TOKEN_AUTH")) return true;
  return flows.some((f) => legacyFlows[f] === flow);
}

const unitSeconds: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

function checkValidity(value: number, unit: TimeUnit, minSeconds: number, maxSeconds: number, name: string): void {
  const seconds = value * unitSeconds[unit];
  if (seconds < minSeconds || seconds > maxSeconds) {
    throw invalidParameter(
      `Invalid range for token validity. ${name} must be between ${minSeconds / 60} minutes and ${maxSeconds / 3600} hours.`,
    );
  }
}

function validAttributeNames(pool: Pool): Set<string> {
  return new Set(pool.config.SchemaAttributes.map((a) => a.Name));
}

/** Client settings from a Create/Update request; anything left out takes AWS's default. */
function configOf(ctx: Context, pool: Pool, request: ClientSettings, hasSecret: boolean): ClientConfig {
  const units = {
    AccessToken: request.TokenValidityUnits?.AccessToken ?? "minutes",
    IdToken: request.TokenValidityUnits?.IdToken ?? "minutes",
    RefreshToken: request.TokenValidityUnits?.RefreshToken ?? "days",
  };
  const access = request.AccessTokenValidity ?? (units.AccessToken === "minutes" ? 60 : 1);
  const id = request.IdTokenValidity ?? (units.IdToken === "minutes" ? 60 : 1);
  const refresh =
    request.RefreshTokenValidity ??
    (units.RefreshToken === "days" ? 30 : (30 * 86400) / unitSeconds[units.RefreshToken]);
  checkValidity(access, units.AccessToken, 300, 86400, "AccessTokenValidity");
  checkValidity(id, units.IdToken, 300, 86400, "IdTokenValidity");
  checkValidity(refresh, units.RefreshToken, 3600, 315360000, "RefreshTokenValidity");

  const flows = request.ExplicitAuthFlows ?? ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"];
  const hasLegacy = flows.some((f) => !f.startsWith("ALLOW_"));
  const hasNew = flows.some((f) => f.startsWith("ALLOW_"));
  if (hasLegacy && hasNew) throw invalidParameter("ExplicitAuthFlows can not have both ALLOW_XXX and legacy values.");

  const known = validAttributeNames(pool);
  for (const [list, label] of [
    [request.ReadAttributes, "read"],
    [request.WriteAttributes, "write"],
  ] as const) {
    if (list?.some((name) => !known.has(name)))
      throw invalidParameter(`Invalid ${label} attributes specified while creating a client`);
  }
  if (request.WriteAttributes?.some((n) => n === "sub" || n === "email_verified" || n === "phone_number_verified")) {
    throw invalidParameter("Invalid write attributes specified while creating a client");
  }
  if (
    request.AllowedOAuthFlowsUserPoolClient &&
    !(request.AllowedOAuthFlows?.length && request.AllowedOAuthScopes?.length)
  ) {
    throw invalidParameter(
      "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
    );
  }
  if (request.DefaultRedirectURI && !request.CallbackURLs?.includes(request.DefaultRedirectURI)) {
    throw invalidParameter("DefaultRedirectURI must be one of the CallbackURLs.");
  }
  checkOAuthSettings(ctx, pool, request, hasSecret);
  return {
    RefreshTokenValidity: refresh,
    AccessTokenValidity: access,
    IdTokenValidity: id,
    TokenValidityUnits: units,
    ReadAttributes: request.ReadAttributes,
    WriteAttributes: request.WriteAttributes,
    ExplicitAuthFlows: [...new Set(flows)],
    SupportedIdentityProviders: request.SupportedIdentityProviders,
    CallbackURLs: request.CallbackURLs,
    LogoutURLs: request.LogoutURLs,
    DefaultRedirectURI: request.DefaultRedirectURI,
    AllowedOAuthFlows: request.AllowedOAuthFlows,
    AllowedOAuthScopes: request.AllowedOAuthScopes,
    AllowedOAuthFlowsUserPoolClient: request.AllowedOAuthFlowsUserPoolClient ?? false,
    PreventUserExistenceErrors: request.PreventUserExistenceErrors ?? "LEGACY",
    EnableTokenRevocation: request.EnableTokenRevocation ?? true,
    EnablePropagateAdditionalUserContextData: request.EnablePropagateAdditionalUserContextData ?? false,
    AuthSessionValidity: request.AuthSessionValidity ?? 3,
  };
}

/** The UserPoolClientType AWS returns. */
export function describeClient(client: Client): Record<string, unknown> {
  return {
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.id,
    ...(client.secret === null ? {} : { ClientSecret: client.secret }),
    LastModifiedDate: epochSeconds(client.updatedAt),
    CreationDate: epochSeconds(client.createdAt),
    ...client.config,
  };
}

export const createClientInput = shape.structure({
  UserPoolId: userPoolId,
  ...settingsMembers,
  ClientName: shape.string({ required: true, min: 1, max: 128, pattern: String.raw`[\w\s+=,.@-]+` }),
  GenerateSecret: shape.boolean(),
});
export type CreateClientRequest = Infer<typeof createClientInput>;

/** Creates a client; the seed file fixes its id and secret. */
export function createClient(
  ctx: Context,
  request: CreateClientRequest,
  fixed?: { id?: string; secret?: string },
): Client {
  const pool = requirePool(ctx, request.UserPoolId);
  const now = ctx.clock.now();
  const secret = fixed?.secret ?? (request.GenerateSecret ? newClientSecret() : null);
  const client: Client = {
    id: fixed?.id ?? newClientId(),
    poolId: pool.id,
    name: request.ClientName,
    secret,
    config: configOf(ctx, pool, request, secret !== null),
    createdAt: now,
    updatedAt: now,
  };
  ctx.store.clients.insert(client);
  return client;
}

export const clientOperations = {
  CreateUserPoolClient: defineOperation(createClientInput, (ctx, request) => ({
    UserPoolClient: describeClient(createClient(ctx, request)),
  })),

  DescribeUserPoolClient: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: clientId }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return { UserPoolClient: describeClient(requirePoolClient(ctx, pool, request.ClientId)) };
    },
  ),

  ListUserPoolClients: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      MaxResults: shape.integer({ min: 1, max: 60 }),
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const limit = request.MaxResults ?? 60;
      const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
      const { shown, more } = pageOf(ctx.store.clients.list(pool.id, after, limit + 1), limit, (c) => c.id);
      return {
        UserPoolClients: shown.map((c) => ({ ClientId: c.id, UserPoolId: c.poolId, ClientName: c.name })),
        ...more,
      };
    },
  ),

  UpdateUserPoolClient: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: clientId, ...settingsMembers }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      const config = configOf(ctx, pool, request, client.secret !== null);
      const now = ctx.clock.now();
      ctx.store.clients.update(client.id, request.ClientName ?? client.name, config, now);
      const updated = ctx.store.clients.get(client.id);
      return { UserPoolClient: updated ? describeClient(updated) : {} };
    },
  ),

  DeleteUserPoolClient: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: clientId }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      ctx.store.clients.delete(client.id);
      return {};
    },
  ),
};
