/**
 * `npm start`'s graceful shutdown (issue 12), on a real process: SIGTERM stops new connections at
 * once, a request already in flight still gets its whole answer, and the process exits 0 when
 * it is done; a second signal does not wait.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { startEmulator, type RunningEmulator } from "@gatehouse/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devSeed } from "./app-harness.ts";
import { startAppProcess, type AppProcess } from "./app-process.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";

let emulator: RunningEmulator;
let database: TestDatabase;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, inMemory: true, seed: devSeed() });
  database = await createTestDatabase("sqlite");
});
afterAll(async () => {
  await database?.drop();
  await emulator?.stop();
});

/** `gatehouse start` on the test's emulator and SQLite file. */
function startApp(): Promise<AppProcess> {
  const pool = devSeed().pools[0]!;
  const web = pool.Clients.find((client) => client.ClientSecret)!;
  const settings = database.settings;
  if (settings.kind !== "sqlite") throw new Error("expected SQLite");
  return startAppProcess({
    COGNITO_ENDPOINT: emulator.url,
    COGNITO_USER_POOL_ID: pool.Id,
    COGNITO_CLIENT_ID: web.ClientId,
    COGNITO_CLIENT_SECRET: web.ClientSecret ?? "",
    DATABASE_URL: `sqlite:${settings.path}`,
    SESSION_SECRET: "shutdown-test-secret-at-least-32-characters",
  });
}

/** A request whose body is still on its way: headers and half the body sent. */
async function requestInFlight(port: number): Promise<{ socket: Socket; finish: () => Promise<string> }> {
  const body = "username=ada&password=half-sent";
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(
    `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
  return {
    socket,
    async finish() {
      const ended = once(socket, "close");
      socket.write(body.slice(10));
      await ended;
      return answer;
    },
  };
}

const connectionRefused = async (port: number): Promise<boolean> => {
  const socket = connect(port, "127.0.0.1");
  try {
    await once(socket, "connect");
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
  } finally {
    socket.destroy();
  }
};

describe("SIGTERM", () => {
  it("stops accepting, answers the request in flight in full, and exits 0", async () => {
    const app = await startApp();
    const inFlight = await requestInFlight(app.port);
    // Let the server read the headers, so the request is under way before the signal.
    await new Promise((done) => setTimeout(done, 200));
    const exited = once(app.child, "exit");
    app.child.kill("SIGTERM");
    const deadline = Date.now() + 5000;
    while (!(await connectionRefused(app.port))) {
      if (Date.now() > deadline) throw new Error("still accepting connections 5 s after SIGTERM");
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(app.child.exitCode).toBeNull();

    const answer = await inFlight.finish();
    // The POST lacks a CSRF token: the app's 403 page, whole.
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toContain("</html>");
    const [code] = (await exited) as [number | null];
    expect(code, app.output()).toBe(0);
    expect(app.output()).toContain("shutting down");
  });

  it("exits at once on a second signal, without waiting for the request in flight", async () => {
    const app = await startApp();
    const inFlight = await requestInFlight(app.port);
    await new Promise((done) => setTimeout(done, 200));
    const exited = once(app.child, "exit");
    app.child.kill("SIGTERM");
    await new Promise((done) => setTimeout(done, 200));
    app.child.kill("SIGINT");
    const [code] = (await exited) as [number | null];
    expect(code).toBe(1);
    inFlight.socket.destroy();
  });
});
