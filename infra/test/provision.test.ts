/**
 * `npm run provision` against the emulator: the first run creates the pool from its definition
 * (with its domain, resource server, three app clients and group), the second changes nothing; a
 * setting changed by hand is reported (also by --dry-run, which changes nothing) and set back;
 * `--triggers` maps the pool's LambdaConfig to the local ARNs, which an emulator started with
 * `--trigger ARN=FILE` runs; and the app's settings come out for .env.
 */
import {
  CognitoIdentityProviderClient,
  DeleteUserPoolDomainCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
  SignUpCommand,
  UpdateGroupCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { startEmulator, type RunningEmulator } from "@gatehouse/emulator";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatehousePool, gatehousePoolFor } from "../src/pool-definition.ts";
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
  it("creates the pool, its domain, resource server, clients and groups, then finds nothing to change", async () => {
    const first = await provision({ client });
    expect(first.changes).toEqual([
      "create pool gatehouse",
      "create domain gatehouse-local",
      "create resource server gatehouse",
      "create client gatehouse-web",
      "create client gatehouse-public",
      "create client gatehouse-machine",
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
    expect(web).toMatchObject({
      ClientName: "gatehouse-web",
      PreventUserExistenceErrors: "ENABLED",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
      CallbackURLs: ["http://localhost:3000/auth/callback"],
      LogoutURLs: ["http://localhost:3000/"],
    });
    expect(first.settings.COGNITO_PUBLIC_CLIENT_ID).toMatch(/\w+/);

    expect(pool?.Domain).toBe("gatehouse-local");
    const server = (
      await client.send(new DescribeResourceServerCommand({ UserPoolId: first.poolId, Identifier: "gatehouse" }))
    ).ResourceServer;
    expect(server).toMatchObject({
      Name: "Gatehouse API",
      Scopes: [{ ScopeName: "users.read", ScopeDescription: "Read the user list" }],
    });
    const machine = (
      await client.send(
        new DescribeUserPoolClientCommand({
          UserPoolId: first.poolId,
          ClientId: first.settings.API_MACHINE_CLIENT_IDS,
        }),
      )
    ).UserPoolClient;
    expect(machine).toMatchObject({
      ClientName: "gatehouse-machine",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["gatehouse/users.read"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
    });
    expect(machine?.ClientSecret).toMatch(/\w+/);
    // The machine client's token endpoint answers at the domain (client_credentials).
    const token = await fetch(`${emulator.url}/gatehouse-local/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${machine?.ClientId}:${machine?.ClientSecret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials&scope=gatehouse%2Fusers.read",
    });
    expect(token.status).toBe(200);
    // Nothing in the definition names LambdaConfig unless asked: the pool has no triggers.
    expect(pool?.LambdaConfig ?? {}).toEqual({});

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
    await client.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: settings.COGNITO_CLIENT_ID,
        ClientName: "gatehouse-web",
        ...gatehousePool.Clients[0],
        ExplicitAuthFlows: [...gatehousePool.Clients[0]!.ExplicitAuthFlows],
        TokenValidityUnits: { ...gatehousePool.Clients[0]!.TokenValidityUnits },
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid"],
        CallbackURLs: ["http://localhost:4000/auth/callback"],
        LogoutURLs: ["http://localhost:3000/"],
        SupportedIdentityProviders: ["COGNITO"],
      }),
    );
    await client.send(
      new UpdateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: "gatehouse",
        Name: "Renamed",
        Scopes: [{ ScopeName: "users.read", ScopeDescription: "Read the user list" }],
      }),
    );
    await client.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: "gatehouse-local" }));

    const dry = await provision({ client, dryRun: true });
    expect(dry.changes).toEqual([
      "create domain gatehouse-local",
      'resource server gatehouse Name: "Renamed" → "Gatehouse API"',
      expect.stringMatching(/^client gatehouse-web AllowedOAuthScopes: \["openid"\] → \["aws\.cognito/),
      'client gatehouse-web CallbackURLs: ["http://localhost:4000/auth/callback"] → ["http://localhost:3000/auth/callback"]',
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

  it("moves the hosted UI to another environment's domain prefix and sign-in URLs", async () => {
    const staging = gatehousePoolFor({
      domainPrefix: "gatehouse-staging",
      publicUrls: ["https://staging.example.com"],
    });
    const moved = await provision({ client, definition: staging });
    expect(moved.changes).toEqual([
      'pool Domain: "gatehouse-local" → "gatehouse-staging"',
      'client gatehouse-web CallbackURLs: ["http://localhost:3000/auth/callback"] → ["https://staging.example.com/auth/callback"]',
      'client gatehouse-web LogoutURLs: ["http://localhost:3000/"] → ["https://staging.example.com/"]',
    ]);
    expect((await provision({ client, definition: staging })).changes).toEqual([]);
    expect((await provision({ client })).changes).toHaveLength(3);
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
    expect(stdout).toMatch(/^API_MACHINE_CLIENT_IDS=\w+$/m);
    expect(stdout).toContain("Triggers: not mapped");
    expect(stdout).toContain(
      "--trigger arn:aws:lambda:us-east-1:000000000000:function:gatehouse-pre-signup=triggers/pre-signup.ts",
    );
  });
});

describe("provision --triggers", () => {
  const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:gatehouse-${name}`;
  const file = (name: string) => resolve(import.meta.dirname, `../../triggers/${name}.ts`);
  let mapped: RunningEmulator;
  let mappedClient: CognitoIdentityProviderClient;
  beforeAll(async () => {
    // As `npm run emulator -- --trigger ARN=FILE …` from provision's output.
    mapped = await startEmulator({
      port: 0,
      inMemory: true,
      triggers: { [arn("pre-signup")]: file("pre-signup"), [arn("post-confirmation")]: file("post-confirmation") },
    });
    mappedClient = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: mapped.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  afterAll(async () => {
    mappedClient?.destroy();
    await mapped?.stop();
  });

  it("names the local ARNs in LambdaConfig, whose files the emulator then runs, and keeps them on later runs", async () => {
    const first = await provision({ client: mappedClient, mapTriggers: true });
    expect(first.triggers).toEqual([
      { name: "PreSignUp", arn: arn("pre-signup"), source: "triggers/pre-signup.ts" },
      { name: "PostConfirmation", arn: arn("post-confirmation"), source: "triggers/post-confirmation.ts" },
    ]);
    const pool = (await mappedClient.send(new DescribeUserPoolCommand({ UserPoolId: first.poolId }))).UserPool;
    expect(pool?.LambdaConfig).toMatchObject({
      PreSignUp: arn("pre-signup"),
      PostConfirmation: arn("post-confirmation"),
    });
    expect((await provision({ client: mappedClient, mapTriggers: true })).changes).toEqual([]);

    // PreSignUp runs: the same email in another case is refused.
    const signUp = (username: string, email: string) =>
      mappedClient.send(
        new SignUpCommand({
          ClientId: first.settings.COGNITO_PUBLIC_CLIENT_ID,
          Username: username,
          Password: "Correct-horse-9",
          UserAttributes: [{ Name: "email", Value: email }],
        }),
      );
    await signUp("ada", "Ada@Example.com");
    await expect(signUp("ada2", "ada@example.com")).rejects.toMatchObject({ name: "UserLambdaValidationException" });

    // A pool setting put back without --triggers keeps the mapping (UpdateUserPool resets what it is not given).
    await mappedClient.send(new UpdateGroupCommand({ UserPoolId: first.poolId, GroupName: "staff", Precedence: 5 }));
    expect((await provision({ client: mappedClient, dryRun: true })).changes).toEqual([
      "group staff Precedence: 5 → 1",
    ]);
    const withoutFlag = await provision({ client: mappedClient });
    expect(withoutFlag.changes).toEqual(["group staff Precedence: 5 → 1"]);
    const after = (await mappedClient.send(new DescribeUserPoolCommand({ UserPoolId: first.poolId }))).UserPool;
    expect(after?.LambdaConfig).toMatchObject({ PreSignUp: arn("pre-signup") });
  });
});
