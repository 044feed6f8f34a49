/**
 * The API's hot-path query: the caller's row and their group names in one statement, compiled
 * once. Every token-authenticated request reads the row (so deactivation bites at once); doing
 * it in one round trip without Kysely's per-call query building roughly halves what the data
 * layer costs per request (measured with `npm run bench:api`'s CPU profiles, where building and
 * preparing two statements was the largest share).
 */
import { CompiledQuery, type Selectable } from "kysely";
import { toUser, type User } from "../accounts/users.ts";
import type { AppDatabase } from "../db/database.ts";
import type { UsersTable } from "../db/schema.ts";

type Row = Selectable<UsersTable> & { group_names: string | readonly string[] | null };

// Group names as a JSON array (`[]` when there are none). SQLite's is sorted here rather than
// by a nested ordered subquery, which doubles the statement's preparation time (~17 → ~31 µs
// with better-sqlite3, which Kysely prepares anew on every call); its binary collation is
// JavaScript's default sort order.
const sqliteText = `select u.*, (select json_group_array(g.name) from user_groups ug join groups g on g.id = ug.group_id where ug.user_id = u.id) as group_names from users u where u.cognito_sub = ?`;
const postgresText = `select u.*, coalesce((select json_agg(g.name order by g.name) from user_groups ug join groups g on g.id = ug.group_id where ug.user_id = u.id), '[]'::json) as group_names from users u where u.cognito_sub = $1`;

const groupsOf = (value: Row["group_names"]): string[] => {
  if (Array.isArray(value)) return value.filter((name): name is string => typeof name === "string");
  if (typeof value !== "string" || value === "[]") return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === "string").sort() : [];
};

export interface UserWithGroups {
  readonly user: User;
  readonly groups: readonly string[];
}

export function apiUserQueries(database: AppDatabase) {
  const text = database.dialect === "postgres" ? postgresText : sqliteText;
  return {
    /** The local user whose Cognito `sub` is `sub` (a UUID, checked by the caller), with groups. */
    async bySub(sub: string): Promise<UserWithGroups | undefined> {
      const compiled = CompiledQuery.raw(text, [sub]) as CompiledQuery<Row>;
      const { rows } = await database.db.executeQuery(compiled);
      const row = rows[0];
      if (!row) return undefined;
      const { group_names: groupNames, ...userRow } = row;
      return { user: toUser(userRow), groups: groupsOf(groupNames) };
    },
  };
}
export type ApiUserQueries = ReturnType<typeof apiUserQueries>;
