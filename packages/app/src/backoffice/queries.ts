/**
 * The back office's reads over Kysely: the users list with its search, filters, ordering and
 * pages; a user's groups and direct permissions; the catalogue rows the pickers offer; counts
 * for the home page. Writes live with the routes that make them, inside their transactions.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { toUser, type User } from "../accounts/users.ts";
import type { Db } from "../db/database.ts";
import type { DatabaseSchema } from "../db/schema.ts";

type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids in URLs are UUIDs; anything else is a 404 before it reaches PostgreSQL (whose uuid column
 * would refuse the comparison with an error, not an empty result).
 */
export const isUuid = (value: unknown): value is string => typeof value === "string" && uuidPattern.test(value);

/** `text` for a LIKE pattern that matches it anywhere, with `%`, `_` and `\` taken literally. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const userSortFields = ["username", "email", "is_staff", "is_active", "created_at"] as const;
export type UserSortField = (typeof userSortFields)[number];

const sortColumns = {
  username: "username_key",
  email: "email_key",
  is_staff: "is_staff",
  is_active: "is_active",
  created_at: "created_at",
} as const satisfies Record<UserSortField, string>;

export interface UserListQuery {
  readonly search: string;
  readonly isStaff: boolean | null;
  readonly isActive: boolean | null;
  readonly isSuperuser: boolean | null;
  readonly groupId: string | null;
  /** Only users whose Cognito sub is in this list (a Cognito status filter), or null for no filter. */
  readonly subs: readonly string[] | null;
  /** Only users with no Cognito account. */
  readonly localOnly: boolean;
  readonly sort: UserSortField;
  readonly descending: boolean;
  readonly page: number;
  readonly perPage: number;
}

export async function listUsers(db: Db, query: UserListQuery): Promise<{ users: User[]; total: number }> {
  let base = db.selectFrom("users");
  const term = query.search.trim().toLowerCase();
  if (term !== "") {
    const pattern = containsPattern(term);
    base = base.where((eb) =>
      eb.or([
        eb(sql`username_key`, "like", sql`${pattern} escape '\\'`),
        eb(sql`email_key`, "like", sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (query.isStaff !== null) base = base.where("is_staff", "=", query.isStaff);
  if (query.isActive !== null) base = base.where("is_active", "=", query.isActive);
  if (query.isSuperuser !== null) base = base.where("is_superuser", "=", query.isSuperuser);
  if (query.groupId !== null) {
    const groupId = query.groupId;
    base = base.where("id", "in", (eb) =>
      eb.selectFrom("user_groups").select("user_groups.user_id").where("user_groups.group_id", "=", groupId),
    );
  }
  if (query.localOnly) base = base.where("cognito_sub", "is", null);
  if (query.subs !== null) {
    if (query.subs.length === 0) return { users: [], total: 0 };
    base = base.where("cognito_sub", "in", [...query.subs]);
  }

  const counted = await base.select((eb) => eb.fn.countAll().as("count")).executeTakeFirst();
  const total = Number(counted?.count ?? 0);
  const direction = query.descending ? "desc" : "asc";
  const rows = await base
    .selectAll()
    .orderBy(sortColumns[query.sort], direction)
    // A stable order across pages when the sort column has ties (staff, active).
    .orderBy("username_key", "asc")
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage)
    .execute();
  return { users: rows.map(toUser), total };
}

export interface GroupRow {
  readonly id: string;
  readonly name: string;
}

export async function allGroups(executor: Executor): Promise<GroupRow[]> {
  return executor.selectFrom("groups").select(["id", "name"]).orderBy("name").execute();
}

export async function groupsOfUser(executor: Executor, userId: string): Promise<GroupRow[]> {
  return executor
    .selectFrom("user_groups")
    .innerJoin("groups", "groups.id", "user_groups.group_id")
    .select(["groups.id", "groups.name"])
    .where("user_groups.user_id", "=", userId)
    .orderBy("groups.name")
    .execute();
}

export interface PermissionRow {
  readonly id: string;
  readonly codename: string;
  readonly name: string;
}

export async function allPermissions(executor: Executor): Promise<PermissionRow[]> {
  return executor.selectFrom("permissions").select(["id", "codename", "name"]).orderBy("codename").execute();
}

/** The codenames granted to the user directly (not through groups). */
export async function directPermissionsOf(executor: Executor, userId: string): Promise<string[]> {
  const rows = await executor
    .selectFrom("user_permissions")
    .innerJoin("permissions", "permissions.id", "user_permissions.permission_id")
    .select("permissions.codename")
    .where("user_permissions.user_id", "=", userId)
    .orderBy("permissions.codename")
    .execute();
  return rows.map((r) => r.codename);
}

export async function groupPermissionsOf(executor: Executor, groupId: string): Promise<string[]> {
  const rows = await executor
    .selectFrom("group_permissions")
    .innerJoin("permissions", "permissions.id", "group_permissions.permission_id")
    .select("permissions.codename")
    .where("group_permissions.group_id", "=", groupId)
    .orderBy("permissions.codename")
    .execute();
  return rows.map((r) => r.codename);
}

export async function findUser(executor: Executor, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await executor.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}

export async function countOf(db: Db, table: "users" | "groups" | "audit_log"): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("count"))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Does another user than `exceptId` have this username (case-insensitive)? */
export async function usernameTaken(executor: Executor, username: string, exceptId?: string): Promise<boolean> {
  let query = executor.selectFrom("users").select("id").where("username_key", "=", username.toLowerCase());
  if (exceptId) query = query.where("id", "!=", exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function emailTaken(executor: Executor, email: string, exceptId?: string): Promise<boolean> {
  let query = executor.selectFrom("users").select("id").where("email_key", "=", email.toLowerCase());
  if (exceptId) query = query.where("id", "!=", exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Replaces a user's groups and direct permissions with the given sets (ids and codenames). */
export async function setMemberships(
  trx: Transaction<DatabaseSchema>,
  userId: string,
  groupIds: readonly string[],
  permissionIds: readonly string[],
): Promise<void> {
  await trx.deleteFrom("user_groups").where("user_id", "=", userId).execute();
  if (groupIds.length > 0) {
    await trx
      .insertInto("user_groups")
      .values(groupIds.map((group_id) => ({ user_id: userId, group_id })))
      .execute();
  }
  await trx.deleteFrom("user_permissions").where("user_id", "=", userId).execute();
  if (permissionIds.length > 0) {
    await trx
      .insertInto("user_permissions")
      .values(permissionIds.map((permission_id) => ({ user_id: userId, permission_id })))
      .execute();
  }
}

/** Every group's id with the codenames it grants (a group without any maps to an empty set). */
export async function permissionsByGroup(executor: Executor): Promise<Map<string, Set<string>>> {
  const rows = await executor
    .selectFrom("groups")
    .leftJoin("group_permissions", "group_permissions.group_id", "groups.id")
    .leftJoin("permissions", "permissions.id", "group_permissions.permission_id")
    .select(["groups.id as groupId", "permissions.codename"])
    .execute();
  const byGroup = new Map<string, Set<string>>();
  for (const { groupId, codename } of rows) {
    const codenames = byGroup.get(groupId) ?? new Set<string>();
    if (codename) codenames.add(codename);
    byGroup.set(groupId, codenames);
  }
  return byGroup;
}
