/**
 * The bulk copy of the pool into `users` (cognito-sync.ts), against the running emulator, on
 * SQLite and PostgreSQL: new Cognito users are created, changed ones updated, local users whose
 * Cognito account is gone deactivated (with their sessions and an audit entry); a second run
 * changes nothing; a dry run writes nothing; a failure half-way through the pool marks nobody
 * gone and leaves only whole rows.
 */
import {
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncUsers, type SyncSummary } from "../src/accounts/cognito-sync.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { adminSignIn, localUser, superuserBrowser } from "./backoffice-fixtures.ts";
import { CognitoAdmin, newAccount } from "./accounts-fixtures.ts";
import { sessionRowsOf, signedInPerson, userRow } from "./signed-in.ts";

describe.each(["sqlite", "postgres"] as const)("syncing users from Cognito (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  const db = () => h.database.database.db;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const sync = (options: { dryRun?: boolean; client?: CognitoIdentityProviderClient } = {}): Promise<SyncSummary> =>
    syncUsers({
      client: options.client ?? admin.client,
      userPoolId: h.poolId,
      db: db(),
      users: h.app.users,
      dryRun: options.dryRun ?? false,
    });
  const count = async () => (await db().selectFrom("users").select("id").execute()).length;

  it("creates, updates and deactivates, and a second run changes nothing", async () => {
    const fresh = await Promise.all([1, 2, 3].map(() => admin.confirmed(newAccount("sync"))));
    // Someone who signed in once, then changed their name in Cognito.
    const renamed = await signedInPerson(h, admin, "renamed");
    await admin.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: h.poolId,
        Username: renamed.account.username,
        UserAttributes: [{ Name: "given_name", Value: "Grace" }],
      }),
    );
    // Someone whose Cognito account was deleted since.
    const leaver = await signedInPerson(h, admin, "leaver");
    await admin.client.send(new AdminDeleteUserCommand({ UserPoolId: h.poolId, Username: leaver.account.username }));

    const dry = await sync({ dryRun: true });
    expect(dry.created).toBeGreaterThanOrEqual(3);
    expect(await userRow(h, fresh[0]!.username)).toBeUndefined();
    expect((await userRow(h, leaver.account.username))?.is_active).toBeTruthy();

    const first = await sync();
    expect(first).toMatchObject({ created: dry.created, updated: dry.updated, gone: dry.gone });
    for (const account of fresh) {
      const row = await userRow(h, account.username);
      expect(row?.email).toBe(account.email);
      expect(row?.last_synced_at).not.toBeNull();
    }
    expect((await userRow(h, renamed.account.username))?.given_name).toBe("Grace");
    expect((await userRow(h, leaver.account.username))?.is_active).toBeFalsy();
    expect(await sessionRowsOf(h, leaver.userId)).toHaveLength(0);
    const audit = await db().selectFrom("audit_log").selectAll().where("object_id", "=", leaver.userId).execute();
    expect(audit.map((e) => e.change_message)).toEqual([
      "Changed is_active: the Cognito account no longer exists (sync).",
    ]);

    const before = await count();
    const second = await sync();
    expect(second).toMatchObject({ created: 0, updated: 0, gone: 0, conflicts: 0 });
    expect(second.unchanged).toBe(second.seen);
    expect(await count()).toBe(before);
  });

  it("runs from the back office for a superuser (with its summary), for nobody else", async () => {
    const fresh = await admin.confirmed(newAccount("boresync"));
    const root = await superuserBrowser(h);
    const list = await root.browser.get("/admin/users");
    expect(list.body).toContain('action="/admin/users/resync-all"');
    const res = await root.browser.post("/admin/users/resync-all", {});
    expect(res.statusCode).toBe(303);
    expect(textOf((await root.browser.follow()).body)).toMatch(/Synced \d+ Cognito users: [1-9]\d* created/);
    expect(await userRow(h, fresh.username)).toBeDefined();

    const changer = await localUser(h, {
      prefix: "changer",
      permissions: ["accounts.view_user", "accounts.change_user"],
    });
    const browser = await adminSignIn(h, changer);
    expect((await browser.get("/admin/users")).body).not.toContain("resync-all");
    expect((await browser.post("/admin/users/resync-all", {})).statusCode).toBe(403);
  });

  it("marks nobody gone when reading the pool fails half-way, and leaves only whole rows", async () => {
    for (let i = 0; i < 65; i++) await admin.confirmed(newAccount("page"));
    const stayer = await signedInPerson(h, admin, "stayer");
    // The second ListUsers page fails, as a network fault would.
    let pages = 0;
    const flaky = {
      send: (command: unknown) => {
        if (command instanceof ListUsersCommand && ++pages === 2) {
          return Promise.reject(Object.assign(new Error("socket hang up"), { name: "Error", code: "ECONNRESET" }));
        }
        return admin.client.send(command as ListUsersCommand);
      },
    } as unknown as CognitoIdentityProviderClient;
    await expect(sync({ client: flaky })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect((await userRow(h, stayer.account.username))?.is_active).toBeTruthy();
    const partial = await db()
      .selectFrom("users")
      .select(["id"])
      .where((eb) => eb.or([eb("email", "=", ""), eb("username", "=", "")]))
      .execute();
    expect(partial).toHaveLength(0);
    // The next full run completes the copy.
    const done = await sync();
    expect(done.gone).toBe(0);
    expect(done.seen).toBeGreaterThanOrEqual(66);
  });
});
