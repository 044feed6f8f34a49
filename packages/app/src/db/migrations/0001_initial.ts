/**
 * Users, groups, permissions, sessions and the audit log (the data model of DESIGN.md).
 * Column types are chosen per dialect: PostgreSQL gets uuid/boolean/timestamptz, SQLite text and
 * integer affinities.
 */
import { sql, type Kysely } from "kysely";
import type { MigrationDialect } from "./index.ts";

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === "postgres";
  const uuid = pg ? "uuid" : "text";
  const time = pg ? "timestamptz" : "text";
  const flag = pg ? "boolean" : "integer";
  const no = pg ? sql`false` : sql`0`;
  const yes = pg ? sql`true` : sql`1`;

  await db.schema
    .createTable("users")
    .addColumn("id", uuid, (c) => c.primaryKey())
    .addColumn("username", "varchar(150)", (c) => c.notNull())
    .addColumn("username_key", "varchar(150)", (c) => c.notNull().unique())
    .addColumn("email", "varchar(254)", (c) => c.notNull())
    .addColumn("email_key", "varchar(254)", (c) => c.notNull())
    .addColumn("email_verified", flag, (c) => c.notNull().defaultTo(no))
    .addColumn("cognito_sub", uuid, (c) => c.unique())
    .addColumn("is_active", flag, (c) => c.notNull().defaultTo(yes))
    .addColumn("is_staff", flag, (c) => c.notNull().defaultTo(no))
    .addColumn("is_superuser", flag, (c) => c.notNull().defaultTo(no))
    .addColumn("password_hash", "varchar(255)")
    .addColumn("given_name", "varchar(255)")
    .addColumn("family_name", "varchar(255)")
    .addColumn("phone_number", "varchar(32)")
    .addColumn("picture", "varchar(2048)")
    .addColumn("last_login", time)
    .addColumn("last_synced_at", time)
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("updated_at", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_email_key").on("users").column("email_key").execute();
  await db.schema.createIndex("users_created_at").on("users").column("created_at").execute();

  await db.schema
    .createTable("groups")
    .addColumn("id", uuid, (c) => c.primaryKey())
    .addColumn("name", "varchar(150)", (c) => c.notNull().unique())
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("updated_at", time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("permissions")
    .addColumn("id", uuid, (c) => c.primaryKey())
    .addColumn("codename", "varchar(150)", (c) => c.notNull().unique())
    .addColumn("name", "varchar(255)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("user_groups")
    .addColumn("user_id", uuid, (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("group_id", uuid, (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("user_groups_pk", ["user_id", "group_id"])
    .execute();
  await db.schema
    .createTable("user_permissions")
    .addColumn("user_id", uuid, (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("permission_id", uuid, (c) => c.notNull().references("permissions.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("user_permissions_pk", ["user_id", "permission_id"])
    .execute();
  await db.schema
    .createTable("group_permissions")
    .addColumn("group_id", uuid, (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("permission_id", uuid, (c) => c.notNull().references("permissions.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("group_permissions_pk", ["group_id", "permission_id"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("user_id", uuid, (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("expires_at", time, (c) => c.notNull())
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("updated_at", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();
  await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", uuid, (c) => c.primaryKey())
    .addColumn("actor_id", uuid, (c) => c.references("users.id").onDelete("set null"))
    .addColumn("action", "varchar(16)", (c) => c.notNull())
    .addColumn("object_type", "varchar(64)", (c) => c.notNull())
    .addColumn("object_id", "varchar(64)", (c) => c.notNull())
    .addColumn("object_repr", "varchar(255)", (c) => c.notNull())
    .addColumn("change_message", "text", (c) => c.notNull())
    .addColumn("created_at", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_created_at").on("audit_log").column("created_at").execute();
  await db.schema.createIndex("audit_log_object").on("audit_log").columns(["object_type", "object_id"]).execute();
}
