/**
 * `npm run provision -- --endpoint URL [--region R] [--pool-id ID] [--domain-prefix P]
 * [--public-url URL]… [--triggers] [--dry-run]`: applies the pool's definition
 * (pool-definition.ts) to a Cognito endpoint — the emulator — through the same API calls as
 * AWS's: the pool is found by name (or id) and created if missing, then its domain, resource
 * servers, app clients and groups; every setting that differs is listed and, unless `--dry-run`,
 * changed (UpdateUserPool, SetUserPoolMfaConfig, Create/DeleteUserPoolDomain,
 * UpdateResourceServer, UpdateUserPoolClient, UpdateGroup); what Cognito cannot change in place
 * (aliases, username case, a client's secret) is reported, never silently left. A second run
 * changes nothing. Then it prints the app's settings for the pool.
 *
 * Lambda functions do not exist in the emulator: it runs the trigger files themselves, each
 * mapped from an ARN by `--trigger ARN=FILE` (triggers/README.md). `--triggers` sets the pool's
 * LambdaConfig to the local ARNs `arn:aws:lambda:<region>:000000000000:function:<name>` of the
 * definition's functions, and the output says which `--trigger` flags the emulator needs for
 * them; without it the pool's LambdaConfig is left as found (and kept across UpdateUserPool).
 */
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateResourceServerCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolDomainCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  type LambdaConfigType,
  type ResourceServerType,
  type UserPoolClientType,
  type UserPoolType,
} from "@aws-sdk/client-cognito-identity-provider";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  gatehousePool,
  gatehousePoolFor,
  localEnvironment,
  type ClientDefinition,
  type PoolDefinition,
  type TriggerName,
} from "./pool-definition.ts";

export interface ProvisionResult {
  readonly poolId: string;
  /** What was (or, with dryRun, would be) done, one line each; empty when all matched. */
  readonly changes: readonly string[];
  /** Differences Cognito cannot change in place: the pool must be made anew for them. */
  readonly unfixable: readonly string[];
  /** The app's settings for this pool. */
  readonly settings: Readonly<Record<string, string>>;
  /** Each trigger's local ARN and the file the emulator must run for it (`--trigger ARN=FILE`). */
  readonly triggers: readonly { readonly name: TriggerName; readonly arn: string; readonly source: string }[];
}

export interface ProvisionOptions {
  readonly client: CognitoIdentityProviderClient;
  readonly definition?: PoolDefinition;
  readonly poolId?: string;
  readonly dryRun?: boolean;
  /** Set the pool's LambdaConfig to the triggers' local ARNs (the emulator must map them). */
  readonly mapTriggers?: boolean;
}

const show = (value: unknown): string => JSON.stringify(value ?? null);
const sorted = <T extends string>(values: readonly T[] | undefined): T[] => [...(values ?? [])].sort();

/** `field: had → wants` for each field of `wanted` that `actual` does not match. */
function differences(scope: string, actual: Record<string, unknown>, wanted: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [field, value] of Object.entries(wanted)) {
    const had = actual[field];
    if (show(had) !== show(value)) found.push(`${scope} ${field}: ${show(had)} → ${show(value)}`);
  }
  return found;
}

/** The pool settings UpdateUserPool takes (it resets whatever it is not given, so all of them). */
function poolSettings(pool: PoolDefinition) {
  return {
    Policies: {
      PasswordPolicy: { ...pool.Policies.PasswordPolicy },
      SignInPolicy: { AllowedFirstAuthFactors: [...pool.Policies.SignInPolicy.AllowedFirstAuthFactors] },
    },
    AutoVerifiedAttributes: [...pool.AutoVerifiedAttributes],
    AdminCreateUserConfig: { ...pool.AdminCreateUserConfig },
    AccountRecoverySetting: {
      RecoveryMechanisms: pool.AccountRecoverySetting.RecoveryMechanisms.map((m) => ({ ...m })),
    },
    DeletionProtection: pool.DeletionProtection,
    UserPoolTier: pool.UserPoolTier,
  };
}

