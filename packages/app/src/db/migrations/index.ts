/**
 * The app's migrations, in order. Each is a module with `up(db, dialect)`; they are bundled in
 * code (not read from a folder) so the built app and tests run the same list.
 */
import type { Kysely, Migration, MigrationProvider } from "kysely";
import * as initial from "./0001_initial.ts";
import * as backofficeLoginFailures from "./0002_backoffice_login_failures.ts";
import * as apiRowNotifications from "./0004_api_row_notifications.ts";
import * as backofficeTotp from "./0005_backoffice_totp.ts";

export type MigrationDialect = "sqlite" | "postgres";

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void>;
}

const migrations: Record<string, DialectMigration> = {
  "0001_initial": initial,
  "0002_backoffice_login_failures": backofficeLoginFailures,
  "0004_api_row_notifications": apiRowNotifications,
  "0005_backoffice_totp": backofficeTotp,
};

export function migrationProvider(dialect: MigrationDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, dialect) }]),
      );
    },
  };
}
