/**
 * `npm run sync-users`: copies every user of the Cognito pool into the app's database (see
 * cognito-sync.ts), with a progress bar and a summary. Safe to run while the app serves
 * traffic, and again at any time: a second run changes nothing that has not changed in Cognito.
 *
 * The pool and database are the app's own settings (COGNITO_*, DATABASE_URL); on AWS the
 * credentials need cognito-idp:ListUsers and cognito-idp:DescribeUserPool.
 *
 * @example
 *   npm run sync-users              # create, update, deactivate the ones gone from Cognito
 *   npm run sync-users -- --dry-run # say what would change, change nothing
 */
import { parseArgs } from "node:util";
import { formatConfigErrors, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { pendingMigrations } from "../db/migrate.ts";
import { createCognitoClient, CognitoFailure } from "./cognito.ts";
import { describeSync, syncUsers } from "./cognito-sync.ts";
import { userRepository } from "./users.ts";

/** `[██████░░░░] 600/1000` on a terminal, rewritten in place; a line each tenth elsewhere. */
function progressReporter(out: NodeJS.WriteStream): (done: number, estimate: number) => void {
  let lastTenth = -1;
  return (done, estimate) => {
    const share = estimate === 0 ? 1 : Math.min(1, done / estimate);
    if (out.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      out.write(`\r[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${estimate}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      out.write(`${done}/${estimate} users read\n`);
    }
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { "dry-run": { type: "boolean" } } });
  const dryRun = values["dry-run"] ?? false;
  const config = loadConfig(process.env);
  if (!config.ok) {
    process.stderr.write(`${formatConfigErrors(config.errors)}\n`);
    return 1;
  }
  const database = openDatabase(config.config.database);
  const client = createCognitoClient(config.config.cognito);
  try {
    const pending = await pendingMigrations(database);
    if (pending.length > 0) {
      process.stderr.write(
        `The database has unapplied migrations (${pending.join(", ")}). Run \`npm run migrate\` first.\n`,
      );
      return 1;
    }
    const started = Date.now();
    const summary = await syncUsers({
      client,
      userPoolId: config.config.cognito.userPoolId,
      db: database.db,
      users: userRepository(database.db),
      dryRun,
      onProgress: progressReporter(process.stderr),
      onConflict: (username) => process.stderr.write(`\n"${username}" is a local account's username: left alone.\n`),
    });
    if (process.stderr.isTTY) process.stderr.write("\n");
    process.stdout.write(`${describeSync(summary, dryRun)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return 0;
  } catch (error) {
    if (error instanceof CognitoFailure) {
      process.stderr.write(
        `\nCognito refused: ${error.exception}: ${error.detail || error.message}. Nothing was marked gone.\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    client.destroy();
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sync-users: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
