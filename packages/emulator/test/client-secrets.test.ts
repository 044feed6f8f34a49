/**
 * Client secret rotation through the AWS SDK: a confidential client lists the secret it was
 * created with, gains a second (generated or given), accepts SECRET_HASH and ClientSecret made
 * with either, and loses one, never the last; each exception that applies.
 */
import {
  AddUserPoolClientSecretCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListUserPoolClientSecretsCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acrossRestart, createClient, createPool, errorOf, secretHash, startHarness, type Harness } from "./harness.ts";

const password = "Passw0rd!";
let h: Harness;
let poolId: string;
let serial = 0;

beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
});
afterAll(async () => h.stop());

/** A confidential client with a confirmed user, signed up with the client's SECRET_HASH. */
async function confidentialClient(on: Harness = h, pool = poolId) {
  serial += 1;
  const client = await createClient(on, pool, {
    ClientName: `confidential${serial}`,
    GenerateSecret: true,
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  const username = `rotator${serial}`;
  await on.cognito.send(
    new SignUpCommand({
      ClientId: client.ClientId,
      Username: username,
      Password: password,
      SecretHash: secretHash(client.ClientSecret!, username, client.ClientId!),
    }),
  );
  await on.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: username }));
  return { clientId: client.ClientId!, secret: client.ClientSecret!, username, createdAt: client.CreationDate! };
}

const signIn = (clientId: string, username: string, secret: string) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: secretHash(secret, username, clientId) },
    }),
  );
const add = (ClientId: string, ClientSecret?: string, UserPoolId = poolId) =>
  h.cognito.send(new AddUserPoolClientSecretCommand({ UserPoolId, ClientId, ClientSecret }));
const list = (ClientId: string) =>
  h.cognito.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId }));
const remove = (ClientId: string, ClientSecretId: string) =>
  h.cognito.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId, ClientSecretId }));

