/**
 * `npm run dev` as a process, in a folder of its own: the emulator it starts runs the pool's
 * triggers with what they need — PreSignUp finds the emulator for ListUsers, PostConfirmation
 * calls the app's webhook with the secret the app checks — so a person who registers and
 * confirms has a row in the app's database at once, before any sign-in or API call.
 */
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfTokenIn, textOf } from "./app-harness.ts";
import { freePort, repositoryRoot } from "./app-process.ts";

/** A client that keeps the dev site's cookies and sends its forms as a browser would. */
class FormClient {
  readonly #origin: string;
  readonly #cookies = new Map<string, string>();
  #csrf = "";

  constructor(origin: string) {
    this.#origin = origin;
  }

  async #send(path: string, init: RequestInit = {}): Promise<{ status: number; location: string; body: string }> {
    const response = await fetch(`${this.#origin}${path}`, {
      ...init,
      redirect: "manual",
      headers: { ...init.headers, cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const body = await response.text();
    this.#csrf = csrfTokenIn(body) ?? this.#csrf;
    return { status: response.status, location: response.headers.get("location") ?? "", body };
  }

  get(path: string) {
    return this.#send(path);
  }

  post(path: string, form: Record<string, string>) {
    return this.#send(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.#origin },
      body: new URLSearchParams({ _csrf: this.#csrf, ...form }).toString(),
    });
  }
}

describe("npm run dev runs the pool's triggers", { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-dev-"));
  let child: ChildProcess;
  let output = "";
  let origin: string;

  beforeAll(async () => {
    const [port, emulatorPort] = [await freePort(), await freePort()];
    origin = `http://127.0.0.1:${port}`;
    // The command `npm run dev` runs, from another folder, so its var/ is this test's own.
    child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(repositoryRoot, "packages/app/src/cli.ts"), "dev"],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          TSX_TSCONFIG_PATH: resolve(repositoryRoot, "packages/app/tsconfig.json"),
          HOST: "127.0.0.1",
          PORT: String(port),
          EMULATOR_PORT: String(emulatorPort),
          PUBLIC_URL: origin,
          // Solving the proof of work needs a browser (e2e/accounts.test.ts does it).
          CAPTCHA: "false",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes("Gatehouse is running")) {
      if (child.exitCode !== null) throw new Error(`npm run dev exited at start:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm run dev did not start in 60 s:\n${output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** The code the emulator printed for `username` (its outbox line on dev's output). */
  const codeFor = (username: string): string =>
    new RegExp(`outbox: \\S+ for ${username} .*?code (\\d{6})`).exec(output)?.[1] ?? "";

  it("registers and confirms through the site; the PostConfirmation webhook has made the row", async () => {
    expect(output).toContain(
      `Triggers          PreSignUp; PostConfirmation → ${origin}/hooks/cognito/post-confirmation`,
    );
    const username = `devrun${process.pid}`;
    const email = `dev.run.${process.pid}@example.com`;
    const site = new FormClient(origin);
    await site.get("/register");
    const registered = await site.post("/register", {
      username,
      email,
      password: "Correct-Horse-7",
      password2: "Correct-Horse-7",
    });
    expect(registered).toMatchObject({ status: 303, location: "/confirm" });
    await site.get("/confirm");
    const confirmed = await site.post("/confirm", { code: codeFor(username) });
    expect(confirmed).toMatchObject({ status: 303, location: `/login?username=${username}` });

    const database = new Database(join(dir, "var/gatehouse.sqlite3"), { readonly: true });
    try {
      const row = database
        .prepare("SELECT username, email, email_verified, cognito_sub, last_login FROM users WHERE username = ?")
        .get(username);
      expect(row).toMatchObject({ username, email, email_verified: 1, last_login: null });
      expect((row as { cognito_sub: string }).cognito_sub).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      database.close();
    }

    // PreSignUp asks the emulator's ListUsers: the address in capitals belongs to that account.
    const other = new FormClient(origin);
    await other.get("/register");
    const refused = await other.post("/register", {
      username: `${username}b`,
      email: email.toUpperCase(),
      password: "Correct-Horse-7",
      password2: "Correct-Horse-7",
    });
    expect(refused.status).toBe(400);
    expect(textOf(refused.body)).toContain("An account with this email address already exists.");
  });
});