/** The same settings as Cognito describes them, in the order `poolSettings` gives them. */
function describedSettings(pool: UserPoolType): Record<string, unknown> {
  const password = pool.Policies?.PasswordPolicy;
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: password?.MinimumLength,
        RequireUppercase: password?.RequireUppercase,
        RequireLowercase: password?.RequireLowercase,
        RequireNumbers: password?.RequireNumbers,
        RequireSymbols: password?.RequireSymbols,
        TemporaryPasswordValidityDays: password?.TemporaryPasswordValidityDays,
      },
      SignInPolicy: { AllowedFirstAuthFactors: pool.Policies?.SignInPolicy?.AllowedFirstAuthFactors },
    },
    AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: pool.AdminCreateUserConfig?.AllowAdminCreateUserOnly },
    AccountRecoverySetting: {
      RecoveryMechanisms: pool.AccountRecoverySetting?.RecoveryMechanisms?.map((m) => ({
        Name: m.Name,
        Priority: m.Priority,
      })),
    },
    DeletionProtection: pool.DeletionProtection,
    UserPoolTier: pool.UserPoolTier,
  };
}

/** The definition's triggers under the ARNs the emulator's `--trigger` flags map to files. */
export function localTriggers(definition: PoolDefinition, region: string): ProvisionResult["triggers"] {
  return (Object.entries(definition.LambdaConfig) as [TriggerName, PoolDefinition["LambdaConfig"]["PreSignUp"]][]).map(
    ([name, trigger]) => ({
      name,
      arn: `arn:aws:lambda:${region}:000000000000:function:${trigger.FunctionName}`,
      source: trigger.Source,
    }),
  );
}

/** The LambdaConfig members provision owns, as DescribeUserPool gives them. */
const describedTriggers = (config: LambdaConfigType | undefined): Record<TriggerName, string | undefined> => ({
  PreSignUp: config?.PreSignUp,
  PostConfirmation: config?.PostConfirmation,
});

/** OAuth settings as Create/UpdateUserPoolClient take them: absent when the client has none. */
function oAuthRequest(client: ClientDefinition) {
  const flows = client.AllowedOAuthFlows ?? [];
  if (flows.length === 0) return { AllowedOAuthFlowsUserPoolClient: false };
  const list = (values: readonly string[] | undefined) => (values?.length ? [...values] : undefined);
  return {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: [...flows],
    AllowedOAuthScopes: list(client.AllowedOAuthScopes),
    CallbackURLs: list(client.CallbackURLs),
    LogoutURLs: list(client.LogoutURLs),
    SupportedIdentityProviders: list(client.SupportedIdentityProviders),
  };
}

function clientSettings(client: ClientDefinition) {
  return {
    ExplicitAuthFlows: sorted(client.ExplicitAuthFlows),
    PreventUserExistenceErrors: client.PreventUserExistenceErrors,
    EnableTokenRevocation: client.EnableTokenRevocation,
    AccessTokenValidity: client.AccessTokenValidity,
    IdTokenValidity: client.IdTokenValidity,
    RefreshTokenValidity: client.RefreshTokenValidity,
    TokenValidityUnits: { ...client.TokenValidityUnits },
    AuthSessionValidity: client.AuthSessionValidity,
    AllowedOAuthFlowsUserPoolClient: (client.AllowedOAuthFlows ?? []).length > 0,
    AllowedOAuthFlows: sorted(client.AllowedOAuthFlows),
    AllowedOAuthScopes: sorted(client.AllowedOAuthScopes),
    CallbackURLs: sorted(client.CallbackURLs),
    LogoutURLs: sorted(client.LogoutURLs),
    SupportedIdentityProviders: sorted(client.SupportedIdentityProviders),
  };
}

