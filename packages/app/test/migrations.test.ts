import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../src/db/migrate.ts";
import { createTestDatabase, databaseKinds } from "./databases.ts";

describe.each(databaseKinds)("migrations on %s", (kind) => {
  it("create every table, and a second run applies nothing", async () => {
    const test = await createTestDatabase(kind);
    try {
      const tables = (await test.database.db.introspection.getTables()).map((t) => t.name).sort();
      expect(tables).toEqual(
        expect.arrayContaining([
          "audit_log",
          "group_permissions",
          "groups",
          "permissions",
          "sessions",
          "user_groups",
          "user_permissions",
          "users",
        ]),
      );
      expect((await migrateToLatest(test.database)).applied).toEqual([]);
    } finally {
      await test.drop();
    }
  });

  it("enforce a case-insensitive unique username through username_key", async () => {
    const test = await createTestDatabase(kind);
    const { db } = test.database;
    const row = (id: string, username: string) => ({
      id,
      username,
      username_key: username.toLowerCase(),
      email: `${id.slice(0, 4)}@example.com`,
      email_key: `${id.slice(0, 4)}@example.com`,
      email_verified: true,
      is_active: true,
      is_staff: false,
      is_superuser: false,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    try {
      await db.insertInto("users").values(row("6f1c2a4e-0000-4000-8000-000000000001", "Alice")).execute();
      await expect(
        db.insertInto("users").values(row("6f1c2a4e-0000-4000-8000-000000000002", "ALICE")).execute(),
      ).rejects.toThrow();
      const stored = await db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
      expect(stored.username).toBe("Alice");
      expect(Boolean(stored.is_active)).toBe(true);
    } finally {
      await test.drop();
    }
  });
});
