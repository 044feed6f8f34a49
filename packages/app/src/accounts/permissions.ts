/**
 * Permissions as Django has them: `view`/`add`/`change`/`delete` per model, codenamed
 * `<module>.<action>_<model>`, plus the special ones a model's Meta.permissions would add
 * (`accounts.manage_staff`), granted to users directly or through groups; superusers have
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

/**
 * Permissions that are not one action on one model. `manage_staff`: changing a staff account
 * (its flags, groups, permissions, passwords, Cognito account) or making someone staff; without
 * it `change_user` reaches only non-staff accounts, so it is not a way into the back office.
 */
const specials = [{ codename: "accounts.manage_staff", name: "Can manage staff accounts" }] as const;

export type Action = (typeof actions)[number];
type Model = (typeof models)[number];
export type ModelPermissionCodename = `${Model["module"]}.${Action}_${Model["model"]}`;
export type SpecialPermissionCodename = (typeof specials)[number]["codename"];
export type PermissionCodename = ModelPermissionCodename | SpecialPermissionCodename;

export interface PermissionDefinition<Codename extends PermissionCodename = PermissionCodename> {
  readonly codename: Codename;
  readonly name: string;
}

export const modelPermissions: readonly PermissionDefinition<ModelPermissionCodename>[] = models.flatMap(
  ({ module, model, label }) =>
    actions.map((action) => ({
      codename: `${module}.${action}_${model}` as ModelPermissionCodename,
      name: `Can ${action} ${label}`,
    })),
);

export const specialPermissions: readonly PermissionDefinition<SpecialPermissionCodename>[] = specials;

export const permissionCatalogue: readonly PermissionDefinition[] = [...modelPermissions, ...specialPermissions];

const knownCodenames: ReadonlySet<string> = new Set(permissionCatalogue.map((p) => p.codename));

/** Narrows untrusted input (a submitted checkbox value) to a codename of the catalogue. */
export const isPermissionCodename = (value: string): value is PermissionCodename => knownCodenames.has(value);

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

/** Every codename `user` holds, directly or through a group; none while inactive. */
export async function permissionsOf(db: Db, user: User): Promise<ReadonlySet<string>> {
  return user.isActive ? grantedPermissionsOf(db, user) : new Set();
}

/**
 * Every codename granted to `user`, whether or not the account is active now: what they would
 * hold if reactivated, which is what decides whether another staff member may manage them.
 */
export async function grantedPermissionsOf(db: Db, user: User): Promise<ReadonlySet<string>> {
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
