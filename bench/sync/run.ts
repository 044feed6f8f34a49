/**
 * `npm run bench:sync`: how long `npm run sync-users` takes for a pool of 10,000 users (issue
 * 11 asks for well under a minute). The emulator (in memory, dev seed) gets the users through
 * AdminCreateUser; a fresh SQLite database is migrated; then the sync runs twice — the first
 * creates every row, the second finds nothing to change — and prints both times.
 *
 * @example
 *   npm run bench:sync -- --users 10000
 */
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseSeed, startEmulator } from "@gatehouse/emulator";
import { syncUsers } from "../../packages/app/src/accounts/cognito-sync.ts";
import { userRepository } from "../../packages/app/src/accounts/users.ts";
import { openDatabase } from "../../packages/app/src/db/database.ts";
import { migrateToLatest } from "../../packages/app/src/db/migrate.ts";

const { values } = parseArgs({ options: { users: { type: "string", default: "10000" } } });
const total = Number(values.users);
const seedDocument = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../packages/emulator/seeds/dev.json"), "utf8"),
) as { pools: { Id: string }[] };
const poolId = seedDocument.pools[0]!.Id;

const emulator = await startEmulator({ port: 0, inMemory: true, seed: parseSeed(seedDocument) });
const client = new CognitoIdentityProviderClient({
  endpoint: emulator.url,
  region: "us-east-1",
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
});
const dir = mkdtempSync(join(tmpdir(), "gatehouse-sync-"));
const database = openDatabase({ kind: "sqlite", path: join(dir, "app.sqlite3") });
try {
  await migrateToLatest(database);
  let made = 0;
  const fill = async () => {
    while (made < total) {
      const n = made++;
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: `member${n}`,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: `member${n}@example.com` },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
    }
  };
  const fillStarted = Date.now();
  await Promise.all(Array.from({ length: 16 }, fill));
  process.stdout.write(
    `${total} users created in the emulator in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s\n`,
  );
  for (const run of ["first (creates every row)", "second (nothing to change)"]) {
    const started = Date.now();
    const summary = await syncUsers({
      client,
      userPoolId: poolId,
      db: database.db,
      users: userRepository(database.db),
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `sync ${run}: ${seconds.toFixed(1)} s, ${Math.round(summary.seen / seconds)} users/s ` +
        `(${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged)\n`,
    );
  }
} finally {
  client.destroy();
  await database.close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
