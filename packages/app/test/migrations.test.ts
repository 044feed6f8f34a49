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

describe.each(databaseKinds)("permissions on %s", (kind) => {
  it("are written after migrating, and resolve through groups, directly, and for superusers", async () => {
    const { permissionsOf, permissionCatalogue } = await import("../src/accounts/permissions.ts");
    const { userRepository } = await import("../src/accounts/users.ts");
    const test = await createTestDatabase(kind);
    const { db } = test.database;
    try {
      const codenames = (await db.selectFrom("permissions").select("codename").execute()).map((r) => r.codename);
      expect(codenames.sort()).toEqual(permissionCatalogue.map((p) => p.codename).sort());
      const users = userRepository(db);
      const user = await users.syncFromCognito({
        sub: "0b6f0e5e-1111-4000-8000-000000000001",
        username: "pat",
        email: "pat@example.com",
        emailVerified: true,
      });
      expect([...(await permissionsOf(db, user))]).toEqual([]);
      const perm = async (codename: string) =>
        (await db.selectFrom("permissions").select("id").where("codename", "=", codename).executeTakeFirstOrThrow()).id;
      const now = new Date().toISOString();
      await db
        .insertInto("groups")
        .values({ id: "0b6f0e5e-2222-4000-8000-000000000001", name: "support", created_at: now, updated_at: now })
        .execute();
      await db
        .insertInto("group_permissions")
        .values({ group_id: "0b6f0e5e-2222-4000-8000-000000000001", permission_id: await perm("accounts.view_user") })
        .execute();
      await db
        .insertInto("user_groups")
        .values({ user_id: user.id, group_id: "0b6f0e5e-2222-4000-8000-000000000001" })
        .execute();
      await db
        .insertInto("user_permissions")
        .values({ user_id: user.id, permission_id: await perm("accounts.change_user") })
        .execute();
      expect([...(await permissionsOf(db, user))].sort()).toEqual(["accounts.change_user", "accounts.view_user"]);
      expect(await permissionsOf(db, { ...user, isActive: false })).toEqual(new Set());
      expect((await permissionsOf(db, { ...user, isSuperuser: true })).size).toBe(permissionCatalogue.length);
    } finally {
      await test.drop();
    }
  });
});
