/**
 * `gatehouse-emulator` / `npm run emulator`: runs the Cognito user-pool emulator.
 * Exit codes: 0 on a clean stop (SIGINT/SIGTERM), 2 for bad flags or a bad seed file, 1 otherwise.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator } from "./emulator.ts";
import { parseSeed, type Seed } from "./seed.ts";
import { resolveTriggerTargets, type TriggerTarget } from "./triggers/runtime.ts";

const usage = `Usage: gatehouse-emulator [options]

A Cognito user-pool emulator speaking the AWS API (point the AWS SDK's endpoint at it).

Options:
  --port N          port to listen on (default 9229; 0 picks a free one)
  --host HOST       address to listen on (default 127.0.0.1)
  --data PATH       SQLite database file (default var/emulator.sqlite3)
  --in-memory       keep nothing on disk
  --seed FILE       JSON file of pools/clients/groups with fixed ids (created if missing)
  --region REGION   region of new pool ids when CreateUserPool is unsigned (a
                    signed call's region wins, as on AWS; default us-east-1)
  --issuer URL      base of the tokens' iss claim; {region} is replaced, so
                    https://cognito-idp.{region}.amazonaws.com gives AWS's issuers
                    (default: the address the emulator listens on)
  --hash-cost N     log2 of scrypt's N for password hashes (default 10; higher is slower)
  --trigger ARN=TARGET
                    run the Lambda function ARN of a pool's LambdaConfig locally: TARGET is
                    a .js/.ts module exporting handler(event) or an http(s) URL that gets
                    the event as JSON (repeatable; adds to the seed file's "triggers")
  --trigger-timeout MS
                    how long a trigger may take (default 5000, as Cognito waits)
  --quiet           no per-request log lines
  -h, --help        this text
`;

function fail(message: string): never {
  process.stderr.write(`gatehouse-emulator: ${message}\n\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        data: { type: "string" },
        "in-memory": { type: "boolean" },
        seed: { type: "string" },
        region: { type: "string" },
        issuer: { type: "string" },
        "hash-cost": { type: "string" },
        trigger: { type: "string", multiple: true },
        "trigger-timeout": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = values.port === undefined ? 9229 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0–65535, not ${values.port}`);
  const hashCost = values["hash-cost"] === undefined ? 10 : Number(values["hash-cost"]);
  if (!Number.isInteger(hashCost) || hashCost < 1 || hashCost > 20) fail("--hash-cost must be an integer from 1 to 20");
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(values.region))
    fail(`--region ${values.region} is not a region name like us-east-1`);

  const triggerTimeout = values["trigger-timeout"] === undefined ? undefined : Number(values["trigger-timeout"]);
  if (triggerTimeout !== undefined && (!Number.isInteger(triggerTimeout) || triggerTimeout < 1)) {
    fail("--trigger-timeout must be a positive number of milliseconds");
  }
  let triggers: Record<string, TriggerTarget> = {};
  try {
    const pairs = (values.trigger ?? []).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 0) throw new Error(`--trigger ${pair} is not ARN=TARGET`);
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    });
    triggers = resolveTriggerTargets(Object.fromEntries(pairs), process.cwd());
  } catch (error) {
    fail((error as Error).message);
  }
  let seed: Seed | undefined;
  if (values.seed) {
    try {
      seed = parseSeed(JSON.parse(readFileSync(values.seed, "utf8")) as unknown, dirname(values.seed));
    } catch (error) {
      fail(`cannot use seed file ${values.seed}: ${(error as Error).message}`);
    }
  }
  const print = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const started = performance.now();
  const emulator = await startEmulator({
    port,
    host: values.host,
    dataPath: values.data,
    inMemory: values["in-memory"],
    seed,
    region: values.region,
    issuerBase: values.issuer ?? null,
    hashCost: { log2N: hashCost, r: 4 },
    triggers,
    ...(triggerTimeout === undefined ? {} : { triggerTimeoutMs: triggerTimeout }),
    // --quiet drops the per-request lines but still prints the codes people need.
    log: values.quiet ? null : print,
    messageLog: print,
  });
  const where = values["in-memory"] ? "in memory" : (values.data ?? "var/emulator.sqlite3");
  process.stdout.write(
    `Cognito emulator listening on ${emulator.url} (data: ${where}, ready in ${Math.round(performance.now() - started)} ms)\n` +
      `  outbox: ${emulator.url}/_outbox.html\n` +
      // A domain's hosted UI answers under the domain as a path prefix (hosted/routes.ts).
      emulator.context.store.hosted
        .allDomains()
        .map(
          (d) =>
            `  domain ${d.domain} (${d.poolId}): ${emulator.url}/${d.domain}/oauth2/authorize, …/oauth2/token, …/login\n`,
        )
        .join(""),
  );
  const stop = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gatehouse-emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
