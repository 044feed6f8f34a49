/**
 * Permissions as Django has them: `view`/`add`/`change`/`delete` per model, codenamed
 * `<module>.<action>_<model>`, granted to users directly or through groups; superusers have
 * them all, inactive users none. Declared here as data and written to the `permissions` table
 * after migrations (Django's post_migrate `create_permissions`).
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import type { User } from "./users.ts";

const actions = ["view", "add", "change", "delete"] as const;
const models = [
  { module: "accounts", model: "user", label: "user" },
  { module: "accounts", model: "group", label: "group" },
  { module: "backoffice", model: "auditlogentry", label: "audit log entry" },
] as const;

export type Action = (typeof actions)[number];
type Model = (typeof models)[number];
export type PermissionCodename = `${Model["module"]}.${Action}_${Model["model"]}`;

export interface PermissionDefinition {
  readonly codename: PermissionCodename;
  readonly name: string;
}

export const permissionCatalogue: readonly PermissionDefinition[] = models.flatMap(({ module, model, label }) =>
  actions.map((action) => ({
    codename: `${module}.${action}_${model}` as PermissionCodename,
    name: `Can ${action} ${label}`,
  })),
);

/** Inserts the catalogue's permissions that the table lacks; safe to run at every start. */
export async function syncPermissions(db: Db): Promise<void> {
  const existing = new Set((await db.selectFrom("permissions").select("codename").execute()).map((r) => r.codename));
  const missing = permissionCatalogue.filter((p) => !existing.has(p.codename));
  if (missing.length === 0) return;
  await db
    .insertInto("permissions")
    .values(missing.map((p) => ({ id: randomUUID(), codename: p.codename, name: p.name })))
    .onConflict((oc) => oc.column("codename").doNothing())
    .execute();
}

/** Every codename `user` holds, directly or through a group. */
export async function permissionsOf(db: Db, user: User): Promise<ReadonlySet<string>> {
  if (!user.isActive) return new Set();
  if (user.isSuperuser) return new Set(permissionCatalogue.map((p) => p.codename));
  const direct = db
    .selectFrom("user_permissions")
    .innerJoin("permissions", "permissions.id", "user_permissions.permission_id")
    .select("permissions.codename")
    .where("user_permissions.user_id", "=", user.id);
  const viaGroups = db
    .selectFrom("user_groups")
    .innerJoin("group_permissions", "group_permissions.group_id", "user_groups.group_id")
    .innerJoin("permissions", "permissions.id", "group_permissions.permission_id")
    .select("permissions.codename")
    .where("user_groups.user_id", "=", user.id);
  const rows = await direct.union(viaGroups).execute();
  return new Set(rows.map((r) => r.codename));
}

/** Django's user.has_perm(): deny unless granted. */
export async function hasPermission(db: Db, user: User, codename: PermissionCodename): Promise<boolean> {
  return (await permissionsOf(db, user)).has(codename);
}

/** Names of the groups `user` belongs to, alphabetical. */
export async function groupNamesOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("user_groups")
    .innerJoin("groups", "groups.id", "user_groups.group_id")
    .select("groups.name")
    .where("user_groups.user_id", "=", userId)
    .orderBy("groups.name")
    .execute();
  return rows.map((r) => r.name);
}
