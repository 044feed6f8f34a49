/**
 * The back office's second factor (issue 9): one authenticator (TOTP) secret per staff member,
 * sealed with a key derived from SESSION_SECRET (backoffice/secret-box.ts), never in clear. A row
 * without `confirmed_at` is an authenticator being set up, not yet used to sign in.
 * `last_used_step` is the 30-second step of the last code accepted, so that a code works once.
 */
import type { Kysely } from "kysely";
import type { MigrationDialect } from "./index.ts";

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === "postgres";
  await db.schema
    .createTable("backoffice_totp")
    .addColumn("user_id", pg ? "uuid" : "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret", "varchar(255)", (c) => c.notNull())
    .addColumn("confirmed_at", pg ? "timestamptz" : "text")
    .addColumn("last_used_step", "bigint")
    .addColumn("created_at", pg ? "timestamptz" : "text", (c) => c.notNull())
    .execute();
}
