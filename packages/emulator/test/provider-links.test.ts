/**
 * Linking users to IdP accounts through the AWS SDK: AdminLinkProviderForUser records the link as
 * the destination user's `identities` attribute (AdminGetUser, ListUsers, GetUser, the ID
 * token), one IdP account links to one user, and AdminDisableProviderForUser removes the link or
 * disables a pool user; each exception the operations declare that the emulator can meet.
 */
import {
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CreateIdentityProviderCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  type IdentityProviderTypeType,
  type ProviderUserIdentifierType,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acrossRestart,
  createClient,
  createConfirmedUser,
  createPool,
  errorOf,
  startHarness,
  type Harness,
} from "./harness.ts";

const password = "Passw0rd!";
let h: Harness;
let poolId: string;
let clientId: string;
let serial = 0;

beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
  clientId = (await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] })).ClientId!;
  await addProvider(h, poolId, "Google", "Google", { client_id: "g", client_secret: "s", authorize_scopes: "openid" });
  await addProvider(h, poolId, "Corp", "OIDC", {
    client_id: "c",
    oidc_issuer: "https://idp.example.com",
    attributes_request_method: "GET",
  });
});
afterAll(async () => h.stop());

const addProvider = (
  on: Harness,
  pool: string,
  name: string,
  type: IdentityProviderTypeType,
  details: Record<string, string>,
) =>
  on.cognito.send(
    new CreateIdentityProviderCommand({
      UserPoolId: pool,
      ProviderName: name,
      ProviderType: type,
      ProviderDetails: details,
    }),
  );

async function newUser(): Promise<string> {
  serial += 1;
  const name = `linked${serial}`;
  await createConfirmedUser(h, { poolId, clientId }, name, password);
  return name;
}

const cognitoUser = (username: string): ProviderUserIdentifierType => ({
  ProviderName: "Cognito",
  ProviderAttributeValue: username,
});
const google = (subject: string): ProviderUserIdentifierType => ({
  ProviderName: "Google",
  ProviderAttributeName: "Cognito_Subject",
  ProviderAttributeValue: subject,
});

const link = (username: string, source: ProviderUserIdentifierType) =>
  h.cognito.send(
    new AdminLinkProviderForUserCommand({
      UserPoolId: poolId,
      DestinationUser: cognitoUser(username),
      SourceUser: source,
    }),
  );
const unlink = (user: ProviderUserIdentifierType) =>
  h.cognito.send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: user }));

async function identitiesOf(username: string): Promise<unknown[] | undefined> {
  const { UserAttributes } = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
  const value = UserAttributes?.find((a) => a.Name === "identities")?.Value;
  return value === undefined ? undefined : (JSON.parse(value) as unknown[]);
}

const signIn = (username: string) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

