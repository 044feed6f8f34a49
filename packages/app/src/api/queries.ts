/**
 * The API's hot-path query: the caller's row and their group names in one statement. Every
 * token-authenticated request reads the row (so deactivation bites at once), so this is the
 * query the API runs most.
 *
 * On SQLite it runs on a read-only connection of its own with the statement prepared once:
 * Kysely's SQLite driver prepares every statement anew, and in `npm run bench:api`'s CPU
 * profiles preparing plus Kysely's own execution path were a fifth of a cached request's cost
 * (~60 µs of ~300). WAL lets this reader see each commit of the app's connection at its next
 * statement. PostgreSQL (and an in-memory SQLite, which a second connection cannot share) goes
 * through Kysely with the statement text compiled once.
 *
 * On SQLite the rows read are also kept, but never trusted past a change: before each look-up
 * the reader asks `PRAGMA data_version`, which SQLite changes whenever any other connection —
 * this app's, another process's, the back office's, a CLI's — commits to the file, and a
 * changed version empties the kept rows. So a deactivation or a group change is seen by the
 * very next request, as with a fresh read, for ~2 µs instead of the query and the row's
 * conversion (~30 µs of a request in bench:api's profiles).
 * https://www.sqlite.org/pragma.html#pragma_data_version
 *
 * On PostgreSQL the rows are kept too, and emptied by the database's own notifications
 * (migration 0004, row-notifications.ts): every node listens, and a write on any node — a
 * deactivation in the back office, a group change — drops that person's row on all of them
 * within milliseconds of its commit. While a node is not listening it keeps nothing and reads
 * every row fresh, so a lost connection costs speed, never correctness.
 */
import Database from "better-sqlite3";
import type { FastifyBaseLogger } from "fastify";
import { CompiledQuery, type Selectable } from "kysely";
import { toUser, type User } from "../accounts/users.ts";
import type { DatabaseSettings } from "../config.ts";
import type { AppDatabase } from "../db/database.ts";
import type { UsersTable } from "../db/schema.ts";
import { listenForRowChanges } from "./row-notifications.ts";

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

const toResult = (row: Row | undefined): UserWithGroups | undefined => {
  if (!row) return undefined;
  const { group_names: groupNames, ...userRow } = row;
  return { user: toUser(userRow), groups: groupsOf(groupNames) };
};

/** Rows kept between changes of the database: enough for every active user of a busy app. */
const maxKeptRows = 10_000;

export interface ApiUserQueries {
  /** The local user whose Cognito `sub` is `sub` (a UUID, checked by the caller), with groups. */
  bySub(sub: string): Promise<UserWithGroups | undefined>;
  close(): void | Promise<void>;
}

/** `kept` with `row` added, the oldest row dropped beyond `maxKeptRows`. */
function keep(kept: Map<string, UserWithGroups>, sub: string, row: UserWithGroups): void {
  // Map iteration follows insertion order: the first key is the oldest row.
  if (kept.size >= maxKeptRows) kept.delete(kept.keys().next().value as string);
  kept.set(sub, row);
}

export function apiUserQueries(
  database: AppDatabase,
  settings: DatabaseSettings,
  log?: FastifyBaseLogger,
): ApiUserQueries {
  if (settings.kind === "sqlite" && settings.path !== ":memory:" && settings.path !== "") {
    const reader = new Database(settings.path, { readonly: true, fileMustExist: true });
    reader.pragma("busy_timeout = 5000");
    const dataVersion = reader.prepare<[], number>("pragma data_version").pluck();
    // Prepared at first use: `npm start` may build the app before `npm run migrate` has run.
    let statement: Database.Statement<[string], Row> | null = null;
    const kept = new Map<string, UserWithGroups>();
    let keptAtVersion = -1;
    return {
      async bySub(sub) {
        const version = dataVersion.get() ?? -1;
        if (version !== keptAtVersion) {
          kept.clear();
          keptAtVersion = version;
        }
        const known = kept.get(sub);
        if (known) return known;
        statement ??= reader.prepare<[string], Row>(sqliteText);
        const found = toResult(statement.get(sub));
        if (found) keep(kept, sub, found);
        return found;
      },
      close() {
        reader.close();
      },
    };
  }
  const text = database.dialect === "postgres" ? postgresText : sqliteText;
  const read = async (sub: string) =>
    toResult((await database.db.executeQuery(CompiledQuery.raw(text, [sub]) as CompiledQuery<Row>)).rows[0]);
  if (settings.kind !== "postgres") return { bySub: read, close: () => undefined };

  const kept = new Map<string, UserWithGroups>();
  // Counts invalidations: a row read before one arrived may be older than it, so it is not kept.
  let generation = 0;
  const feed = listenForRowChanges(
    settings.url,
    {
      changed(sub) {
        generation += 1;
        if (sub === "*") kept.clear();
        else kept.delete(sub.toLowerCase());
      },
      reset() {
        generation += 1;
        kept.clear();
      },
    },
    log,
  );
  return {
    async bySub(sub) {
      const key = sub.toLowerCase();
      if (feed.listening) {
        const known = kept.get(key);
        if (known) return known;
      }
      const readAt = generation;
      const found = await read(sub);
      if (found && feed.listening && generation === readAt) keep(kept, key, found);
      return found;
    },
    close: () => feed.close(),
  };
}
