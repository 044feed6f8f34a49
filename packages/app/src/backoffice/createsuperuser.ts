/**
 * `npm run createsuperuser`: creates a superuser who signs in to the back office with a local
 * password (Django's `manage.py createsuperuser`).
 *
 * Interactive by default: asks for the username, email address and password (twice, not
 * echoed on a terminal), and asks again while an answer is refused. With `--noinput` it asks
 * nothing and takes its answers from flags or the environment — the password only from the
 * environment, so it never shows in a process list or shell history:
 *
 * @example
 *   npm run createsuperuser
 *   SUPERUSER_PASSWORD='…' npm run createsuperuser -- --noinput --username ada --email ada@example.com
 *   SUPERUSER_USERNAME=ada SUPERUSER_EMAIL=ada@example.com SUPERUSER_PASSWORD='…' npm run createsuperuser -- --noinput
 *
 * The database is DATABASE_URL's (default: the development SQLite file), and must be migrated
 * (`npm run migrate`). Weak passwords are refused with every reason (password-validation.ts).
 * Exit codes: 0 created, 1 refused or failed, 2 bad usage.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { emailProblem, usernameProblem } from "../accounts/forms.ts";
import { t } from "../accounts/messages.ts";
import { newUserRow } from "../accounts/users.ts";
import { formatConfigErrors, loadConfig } from "../config.ts";
import { openDatabase, type AppDatabase } from "../db/database.ts";
import { pendingMigrations } from "../db/migrate.ts";
import { writeAudit } from "./audit.ts";
import { passwordWeaknesses } from "./password-validation.ts";
import { hashPassword } from "./passwords.ts";
import { emailTaken, usernameTaken } from "./queries.ts";

const usage = `Usage: npm run createsuperuser [-- --noinput] [--username NAME] [--email ADDRESS]

  --noinput, --no-input  Ask nothing; the username and email come from the flags or
                         SUPERUSER_USERNAME / SUPERUSER_EMAIL, the password from SUPERUSER_PASSWORD.
  --username NAME        The superuser's username.
  --email ADDRESS        The superuser's email address.
  --help                 This text.

The database is DATABASE_URL (default sqlite:var/gatehouse.sqlite3).`;

class Refused extends Error {}

/** Reads answers: from a terminal with the password not echoed, or line by line from a pipe. */
class Prompter {
  readonly #rl: Interface;
  readonly #lines: AsyncIterator<string>;
  readonly #output: NodeJS.WritableStream;
  readonly #tty: boolean;
  #muted = false;

  constructor(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream) {
    this.#output = output;
    this.#tty = Boolean(input.isTTY);
    // On a terminal readline echoes what is typed through this stream, which stays silent
    // while a password is typed.
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (!this.#muted) output.write(chunk);
        callback();
      },
    });
    this.#rl = createInterface({ input, output: this.#tty ? echo : undefined, terminal: this.#tty });
    // Created at once, so lines that arrive through a pipe before they are asked for are kept.
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  async ask(question: string, { hidden = false } = {}): Promise<string> {
    this.#output.write(question);
    this.#muted = hidden && this.#tty;
    const next = await this.#lines.next();
    this.#muted = false;
    if (hidden || !this.#tty) this.#output.write("\n");
    if (next.done) throw new Refused("Input ended before a superuser could be created.");
    return next.value;
  }

  close(): void {
    this.#rl.close();
  }
}

async function assertMigrated(database: AppDatabase): Promise<void> {
  const pending = await pendingMigrations(database);
  if (pending.length > 0) {
    throw new Refused(`The database has unapplied migrations (${pending.join(", ")}). Run \`npm run migrate\` first.`);
  }
}

