/**
 * Identity providers through the AWS SDK: stored and returned as IdentityProviderType, paged,
 * found by IdP identifier, and each exception the operations declare.
 */
import {
  CreateIdentityProviderCommand,
  DeleteIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  UpdateIdentityProviderCommand,
  type CreateIdentityProviderCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
});
afterAll(async () => h.stop());

const saml = (ProviderName: string, extra: Partial<CreateIdentityProviderCommandInput> = {}) =>
  h.cognito.send(
    new CreateIdentityProviderCommand({
      UserPoolId: poolId,
      ProviderName,
      ProviderType: "SAML",
      ProviderDetails: { MetadataURL: "https://idp.example.com/metadata" },
      ...extra,
    }),
  );

describe("identity providers", () => {
  it("creates a provider and describes it with its details, mapping, identifiers and dates", async () => {
    const { IdentityProvider } = await saml("Corp", {
      AttributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
      IdpIdentifiers: ["corp.example.com"],
    });
    expect(IdentityProvider).toMatchObject({
      UserPoolId: poolId,
      ProviderName: "Corp",
      ProviderType: "SAML",
      ProviderDetails: { MetadataURL: "https://idp.example.com/metadata" },
      IdpIdentifiers: ["corp.example.com"],
    });
    expect(IdentityProvider?.CreationDate).toBeInstanceOf(Date);
    const described = await h.cognito.send(
      new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Corp" }),
    );
    expect(described.IdentityProvider).toEqual(IdentityProvider);
    const byIdentifier = await h.cognito.send(
      new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: "corp.example.com" }),
    );
    expect(byIdentifier.IdentityProvider?.ProviderName).toBe("Corp");
  });

  it("updates what it is given and keeps the rest", async () => {
    await saml("Updating", { AttributeMapping: { email: "mail" } });
    const { IdentityProvider } = await h.cognito.send(
      new UpdateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: "Updating",
        ProviderDetails: { MetadataURL: "https://idp.example.com/v2" },
      }),
    );
    expect(IdentityProvider).toMatchObject({
      ProviderDetails: { MetadataURL: "https://idp.example.com/v2" },
      AttributeMapping: { email: "mail" },
    });
  });

  it("lists providers a page at a time", async () => {
    const pool = (await createPool(h)).Id!;
    for (const name of ["Idp1", "Idp2", "Idp3"]) {
      await h.cognito.send(
        new CreateIdentityProviderCommand({
          UserPoolId: pool,
          ProviderName: name,
          ProviderType: "OIDC",
          ProviderDetails: { client_id: "x", oidc_issuer: "https://issuer.example.com" },
        }),
      );
    }
    const first = await h.cognito.send(new ListIdentityProvidersCommand({ UserPoolId: pool, MaxResults: 2 }));
    expect(first.Providers?.map((p) => p.ProviderName)).toEqual(["Idp1", "Idp2"]);
    const second = await h.cognito.send(
      new ListIdentityProvidersCommand({ UserPoolId: pool, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.Providers?.map((p) => [p.ProviderName, p.ProviderType])).toEqual([["Idp3", "OIDC"]]);
    expect(second.NextToken).toBeUndefined();
  });

  it("deletes a provider, which then does not exist", async () => {
    await saml("Leaving");
    await h.cognito.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Leaving" }));
    expect(
      await errorOf(
        h.cognito.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Leaving" })),
      ),
    ).toEqual({ name: "ResourceNotFoundException", message: "Identity provider Leaving does not exist.", status: 400 });
  });

  it("refuses a second provider of the same name with DuplicateProviderException", async () => {
    await saml("Twice");
    expect(await errorOf(saml("Twice"))).toEqual({
      name: "DuplicateProviderException",
      message: "A provider with the name Twice already exists in this user pool.",
      status: 400,
    });
  });

  it("refuses an IdP identifier another provider has", async () => {
    await saml("First", { IdpIdentifiers: ["shared.example.com"] });
    expect(await errorOf(saml("Second", { IdpIdentifiers: ["shared.example.com"] }))).toMatchObject({
      name: "InvalidParameterException",
      status: 400,
    });
  });

  it("refuses a name longer than 32 characters, as the API reference constrains it", async () => {
    expect(await errorOf(saml("x".repeat(33)))).toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringContaining("Member must have length less than or equal to 32"),
    });
  });

  it("answers ResourceNotFoundException for an unknown pool, provider or identifier", async () => {
    const missingPool = "us-east-1_Nowhere00";
    expect(await errorOf(saml("Corp", { UserPoolId: missingPool }))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    for (const call of [
      new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Nobody" }),
      new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Nobody", ProviderDetails: {} }),
      new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Nobody" }),
      new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: "nobody.example.com" }),
      new ListIdentityProvidersCommand({ UserPoolId: missingPool }),
    ]) {
      // Each command has its own input type; send accepts any of them.
      expect(await errorOf(h.cognito.send(call as DescribeIdentityProviderCommand))).toMatchObject({
        name: "ResourceNotFoundException",
        status: 400,
      });
    }
  });
});
