/**
 * `/api/v1/me`: the caller's own record, and changing their names. A change goes to Cognito
 * first (UpdateUserAttributes with the caller's access token — the Bearer token itself, or the
 * session's token for the app's own pages), then to our row, so the two never disagree about a
 * change Cognito refused.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { CognitoFailure, toFailure } from "../../accounts/cognito.ts";
import { t } from "../../accounts/messages.ts";
import { groupNamesOf } from "../../accounts/permissions.ts";
import { tokensOf } from "../../accounts/session-auth.ts";
import type { PersonCredentials } from "../authentication.ts";
import { ApiError, permissionDenied, validationFailed } from "../errors.ts";
import { authenticated } from "../permissions.ts";
import { ApiUser, errorResponses, rememberedApiUser, toApiUser } from "../schemas.ts";

const nameMaxLength = 100;
// Cognito stores control characters, PostgreSQL refuses NUL in text, and nobody types them; the
// account page refuses them the same way.
const controlCharacter = /\p{Cc}/u;

const nameField = Type.Optional(
  Type.Union([Type.String(), Type.Null()], {
    description: `Up to ${nameMaxLength} characters, trimmed; "" or null removes the name.`,
  }),
);
const MePatch = Type.Object(
  { given_name: nameField, family_name: nameField },
  { description: "Only the fields sent change; others (username, email, flags) cannot be changed here." },
);

/**
 * The person calling, as the API's authentication hook left them (the permission guarantees
 * one; a machine client has no record of its own, and `authenticated` already refused it).
 */
export function credentialsOf(request: FastifyRequest): PersonCredentials {
  const credentials = request.apiCredentials;
  if (!credentials) throw new ApiError(401, "NOT_AUTHENTICATED");
  if (credentials.via === "machine") throw permissionDenied();
  return credentials;
}

function nameProblem(name: string): string | null {
  if ([...name].length > nameMaxLength) return t("NAME_TOO_LONG");
  if (controlCharacter.test(name)) return t("NAME_INVALID");
  return null;
}

/** The caller's Cognito access token: the Bearer token, or the one kept in their session. */
function accessTokenOf(request: FastifyRequest, credentials: PersonCredentials): string {
  if (credentials.via === "bearer") {
    if (credentials.accessToken === null) throw new ApiError(403, "ACCESS_TOKEN_REQUIRED");
    return credentials.accessToken;
  }
  const tokens = tokensOf(request);
  if (!tokens || credentials.user.cognitoSub === null) throw new ApiError(403, "NO_COGNITO_ACCOUNT");
  return tokens.accessToken;
}

function cognitoRefusal(request: FastifyRequest, error: unknown): ApiError {
  const failure = error instanceof CognitoFailure ? error : toFailure(error);
  switch (failure.code) {
    case "NOT_AUTHORIZED":
    case "SESSION_EXPIRED":
    case "USER_DISABLED":
    case "USER_NOT_FOUND":
      request.log.info({ exception: failure.exception }, "Cognito refused the caller's token");
      return new ApiError(401, "TOKEN_REFUSED_BY_COGNITO", { cause: failure });
    case "INVALID_PARAMETER":
      return new ApiError(400, "INVALID_INPUT", { fields: { non_field_errors: [t("INVALID_PARAMETER")] } });
    case "TOO_MANY_REQUESTS":
    case "TOO_MANY_ATTEMPTS":
      return new ApiError(429, "THROTTLED", { cause: failure });
    default:
      request.log.error({ err: failure, exception: failure.exception }, "UpdateUserAttributes failed");
      return new ApiError(503, "SERVICE_UNAVAILABLE", { cause: failure });
  }
}

const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    "/me",
    {
      config: { permission: authenticated },
      schema: {
        summary: "The caller's own record",
        tags: ["me"],
        response: { 200: ApiUser, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const credentials = credentialsOf(request);
      const groups = credentials.via === "bearer" ? credentials.groups : await groupNamesOf(db, credentials.user.id);
      return rememberedApiUser(credentials.user, groups);
    },
  );

  app.patch(
    "/me",
    {
      config: { permission: authenticated },
      // No body at all changes nothing, as DRF's partial update of `{}`.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        summary: "Change the caller's names (in Cognito too)",
        tags: ["me"],
        body: MePatch,
        response: { 200: ApiUser, ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const credentials = credentialsOf(request);
      const { user } = credentials;
      const values: { given_name?: string; family_name?: string } = {};
      const errors: Record<string, string[]> = {};
      for (const field of ["given_name", "family_name"] as const) {
        const raw = request.body[field];
        if (raw === undefined) continue;
        const value = (raw ?? "").trim();
        const problem = nameProblem(value);
        if (problem) errors[field] = [problem];
        else values[field] = value;
      }
      if (Object.keys(errors).length > 0) throw validationFailed(errors);

      // Only what changed; an empty value removes the attribute in Cognito.
      const changes: Record<string, string> = {};
      if (values.given_name !== undefined && values.given_name !== (user.givenName ?? ""))
        changes.given_name = values.given_name;
      if (values.family_name !== undefined && values.family_name !== (user.familyName ?? ""))
        changes.family_name = values.family_name;
      if (Object.keys(changes).length === 0) return toApiUser(user, await groupNamesOf(db, user.id));

      const accessToken = accessTokenOf(request, credentials);
      try {
        await app.cognitoGateway.updateAttributes(accessToken, changes);
      } catch (error) {
        throw cognitoRefusal(request, error);
      }
      await app.users.updateProfile(user.id, {
        ...(changes.given_name !== undefined ? { givenName: changes.given_name || null } : {}),
        ...(changes.family_name !== undefined ? { familyName: changes.family_name || null } : {}),
      });
      const updated = (await app.users.findById(user.id)) ?? user;
      return toApiUser(updated, await groupNamesOf(db, user.id));
    },
  );
};

export default meRoutes;
