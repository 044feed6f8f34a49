import {
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
});
afterAll(async () => h.stop());

describe("app clients", () => {
  it("creates a client with a 26-character id and AWS's defaults", async () => {
    const client = await createClient(h, poolId, { ClientName: "web" });
    expect(client.ClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(client.ClientSecret).toBeUndefined();
    expect(client).toMatchObject({
      UserPoolId: poolId,
      ClientName: "web",
      RefreshTokenValidity: 30,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
      // AWS: without ExplicitAuthFlows a client allows SRP, custom auth and refresh.
      ExplicitAuthFlows: expect.arrayContaining([
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_CUSTOM_AUTH",
      ]),
      // AWS: clients created through the API without the setting are LEGACY.
      PreventUserExistenceErrors: "LEGACY",
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false,
    });
  });

  it("generates a secret when asked, and keeps every setting it was given", async () => {
    const client = await createClient(h, poolId, {
      GenerateSecret: true,
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      AccessTokenValidity: 5,
      IdTokenValidity: 2,
      RefreshTokenValidity: 7,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "hours", RefreshToken: "days" },
      ReadAttributes: ["email", "email_verified"],
      WriteAttributes: ["email"],
      CallbackURLs: ["https://app.example.com/callback"],
      LogoutURLs: ["https://app.example.com/"],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email"],
      AllowedOAuthFlowsUserPoolClient: true,
    });
    expect(client.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }),
    );
    expect(UserPoolClient).toMatchObject({
      ClientSecret: client.ClientSecret,
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      AccessTokenValidity: 5,
      IdTokenValidity: 2,
      ReadAttributes: ["email", "email_verified"],
      CallbackURLs: ["https://app.example.com/callback"],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email"],
    });
  });

  it("refuses mixing legacy and ALLOW_ auth flows", async () => {
    const error = await errorOf(
      createClient(h, poolId, { ExplicitAuthFlows: ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"] }),
    );
    expect(error.name).toBe("InvalidParameterException");
  });

  it("refuses token validity outside AWS's ranges", async () => {
    const tooShort = await errorOf(
      createClient(h, poolId, { AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: "minutes" } }),
    );
    expect(tooShort.name).toBe("InvalidParameterException");
    const tooLong = await errorOf(
      createClient(h, poolId, { IdTokenValidity: 2, TokenValidityUnits: { IdToken: "days" } }),
    );
    expect(tooLong.name).toBe("InvalidParameterException");
  });

  it("refuses read or write attributes the pool does not have", async () => {
    const error = await errorOf(createClient(h, poolId, { ReadAttributes: ["custom:nope"] }));
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid read attributes specified while creating a client",
    });
  });

  it("refuses OAuth without flows and scopes", async () => {
    const error = await errorOf(createClient(h, poolId, { AllowedOAuthFlowsUserPoolClient: true }));
    expect(error.name).toBe("InvalidParameterException");
  });

  it("lists a pool's clients page by page", async () => {
    const pool = (await createPool(h)).Id!;
    for (let i = 0; i < 5; i++) await createClient(h, pool, { ClientName: `c${i}` });
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await h.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: pool, MaxResults: 2, NextToken }));
      names.push(...page.UserPoolClients!.map((c) => c.ClientName!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(names.sort()).toEqual(["c0", "c1", "c2", "c3", "c4"]);
  });

  it("updates a client, resetting settings the update leaves out as AWS does", async () => {
    const client = await createClient(h, poolId, {
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
    });
    const { UserPoolClient } = await h.cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: client.ClientId,
        ClientName: "renamed",
        AccessTokenValidity: 10,
      }),
    );
    expect(UserPoolClient).toMatchObject({
      ClientName: "renamed",
      AccessTokenValidity: 10,
      PreventUserExistenceErrors: "LEGACY",
    });
  });

  it("deletes a client, and then it does not exist", async () => {
    const client = await createClient(h, poolId);
    await h.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }));
    const error = await errorOf(
      h.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId })),
    );
    expect(error).toMatchObject({
      name: "ResourceNotFoundException",
      message: `User pool client ${client.ClientId} does not exist.`,
    });
  });

  it("does not show one pool's client through another pool", async () => {
    const client = await createClient(h, poolId);
    const other = (await createPool(h)).Id!;
    const error = await errorOf(
      h.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: other, ClientId: client.ClientId })),
    );
    expect(error.name).toBe("ResourceNotFoundException");
  });

  it("answers ResourceNotFoundException for a client of an unknown pool", async () => {
    const error = await errorOf(createClient(h, "us-east-1_nothere00"));
    expect(error).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_nothere00 does not exist.",
    });
  });
});