function describedClient(client: UserPoolClientType): Record<string, unknown> {
  return {
    ExplicitAuthFlows: sorted(client.ExplicitAuthFlows),
    PreventUserExistenceErrors: client.PreventUserExistenceErrors,
    EnableTokenRevocation: client.EnableTokenRevocation,
    AccessTokenValidity: client.AccessTokenValidity,
    IdTokenValidity: client.IdTokenValidity,
    RefreshTokenValidity: client.RefreshTokenValidity,
    TokenValidityUnits: {
      AccessToken: client.TokenValidityUnits?.AccessToken,
      IdToken: client.TokenValidityUnits?.IdToken,
      RefreshToken: client.TokenValidityUnits?.RefreshToken,
    },
    AuthSessionValidity: client.AuthSessionValidity,
    AllowedOAuthFlowsUserPoolClient: client.AllowedOAuthFlowsUserPoolClient ?? false,
    AllowedOAuthFlows: sorted(client.AllowedOAuthFlows),
    AllowedOAuthScopes: sorted(client.AllowedOAuthScopes),
    CallbackURLs: sorted(client.CallbackURLs),
    LogoutURLs: sorted(client.LogoutURLs),
    // Only with OAuth: Cognito lists COGNITO for every client, which means nothing without it.
    SupportedIdentityProviders: client.AllowedOAuthFlowsUserPoolClient ? sorted(client.SupportedIdentityProviders) : [],
  };
}

/** The settings of a resource server that the definition sets. */
const serverSettings = (server: {
  readonly Name?: string;
  readonly Scopes?: readonly { readonly ScopeName?: string; readonly ScopeDescription?: string }[];
}) => ({
  Name: server.Name,
  Scopes: [...(server.Scopes ?? [])]
    .map((scope) => ({ ScopeName: scope.ScopeName, ScopeDescription: scope.ScopeDescription }))
    .sort((a, b) => (a.ScopeName ?? "").localeCompare(b.ScopeName ?? "")),
});

async function findPool(client: CognitoIdentityProviderClient, name: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }));
    const found = page.UserPools?.find((pool) => pool.Name === name);
    if (found?.Id) return found.Id;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

