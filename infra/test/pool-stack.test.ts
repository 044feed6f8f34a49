/**
 * The CDK stack, synthesised: the template holds the pool as the app expects it — the values of
 * the shared definition — with its app clients, their flows and token validity, the groups, the
 * hosted UI's domain, the API's resource server and the Lambda triggers, built from triggers/,
 * with their permissions and no dependency cycle between the pool and the functions.
 */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gatehousePool, gatehousePoolFor } from "../src/pool-definition.ts";
import { GatehousePoolStack } from "../src/pool-stack.ts";

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

let template: Template;
let production: Template;
let assemblyDir: string;
beforeAll(() => {
  const app = new App();
  template = Template.fromStack(new GatehousePoolStack(app, "Test", { env: { region: "eu-west-1" } }));
  assemblyDir = app.synth().directory;
  production = Template.fromStack(
    new GatehousePoolStack(new App(), "Production", {
      env: { region: "eu-west-1" },
      definition: gatehousePoolFor({
        domainPrefix: "gatehouse-prod",
        publicUrls: ["https://app.example.com/", "https://www.example.com"],
      }),
      webhookUrl: "https://app.example.com/hooks/cognito/post-confirmation",
    }),
  );
}, 60_000);

const resourcesOf = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];

const functionNamed = (t: Template, name: string): [string, Resource] => {
  const found = resourcesOf(t, "AWS::Lambda::Function").find(([, r]) => r.Properties.FunctionName === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
};

const clientNamed = (name: string, t: Template = template) => {
  const found = Object.values(t.findResources("AWS::Cognito::UserPoolClient")).find(
    (resource) => (resource as { Properties: { ClientName?: string } }).Properties.ClientName === name,
  ) as { Properties: Record<string, unknown> } | undefined;
  if (!found) throw new Error(`no client ${name}`);
  return found.Properties;
};

describe("the user pool's template", () => {
  it("defines one pool, kept when the stack goes, with deletion protection", () => {
    template.resourceCountIs("AWS::Cognito::UserPool", 1);
    template.hasResource("AWS::Cognito::UserPool", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      DeletionProtection: "ACTIVE",
      UserPoolName: "gatehouse",
    });
  });

  it("signs in by username or email alias, case-insensitively, with email required and verified", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AliasAttributes: ["email"],
      UsernameAttributes: Match.absent(),
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "email", Required: true, Mutable: true }],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
    });
  });

  it("has the definition's password policy, passwordless email codes and optional TOTP", () => {
    const { PasswordPolicy, SignInPolicy } = gatehousePool.Policies;
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      Policies: {
        PasswordPolicy: { ...PasswordPolicy },
        SignInPolicy: { AllowedFirstAuthFactors: [...SignInPolicy.AllowedFirstAuthFactors] },
      },
      UserPoolTier: "ESSENTIALS",
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
    });
  });

  it("has the web client with a secret and the server's flows, never revealing whether an account exists", () => {
    const web = clientNamed("gatehouse-web");
    expect(web).toMatchObject({
      GenerateSecret: true,
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 43_200,
      AuthSessionValidity: 3,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "minutes" },
    });
    expect([...(web.ExplicitAuthFlows as string[])].sort()).toEqual(
      [...(gatehousePool.Clients[0]?.ExplicitAuthFlows ?? [])].sort(),
    );
  });

  it("gives the web client the hosted sign-in: code flow, the app's scopes, the site's callback and sign-out URLs", () => {
    expect(clientNamed("gatehouse-web")).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
      CallbackURLs: ["http://localhost:3000/auth/callback"],
      LogoutURLs: ["http://localhost:3000/"],
      SupportedIdentityProviders: ["COGNITO"],
    });
    // Per environment: each PUBLIC_URL, however written, gives one callback and one sign-out URL.
    expect(clientNamed("gatehouse-web", production)).toMatchObject({
      CallbackURLs: ["https://app.example.com/auth/callback", "https://www.example.com/auth/callback"],
      LogoutURLs: ["https://app.example.com/", "https://www.example.com/"],
    });
  });

  it("has the public client without a secret, with SRP for apps that cannot keep one", () => {
    const publicClient = clientNamed("gatehouse-public");
    expect(publicClient.GenerateSecret).toBe(false);
    expect(publicClient.PreventUserExistenceErrors).toBe("ENABLED");
    expect([...(publicClient.ExplicitAuthFlows as string[])].sort()).toEqual([
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_USER_SRP_AUTH",
    ]);
    // The server-only flow is not open to a client anyone can use.
    expect(publicClient.ExplicitAuthFlows).not.toContain("ALLOW_ADMIN_USER_PASSWORD_AUTH");
    expect(publicClient.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(publicClient.AllowedOAuthFlows).toBeUndefined();
  });

  it("has the hosted UI's domain, with the prefix each environment gives", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolDomain", 1);
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", {
      Domain: gatehousePool.Domain,
      UserPoolId: { Ref: Match.stringLikeRegexp("^UserPool") },
      CustomDomainConfig: Match.absent(),
    });
    production.hasResourceProperties("AWS::Cognito::UserPoolDomain", { Domain: "gatehouse-prod" });
    const outputs = Object.values(production.findOutputs("HostedUiDomain"));
    expect(outputs[0]?.Value).toBe("gatehouse-prod.auth.eu-west-1.amazoncognito.com");
  });

  it("has the API's resource server gatehouse with its users.read scope", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolResourceServer", 1);
    template.hasResourceProperties("AWS::Cognito::UserPoolResourceServer", {
      Identifier: "gatehouse",
      Name: "Gatehouse API",
      Scopes: [{ ScopeName: "users.read", ScopeDescription: "Read the user list" }],
    });
  });

  it("has the machine client: a secret, client_credentials for the API's scope only, no user sign-in", () => {
    const [serverId] = resourcesOf(template, "AWS::Cognito::UserPoolResourceServer")[0]!;
    expect(clientNamed("gatehouse-machine")).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["client_credentials"],
      // Through the resource server's Ref, so CloudFormation makes the scope before the client.
      AllowedOAuthScopes: [{ "Fn::Join": ["", [{ Ref: serverId }, "/users.read"]] }],
      // Said outright: left out, Cognito would allow SRP and custom sign-in.
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
    });
    const outputs = Object.values(template.findOutputs("*")).map((o) => (o as { Description?: string }).Description);
    expect(outputs).toContain("gatehouse-machine's client id");
  });

  it("has the staff group and outputs the ids the app's settings need", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolGroup", 1);
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", {
      GroupName: "staff",
      Description: "Back-office staff",
      Precedence: 1,
    });
    const outputs = Object.values(template.findOutputs("*")).map((o) => (o as { Description?: string }).Description);
    expect(outputs).toEqual(
      expect.arrayContaining(["COGNITO_USER_POOL_ID", "gatehouse-web's client id", "gatehouse-public's client id"]),
    );
  });
});

