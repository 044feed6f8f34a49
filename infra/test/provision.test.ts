/**
 * `npm run provision` against the emulator: the first run creates the pool from its definition,
 * the second changes nothing; a setting changed by hand is reported (also by --dry-run, which
 * changes nothing) and set back; and the app's settings come out for .env.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { startEmulator, type RunningEmulator } from "@gatehouse/emulator";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatehousePool } from "../src/pool-definition.ts";
import { provision } from "../src/provision.ts";

let emulator: RunningEmulator;
let client: CognitoIdentityProviderClient;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, inMemory: true });
  client = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

describe("provision", () => {
  it("creates the pool, both clients and the groups, then finds nothing to change", async () => {
    const first = await provision({ client });
    expect(first.changes).toEqual([
      "create pool gatehouse",
      "create client gatehouse-web",
      "create client gatehouse-public",
      "create group staff",
    ]);
    expect(first.unfixable).toEqual([]);

    const pool = (await client.send(new DescribeUserPoolCommand({ UserPoolId: first.poolId }))).UserPool;
    expect(pool).toMatchObject({
      Name: "gatehouse",
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ["email"],
      Policies: { PasswordPolicy: gatehousePool.Policies.PasswordPolicy },
    });
    const mfa = await client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: first.poolId }));
    expect(mfa).toMatchObject({ MfaConfiguration: "OPTIONAL", SoftwareTokenMfaConfiguration: { Enabled: true } });
    const web = (
      await client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: first.poolId, ClientId: first.settings.COGNITO_CLIENT_ID }),
      )
    ).UserPoolClient;
    expect(web?.ClientSecret).toBe(first.settings.COGNITO_CLIENT_SECRET);
    expect(web).toMatchObject({ ClientName: "gatehouse-web", PreventUserExistenceErrors: "ENABLED" });
    expect(first.settings.COGNITO_PUBLIC_CLIENT_ID).toMatch(/\w+/);

    const second = await provision({ client });
    expect(second).toMatchObject({ poolId: first.poolId, changes: [], unfixable: [] });
    expect(second.settings).toEqual(first.settings);
  });

  it("reports what was changed by hand, changes nothing on a dry run, and sets it back otherwise", async () => {
    const { poolId, settings } = await provision({ client });
    await client.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: settings.COGNITO_PUBLIC_CLIENT_ID,
        ClientName: "gatehouse-public",
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "LEGACY",
      }),
    );
    await client.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: "staff", Precedence: 9 }));

    const dry = await provision({ client, dryRun: true });
    expect(dry.changes).toEqual([
      expect.stringMatching(/^client gatehouse-public ExplicitAuthFlows: .*ALLOW_ADMIN_USER_PASSWORD_AUTH.* → /),
      'client gatehouse-public PreventUserExistenceErrors: "LEGACY" → "ENABLED"',
      "group staff Precedence: 9 → 1",
    ]);
    expect((await client.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "staff" }))).Group?.Precedence).toBe(
      9,
    );

    const fixed = await provision({ client });
    expect(fixed.changes).toEqual(dry.changes);
    expect((await provision({ client })).changes).toEqual([]);
  });

  it("runs as npm run provision -- --endpoint URL, printing the changes and the app's settings", async () => {
    const root = resolve(import.meta.dirname, "../..");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "infra/src/provision.ts", "--endpoint", emulator.url],
      { cwd: root },
    );
    expect(stdout).toContain("Nothing to change: the pool matches its definition.");
    expect(stdout).toContain(`COGNITO_ENDPOINT=${emulator.url}`);
    expect(stdout).toMatch(/^COGNITO_USER_POOL_ID=us-east-1_\w+$/m);
    expect(stdout).toMatch(/^COGNITO_CLIENT_SECRET=\S+$/m);
  });
});
