/**
 * The pre token generation trigger: the function sees what the tokens would say and may add,
 * override or suppress claims, replace the groups and roles, and (V2_0) change the access
 * token's claims and scopes.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 *
 * Facts relied on:
 * - LambdaConfig.PreTokenGenerationConfig {LambdaVersion, LambdaArn} picks the event version
 *   (V1_0, V2_0, V3_0); the older LambdaConfig.PreTokenGeneration is V1_0;
 * - sources: TokenGeneration_Authentication (a sign-in through the API), _HostedAuth (the
 *   hosted UI), _NewPasswordChallenge (a temporary password replaced), _RefreshTokens;
 * - request: userAttributes, groupConfiguration {groupsToOverride, iamRolesToOverride,
 *   preferredRole}, clientMetadata, and for V2_0+ `scopes`;
 * - V1_0 answers in `claimsOverrideDetails` {claimsToAddOrOverride, claimsToSuppress,
 *   groupOverrideDetails}, which change the ID token (the groups: both tokens); V2_0 in
 *   `claimsAndScopeOverrideDetails` {idTokenGeneration, accessTokenGeneration {…, scopesToAdd,
 *   scopesToSuppress}, groupOverrideDetails};
 * - the claims that say what a token is and whom it is for cannot be changed; the emulator
 *   leaves them as they are whatever the answer says.
 */
import type { Context } from "../context.ts";
import type { Client, Group, Pool, User } from "../model.ts";
import { eventAttributes, responseOf, triggerEvent, withMetadata } from "./events.ts";
import { invokeTrigger, triggerArn } from "./runtime.ts";
import { requestMember } from "./scope.ts";

export type TokenSource =
  | "TokenGeneration_Authentication"
  | "TokenGeneration_HostedAuth"
  | "TokenGeneration_NewPasswordChallenge"
  | "TokenGeneration_RefreshTokens";

export interface TokenClaims {
  readonly id: Record<string, unknown>;
  readonly access: Record<string, unknown>;
}

const fixedIdClaims = new Set([
  "acr",
  "amr",
  "at_hash",
  "aud",
  "auth_time",
  "azp",
  "c_hash",
  "cognito:username",
  "event_id",
  "exp",
  "iat",
  "identities",
  "iss",
  "jti",
  "nbf",
  "nonce",
  "origin_jti",
  "sub",
  "token_use",
]);
const fixedAccessClaims = new Set([
  "acr",
  "amr",
  "auth_time",
  "azp",
  "client_id",
  "event_id",
  "exp",
  "iat",
  "iss",
  "jti",
  "nbf",
  "origin_jti",
  "scope",
  "sub",
  "token_use",
  "username",
  "version",
]);

/** Which source a token issue is, when the caller does not say. */
export function tokenSource(hosted: boolean): TokenSource {
  if (hosted) return "TokenGeneration_HostedAuth";
  return requestMember("ChallengeName") === "NEW_PASSWORD_REQUIRED"
    ? "TokenGeneration_NewPasswordChallenge"
    : "TokenGeneration_Authentication";
}

/** "1", "2" or "3": the event version the pool asks for. */
function eventVersion(pool: Pool): string {
  const versioned = pool.config.LambdaConfig.PreTokenGenerationConfig as { LambdaVersion?: unknown } | undefined;
  const version = typeof versioned?.LambdaVersion === "string" ? versioned.LambdaVersion : "V1_0";
  return version === "V3_0" ? "3" : version === "V2_0" ? "2" : "1";
}

const object = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const strings = (value: unknown): string[] | null =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null;

/** Adds, overrides and suppresses claims, leaving the fixed ones alone. */
function changeClaims(claims: Record<string, unknown>, change: Record<string, unknown>, fixed: Set<string>): void {
  for (const name of strings(change.claimsToSuppress) ?? []) if (!fixed.has(name)) delete claims[name];
  for (const [name, value] of Object.entries(object(change.claimsToAddOrOverride))) {
    if (!fixed.has(name)) claims[name] = value;
  }
}

function changeGroups(claims: TokenClaims, groups: Record<string, unknown>): void {
  const names = strings(groups.groupsToOverride);
  if (names) {
    for (const token of [claims.id, claims.access]) {
      if (names.length > 0) token["cognito:groups"] = names;
      else delete token["cognito:groups"];
    }
  }
  const roles = strings(groups.iamRolesToOverride);
  if (roles) {
    if (roles.length > 0) claims.id["cognito:roles"] = roles;
    else delete claims.id["cognito:roles"];
  }
  if (typeof groups.preferredRole === "string") claims.id["cognito:preferred_role"] = groups.preferredRole;
}

function changeScopes(access: Record<string, unknown>, change: Record<string, unknown>): void {
  const suppressed = new Set(strings(change.scopesToSuppress) ?? []);
  const current = typeof access.scope === "string" ? access.scope.split(" ").filter(Boolean) : [];
  const scopes = [...new Set([...current, ...(strings(change.scopesToAdd) ?? [])])].filter((s) => !suppressed.has(s));
  access.scope = scopes.join(" ");
}

/**
 * Runs the pool's PreTokenGeneration trigger over the claims of a token pair about to be signed
 * and returns the claims as its answer leaves them (unchanged without a trigger).
 */
export async function customizeTokens(
  ctx: Context,
  target: { pool: Pool; client: Client; user: User; groups: readonly Group[]; source: TokenSource },
  claims: TokenClaims,
): Promise<TokenClaims> {
  const { pool, user, groups } = target;
  if (triggerArn(pool, "PreTokenGeneration") === null) return claims;
  const version = eventVersion(pool);
  const roles = claims.id["cognito:roles"];
  const preferred = claims.id["cognito:preferred_role"];
  const scopes = typeof claims.access.scope === "string" ? claims.access.scope.split(" ") : [];
  const returned = await invokeTrigger(
    ctx,
    pool,
    "PreTokenGeneration",
    triggerEvent({
      pool,
      version,
      userName: user.username,
      triggerSource: target.source,
      clientId: target.client.id,
      request: withMetadata({
        userAttributes: eventAttributes(user),
        groupConfiguration: {
          groupsToOverride: groups.map((g) => g.name),
          iamRolesToOverride: Array.isArray(roles) ? roles : [],
          preferredRole: typeof preferred === "string" ? preferred : null,
        },
        ...(version === "1" ? {} : { scopes }),
      }),
      response: version === "1" ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
    }),
  );
  const response = responseOf(returned);
  const out: TokenClaims = { id: { ...claims.id }, access: { ...claims.access } };
  if (version === "1") {
    const details = object(response.claimsOverrideDetails);
    // Groups first, so that a claim the answer suppresses stays suppressed.
    changeGroups(out, object(details.groupOverrideDetails));
    changeClaims(out.id, details, fixedIdClaims);
    return out;
  }
  const details = object(response.claimsAndScopeOverrideDetails);
  changeGroups(out, object(details.groupOverrideDetails));
  changeClaims(out.id, object(details.idTokenGeneration), fixedIdClaims);
  const accessChange = object(details.accessTokenGeneration);
  changeClaims(out.access, accessChange, fixedAccessClaims);
  changeScopes(out.access, accessChange);
  return out;
}
