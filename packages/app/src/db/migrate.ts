/**
 * Applies pending migrations, then writes the permission catalogue (npm run migrate, and at
 * start-up in development).
 */
import { Migrator, type Kysely } from "kysely";
import type { AppDatabase } from "./database.ts";
import { migrationProvider } from "./migrations/index.ts";
import { syncPermissions } from "../accounts/permissions.ts";

export interface MigrationReport {
  readonly applied: readonly string[];
}

export async function migrateToLatest({ db, dialect }: AppDatabase): Promise<MigrationReport> {
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  await syncPermissions(db);
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/** The names of the migrations not applied yet (commands that need a migrated database say so). */
export async function pendingMigrations({ db, dialect }: AppDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: migrationProvider(dialect) });
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}
