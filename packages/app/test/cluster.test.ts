/**
 * Issue 12's acceptance, with real processes: two `npm start` nodes on one PostgreSQL database and
 * one Redis, behind nginx running the repository's deploy/nginx.conf (with plain HTTP on a
 * loopback port instead of TLS). Rate limits count across the nodes; a deactivation is refused on
 * both within a second; a session made on one node works on the other; SIGTERM to one node under
 * load loses no request (nginx retries it on the other).
 *
 * nginx is required in CI (.ci/run installs it); elsewhere the proxy's tests say they were left
 * out when it is missing. PostgreSQL and Redis are always required.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { freePort, repositoryRoot, startAppProcess, type AppProcess } from "./app-process.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import { apiPerson } from "./api-fixtures.ts";
import { localUser } from "./backoffice-fixtures.ts";
import { testRedis } from "./redis.ts";

const nginxBinary = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(
  (path) => spawnSync(path, ["-v"], { stdio: "ignore" }).status === 0,
);
if (!nginxBinary && process.env.CI) {
  throw new Error("nginx is required for the cluster tests in CI: apt-get install -y nginx-light (.ci/run does)");
}

let h: AppHarness;
let redis: Awaited<ReturnType<typeof testRedis>>;
let nodes: AppProcess[] = [];
let nginx: { child: ChildProcess; url: string; dir: string } | null = null;
let admin: CognitoAdmin;

/** deploy/nginx.conf with the test's nodes, a loopback port, plain HTTP and its own files. */
function nginxConfig(port: number, upstreams: readonly number[], dir: string): string {
  const site = readFileSync(join(repositoryRoot, "deploy/nginx.conf"), "utf8")
    // The port-80 redirect and TLS are not what this test is about.
    .replace(/server \{\n {4}listen 80;[\s\S]*?\n\}\n/, "")
    .replace(/^ {4}(# nginx 1\.25|listen |ssl_).*\n/gm, "")
    .replace(/^ {4}server_name .*$/m, `    listen 127.0.0.1:${port};\n    server_name localhost;`)
    .replace(/^ {4}server 10\.0\.1\.\d+:3000 (.*)$/gm, "")
    .replace(
      /^upstream gatehouse \{\n/m,
      `upstream gatehouse {\n${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;\n`).join("")}`,
    )
    .replace("/var/log/nginx/gatehouse.access.log", join(dir, "access.log"));
  return [
    "daemon off;",
    "worker_processes 1;",
    `pid ${join(dir, "nginx.pid")};`,
    `error_log ${join(dir, "error.log")} warn;`,
    "events { worker_connections 256; }",
    "http {",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((temp) => `  ${temp}_temp_path ${join(dir, temp)};`),
    site,
    "}",
  ].join("\n");
}

async function startNginx(upstreams: readonly number[]): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-nginx-"));
  const port = await freePort();
  const file = join(dir, "nginx.conf");
  writeFileSync(file, nginxConfig(port, upstreams, dir));
  const check = spawnSync(nginxBinary!, ["-t", "-c", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t refused the config:\n${check.stderr}`);
  const child = spawn(nginxBinary!, ["-c", file], { stdio: ["ignore", "ignore", "pipe"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      if (i > 100) throw new Error("nginx did not start");
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { child, url, dir };
}

beforeAll(async () => {
  redis = await testRedis();
  h = await startAppHarness({ database: "postgres" });
  admin = new CognitoAdmin(h);
  const settings = h.database.settings;
  if (settings.kind !== "postgres") throw new Error("expected PostgreSQL");
  const proxyPort = await freePort();
  const env = {
    COGNITO_ENDPOINT: h.emulator.url,
    COGNITO_USER_POOL_ID: h.poolId,
    COGNITO_CLIENT_ID: h.webClientId,
    COGNITO_CLIENT_SECRET: h.config.cognito.clientSecret ?? "",
    COGNITO_PUBLIC_CLIENT_ID: h.publicClientId,
    DATABASE_URL: settings.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    SESSION_SECRET: "cluster-test-secret-at-least-32-characters",
    TRUST_PROXY: "loopback",
    PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
  };
  nodes = await Promise.all([startAppProcess(env), startAppProcess(env)]);
  if (nginxBinary) nginx = await startNginx(nodes.map((node) => node.port));
}, 120_000);

afterAll(async () => {
  if (nginx) {
    const exited = once(nginx.child, "exit");
    nginx.child.kill("SIGTERM");
    await exited;
    rmSync(nginx.dir, { recursive: true, force: true });
  }
  await Promise.all(nodes.map((node) => node.stop()));
  admin?.destroy();
  await h?.stop();
  await redis?.cleanup();
});

/** A request from `address` (the nodes believe X-Forwarded-For from loopback). */
const from = (address: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), "x-forwarded-for": address },
});

describe("two nodes on one PostgreSQL and one Redis", () => {
  it("count one address's unknown pages on both nodes against one budget", async () => {
    const address = "198.51.100.77";
    const [a, b] = nodes as [AppProcess, AppProcess];
    for (let i = 0; i < 60; i++) {
      const node = i % 2 ? b : a;
      expect((await fetch(`${node.url}/nowhere-${i}`, from(address))).status).toBe(404);
    }
    expect((await fetch(`${a.url}/nowhere`, from(address))).status).toBe(429);
    expect((await fetch(`${b.url}/nowhere`, from(address))).status).toBe(429);
  });

  it("refuse a deactivated person's token on both nodes within a second", async () => {
    const person = await apiPerson(h, admin, "cluster");
    const me = (node: AppProcess) =>
      fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${person.accessToken}` } });
    for (const node of nodes) expect((await me(node)).status).toBe(200);
    await h.app.database.db
      .updateTable("users")
      .set({ is_active: false })
      .where("username_key", "=", person.account.username.toLowerCase())
      .execute();
    const started = Date.now();
    for (const node of nodes) {
      while ((await me(node)).status !== 401) {
        if (Date.now() - started > 1000) throw new Error(`node ${node.port} still accepts the token after 1 s`);
        await new Promise((done) => setTimeout(done, 10));
      }
    }
  });

  it("open the back office on node B with the session made at sign-in on node A", async () => {
    const [a, b] = nodes as [AppProcess, AppProcess];
    const staff = await localUser(h, { prefix: "cluster" });
    const page = await fetch(`${a.url}/admin/login`);
    const sessionCookie = (res: Response) =>
      res.headers
        .getSetCookie()
        .map((line) => line.split(";")[0] ?? "")
        .find((pair) => pair.startsWith("gatehouse=")) ?? "";
    const cookie = sessionCookie(page);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const signIn = await fetch(`${a.url}/admin/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ _csrf: csrf, username: staff.username, password: staff.password }),
    });
    expect(signIn.status).toBe(303);
    const session = sessionCookie(signIn);
    const home = await fetch(`${b.url}/admin/`, { headers: { cookie: session }, redirect: "manual" });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(staff.username);
  });
});

