/**
 * The back office's sign-in lockout (issue 5): failed local-password attempts counted per
 * submitted username, so repeated guessing locks that name for a while. Cognito protects its own
 * sign-in; the back office's local passwords are ours to protect (STYLE 15).
 */
import type { Kysely } from "kysely";
import type { MigrationDialect } from "./index.ts";

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const time = dialect === "postgres" ? "timestamptz" : "text";
  await db.schema
    .createTable("backoffice_login_failures")
    // The lower-cased username as typed, whether or not such a user exists, so that a locked
    // name reads the same for real and made-up accounts.
    .addColumn("username_key", "varchar(254)", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("first_failed_at", time, (c) => c.notNull())
    .addColumn("locked_until", time)
    .execute();
}
