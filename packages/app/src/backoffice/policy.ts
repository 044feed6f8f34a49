/**
 * What staff may do to other accounts, beyond the route's permission (Django's admin practice
 * and better-auth's access control: a permission to change users is not a permission to become
 * anyone). Nobody, superusers included, deactivates, deletes or un-staffs their own account
 * (they would lock themselves out mid-request). The other rules are for everyone but superusers:
 *
 * - Nobody changes their own groups or permissions.
 * - Only a superuser changes a superuser or grants superuser status.
 * - A staff account, or making an account staff, needs `accounts.manage_staff`: `change_user`
 *   alone reaches customers only, so it is never a way into the back office.
 * - Nobody changes an account (flags, groups, permissions, passwords, its Cognito account) that
 *   holds a permission they lack, counting what an inactive account would hold again.
 * - Nobody grants a permission they do not hold: not directly, not through a group they add
 *   someone to, not by adding it to a group. Permissions they lack stay as they are on the
 *   groups they edit.
 * - Changing what a group grants, or deleting it, changes every member's account, so the rules
 *   above apply to each member: no superuser, oneself, staff (without `manage_staff`) or anyone
 *   holding more among them. Renaming a group changes nobody.
 *
 * Every refusal of a submitted change is written to the audit log ("refuse").
 */
import type { Db } from "../db/database.ts";
import { grantedPermissionsOf } from "../accounts/permissions.ts";
import type { User } from "../accounts/users.ts";
import { HttpError } from "../http-error.ts";
import type { Staff } from "./access.ts";
import { writeAudit, type AuditObjectType } from "./audit.ts";
import { say, type BackofficeMessage } from "./messages.ts";

export type UserOperation = "change" | "deactivate" | "delete";

/** An account as the policy judges it: the user and every permission granted to them. */
export interface ManagedUser {
  readonly user: User;
  readonly granted: ReadonlySet<string>;
}

export async function managedUser(db: Db, user: User): Promise<ManagedUser> {
  return { user, granted: await grantedPermissionsOf(db, user) };
}

/** Does `staff` hold every one of `codenames`? (A superuser's set is the whole catalogue.) */
export const holdsAll = (staff: Staff, codenames: Iterable<string>): boolean =>
  [...codenames].every((codename) => staff.permissions.has(codename));

export function refusalFor(staff: Staff, target: ManagedUser, operation: UserOperation): BackofficeMessage | null {
  const self = target.user.id === staff.user.id;
  if (target.user.isSuperuser && !staff.user.isSuperuser) return "SUPERUSER_ONLY";
  if ((operation === "deactivate" || operation === "delete") && self) return "CANNOT_CHANGE_SELF";
  if (self || staff.user.isSuperuser) return null;
  if (target.user.isStaff && !staff.can("accounts.manage_staff")) return "STAFF_MANAGERS_ONLY";
  if (!holdsAll(staff, target.granted)) return "MORE_PRIVILEGED";
  return null;
}

/** Why `staff` may not make an account staff, or null when they may. */
export const staffGrantRefusal = (staff: Staff): BackofficeMessage | null =>
  staff.can("accounts.manage_staff") ? null : "STAFF_MANAGERS_ONLY";

export interface RefusedObject {
  readonly type: AuditObjectType;
  readonly id: string;
  readonly repr: string;
}

/** Writes the audit entry of a refused attempt: who tried what on which object, and why not. */
export async function recordRefusal(
  db: Db,
  staff: Staff,
  object: RefusedObject,
  attempt: string,
  reason: BackofficeMessage,
): Promise<void> {
  await writeAudit(db, {
    actorId: staff.user.id,
    action: "refuse",
    objectType: object.type,
    objectId: object.id,
    objectRepr: object.repr,
    message: `Refused: ${attempt}. ${say(reason)}`,
  });
}

/** A group's members, as the policy judges a change to what the group grants. */
export interface GroupMembers {
  readonly includeSuperuser: boolean;
  readonly includeSelf: boolean;
  readonly includeStaff: boolean;
  /** Every codename granted to any member, directly or through any of their groups. */
  readonly granted: ReadonlySet<string>;
}