describe("AdminLinkProviderForUser", () => {
  it("shows the link as the user's identities attribute in AdminGetUser, ListUsers, GetUser and the ID token", async () => {
    const username = await newUser();
    await link(username, google("107427578229077464095"));
    // AWS's identities value: [{"userId","providerName","providerType","issuer":null,"primary",
    // "dateCreated": epoch ms}] in attributes; in the ID token the same with string values.
    const expected = {
      userId: "107427578229077464095",
      providerName: "Google",
      providerType: "Google",
      issuer: null,
      primary: false,
      dateCreated: h.clock.now(),
    };
    expect(await identitiesOf(username)).toEqual([expected]);

    const { Users } = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: `username = "${username}"` }),
    );
    const listed = Users?.[0]?.Attributes?.find((a) => a.Name === "identities")?.Value;
    expect(JSON.parse(listed ?? "null")).toEqual([expected]);

    const tokens = (await signIn(username)).AuthenticationResult!;
    const { UserAttributes } = await h.cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(JSON.parse(UserAttributes?.find((a) => a.Name === "identities")?.Value ?? "null")).toEqual([expected]);
    expect(decodeJwt(tokens.IdToken!).identities).toEqual([
      {
        dateCreated: String(expected.dateCreated),
        userId: expected.userId,
        providerName: "Google",
        providerType: "Google",
        issuer: null,
        primary: "false",
      },
    ]);
  });

  it("links an OIDC account by a mapped attribute, next to an earlier link", async () => {
    const username = await newUser();
    await link(username, google(`g-${serial}`));
    await link(username, {
      ProviderName: "Corp",
      ProviderAttributeName: "email",
      ProviderAttributeValue: "a@corp.example",
    });
    expect((await identitiesOf(username))?.map((i) => (i as { providerName: string }).providerName)).toEqual([
      "Google",
      "Corp",
    ]);
  });

  it("refuses an IdP account that is already linked, to another user or the same one", async () => {
    const first = await newUser();
    const second = await newUser();
    await link(first, google("taken-subject"));
    // AWS: "Merging is not currently supported, provide a SourceUser that has not been signed up
    // in order to link" (aws/aws-sdk-net#1000).
    for (const username of [second, first]) {
      expect(await errorOf(link(username, google("taken-subject")))).toMatchObject({
        name: "InvalidParameterException",
        message:
          "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
        status: 400,
      });
    }
    expect(await identitiesOf(second)).toBeUndefined();
  });

  it("lets an account link again once its user is deleted", async () => {
    const gone = await newUser();
    await link(gone, google("orphaned-subject"));
    await h.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: gone }));
    const next = await newUser();
    await link(next, google("orphaned-subject"));
    expect(await identitiesOf(next)).toHaveLength(1);
  });

  it("refuses a pool user as SourceUser with AWS's message", async () => {
    const username = await newUser();
    const other = await newUser();
    // aws/aws-sdk-js-v3#5281: "Invalid SourceUser: Cognito users with a username/password may not
    // be passed in as a SourceUser, only as a DestinationUser".
    expect(await errorOf(link(username, { ...cognitoUser(other), ProviderAttributeName: "Cognito_Subject" }))).toEqual({
      name: "InvalidParameterException",
      message:
        "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
      status: 400,
    });
  });

  it("refuses a provider the pool does not have", async () => {
    const username = await newUser();
    const failure = await errorOf(
      link(username, {
        ProviderName: "Facebook",
        ProviderAttributeName: "Cognito_Subject",
        ProviderAttributeValue: "1",
      }),
    );
    expect(failure).toMatchObject({
      name: "InvalidParameterException",
      message: `The provider Facebook does not exist for User Pool ${poolId}`,
    });
  });

  it("refuses a social account named by anything but Cognito_Subject, and a source without a value", async () => {
    const username = await newUser();
    // SourceUser: for social IdPs "you must set the ProviderAttributeName to Cognito_Subject".
    expect(await errorOf(link(username, { ...google("1"), ProviderAttributeName: "email" }))).toMatchObject({
      name: "InvalidParameterException",
    });
    expect(
      await errorOf(link(username, { ProviderName: "Google", ProviderAttributeName: "Cognito_Subject" })),
    ).toMatchObject({
      name: "InvalidParameterException",
      message: "SourceUser.ProviderAttributeValue is required.",
    });
  });

  it("answers UserNotFoundException for a destination that does not exist", async () => {
    expect(await errorOf(link("nobody-here", google("lonely")))).toMatchObject({
      name: "UserNotFoundException",
      message: "User does not exist.",
    });
  });

  it("links at most five identities to a user", async () => {
    const username = await newUser();
    // "The maximum number of federated identities linked to a user is five." (API reference)
    for (let i = 0; i < 5; i++) await link(username, google(`five-${serial}-${i}`));
    expect(await errorOf(link(username, google(`five-${serial}-6`)))).toMatchObject({
      name: "LimitExceededException",
    });
  });

  it("answers ResourceNotFoundException for an unknown pool and validates its members", async () => {
    const failure = await errorOf(
      h.cognito.send(
        new AdminLinkProviderForUserCommand({
          // UserPoolId is a StringType in AWS's model here, not UserPoolIdType: any string is looked up.
          UserPoolId: "not a pool id",
          DestinationUser: cognitoUser("x"),
          SourceUser: google("x"),
        }),
      ),
    );
    expect(failure).toMatchObject({ name: "ResourceNotFoundException" });
    const invalid = await errorOf(
      h.cognito.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: cognitoUser("x"),
          SourceUser: { ...google("x"), ProviderName: "x".repeat(33) },
        }),
      ),
    );
    expect(invalid).toMatchObject({ name: "InvalidParameterException" });
    expect(invalid.message).toContain("'sourceUser.providerName' failed to satisfy constraint");
  });
});

