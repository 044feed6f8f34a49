/**
 * The app as a real process (`gatehouse start`, from the sources, as `npm start` runs it) on a
 * loopback port, for the tests of what only a process shows: signals, several nodes, a proxy.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { resolve } from "node:path";

export const repositoryRoot = resolve(import.meta.dirname, "../../..");

export interface AppProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  output(): string;
  /** Sends SIGTERM and resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** A port the kernel just handed out on loopback (the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}

/** Starts the app with `env` (plus PATH, HOST and PORT) and waits until /healthz answers. */
export async function startAppProcess(env: Readonly<Record<string, string>>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "packages/app/src/cli.ts", "start"], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH,
      TSX_TSCONFIG_PATH: "packages/app/tsconfig.json",
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited at start:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not start in 60 s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    child,
    port,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