describe.skipIf(!nginxBinary)("behind nginx (deploy/nginx.conf)", () => {
  it("sends requests to both nodes, with the request id from nginx in every answer", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${nginx!.url}/healthz`);
      expect(res.status).toBe(200);
      ids.add(res.headers.get("x-request-id") ?? "");
    }
    expect(ids.size).toBe(6);
    expect([...ids].every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    const log = readFileSync(join(nginx!.dir, "access.log"), "utf8");
    const upstreams = new Set(log.split("\n").flatMap((line) => (line ? [JSON.parse(line).upstream as string] : [])));
    expect(upstreams.size).toBe(2);
  });

  it("keeps /metrics from the outside", async () => {
    expect((await fetch(`${nginx!.url}/metrics`)).status).toBe(404);
  });

  it("loses no request under load when one node gets SIGTERM", async () => {
    const [a] = nodes as [AppProcess, AppProcess];
    const statuses = new Map<number, number>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        let status = 0;
        try {
          status = (await fetch(`${nginx!.url}/`)).status;
        } catch {
          status = -1;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await new Promise((done) => setTimeout(done, 500));
    const code = await a.stop();
    await new Promise((done) => setTimeout(done, 500));
    stop = true;
    await Promise.all(workers);
    expect(code).toBe(0);
    expect(Object.fromEntries(statuses)).toEqual({ 200: expect.any(Number) });
    expect(statuses.get(200)).toBeGreaterThan(20);
  });
});
