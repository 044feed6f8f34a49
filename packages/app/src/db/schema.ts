/**
 * The app's tables as Kysely sees them. Column types are what we write; what the drivers hand
 * back differs by dialect (SQLite: 0/1 and ISO text, PostgreSQL: booleans and Dates), so
 * repositories normalise rows with `asBoolean`/`asDate` before they leave the data layer.
 */
import type { ColumnType, Generated } from "kysely";

/** Written as ISO-8601 text; read as text (SQLite) or Date (PostgreSQL). */
export type Timestamp = ColumnType<string | Date, string, string>;
export type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
/** Written as boolean (0/1 in SQLite, by the dialect plugin); read as boolean or number. */
export type Flag = ColumnType<boolean | number, boolean, boolean>;

export interface UsersTable {
  id: string;
  username: string;
  /** username lower-cased: the case-insensitive unique key. */
  username_key: string;
  email: string;
  /** email lower-cased, indexed for sign-in by email and look-ups. */
  email_key: string;
  email_verified: Flag;
  cognito_sub: string | null;
  is_active: Flag;
  is_staff: Flag;
  is_superuser: Flag;
  /** null = no usable local password (Django's set_unusable_password). */
  password_hash: string | null;
  given_name: string | null;
  family_name: string | null;
  phone_number: string | null;
  picture: string | null;
  last_login: NullableTimestamp;
  last_synced_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupsTable {
  id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionsTable {
  id: string;
  /** `<module>.<action>_<model>`, e.g. `accounts.view_user`. */
  codename: string;
  name: string;
}

export interface UserGroupsTable {
  user_id: string;
  group_id: string;
}
export interface UserPermissionsTable {
  user_id: string;
  permission_id: string;
}
export interface GroupPermissionsTable {
  group_id: string;
  permission_id: string;
}

export interface SessionsTable {
  /** SHA-256 of the session id in the cookie, so a leaked table does not leak live cookies. */
  id: string;
  user_id: string | null;
  data: string;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: string;
  actor_id: string | null;
  /** "refuse": an attempt the back office turned down, kept beside what it did. */
  action: "add" | "change" | "delete" | "refuse";
  object_type: string;
  object_id: string;
  object_repr: string;
  change_message: string;
  created_at: Timestamp;
}

export interface DatabaseSchema {
  users: UsersTable;
  groups: GroupsTable;
  permissions: PermissionsTable;
  user_groups: UserGroupsTable;
  user_permissions: UserPermissionsTable;
  group_permissions: GroupPermissionsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}

export const asBoolean = (value: boolean | number): boolean => value === true || value === 1;
export const asDate = (value: string | Date): Date => (value instanceof Date ? value : new Date(value));
export const asOptionalDate = (value: string | Date | null): Date | null => (value === null ? null : asDate(value));

/** `Generated` re-exported so migrations and repositories import one module. */
export type { Generated };
