/**
 * The CDK stack, synthesised: the template holds the pool as the app expects it — the values of
 * the shared definition — with both app clients, their flows and token validity, and the groups.
 */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { gatehousePool } from "../src/pool-definition.ts";
import { GatehousePoolStack } from "../src/pool-stack.ts";

let template: Template;
beforeAll(() => {
  const app = new App();
  template = Template.fromStack(new GatehousePoolStack(app, "Test", { env: { region: "eu-west-1" } }));
});

const clientNamed = (name: string) => {
  const found = Object.values(template.findResources("AWS::Cognito::UserPoolClient")).find(
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
    // No hosted-UI OAuth: the app signs in through the API.
    expect(web.AllowedOAuthFlows).toBeUndefined();
    expect(web.CallbackURLs).toBeUndefined();
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
