/**
 * `npm run peer:moto`: moto's own cognito-idp test suite run against the emulator (issue 15).
 *
 * moto's tests call boto3; the plugin (gatehouse_moto_plugin.py) points every cognito-idp client
 * at an in-memory emulator this process starts, and moto's decorators reset that emulator
 * instead of patching botocore. The suite runs twice: as moto wrote it, and with the documented
 * input rewrites (rewrites.ts). Skipped tests (skips.ts) count as neither passed nor failed.
 * The copied test file lives in a scratch folder and is never committed (see README.md).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startEmulator, type RunningEmulator } from "../../packages/emulator/src/index.ts";
import { rewrites, type Rewrite } from "./rewrites.ts";
import { skips } from "./skips.ts";

const here = dirname(fileURLToPath(import.meta.url));

const usage = `Usage: npm run peer:moto -- [options]

  --tests PATH    moto's tests/test_cognitoidp/test_cognitoidp.py (default /tmp/moto-tests/test_cognitoidp.py)
  --out DIR       scratch folder for the copies and reports (default var/moto)
  --python PATH   the Python with boto3 and pytest (default /usr/bin/python3)
  -k EXPR         only the tests pytest's -k selects
  --only MODE     as-written or rewritten (default both)
  -v              print every failure's last lines
  -h, --help      this text
`;

type Mode = "as-written" | "rewritten";

interface Outcome {
  readonly name: string;
  readonly result: "passed" | "failed" | "skipped";
  readonly detail: string;
}

/** The span of a top-level test function in `source`: from its decorators to the next top-level line. */
function functionSpan(source: string, test: string): [number, number] {
  const start = source.search(new RegExp(`^def ${test}\\(`, "m"));
  if (start < 0) throw new Error(`rewrite: no test ${test} in moto's file`);
  const bodyStart = source.indexOf("\n", start) + 1;
  // A signature over several lines ends with a "):" line at the margin, inside the function.
  const after = source.slice(bodyStart).search(/^[^\s)]/m);
  return [start, after < 0 ? source.length : bodyStart + after];
}

/** `source` with every rewrite applied inside its test; a rewrite that no longer matches is an error. */
export function applyRewrites(source: string, list: readonly Rewrite[]): string {
  let out = source;
  for (const rewrite of list) {
    const [start, end] = functionSpan(out, rewrite.test);
    const body = out.slice(start, end);
    const count = body.split(rewrite.from).length - 1;
    if (count === 0 || (count > 1 && !rewrite.all)) {
      throw new Error(`rewrite of ${rewrite.test}: ${JSON.stringify(rewrite.from)} occurs ${count} times`);
    }
    out = out.slice(0, start) + body.split(rewrite.from).join(rewrite.to) + out.slice(end);
  }
  return out;
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#10;/g, "\n")
    .replace(/&amp;/g, "&");

/** Every test case of a pytest JUnit XML report. */
function readJunit(path: string): Outcome[] {
  const xml = readFileSync(path, "utf8");
  const outcomes: Outcome[] = [];
  for (const match of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = unescapeXml(match[1] ?? "");
    const inner = match[2] ?? "";
    const failure = /<(failure|error)[^>]*?message="([^"]*)"/.exec(inner);
    const skipped = /<skipped[^>]*?message="([^"]*)"/.exec(inner);
    if (failure) outcomes.push({ name, result: "failed", detail: unescapeXml(failure[2] ?? "") });
    else if (skipped) outcomes.push({ name, result: "skipped", detail: unescapeXml(skipped[1] ?? "") });
    else outcomes.push({ name, result: "passed", detail: "" });
  }
  return outcomes;
}

