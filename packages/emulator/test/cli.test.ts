/** The command line: flags, the seed file, and the `gatehouse-emulator` bin. */
import {
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = resolve(import.meta.dirname, "..");
const bin = join(packageDir, "bin", "gatehouse-emulator.js");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves with its URL once it says it is listening. */
function startCli(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [bin, "--port", "0", ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line; output: ${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ url: match[1], child, output: () => output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${output}`));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolvePromise) => {
    child.once("exit", (code) => resolvePromise(code));
    child.kill("SIGTERM");
  });

const seed = {
  pools: [
    {
      Id: "eu-west-1_SeededPo1",
      PoolName: "seeded",
      AutoVerifiedAttributes: ["email"],
      Clients: [
        {
          ClientId: "seededclientid000000000001",
          ClientName: "web",
          ClientSecret: "seededsecret000000000000000000000000000000000000001",
          ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
      ],
      Groups: [{ GroupName: "staff", Precedence: 1, Description: "Staff" }],
    },
  ],
};

describe("gatehouse-emulator", () => {
  it("prints its usage with --help", () => {
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--seed FILE");
  });

  it("refuses unknown flags and bad values with exit code 2 and the reason", () => {
    for (const args of [["--nope"], ["--port", "99999"], ["--hash-cost", "x"], ["--seed", join(dir, "missing.json")]]) {
      const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("gatehouse-emulator:");
    }
  });

  it("refuses a seed file that does not describe pools, naming the problem", () => {
    const bad = join(dir, "bad-seed.json");
    writeFileSync(bad, JSON.stringify({ pools: [{ Id: "not a pool id", PoolName: "x" }] }));
    const result = spawnSync(process.execPath, [bin, "--seed", bad, "--in-memory"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Seed pool #1");
  });

  it("creates the seed's pools, clients and groups with their fixed ids, and keeps them across restarts", async () => {
    const seedPath = join(dir, "seed.json");
    writeFileSync(seedPath, JSON.stringify(seed));
    const data = join(dir, "data", "emulator.sqlite3");
    for (let run = 0; run < 2; run++) {
      const { url, child, output } = await startCli(["--seed", seedPath, "--data", data]);
      const cognito = new CognitoIdentityProviderClient({
        endpoint: url,
        region: "eu-west-1",
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
      });
      const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: "eu-west-1_SeededPo1" }));
      expect(UserPool?.AutoVerifiedAttributes).toEqual(["email"]);
      const { UserPoolClient } = await cognito.send(
        new DescribeUserPoolClientCommand({
          UserPoolId: "eu-west-1_SeededPo1",
          ClientId: "seededclientid000000000001",
        }),
      );
      expect(UserPoolClient?.ClientSecret).toBe(seed.pools[0]!.Clients[0]!.ClientSecret);
      const { Group } = await cognito.send(
        new GetGroupCommand({ UserPoolId: "eu-west-1_SeededPo1", GroupName: "staff" }),
      );
      expect(Group?.Precedence).toBe(1);
      cognito.destroy();
      // One log line per request.
      expect(output()).toMatch(/POST \/ DescribeUserPool 200 [\d.]+ms/);
      expect(await stop(child)).toBe(0);
    }
  });
});
