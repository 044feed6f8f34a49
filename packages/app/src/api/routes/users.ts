/**
 * `/api/v1/users` and `/api/v1/users/{id}`: the user list for staff who hold
 * `accounts.view_user` and for machine clients with the `gatehouse/users.read` scope, with DRF's page-number pagination (`count`, `next`, `previous`,
 * `results`; `?page=`, `?page_size=` up to 100), `?search=` on username and email
 * (case-insensitive, "contains") and `?ordering=`.
 * https://www.django-rest-framework.org/api-guide/pagination/#pagenumberpagination
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql, type Expression, type SqlBool } from "kysely";
import { Type } from "typebox";
import { toUser, type User } from "../../accounts/users.ts";
import type { Db } from "../../db/database.ts";
import { ApiError, notFound, validationFailed } from "../errors.ts";
import { allOf, anyOf, hasPermission, hasScope, staff } from "../permissions.ts";
import { ApiUser, Paginated, errorResponses, toApiUser } from "../schemas.ts";

const orderings = ["username", "-username", "created_at", "-created_at", "email", "-email"] as const;
type Ordering = (typeof orderings)[number];
const defaultPageSize = 20;
const maxPageSize = 100;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: "1-based; default 1." })),
  page_size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: maxPageSize, description: `Default ${defaultPageSize}.` }),
  ),
  search: Type.Optional(Type.String({ maxLength: 254, description: "Part of the username or email, any case." })),
  ordering: Type.Optional(
    Type.Union(
      orderings.map((o) => Type.Literal(o)),
      { description: "Sort key; `-` for descending. Default `username`." },
    ),
  ),
});

/**
 * Staff who may view users, or a machine client holding `gatehouse/users.read` (issue 10): the
 * resource server `gatehouse` and its scope `users.read`, as the dev seed makes them.
 */
const viewUsers = anyOf(allOf(staff, hasPermission("accounts.view_user")), hasScope("gatehouse/users.read"));

/**
 * TypeBox's conversion of query strings is lenient ("1.5" → 1, "0x10" → 16); DRF's is not, and
 * neither are we: page numbers are plain digits, checked on the raw query before the schema.
 */
function assertWholeNumbers(url: string): void {
  const query = new URLSearchParams(url.slice(url.indexOf("?") + 1 || url.length));
  const errors: Record<string, string[]> = {};
  for (const name of ["page", "page_size"]) {
    const value = query.get(name);
    if (value !== null && !/^\d{1,9}$/.test(value)) errors[name] = ["A valid integer is required."];
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
}

/** `%` and `_` typed by the searcher are literal characters, not wildcards. */
const likePattern = (search: string): string => `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Group names of each of `ids`, in one query. */
async function groupsOf(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byUser;
  const rows = await db
    .selectFrom("user_groups")
    .innerJoin("groups", "groups.id", "user_groups.group_id")
    .select(["user_groups.user_id", "groups.name"])
    .where("user_groups.user_id", "in", ids)
    .orderBy("groups.name")
    .execute();
  for (const row of rows) byUser.get(row.user_id)?.push(row.name);
  return byUser;
}

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;
  const publicBase = new URL(app.config.publicUrl.origin);

  /** An absolute link to another page of the same list (DRF builds it from the request). */
  const pageLink = (query: Record<string, string | number | undefined>, page: number): string => {
    const url = new URL("/api/v1/users", publicBase);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && key !== "page") url.searchParams.set(key, String(value));
    }
    // Like DRF, the link to the first page leaves `page` out.
    if (page > 1) url.searchParams.set("page", String(page));
    return url.href;
  };

  app.get(
    "/users",
    {
      config: { permission: viewUsers },
      preValidation: async (request) => assertWholeNumbers(request.url),
      schema: {
        summary: "List users (staff with accounts.view_user, or gatehouse/users.read)",
        tags: ["users"],
        querystring: ListQuery,
        response: { 200: Paginated(ApiUser), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { page = 1, page_size: pageSize = defaultPageSize, search, ordering = "username" } = request.query;
      const term = search?.trim() ?? "";
      const matches = (): Expression<SqlBool> | undefined =>
        term === ""
          ? undefined
          : sql<SqlBool>`(${sql.ref("username_key")} like ${likePattern(term)} escape '\\' or ${sql.ref(
              "email_key",
            )} like ${likePattern(term)} escape '\\')`;

      const where = matches();
      let countQuery = db.selectFrom("users").select((eb) => eb.fn.countAll().as("count"));
      if (where) countQuery = countQuery.where(where);
      const count = Number((await countQuery.executeTakeFirstOrThrow()).count);

      const pages = Math.max(1, Math.ceil(count / pageSize));
      if (page > pages) throw new ApiError(404, "INVALID_PAGE");

      const [column, direction] = orderColumn(ordering);
      let rowsQuery = db
        .selectFrom("users")
        .selectAll()
        .orderBy(column, direction)
        .orderBy("id", direction)
        .limit(pageSize)
        .offset((page - 1) * pageSize);
      if (where) rowsQuery = rowsQuery.where(where);
      const users: User[] = (await rowsQuery.execute()).map(toUser);
      const groups = await groupsOf(
        db,
        users.map((u) => u.id),
      );

      const query = { page_size: request.query.page_size, search, ordering: request.query.ordering };
      return {
        count,
        next: page < pages ? pageLink(query, page + 1) : null,
        previous: page > 1 ? pageLink(query, page - 1) : null,
        results: users.map((u) => toApiUser(u, groups.get(u.id) ?? [])),
      };
    },
  );

  app.get(
    "/users/:id",
    {
      config: { permission: viewUsers },
      schema: {
        summary: "One user (staff with accounts.view_user, or gatehouse/users.read)",
        tags: ["users"],
        params: Type.Object({ id: Type.String({ description: "The user's id (a UUID)." }) }),
        response: { 200: ApiUser, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      // Not a UUID cannot be anyone's id (and PostgreSQL would refuse it in a uuid comparison).
      if (!uuidPattern.test(request.params.id)) throw notFound();
      const user = await app.users.findById(request.params.id.toLowerCase());
      if (!user) throw notFound();
      return toApiUser(user, (await groupsOf(db, [user.id])).get(user.id) ?? []);
    },
  );
};

function orderColumn(ordering: Ordering): ["username_key" | "email_key" | "created_at", "asc" | "desc"] {
  const direction = ordering.startsWith("-") ? "desc" : "asc";
  const key = ordering.replace(/^-/, "");
  return [key === "username" ? "username_key" : key === "email" ? "email_key" : "created_at", direction];
}

export default usersRoutes;
