/**
 * Rows of the app's users table written straight into a site's database: the back office's
 * local staff accounts, and people whose history a screenshot needs (dates in the past), which
 * no page can make. Each caller states what matters to it; the rest are an ordinary active,
 * unverified, non-staff account without a Cognito sub, made now.
 */
import { randomUUID } from "node:crypto";
import type { Insertable } from "kysely";
import type { UsersTable } from "../packages/app/src/db/schema.ts";
import { hashPassword } from "../packages/app/src/backoffice/passwords.ts";
import type { Site } from "./site.ts";

export interface LocalUserRow extends Partial<Omit<Insertable<UsersTable>, "username_key" | "email_key">> {
  readonly username: string;
  /** Hashed as the back office does; leave it out for an account without a local password. */
  readonly password?: string;
}

/** Inserts the row and returns its id. */
export async function insertLocalUser(site: Site, row: LocalUserRow): Promise<string> {
  const { password, ...values } = row;
  const now = new Date().toISOString();
  const id = values.id ?? randomUUID();
  const email = values.email ?? `${row.username}@example.com`;
  await site.harness.database.database.db
    .insertInto("users")
    .values({
      email_verified: false,
      cognito_sub: null,
      is_active: true,
      is_staff: false,
      is_superuser: false,
      password_hash: password === undefined ? null : await hashPassword(password),
      given_name: null,
      family_name: null,
      phone_number: null,
      picture: null,
      last_login: null,
      last_synced_at: null,
      created_at: now,
      updated_at: values.created_at ?? now,
      ...values,
      id,
      email,
      username_key: row.username.toLowerCase(),
      email_key: email.toLowerCase(),
    })
    .execute();
  return id;
}
