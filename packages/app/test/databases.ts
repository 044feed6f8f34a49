/**
 * The two databases every data test runs on: SQLite (a temporary file) and PostgreSQL (a fresh
 * database on the local server, dropped afterwards). PostgreSQL is required: when it cannot be
 * reached the suite fails with how to start it, it is never skipped silently.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DatabaseSettings } from "../src/config.ts";
import { openDatabase, type AppDatabase } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";

/** The server tests create their databases on; override with TEST_POSTGRES_URL. */
export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  readonly kind: DatabaseSettings["kind"];
  readonly settings: DatabaseSettings;
  readonly database: AppDatabase;
  drop(): Promise<void>;
}

async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for the tests and is not reachable at ${postgresAdminUrl} (${(error as Error).message}). ` +
        "Start it (Debian: pg_ctlcluster <version> main start) or set TEST_POSTGRES_URL.",
      { cause: error },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: postgresAdminUrl });
      await cleanup.connect();
      // A pool's connections may still be closing just after `pool.end()`; WITH (FORCE) would
      // terminate them mid-close, and pg then throws the server's FATAL from a client nobody
      // listens to any more. So wait for them to go, and force only as a last resort.
      for (let attempt = 0; ; attempt++) {
        try {
          await cleanup.query(`DROP DATABASE IF EXISTS ${name}${attempt < 50 ? "" : " WITH (FORCE)"}`);
          break;
        } catch (error) {
          if (attempt >= 50 || (error as { code?: string }).code !== "55006") throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await cleanup.end();
    },
  };
}

/** A migrated, empty database of `kind`. */
export async function createTestDatabase(kind: DatabaseSettings["kind"]): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-app-"));
    const settings: DatabaseSettings = { kind: "sqlite", path: join(dir, "app.sqlite3") };
    const database = openDatabase(settings);
    await migrateToLatest(database);
    return {
      kind,
      settings,
      database,
      async drop() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const created = await createPostgresDatabase();
  const settings: DatabaseSettings = { kind: "postgres", url: created.url };
  const database = openDatabase(settings);
  await migrateToLatest(database);
  return {
    kind,
    settings,
    database,
    async drop() {
      await database.close();
      await created.drop();
    },
  };
}

export const databaseKinds = ["sqlite", "postgres"] as const;
