/**
 * Cross-node invalidation of the API's kept rows on PostgreSQL (issue 12): every write that
 * changes what `/api` reads for a caller — their `users` row, their `user_groups`, a group's
 * name — sends `NOTIFY gatehouse_api_rows, '<cognito_sub>'` (or `'*'` for a change that touches
 * many people), from the database itself, so that no write path (back office, sign-in sync, a
 * CLI, another node, psql) can forget to. PostgreSQL delivers a notification when its
 * transaction commits, and once however often a transaction repeats it. Each node's listener
 * (api/row-notifications.ts) drops the rows named. SQLite needs none of this: its reader asks
 * `PRAGMA data_version` (api/queries.ts).
 * https://www.postgresql.org/docs/current/sql-notify.html
 */
import { sql, type Kysely } from "kysely";
import type { MigrationDialect } from "./index.ts";

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect !== "postgres") return;
  // Row triggers for users and memberships (one person each), statement triggers for whatever
  // changes many people at once (a group renamed or deleted, a table truncated).
  await sql`
    create or replace function gatehouse_notify_api_rows() returns trigger language plpgsql as $$
    declare
      sub text;
    begin
      if TG_LEVEL = 'STATEMENT' then
        perform pg_notify('gatehouse_api_rows', '*');
        return null;
      end if;
      if TG_TABLE_NAME = 'users' then
        if TG_OP in ('UPDATE', 'DELETE') and OLD.cognito_sub is not null then
          perform pg_notify('gatehouse_api_rows', OLD.cognito_sub::text);
        end if;
        if TG_OP = 'UPDATE' then
          if NEW.cognito_sub is not null and NEW.cognito_sub is distinct from OLD.cognito_sub then
            perform pg_notify('gatehouse_api_rows', NEW.cognito_sub::text);
          end if;
        end if;
      elsif TG_TABLE_NAME = 'user_groups' then
        if TG_OP in ('UPDATE', 'DELETE') then
          select u.cognito_sub::text into sub from users u where u.id = OLD.user_id;
          if sub is not null then perform pg_notify('gatehouse_api_rows', sub); end if;
        end if;
        if TG_OP in ('INSERT', 'UPDATE') then
          select u.cognito_sub::text into sub from users u where u.id = NEW.user_id;
          if sub is not null then perform pg_notify('gatehouse_api_rows', sub); end if;
        end if;
      end if;
      return null;
    end $$
  `.execute(db);
  await sql`create trigger users_api_rows after update or delete on users for each row execute function gatehouse_notify_api_rows()`.execute(
    db,
  );
  await sql`create trigger user_groups_api_rows after insert or update or delete on user_groups for each row execute function gatehouse_notify_api_rows()`.execute(
    db,
  );
  await sql`create trigger groups_api_rows after update or delete on groups for each statement execute function gatehouse_notify_api_rows()`.execute(
    db,
  );
  for (const table of ["users", "user_groups", "groups"]) {
    await sql`create trigger ${sql.raw(`${table}_api_rows_truncate`)} after truncate on ${sql.table(table)} for each statement execute function gatehouse_notify_api_rows()`.execute(
      db,
    );
  }
}