/** An emulator on a fixed port that a POST to the control server replaces with an empty one. */
async function resettableEmulator(): Promise<{ endpoint: string; reset: string; stop(): Promise<void> }> {
  const options = { inMemory: true, host: "127.0.0.1", hashCost: { log2N: 4, r: 1 } } as const;
  let emulator: RunningEmulator = await startEmulator({ ...options, port: 0 });
  const port = Number(new URL(emulator.url).port);
  let queue: Promise<void> = Promise.resolve();
  const control: Server = createServer((request, response) => {
    request.resume();
    queue = queue.then(async () => {
      try {
        await emulator.stop();
        emulator = await startEmulator({ ...options, port });
        response.end("reset\n");
      } catch (error) {
        response.statusCode = 500;
        response.end(String(error));
      }
    });
  });
  await new Promise<void>((done) => control.listen(0, "127.0.0.1", done));
  const controlPort = (control.address() as AddressInfo).port;
  return {
    endpoint: emulator.url,
    reset: `http://127.0.0.1:${controlPort}/reset`,
    async stop() {
      await new Promise<void>((done) => control.close(() => done()));
      await emulator.stop();
    },
  };
}

function runPytest(python: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(python, ["-m", "pytest", ...args], { env, stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", fail);
    child.on("exit", (code) => done(code ?? 1));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tests: { type: "string", default: "/tmp/moto-tests/test_cognitoidp.py" },
      out: { type: "string", default: "var/moto" },
      python: { type: "string", default: "/usr/bin/python3" },
      k: { type: "string", short: "k" },
      only: { type: "string" },
      v: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return void process.stdout.write(usage);
  const testsPath = resolve(values.tests);
  if (!existsSync(testsPath)) {
    throw new Error(`${testsPath} is missing: copy moto's file there (README.md says how), or pass --tests PATH`);
  }
  const modes: Mode[] =
    values.only === "as-written"
      ? ["as-written"]
      : values.only === "rewritten"
        ? ["rewritten"]
        : ["as-written", "rewritten"];
  const out = resolve(values.out);
  const source = readFileSync(testsPath, "utf8");
  const skipsFile = join(out, "skips.json");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    skipsFile,
    JSON.stringify(Object.fromEntries(Object.entries(skips).map(([name, s]) => [name, `${s.kind}: ${s.reason}`]))),
  );

  const emulator = await resettableEmulator();
  const summary: Record<string, { passed: number; failed: number; skipped: number; failures: string[] }> = {};
  try {
    for (const mode of modes) {
      const dir = join(out, mode);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "test_cognitoidp.py"), mode === "rewritten" ? applyRewrites(source, rewrites) : source);
      const junit = join(dir, "junit.xml");
      await runPytest(
        values.python,
        [
          "-p",
          "gatehouse_moto_plugin",
          "-p",
          "no:cacheprovider",
          "-q",
          "--rootdir",
          dir,
          `--junitxml=${junit}`,
          ...(values.k ? ["-k", values.k] : []),
          join(dir, "test_cognitoidp.py"),
        ],
        {
          ...process.env,
          PYTHONPATH: here,
          PYTHONDONTWRITEBYTECODE: "1",
          GATEHOUSE_MOTO_ENDPOINT: emulator.endpoint,
          GATEHOUSE_MOTO_RESET: emulator.reset,
          GATEHOUSE_MOTO_SKIPS: skipsFile,
        },
      );
      const outcomes = readJunit(junit);
      const failed = outcomes.filter((o) => o.result === "failed");
      summary[mode] = {
        passed: outcomes.filter((o) => o.result === "passed").length,
        failed: failed.length,
        skipped: outcomes.filter((o) => o.result === "skipped").length,
        failures: failed.map((o) => o.name),
      };
      writeFileSync(join(dir, "outcomes.json"), JSON.stringify(outcomes, null, 2));
      if (values.v) for (const o of failed) process.stdout.write(`FAIL ${mode} ${o.name}: ${o.detail.slice(0, 300)}\n`);
    }
  } finally {
    await emulator.stop();
  }
  writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2));
  for (const [mode, s] of Object.entries(summary)) {
    process.stdout.write(`moto cognito-idp, ${mode}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`);
  }
  process.stdout.write(`Details: ${join(out, "<mode>/outcomes.json")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`peer:moto: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
