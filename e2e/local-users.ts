/**
 * Rows of the app's users table written straight into a site's database: the back office's
 * local staff accounts, and people whose history a screenshot needs (dates in the past), which
 * no page can make. Each caller states what matters to it; the rest are an ordinary active,
 * unverified, non-staff account without a Cognito sub, made now.
 */
import { newUserRow, type NewUserColumns } from "../packages/app/src/accounts/users.ts";
import { hashPassword } from "../packages/app/src/backoffice/passwords.ts";
import type { Site } from "./site.ts";

export interface LocalUserRow extends Partial<NewUserColumns> {
  readonly username: string;
  /** Hashed as the back office does; leave it out for an account without a local password. */
  readonly password?: string;
}

/** Inserts the row and returns its id. */
export async function insertLocalUser(site: Site, row: LocalUserRow): Promise<string> {
  const { password, ...columns } = row;
  const values = newUserRow({
    email: `${row.username}@example.com`,
    password_hash: password === undefined ? null : await hashPassword(password),
    ...columns,
    // A row made "in the past" was last changed then too, unless the caller says otherwise.
    ...(columns.created_at && !columns.updated_at ? { updated_at: columns.created_at } : {}),
  });
  await site.harness.database.database.db.insertInto("users").values(values).execute();
  return values.id;
}