describe("AddUserPoolClientSecret and ListUserPoolClientSecrets", () => {
  it("lists the secret the client was created with, by id and date and never its value", async () => {
    const { clientId, createdAt } = await confidentialClient();
    // ClientSecretId: "This identifier follows the format <client-id>--<epoch-create-time>."
    expect((await list(clientId)).ClientSecrets).toEqual([
      { ClientSecretId: `${clientId}--${createdAt.getTime()}`, ClientSecretCreateDate: createdAt },
    ]);
  });

  it("generates a second secret, shown once, and either one makes a SECRET_HASH that signs in", async () => {
    const { clientId, secret, username } = await confidentialClient();
    h.clock.advance(1000);
    const { ClientSecretDescriptor } = await add(clientId);
    expect(ClientSecretDescriptor).toEqual({
      ClientSecretId: `${clientId}--${h.clock.now()}`,
      ClientSecretValue: expect.stringMatching(/^[a-z0-9]{51}$/),
      ClientSecretCreateDate: new Date(h.clock.now()),
    });
    const listed = (await list(clientId)).ClientSecrets ?? [];
    expect(listed).toHaveLength(2);
    expect(listed.every((s) => s.ClientSecretValue === undefined)).toBe(true);
    expect((await signIn(clientId, username, secret)).AuthenticationResult).toBeDefined();
    const second = ClientSecretDescriptor!.ClientSecretValue!;
    const tokens = (await signIn(clientId, username, second)).AuthenticationResult!;
    const refreshed = await h.cognito.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: clientId,
        ClientSecret: second,
        RefreshToken: tokens.RefreshToken,
      }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("takes a secret it is given, and then does not echo it", async () => {
    const { clientId, username } = await confidentialClient();
    const chosen = "my_own_secret_value_123456";
    // "For custom secrets that you provide, the ClientSecretValue is not included in the response."
    const { ClientSecretDescriptor } = await add(clientId, chosen);
    expect(ClientSecretDescriptor?.ClientSecretValue).toBeUndefined();
    expect(ClientSecretDescriptor?.ClientSecretId).toMatch(new RegExp(`^${clientId}--\\d+$`));
    expect((await signIn(clientId, username, chosen)).AuthenticationResult).toBeDefined();
  });

  it("keeps at most two secrets", async () => {
    const { clientId } = await confidentialClient();
    await add(clientId);
    // "Supports up to 2 active secrets per app client."
    expect(await errorOf(add(clientId))).toMatchObject({ name: "LimitExceededException", status: 400 });
    expect((await list(clientId)).ClientSecrets).toHaveLength(2);
  });

  it("refuses a client without a secret, and lists none for it", async () => {
    const client = await createClient(h, poolId, { ClientName: "public" });
    // "Creates a new client secret for an existing confidential user pool app client."
    expect(await errorOf(add(client.ClientId!))).toMatchObject({
      name: "InvalidParameterException",
      message: `Client ${client.ClientId} does not have a client secret.`,
    });
    expect((await list(client.ClientId!)).ClientSecrets).toEqual([]);
  });

  it("answers ResourceNotFoundException for an unknown client or pool, and checks the secret's shape", async () => {
    expect(await errorOf(add("unknownclient"))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool client unknownclient does not exist.",
    });
    const { clientId } = await confidentialClient();
    expect(await errorOf(add(clientId, undefined, "us-east-1_missing"))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    // ClientSecret: "Minimum length of 24. Maximum length of 64. Pattern: [\w+]+"
    const short = await errorOf(add(clientId, "too-short"));
    expect(short.name).toBe("InvalidParameterException");
    expect(short.message).toContain("'clientSecret' failed to satisfy constraint");
  });
});

describe("DeleteUserPoolClientSecret", () => {
  it("retires the first secret: the other is the client's secret, and the old one no longer signs in", async () => {
    const { clientId, secret, username } = await confidentialClient();
    const first = (await list(clientId)).ClientSecrets![0]!.ClientSecretId!;
    const second = (await add(clientId)).ClientSecretDescriptor!.ClientSecretValue!;
    await remove(clientId, first);
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
    );
    expect(UserPoolClient?.ClientSecret).toBe(second);
    expect((await list(clientId)).ClientSecrets).toHaveLength(1);
    expect(await errorOf(signIn(clientId, username, secret))).toMatchObject({
      name: "NotAuthorizedException",
      message: `Unable to verify secret hash for client ${clientId}`,
    });
    expect((await signIn(clientId, username, second)).AuthenticationResult).toBeDefined();
  });

  it("refuses to delete the last secret", async () => {
    const { clientId } = await confidentialClient();
    const only = (await list(clientId)).ClientSecrets![0]!.ClientSecretId!;
    // "You cannot delete the last remaining secret for an app client."
    expect(await errorOf(remove(clientId, only))).toMatchObject({
      name: "InvalidParameterException",
      message: "You cannot delete the last remaining secret of an app client.",
    });
  });

  it("answers ResourceNotFoundException for a secret the client does not have", async () => {
    const { clientId } = await confidentialClient();
    await add(clientId);
    expect(await errorOf(remove(clientId, `${clientId}--1`))).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Client secret ${clientId}--1 does not exist.`,
    });
  });
});

it("keeps added secrets across a restart with a data file", async () => {
  await acrossRestart(
    async (first) => {
      const pool = (await createPool(first)).Id!;
      const { clientId, username } = await confidentialClient(first, pool);
      const { ClientSecretDescriptor } = await first.cognito.send(
        new AddUserPoolClientSecretCommand({ UserPoolId: pool, ClientId: clientId }),
      );
      return { pool, clientId, username, secret: ClientSecretDescriptor!.ClientSecretValue! };
    },
    async (second, { pool, clientId, username, secret }) => {
      const answer = await second.cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: {
            USERNAME: username,
            PASSWORD: password,
            SECRET_HASH: secretHash(secret, username, clientId),
          },
        }),
      );
      expect(answer.AuthenticationResult).toBeDefined();
      const listed = await second.cognito.send(
        new ListUserPoolClientSecretsCommand({ UserPoolId: pool, ClientId: clientId }),
      );
      expect(listed.ClientSecrets).toHaveLength(2);
    },
  );
});