export async function groupMembers(db: Db, groupId: string, staff: Staff): Promise<GroupMembers> {
  const members = db
    .selectFrom("user_groups")
    .innerJoin("users", "users.id", "user_groups.user_id")
    .where("user_groups.group_id", "=", groupId);
  const any = async (query: typeof members) =>
    (await query.select("users.id").limit(1).executeTakeFirst()) !== undefined;
  const direct = db
    .selectFrom("user_groups as member")
    .innerJoin("user_permissions", "user_permissions.user_id", "member.user_id")
    .innerJoin("permissions", "permissions.id", "user_permissions.permission_id")
    .select("permissions.codename")
    .where("member.group_id", "=", groupId);
  const viaGroups = db
    .selectFrom("user_groups as member")
    .innerJoin("user_groups as theirs", "theirs.user_id", "member.user_id")
    .innerJoin("group_permissions", "group_permissions.group_id", "theirs.group_id")
    .innerJoin("permissions", "permissions.id", "group_permissions.permission_id")
    .select("permissions.codename")
    .where("member.group_id", "=", groupId);
  const [includeSuperuser, includeSelf, includeStaff, granted] = await Promise.all([
    any(members.where("users.is_superuser", "=", true)),
    any(members.where("users.id", "=", staff.user.id)),
    any(members.where("users.is_staff", "=", true)),
    direct.union(viaGroups).execute(),
  ]);
  return { includeSuperuser, includeSelf, includeStaff, granted: new Set(granted.map((r) => r.codename)) };
}

/** Why `staff` may not change what a group with these members grants (or delete it), or null. */
export function groupChangeRefusal(staff: Staff, members: GroupMembers): BackofficeMessage | null {
  if (staff.user.isSuperuser) return null;
  if (members.includeSuperuser) return "GROUP_HAS_SUPERUSER";
  if (members.includeSelf) return "GROUP_HAS_SELF";
  if (members.includeStaff && !staff.can("accounts.manage_staff")) return "GROUP_HAS_STAFF";
  if (!holdsAll(staff, members.granted)) return "GROUP_HAS_MORE_PRIVILEGED";
  return null;
}

export const userObject = (user: User): RefusedObject => ({ type: "user", id: user.id, repr: user.username });

/**
 * What a picker's submission comes to for `staff`: the part they may grant as submitted, the
 * rest as it was (a disabled checkbox is not submitted, so absence there means nothing), and
 * what was asked for beyond what they may grant — a crafted form, to refuse.
 */
export function withinGrant(
  before: ReadonlySet<string>,
  submitted: ReadonlySet<string>,
  grantable: ReadonlySet<string>,
): { readonly value: ReadonlySet<string>; readonly beyond: readonly string[] } {
  const value = new Set([...submitted].filter((item) => grantable.has(item)));
  for (const item of before) if (!grantable.has(item)) value.add(item);
  const beyond = [...submitted].filter((item) => !grantable.has(item) && !before.has(item));
  return { value, beyond };
}

/** The groups `staff` may add someone to or take them out of: those whose permissions they all hold. */
export const grantableGroups = (staff: Staff, permissionsByGroup: ReadonlyMap<string, ReadonlySet<string>>) =>
  new Set([...permissionsByGroup].filter(([, codenames]) => holdsAll(staff, codenames)).map(([id]) => id));

/**
 * Answers 403 unless `staff` may do `operation` to `user`. `attempt` names what a submitted
 * form tried, to keep in the audit log; a page view (no attempt) is refused without an entry.
 */
export async function ensureMayManage(
  db: Db,
  staff: Staff,
  user: User,
  operation: UserOperation,
  attempt?: string,
): Promise<void> {
  const refusal = refusalFor(staff, await managedUser(db, user), operation);
  if (refusal === null) return;
  if (attempt !== undefined) await recordRefusal(db, staff, userObject(user), attempt, refusal);
  throw new HttpError(403, say(refusal));
}