describe("the Lambda triggers", () => {
  it("names the PreSignUp and PostConfirmation functions in the pool's LambdaConfig", () => {
    const [preSignUp] = functionNamed(template, "gatehouse-pre-signup");
    const [postConfirmation] = functionNamed(template, "gatehouse-post-confirmation");
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      LambdaConfig: {
        PreSignUp: { "Fn::GetAtt": [preSignUp, "Arn"] },
        PostConfirmation: { "Fn::GetAtt": [postConfirmation, "Arn"] },
      },
    });
  });

  it("runs the code built from triggers/ on Node.js, within Cognito's five seconds", () => {
    const manifest = readdirSync(assemblyDir).find((file) => file.startsWith("Test.assets"));
    const assets = JSON.parse(readFileSync(join(assemblyDir, manifest!), "utf8")) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const [name, exported] of [
      ["gatehouse-pre-signup", "emailTakenMessage"],
      ["gatehouse-post-confirmation", "signatureHeader"],
    ] as const) {
      const [, fn] = functionNamed(template, name);
      expect(fn.Properties).toMatchObject({ Handler: "index.handler", Runtime: "nodejs22.x", Timeout: 5 });
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const asset = assets.files[key.replace(/\.zip$/, "")];
      const bundle = readFileSync(join(assemblyDir, asset!.source.path, "index.mjs"), "utf8");
      expect(bundle).toContain("handler");
      expect(bundle).toContain(exported);
      // The runtime's own AWS SDK, not a bundled copy.
      expect(bundle).not.toMatch(/class CognitoIdentityProviderClient\b/);
    }
  });

  it("lets Cognito invoke each function, for this pool only", () => {
    const [poolId] = resourcesOf(template, "AWS::Cognito::UserPool")[0]!;
    for (const name of ["gatehouse-pre-signup", "gatehouse-post-confirmation"]) {
      const [fnId] = functionNamed(template, name);
      template.hasResourceProperties("AWS::Lambda::Permission", {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": [fnId, "Arn"] },
        Principal: "cognito-idp.amazonaws.com",
        SourceArn: { "Fn::GetAtt": [poolId, "Arn"] },
      });
    }
    template.resourceCountIs("AWS::Lambda::Permission", 2);
  });

  it("grants PreSignUp cognito-idp:ListUsers on the pool, and PostConfirmation nothing on it", () => {
    const [poolId] = resourcesOf(template, "AWS::Cognito::UserPool")[0]!;
    const [, preSignUp] = functionNamed(template, "gatehouse-pre-signup");
    const [, postConfirmation] = functionNamed(template, "gatehouse-post-confirmation");
    const roleOf = (fn: Resource) => (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const policies = resourcesOf(template, "AWS::IAM::Policy").map(([, p]) => p.Properties);
    expect(policies).toEqual([
      expect.objectContaining({
        PolicyDocument: {
          Statement: [
            { Action: "cognito-idp:ListUsers", Effect: "Allow", Resource: { "Fn::GetAtt": [poolId, "Arn"] } },
          ],
          Version: "2012-10-17",
        },
        Roles: [{ Ref: roleOf(preSignUp) }],
      }),
    ]);
    expect(JSON.stringify(policies)).not.toContain(roleOf(postConfirmation));
  });

  it("gives PostConfirmation the webhook's URL and its secret from Secrets Manager, never in the template", () => {
    const [secretId] = resourcesOf(production, "AWS::SecretsManager::Secret")[0]!;
    const [, fn] = functionNamed(production, "gatehouse-post-confirmation");
    expect(fn.Properties.Environment).toEqual({
      Variables: {
        GATEHOUSE_WEBHOOK_URL: "https://app.example.com/hooks/cognito/post-confirmation",
        GATEHOUSE_WEBHOOK_SECRET: {
          "Fn::Join": ["", ["{{resolve:secretsmanager:", { Ref: secretId }, ":SecretString:::}}"]],
        },
      },
    });
    production.hasOutput("WebhookSecretArn", { Value: { Ref: secretId } });
    // Without a URL the trigger only logs that the app is not told (triggers/README.md).
    const [, local] = functionNamed(template, "gatehouse-post-confirmation");
    expect((local.Properties.Environment as { Variables: object }).Variables).not.toHaveProperty(
      "GATEHOUSE_WEBHOOK_URL",
    );
    const [, preSignUp] = functionNamed(template, "gatehouse-pre-signup");
    expect(preSignUp.Properties.Environment).toBeUndefined();
  });

  it("has no dependency cycle: the pool waits for the functions, the ListUsers grant for both", () => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const edges = new Map<string, Set<string>>();
    const collect = (value: unknown, into: Set<string>): void => {
      if (Array.isArray(value)) for (const item of value) collect(item, into);
      else if (value && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "Ref" && typeof inner === "string" && inner in resources) into.add(inner);
          else if (key === "Fn::GetAtt" && Array.isArray(inner) && typeof inner[0] === "string") into.add(inner[0]);
          else collect(inner, into);
        }
      }
    };
    for (const [id, resource] of Object.entries(resources)) {
      const into = new Set<string>(resource.DependsOn ?? []);
      collect(resource.Properties, into);
      edges.set(id, into);
    }
    const state = new Map<string, "visiting" | "done">();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === "done") return;
      if (state.get(id) === "visiting") throw new Error(`cycle: ${[...path, id].join(" → ")}`);
      state.set(id, "visiting");
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, "done");
    };
    for (const id of edges.keys()) visit(id, []);

    const [poolId] = resourcesOf(template, "AWS::Cognito::UserPool")[0]!;
    const [fnId] = functionNamed(template, "gatehouse-pre-signup");
    const [policyId] = resourcesOf(template, "AWS::IAM::Policy")[0]!;
    expect(edges.get(poolId)).toContain(fnId);
    expect(edges.get(fnId)).not.toContain(policyId);
    expect(edges.get(policyId)).toContain(poolId);
  });
});