describe("AdminDisableProviderForUser", () => {
  it("removes the link, after which the account links to someone else", async () => {
    const first = await newUser();
    const second = await newUser();
    await link(first, google("moving-subject"));
    await link(first, google(`kept-${serial}`));
    await unlink(google("moving-subject"));
    expect(await identitiesOf(first)).toEqual([expect.objectContaining({ userId: `kept-${serial}` })]);
    await link(second, google("moving-subject"));
    expect(await identitiesOf(second)).toHaveLength(1);
  });

  it("removes the identities attribute with the last link, and keeps the user enabled", async () => {
    const username = await newUser();
    await link(username, {
      ProviderName: "Corp",
      ProviderAttributeName: "email",
      ProviderAttributeValue: "b@corp.example",
    });
    await unlink({ ProviderName: "Corp", ProviderAttributeName: "email", ProviderAttributeValue: "b@corp.example" });
    expect(await identitiesOf(username)).toBeUndefined();
    expect((await signIn(username)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("disables a pool user named with ProviderName Cognito", async () => {
    const username = await newUser();
    // "To deactivate a local user, set ProviderName to Cognito and the ProviderAttributeName to
    // Cognito_Subject. The ProviderAttributeValue must be user's local username."
    await unlink({ ...cognitoUser(username), ProviderAttributeName: "Cognito_Subject" });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    expect(user.Enabled).toBe(false);
    expect(await errorOf(signIn(username))).toMatchObject({
      name: "NotAuthorizedException",
      message: "User is disabled.",
    });
  });

  it("answers UserNotFoundException for an account linked to nobody and for an unknown pool user", async () => {
    expect(await errorOf(unlink(google("never-linked")))).toMatchObject({ name: "UserNotFoundException" });
    expect(
      await errorOf(unlink({ ...cognitoUser("nobody-here"), ProviderAttributeName: "Cognito_Subject" })),
    ).toMatchObject({ name: "UserNotFoundException" });
  });

  it("refuses an unknown provider and a social account named by another attribute", async () => {
    expect(
      await errorOf(
        unlink({ ProviderName: "Nope", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "1" }),
      ),
    ).toMatchObject({
      name: "InvalidParameterException",
      message: `The provider Nope does not exist for User Pool ${poolId}`,
    });
    expect(await errorOf(unlink({ ...google("1"), ProviderAttributeName: "sub" }))).toMatchObject({
      name: "InvalidParameterException",
    });
  });
});

it("keeps links across a restart with a data file", async () => {
  await acrossRestart(
    async (first) => {
      const pool = (await createPool(first)).Id!;
      const client = (await createClient(first, pool)).ClientId!;
      await createConfirmedUser(first, { poolId: pool, clientId: client }, "keeper", password);
      await addProvider(first, pool, "Google", "Google", { client_id: "g", client_secret: "s", authorize_scopes: "o" });
      const request = { UserPoolId: pool, DestinationUser: cognitoUser("keeper"), SourceUser: google("kept") };
      await first.cognito.send(new AdminLinkProviderForUserCommand(request));
      return request;
    },
    async (second, request) => {
      const { UserAttributes } = await second.cognito.send(
        new AdminGetUserCommand({ UserPoolId: request.UserPoolId, Username: "keeper" }),
      );
      expect(UserAttributes?.find((a) => a.Name === "identities")?.Value).toContain('"userId":"kept"');
      expect(await errorOf(second.cognito.send(new AdminLinkProviderForUserCommand(request)))).toMatchObject({
        name: "InvalidParameterException",
      });
    },
  );
});
