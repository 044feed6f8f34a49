/** App clients' OAuth 2.0 settings, checked on Create/UpdateUserPoolClient as AWS checks them. */
import {
  CreateResourceServerCommand,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
  await h.cognito.send(
    new CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: "gatehouse",
      Name: "Gatehouse API",
      Scopes: [{ ScopeName: "users.read", ScopeDescription: "Read users" }],
    }),
  );
});
afterAll(async () => h.stop());

const webSettings = {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ["code" as const],
  AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin", "gatehouse/users.read"],
  CallbackURLs: ["https://app.example.com/callback", "http://localhost:3000/callback", "myapp://signed-in"],
  LogoutURLs: ["https://app.example.com/"],
  DefaultRedirectURI: "https://app.example.com/callback",
  SupportedIdentityProviders: ["COGNITO"],
};

describe("app client OAuth settings", () => {
  it("keeps a web client's flows, scopes (a resource server's included), URLs and providers", async () => {
    const client = await createClient(h, poolId, webSettings);
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }),
    );
    expect(UserPoolClient).toMatchObject(webSettings);
  });

  it("creates a machine client with client_credentials and a secret", async () => {
    const client = await createClient(h, poolId, {
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["gatehouse/users.read"],
    });
    expect(client.AllowedOAuthFlows).toEqual(["client_credentials"]);
    expect(client.ClientSecret).toBeTruthy();
  });

  it("refuses client_credentials along with code or implicit: InvalidOAuthFlowException", async () => {
    const error = await errorOf(
      createClient(h, poolId, {
        GenerateSecret: true,
        ...webSettings,
        AllowedOAuthFlows: ["client_credentials", "code"],
      }),
    );
    expect(error).toMatchObject({
      name: "InvalidOAuthFlowException",
      message: "client_credentials flow can not be selected along with code flow or implicit flow.",
      status: 400,
    });
  });

  it("refuses client_credentials on a client without a secret", async () => {
    const error = await errorOf(
      createClient(h, poolId, {
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: ["gatehouse/users.read"],
      }),
    );
    expect(error).toMatchObject({
      name: "InvalidOAuthFlowException",
      message: "client_credentials flow can not be selected if client does not have a client secret.",
    });
  });

  it("refuses a scope nobody defined: ScopeDoesNotExistException Invalid scope requested", async () => {
    for (const scope of ["Cognito", "gatehouse/users.delete", "elsewhere/users.read"]) {
      const error = await errorOf(createClient(h, poolId, { ...webSettings, AllowedOAuthScopes: ["openid", scope] }));
      expect(error).toMatchObject({ name: "ScopeDoesNotExistException", message: `Invalid scope requested: ${scope}` });
    }
  });

  it("refuses OAuth without flows or scopes", async () => {
    const error = await errorOf(createClient(h, poolId, { ...webSettings, AllowedOAuthFlows: [] }));
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message:
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
    });
  });

  it("refuses the code flow without callback URLs", async () => {
    const { DefaultRedirectURI: _default, ...settings } = webSettings;
    const error = await errorOf(createClient(h, poolId, { ...settings, CallbackURLs: [] }));
    expect(error).toMatchObject({
      name: "InvalidOAuthFlowException",
      message: "CallbackUrls can not be empty when code flow or implicit flow is selected",
    });
  });

  it("refuses callback and sign-out URLs that are plain HTTP off loopback, relative, or with a fragment", async () => {
    for (const url of ["http://app.example.com/callback", "/callback", "https://app.example.com/cb#frag"]) {
      const { DefaultRedirectURI: _default, ...settings } = webSettings;
      expect((await errorOf(createClient(h, poolId, { ...settings, CallbackURLs: [url] }))).name).toBe(
        "InvalidParameterException",
      );
      expect((await errorOf(createClient(h, poolId, { ...settings, LogoutURLs: [url] }))).name).toBe(
        "InvalidParameterException",
      );
    }
  });

  it("accepts HTTP for localhost and the loopback literals", async () => {
    const client = await createClient(h, poolId, {
      ...webSettings,
      DefaultRedirectURI: undefined,
      CallbackURLs: ["http://localhost:8080/cb", "http://127.0.0.1:8080/cb", "http://[::1]:8080/cb"],
    });
    expect(client.CallbackURLs).toHaveLength(3);
  });

  it("refuses an identity provider the pool does not have", async () => {
    const error = await errorOf(
      createClient(h, poolId, { ...webSettings, SupportedIdentityProviders: ["COGNITO", "Google"] }),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: `The provider Google does not exist for User Pool ${poolId}`,
    });
  });

  it("checks the same on UpdateUserPoolClient, and keeps the client unchanged when refused", async () => {
    const client = await createClient(h, poolId, webSettings);
    const error = await errorOf(
      h.cognito.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: client.ClientId,
          ...webSettings,
          AllowedOAuthFlows: ["client_credentials"],
        }),
      ),
    );
    // A client without a secret never gets client_credentials, however it is asked for.
    expect(error.name).toBe("InvalidOAuthFlowException");
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }),
    );
    expect(UserPoolClient?.AllowedOAuthFlows).toEqual(["code"]);
  });
});