async function listClients(client: CognitoIdentityProviderClient, poolId: string) {
  const all: { ClientId?: string; ClientName?: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60, NextToken }));
    all.push(...(page.UserPoolClients ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

const isNotFound = (error: unknown): boolean => (error as { name?: string }).name === "ResourceNotFoundException";

export async function provision({
  client,
  definition = gatehousePool,
  poolId: givenPoolId,
  dryRun = false,
  mapTriggers = false,
}: ProvisionOptions): Promise<ProvisionResult> {
  const changes: string[] = [];
  const unfixable: string[] = [];
  const act = async (line: string, run: () => Promise<unknown>): Promise<void> => {
    changes.push(line);
    if (!dryRun) await run();
  };

  let poolId = givenPoolId ?? (await findPool(client, definition.PoolName));
  const mfa = {
    MfaConfiguration: definition.MfaConfiguration,
    SoftwareTokenMfaConfiguration: { Enabled: definition.SoftwareTokenMfa },
  };
  const region = client.config.region;
  const triggers = localTriggers(
    definition,
    givenPoolId?.split("_")[0] ?? (typeof region === "string" ? region : await region()),
  );
  const wantedTriggers = Object.fromEntries(triggers.map((t) => [t.name, t.arn])) as Record<TriggerName, string>;
  if (!poolId) {
    changes.push(`create pool ${definition.PoolName}`);
    if (dryRun) return { poolId: "", changes, unfixable, settings: {}, triggers };
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: definition.PoolName,
        AliasAttributes: [...definition.AliasAttributes],
        UsernameConfiguration: { ...definition.UsernameConfiguration },
        Schema: definition.Schema.map((attribute) => ({ ...attribute, AttributeDataType: "String" })),
        ...poolSettings(definition),
        ...(mapTriggers ? { LambdaConfig: wantedTriggers } : {}),
      }),
    );
    poolId = created.UserPool?.Id;
    if (!poolId) throw new Error("CreateUserPool answered no pool id");
    await client.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...mfa }));
  } else {
    const described = (await client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
    if (!described) throw new Error(`no pool ${poolId}`);
    const found = differences("pool", describedSettings(described), poolSettings(definition));
    if (mapTriggers) {
      found.push(...differences("pool LambdaConfig", describedTriggers(described.LambdaConfig), wantedTriggers));
    }
    if (found.length > 0) {
      await act(found.join("\n"), () =>
        client.send(
          new UpdateUserPoolCommand({
            UserPoolId: poolId,
            ...poolSettings(definition),
            MfaConfiguration: mfa.MfaConfiguration,
            // UpdateUserPool resets what it is not given: keep the triggers someone mapped.
            LambdaConfig: { ...described.LambdaConfig, ...(mapTriggers ? wantedTriggers : {}) },
          }),
        ),
      );
    }
    unfixable.push(
      ...differences(
        "pool",
        { AliasAttributes: described.AliasAttributes, UsernameConfiguration: described.UsernameConfiguration },
        { AliasAttributes: definition.AliasAttributes, UsernameConfiguration: definition.UsernameConfiguration },
      ),
    );
    const currentMfa = await client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    const mfaFound = differences(
      "pool",
      {
        MfaConfiguration: currentMfa.MfaConfiguration,
        SoftwareTokenMfaConfiguration: { Enabled: currentMfa.SoftwareTokenMfaConfiguration?.Enabled ?? false },
      },
      mfa,
    );
    if (mfaFound.length > 0) {
      await act(mfaFound.join("\n"), () =>
        client.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...mfa })),
      );
    }
  }

  const pool = poolId;
  const domain = (await client.send(new DescribeUserPoolCommand({ UserPoolId: pool }))).UserPool?.Domain;
  if (domain !== definition.Domain) {
    await act(
      domain ? `pool Domain: ${show(domain)} → ${show(definition.Domain)}` : `create domain ${definition.Domain}`,
      async () => {
        if (domain) await client.send(new DeleteUserPoolDomainCommand({ UserPoolId: pool, Domain: domain }));
        await client.send(new CreateUserPoolDomainCommand({ UserPoolId: pool, Domain: definition.Domain }));
      },
    );
  }

  for (const server of definition.ResourceServers) {
    let current: ResourceServerType | undefined;
    try {
      current = (
        await client.send(new DescribeResourceServerCommand({ UserPoolId: pool, Identifier: server.Identifier }))
      ).ResourceServer;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const request = { UserPoolId: pool, Identifier: server.Identifier, Name: server.Name, Scopes: [...server.Scopes] };
    if (!current) {
      await act(`create resource server ${server.Identifier}`, () =>
        client.send(new CreateResourceServerCommand(request)),
      );
      continue;
    }
    const found = differences(`resource server ${server.Identifier}`, serverSettings(current), serverSettings(server));
    if (found.length > 0) {
      await act(found.join("\n"), () => client.send(new UpdateResourceServerCommand(request)));
    }
  }

  const settings: Record<string, string> = { COGNITO_USER_POOL_ID: poolId };
  const machineClientIds: string[] = [];
  const existing = await listClients(client, poolId);
  for (const wanted of definition.Clients) {
    const match = existing.find((c) => c.ClientName === wanted.ClientName);
    let described: UserPoolClientType | undefined;
    if (!match?.ClientId) {
      changes.push(`create client ${wanted.ClientName}`);
      if (dryRun) continue;
      described = (
        await client.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: wanted.ClientName,
            GenerateSecret: wanted.GenerateSecret,
            ...clientSettings(wanted),
            ...oAuthRequest(wanted),
          }),
        )
      ).UserPoolClient;
    } else {
      described = (
        await client.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: match.ClientId }))
      ).UserPoolClient;
      const found = described
        ? differences(`client ${wanted.ClientName}`, describedClient(described), clientSettings(wanted))
        : [];
      if (found.length > 0) {
        await act(found.join("\n"), () =>
          client.send(
            new UpdateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientId: match.ClientId,
              ClientName: wanted.ClientName,
              ...clientSettings(wanted),
              ...oAuthRequest(wanted),
            }),
          ),
        );
      }
      if (Boolean(described?.ClientSecret) !== wanted.GenerateSecret) {
        unfixable.push(
          `client ${wanted.ClientName} secret: ${described?.ClientSecret ? "has one" : "has none"} → ${wanted.GenerateSecret ? "needs one" : "must have none"}`,
        );
      }
    }
    if (described?.ClientId) {
      if (wanted.Purpose === "web") {
        settings.COGNITO_CLIENT_ID = described.ClientId;
        if (described.ClientSecret) settings.COGNITO_CLIENT_SECRET = described.ClientSecret;
      } else if (wanted.Purpose === "public") {
        settings.COGNITO_PUBLIC_CLIENT_ID = described.ClientId;
      } else {
        machineClientIds.push(described.ClientId);
      }
    }
  }
  if (machineClientIds.length > 0) settings.API_MACHINE_CLIENT_IDS = machineClientIds.join(",");

  for (const group of definition.Groups) {
    let current;
    try {
      current = (await client.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: group.GroupName }))).Group;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) {
      await act(`create group ${group.GroupName}`, () =>
        client.send(new CreateGroupCommand({ UserPoolId: poolId, ...group })),
      );
      continue;
    }
    const found = differences(
      `group ${group.GroupName}`,
      { Description: current.Description, Precedence: current.Precedence },
      { Description: group.Description, Precedence: group.Precedence },
    );
    if (found.length > 0) {
      await act(found.join("\n"), () => client.send(new UpdateGroupCommand({ UserPoolId: poolId, ...group })));
    }
  }
  return { poolId, changes: changes.flatMap((line) => line.split("\n")), unfixable, settings, triggers };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      endpoint: { type: "string" },
      region: { type: "string", default: "us-east-1" },
      "pool-id": { type: "string" },
      "domain-prefix": { type: "string", default: localEnvironment.domainPrefix },
      "public-url": { type: "string", multiple: true, default: [...localEnvironment.publicUrls] },
      triggers: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  if (!values.endpoint) {
    process.stderr.write(
      "Usage: npm run provision -- --endpoint http://127.0.0.1:9229 [--region us-east-1] [--pool-id ID]\n" +
        "         [--domain-prefix gatehouse-local] [--public-url http://localhost:3000]... [--triggers] [--dry-run]\n" +
        "For AWS itself, deploy the CDK app instead: cd infra && npx aws-cdk deploy (docs/deploy.md).\n",
    );
    process.exit(2);
  }
  const client = new CognitoIdentityProviderClient({
    region: values.region,
    endpoint: values.endpoint,
    // The emulator accepts any credentials; real ones, if set, are used as they are.
    credentials:
      process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY }
        : { accessKeyId: "gatehouse", secretAccessKey: "gatehouse" },
  });
  try {
    const definition = gatehousePoolFor({
      domainPrefix: values["domain-prefix"],
      publicUrls: values["public-url"],
    });
    const result = await provision({
      client,
      definition,
      poolId: values["pool-id"],
      dryRun: values["dry-run"],
      mapTriggers: values.triggers,
    });
    const verb = values["dry-run"] ? "would change" : "changed";
    if (result.changes.length === 0) process.stdout.write("Nothing to change: the pool matches its definition.\n");
    else process.stdout.write(`${verb}:\n${result.changes.map((line) => `  ${line}`).join("\n")}\n`);
    if (result.unfixable.length > 0) {
      process.stdout.write(
        `cannot change in place (make the pool anew):\n${result.unfixable.map((line) => `  ${line}`).join("\n")}\n`,
      );
    }
    const settings = Object.entries(result.settings);
    if (settings.length > 0) {
      process.stdout.write(
        `\nSettings for the app (.env):\nCOGNITO_ENDPOINT=${values.endpoint}\nCOGNITO_REGION=${values.region}\n` +
          `${settings.map(([name, value]) => `${name}=${value}`).join("\n")}\n`,
      );
    }
    const flags = result.triggers.map((t) => `  --trigger ${t.arn}=${t.source}`).join(" \\\n");
    process.stdout.write(
      values.triggers
        ? `\nTriggers: the pool's LambdaConfig names these ARNs; Lambda functions do not exist in the emulator,\n` +
            `so start it with each mapped to its file (triggers/README.md), or every sign-up fails:\n` +
            `npm run emulator -- \\\n${flags}\n`
        : `\nTriggers: not mapped (Lambda functions do not exist in the emulator; it runs the files in triggers/).\n` +
            `To run them, start the emulator with\nnpm run emulator -- \\\n${flags}\n` +
            `and provision again with --triggers.\n`,
    );
    if (result.unfixable.length > 0) process.exitCode = 1;
  } finally {
    client.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`provision: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
