/**
 * The API's request and response shapes (TypeBox): one definition gives validation, the
 * handlers' types, the OpenAPI document and serialisation of the declared fields only — a
 * column added to `users` (a hash, a token) never leaks into a response by accident.
 */
import { Type, type Static, type TSchema } from "typebox";
import type { User } from "../accounts/users.ts";

const nullableString = Type.Union([Type.String(), Type.Null()]);

export const ApiUser = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    username: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    given_name: nullableString,
    family_name: nullableString,
    is_active: Type.Boolean(),
    is_staff: Type.Boolean(),
    is_superuser: Type.Boolean(),
    groups: Type.Array(Type.String(), { description: "Names of the user's groups, alphabetical." }),
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { title: "User", additionalProperties: false },
);
export type ApiUser = Static<typeof ApiUser>;

/** The representation of `user` (never the password hash, never Cognito's tokens). */
export const toApiUser = (user: User, groups: readonly string[]): ApiUser => ({
  id: user.id,
  username: user.username,
  email: user.email,
  email_verified: user.emailVerified,
  given_name: user.givenName,
  family_name: user.familyName,
  is_active: user.isActive,
  is_staff: user.isStaff,
  is_superuser: user.isSuperuser,
  groups: [...groups],
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
});

const representations = new WeakMap<User, { readonly groups: readonly string[]; readonly body: Readonly<ApiUser> }>();

/**
 * `toApiUser`, remembered per row object: the rows the API keeps between database changes
 * (queries.ts) are answered again and again, and building the record was ~4 % of a cached
 * `GET /api/v1/me` in bench:api's profiles. A new row object (any change) is a new record.
 */
export function rememberedApiUser(user: User, groups: readonly string[]): Readonly<ApiUser> {
  const known = representations.get(user);
  if (known?.groups === groups) return known.body;
  const body = Object.freeze(toApiUser(user, groups));
  representations.set(user, { groups, body });
  return body;
}

export const Detail = Type.Object({ detail: Type.String() });

/** DRF's validation errors: messages per field (or `non_field_errors`), or a `detail`. */
export const FieldErrors = Type.Object(
  { detail: Type.Optional(Type.String()) },
  {
    additionalProperties: Type.Array(Type.String()),
    description: 'Messages per field, e.g. {"given_name": ["This contains characters that cannot be part of a name."]}',
  },
);

const errorDescriptions: Readonly<Record<number, string>> = {
  400: "Invalid input: messages per field.",
  401: 'No credentials, or a bad token (`WWW-Authenticate: Bearer realm="api"`).',
  403: "Authenticated, but not allowed.",
  404: "Not found.",
  429: "Too many requests.",
  503: "Cognito or the database cannot be reached; try again later.",
};

/** Response schemas for the error statuses a route can answer. */
export function errorResponses(...statuses: readonly number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      status === 400
        ? Type.Object(FieldErrors.properties, {
            additionalProperties: Type.Array(Type.String()),
            description: errorDescriptions[status],
          })
        : Type.Object(Detail.properties, { description: errorDescriptions[status] ?? "Error." }),
    ]),
  );
}

export const Paginated = <T extends TSchema>(item: T) =>
  Type.Object({
    count: Type.Integer({ minimum: 0, description: "Matching items on all pages." }),
    next: Type.Union([Type.String({ format: "uri" }), Type.Null()], { description: "The next page, or null." }),
    previous: Type.Union([Type.String({ format: "uri" }), Type.Null()], { description: "The previous page, or null." }),
    results: Type.Array(item),
  });
