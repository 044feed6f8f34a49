/**
 * `npm run createsuperuser`, run as a real process against a migrated SQLite file and a
 * PostgreSQL database: non-interactive with flags and the environment, interactive with answers
 * piped in, and every refusal (weak password with its reasons, taken username, missing answers,
 * an unmigrated database). The superuser it makes signs in to the back office.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../src/backoffice/passwords.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { uniqueName } from "./accounts-fixtures.ts";
import { adminSignIn } from "./backoffice-fixtures.ts";

const repositoryRoot = resolve(import.meta.dirname, "../../..");
const script = resolve(repositoryRoot, "packages/app/src/backoffice/createsuperuser.ts");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function createsuperuser(args: string[], env: Record<string, string>, input = ""): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        cwd: repositoryRoot,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          TSX_TSCONFIG_PATH: "packages/app/tsconfig.json",
          NODE_NO_WARNINGS: "1",
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

const strong = "Difference-Engine-1822";

describe.each(["sqlite", "postgres"] as const)("npm run createsuperuser (%s)", (database) => {
  let h: AppHarness;
  let databaseUrl: string;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    const settings = h.database.settings;
    databaseUrl = settings.kind === "sqlite" ? `sqlite:${settings.path}` : settings.url;
  });
  afterAll(async () => {
    await h.stop();
  });

  const rowOf = (username: string) =>
    h.database.database.db
      .selectFrom("users")
      .selectAll()
      .where("username_key", "=", username.toLowerCase())
      .executeTakeFirst();

  it("creates a superuser without asking, from flags and SUPERUSER_PASSWORD, who can sign in to the back office", async () => {
    const username = uniqueName("root");
    const run = await createsuperuser(["--noinput", "--username", username, "--email", `${username}@example.com`], {
      DATABASE_URL: databaseUrl,
      SUPERUSER_PASSWORD: strong,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Superuser "${username}" created successfully.`);
    const row = await rowOf(username);
    expect(row).toMatchObject({ username, email: `${username}@example.com`, cognito_sub: null });
    expect(Boolean(row?.is_superuser) && Boolean(row?.is_staff) && Boolean(row?.is_active)).toBe(true);
    expect(await verifyPassword(strong, row?.password_hash ?? "")).toBe(true);
    const browser = await adminSignIn(h, { id: row!.id, username, email: row!.email, password: strong });
    expect(textOf((await browser.get("/admin/")).body)).toContain("Site administration");
  });

  it("takes the username and email from the environment too", async () => {
    const username = uniqueName("envroot");
    const run = await createsuperuser(["--no-input"], {
      DATABASE_URL: databaseUrl,
      SUPERUSER_USERNAME: username,
      SUPERUSER_EMAIL: `${username}@example.com`,
      SUPERUSER_PASSWORD: strong,
    });
    expect(run.code).toBe(0);
    expect(await rowOf(username)).toBeDefined();
  });

  it("refuses a weak password with every reason, and creates nothing", async () => {
    const username = uniqueName("weak");
    const run = await createsuperuser(["--noinput", "--username", username, "--email", `${username}@example.com`], {
      DATABASE_URL: databaseUrl,
      SUPERUSER_PASSWORD: "123456",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("The superuser was not created:");
    expect(run.stderr).toContain("password: This password is too short. It must contain at least 12 characters.");
    expect(run.stderr).toContain("password: This password is too common.");
    expect(run.stderr).toContain("password: This password is entirely numeric.");
    expect(await rowOf(username)).toBeUndefined();
  });

  // Four runs of the command (a process each): a longer limit on a busy machine.
  it(
    "refuses a taken username, a bad email and missing answers, saying what is wrong",
    { timeout: 60_000 },
    async () => {
      const username = uniqueName("twice");
      const env = { DATABASE_URL: databaseUrl, SUPERUSER_PASSWORD: strong };
      expect(
        (await createsuperuser(["--noinput", "--username", username, "--email", `${username}@example.com`], env)).code,
      ).toBe(0);
      const again = await createsuperuser(
        ["--noinput", "--username", username.toUpperCase(), "--email", "x@example.com"],
        env,
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("username: That username is already taken.");
      const badEmail = await createsuperuser(["--noinput", "--username", uniqueName("bad"), "--email", "nope"], env);
      expect(badEmail.stderr).toContain("email: Enter a valid email address.");
      const missing = await createsuperuser(["--noinput"], { DATABASE_URL: databaseUrl });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        "--noinput needs a username (--username or SUPERUSER_USERNAME), an email address (--email or SUPERUSER_EMAIL), a password (SUPERUSER_PASSWORD).",
      );
    },
  );

  it("asks interactively, and asks again after a weak or mismatched password", async () => {
    const username = uniqueName("asked");
    const answers = [
      username,
      `${username}@example.com`,
      "password",
      "password",
      strong,
      "Something-Else-99",
      strong,
      strong,
    ];
    const run = await createsuperuser([], { DATABASE_URL: databaseUrl }, `${answers.join("\n")}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Username");
    expect(run.stdout).toContain("Email address: ");
    expect(run.stdout).toContain("Password (again): ");
    expect(run.stderr).toContain("This password is refused:\n  - This password is too short.");
    expect(run.stderr).toContain("  - This password is too common.");
    expect(run.stderr).toContain("Error: Your passwords didn’t match.");
    expect(run.stdout).not.toContain(strong);
    expect(await verifyPassword(strong, (await rowOf(username))?.password_hash ?? "")).toBe(true);
  });

  it("stops without creating anything when the answers run out", async () => {
    const username = uniqueName("quit");
    const run = await createsuperuser([], { DATABASE_URL: databaseUrl }, `${username}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Input ended before a superuser could be created.");
    expect(await rowOf(username)).toBeUndefined();
  });
});

describe("npm run createsuperuser before migrating, and its usage", () => {
  it("refuses an unmigrated database with the command that fixes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-csu-"));
    try {
      const run = await createsuperuser(["--noinput", "--username", "ada", "--email", "ada@example.com"], {
        DATABASE_URL: `sqlite:${join(dir, "empty.sqlite3")}`,
        SUPERUSER_PASSWORD: strong,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Run `npm run migrate` first.");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints its usage with --help and refuses unknown options", async () => {
    const help = await createsuperuser(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run createsuperuser");
    const bad = await createsuperuser(["--password", "x"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Usage: npm run createsuperuser");
  });
});