interface Answers {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/** Every reason the answers cannot be used, per field. */
async function problemsOf(database: AppDatabase, answers: Partial<Answers>): Promise<Record<string, string[]>> {
  const problems: Record<string, string[]> = {};
  if (answers.username !== undefined) {
    const code = usernameProblem(answers.username);
    if (code) problems.username = [t(code)];
    else if (await usernameTaken(database.db, answers.username))
      problems.username = ["That username is already taken."];
  }
  if (answers.email !== undefined) {
    const code = emailProblem(answers.email);
    if (code) problems.email = [t(code)];
    else if (await emailTaken(database.db, answers.email))
      problems.email = ["A user with that email address already exists."];
  }
  if (answers.password !== undefined) {
    const reasons = passwordWeaknesses(answers.password, { username: answers.username, email: answers.email });
    if (reasons.length > 0) problems.password = reasons;
  }
  return problems;
}

async function interactive(database: AppDatabase, preset: Partial<Answers>, prompter: Prompter): Promise<Answers> {
  const err = process.stderr;
  const askUntilValid = async (field: "username" | "email", label: string, fallback?: string): Promise<string> => {
    for (;;) {
      const typed = (
        await prompter.ask(fallback ? `${label} (leave blank to use '${fallback}'): ` : `${label}: `)
      ).trim();
      const value = typed === "" && fallback ? fallback : typed;
      const problems = (await problemsOf(database, { [field]: value }))[field];
      if (!problems) return value;
      err.write(`Error: ${problems.join(" ")}\n`);
    }
  };
  const osUser = (process.env.USER ?? process.env.USERNAME ?? "").toLowerCase();
  const username =
    preset.username !== undefined && !(await problemsOf(database, { username: preset.username })).username
      ? preset.username
      : await askUntilValid("username", "Username", osUser && !usernameProblem(osUser) ? osUser : undefined);
  const email =
    preset.email !== undefined && !(await problemsOf(database, { email: preset.email })).email
      ? preset.email
      : await askUntilValid("email", "Email address");
  for (;;) {
    const password = await prompter.ask("Password: ", { hidden: true });
    const again = await prompter.ask("Password (again): ", { hidden: true });
    if (password !== again) {
      err.write("Error: Your passwords didn’t match.\n");
      continue;
    }
    const reasons = passwordWeaknesses(password, { username, email });
    if (reasons.length > 0) {
      err.write(`This password is refused:\n${reasons.map((r) => `  - ${r}\n`).join("")}`);
      continue;
    }
    return { username, email, password };
  }
}

async function create(database: AppDatabase, answers: Answers): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const passwordHash = await hashPassword(answers.password);
  await database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("users")
      .values(
        newUserRow(
          {
            id,
            username: answers.username,
            email: answers.email,
            is_staff: true,
            is_superuser: true,
            password_hash: passwordHash,
          },
          now,
        ),
      )
      .execute();
    // Made by nobody in the back office, but a change to who can use it all the same.
    await writeAudit(trx, {
      actorId: id,
      action: "add",
      objectType: "user",
      objectId: id,
      objectRepr: answers.username,
      message: "Added as a superuser by createsuperuser.",
    });
  });
  return id;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        noinput: { type: "boolean", default: false },
        "no-input": { type: "boolean", default: false },
        username: { type: "string" },
        email: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const dotEnv = resolve(process.cwd(), ".env");
  if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
  // Only the database matters here; Cognito settings are filled so the check passes without them.
  const config = loadConfig({
    ...process.env,
    COGNITO_USER_POOL_ID: process.env.COGNITO_USER_POOL_ID || "us-east-1_unused",
    COGNITO_CLIENT_ID: process.env.COGNITO_CLIENT_ID || "unused",
  });
  if (!config.ok) {
    process.stderr.write(`${formatConfigErrors(config.errors)}\n`);
    return 1;
  }
  const database = openDatabase(config.config.database);
  const noInput = values.noinput || values["no-input"];
  const preset: Partial<Answers> = {
    ...((values.username ?? process.env.SUPERUSER_USERNAME)
      ? { username: (values.username ?? process.env.SUPERUSER_USERNAME ?? "").trim() }
      : {}),
    ...((values.email ?? process.env.SUPERUSER_EMAIL)
      ? { email: (values.email ?? process.env.SUPERUSER_EMAIL ?? "").trim() }
      : {}),
  };
  try {
    await assertMigrated(database);
    let answers: Answers;
    if (noInput) {
      const password = process.env.SUPERUSER_PASSWORD ?? "";
      const missing = [
        preset.username ? null : "a username (--username or SUPERUSER_USERNAME)",
        preset.email ? null : "an email address (--email or SUPERUSER_EMAIL)",
        password ? null : "a password (SUPERUSER_PASSWORD)",
      ].filter((m): m is string => m !== null);
      if (missing.length > 0) throw new Refused(`--noinput needs ${missing.join(", ")}.`);
      answers = { username: preset.username ?? "", email: preset.email ?? "", password };
      const problems = await problemsOf(database, answers);
      const lines = Object.entries(problems).flatMap(([field, reasons]) => reasons.map((r) => `  - ${field}: ${r}`));
      if (lines.length > 0) throw new Refused(`The superuser was not created:\n${lines.join("\n")}`);
    } else {
      const prompter = new Prompter(process.stdin, process.stdout);
      try {
        answers = await interactive(database, preset, prompter);
      } finally {
        prompter.close();
      }
    }
    await create(database, answers);
    process.stdout.write(`Superuser "${answers.username}" created successfully. Sign in at /admin/login.\n`);
    return 0;
  } catch (error) {
    if (error instanceof Refused) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`createsuperuser: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
