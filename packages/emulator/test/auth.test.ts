/**
 * InitiateAuth and AdminInitiateAuth (password and refresh-token flows, which flows a client
 * allows, SECRET_HASH, lockout) and RespondToAuthChallenge for NEW_PASSWORD_REQUIRED, through the
 * AWS SDK against a running emulator. SRP is in srp.test.ts; the token lifecycle in
 * tokens.test.ts.
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type AuthFlowType,
  type CreateUserPoolClientCommandInput,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  createConfirmedUser,
  createPool,
  errorOf,
  rawCall,
  secretHash,
  startHarness,
  type Harness,
} from "./harness.ts";

const password = "Passw0rd!";
const wrong = "Wr0ng-password";
let h: Harness;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
  clientId = (await createClient(h, poolId, { ExplicitAuthFlows: passwordFlows })).ClientId!;
});
afterAll(async () => h.stop());

const passwordFlows: CreateUserPoolClientCommandInput["ExplicitAuthFlows"] = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];

/** A confirmed user, signed up through a client of `pool`. */
async function createUser(username: string, target = { poolId, clientId }, attributes: Record<string, string> = {}) {
  return createConfirmedUser(h, target, username, password, attributes);
}

const signIn = (username: string, secret = password, id = clientId, extra: Record<string, string> = {}) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: id,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: secret, ...extra },
    }),
  );

const refresh = (
  token: string,
  id = clientId,
  flow: AuthFlowType = "REFRESH_TOKEN_AUTH",
  extra: Record<string, string> = {},
) =>
  h.cognito.send(
    new InitiateAuthCommand({ ClientId: id, AuthFlow: flow, AuthParameters: { REFRESH_TOKEN: token, ...extra } }),
  );

function claimsOf(token: string | undefined): Record<string, unknown> {
  const payload = token?.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

const tokensOf = (response: InitiateAuthCommandOutput) => {
  const result = response.AuthenticationResult;
  if (!result?.AccessToken || !result.IdToken) throw new Error("no tokens in the response");
  return result;
};

describe("USER_PASSWORD_AUTH", () => {
  it("signs a confirmed user in with tokens, a refresh token and no challenge", async () => {
    const sub = await createUser("pw-alice");
    const response = await signIn("PW-ALICE");
    expect(response.ChallengeName).toBeUndefined();
    expect(response.ChallengeParameters).toEqual({});
    const result = tokensOf(response);
    expect(result).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
    expect(result.RefreshToken).toBeTruthy();
    expect(claimsOf(result.AccessToken)).toMatchObject({ sub, username: "pw-alice", token_use: "access" });
  });

  it("refuses a wrong password and an unknown user", async () => {
    await createUser("pw-bob");
    expect(await errorOf(signIn("pw-bob", wrong))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
      status: 400,
    });
    expect(await errorOf(signIn("pw-nobody"))).toMatchObject({
      name: "UserNotFoundException",
      message: "User does not exist.",
    });
  });

  it("answers an unknown user as a wrong password when the client prevents user existence errors", async () => {
    const hiding = await createClient(h, poolId, {
      ExplicitAuthFlows: passwordFlows,
      PreventUserExistenceErrors: "ENABLED",
    });
    expect(await errorOf(signIn("pw-nobody", password, hiding.ClientId!))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("needs USERNAME and PASSWORD", async () => {
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "x" },
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "Missing required parameter PASSWORD" });
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { PASSWORD: "x" },
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "Missing required parameter USERNAME" });
  });

  it("reads a null member as missing, as some clients send them", async () => {
    const response = await rawCall(
      h.emulator.url,
      "InitiateAuth",
      JSON.stringify({
        ClientId: clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "x", PASSWORD: null },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      __type: "InvalidParameterException",
      message: "Missing required parameter PASSWORD",
    });
  });
});

describe("the flows a client allows", () => {
  it("refuses each flow the client's ExplicitAuthFlows leave out, in AWS's words", async () => {
    await createUser("flow-user");
    const srpOnly = await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH"] });
    const id = srpOnly.ClientId!;
    expect(await errorOf(signIn("flow-user", password, id))).toMatchObject({
      name: "InvalidParameterException",
      message: "USER_PASSWORD_AUTH flow not enabled for this client",
    });
    const { RefreshToken } = tokensOf(await signIn("flow-user"));
    for (const flow of ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] as const) {
      expect(await errorOf(refresh(RefreshToken!, id, flow))).toMatchObject({
        name: "InvalidParameterException",
        message: `${flow} flow not enabled for this client`,
      });
    }
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_SRP_AUTH",
            AuthParameters: { USERNAME: "flow-user", SRP_A: "ab" },
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "USER_SRP_AUTH flow not enabled for this client" });
    expect(
      await errorOf(
        h.cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: poolId,
            ClientId: id,
            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "flow-user", PASSWORD: password },
          }),
        ),
      ),
    ).toMatchObject({
      name: "InvalidParameterException",
      message: "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client",
    });
  });

  it("allows SRP and refresh to a legacy client that lists only old-style flows", async () => {
    const legacy = await createClient(h, poolId, { ExplicitAuthFlows: ["USER_PASSWORD_AUTH"] });
    await createUser("flow-legacy");
    const { RefreshToken } = tokensOf(await signIn("flow-legacy", password, legacy.ClientId!));
    expect(tokensOf(await refresh(RefreshToken!, legacy.ClientId!)).AccessToken).toBeTruthy();
  });

  it("keeps the admin password flow off the public API and the public one off the admin API", async () => {
    for (const flow of ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"] as const) {
      expect(
        await errorOf(
          h.cognito.send(
            new InitiateAuthCommand({
              ClientId: clientId,
              AuthFlow: flow,
              AuthParameters: { USERNAME: "x", PASSWORD: "y" },
            }),
          ),
        ),
      ).toMatchObject({ name: "InvalidParameterException", message: "Initiate Auth method not supported." });
    }
    expect(
      await errorOf(
        h.cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "x", PASSWORD: "y" },
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "Initiate Auth method not supported." });
  });

  it("refuses CUSTOM_AUTH as Cognito does for a pool without custom-auth triggers", async () => {
    const custom = await createClient(h, poolId, {
      ExplicitAuthFlows: ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: custom.ClientId,
            AuthFlow: "CUSTOM_AUTH",
            AuthParameters: { USERNAME: "x" },
          }),
        ),
      ),
    ).toMatchObject({
      name: "NotAuthorizedException",
      message: "Custom auth lambda trigger is not configured for the user pool.",
    });
  });

  it("answers an unknown client or a client of another pool with ResourceNotFoundException", async () => {
    expect(await errorOf(signIn("x", password, "abcdefghijklmnopqrstuvwxyz"))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool client abcdefghijklmnopqrstuvwxyz does not exist.",
    });
    const other = await createPool(h, { PoolName: "other" });
    expect(
      await errorOf(
        h.cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: other.Id,
            ClientId: clientId,
            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "x", PASSWORD: "y" },
          }),
        ),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException", message: `User pool client ${clientId} does not exist.` });
  });
});

describe("SECRET_HASH", () => {
  let secretClient: { id: string; secret: string };
  beforeAll(async () => {
    const created = await createClient(h, poolId, { ExplicitAuthFlows: passwordFlows, GenerateSecret: true });
    secretClient = { id: created.ClientId!, secret: created.ClientSecret! };
    await createUser("hash-user");
  });

  it("is required from a client with a secret", async () => {
    expect(await errorOf(signIn("hash-user", password, secretClient.id))).toMatchObject({
      name: "NotAuthorizedException",
      message: `Client ${secretClient.id} is configured for secret but secret was not received`,
    });
  });

  it("must be the HMAC of the username and client id under the secret", async () => {
    expect(
      await errorOf(
        signIn("hash-user", password, secretClient.id, {
          SECRET_HASH: secretHash("not-the-secret", "hash-user", secretClient.id),
        }),
      ),
    ).toMatchObject({
      name: "NotAuthorizedException",
      message: `Unable to verify secret hash for client ${secretClient.id}`,
    });
    const response = await signIn("hash-user", password, secretClient.id, {
      SECRET_HASH: secretHash(secretClient.secret, "hash-user", secretClient.id),
    });
    expect(tokensOf(response).RefreshToken).toBeTruthy();
  });

  it("is computed with the user's username for a refresh, not with the email the user signed in with", async () => {
    // Developer-reported AWS behaviour (e.g. aws-sdk-net-extensions-cognito#122, qiita nori3tsu):
    // in a pool that signs in by email the refresh's SECRET_HASH uses the generated username.
    const emailPool = (await createPool(h, { UsernameAttributes: ["email"] })).Id!;
    const created = await createClient(h, emailPool, { ExplicitAuthFlows: passwordFlows, GenerateSecret: true });
    const id = created.ClientId!;
    const secret = created.ClientSecret!;
    const signUp = await h.cognito.send(
      new SignUpCommand({
        ClientId: id,
        Username: "carol@example.com",
        Password: password,
        SecretHash: secretHash(secret, "carol@example.com", id),
      }),
    );
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: emailPool, Username: "carol@example.com" }));
    const signedIn = tokensOf(
      await signIn("carol@example.com", password, id, { SECRET_HASH: secretHash(secret, "carol@example.com", id) }),
    );
    const username = claimsOf(signedIn.AccessToken).username as string;
    expect(username).toBe(signUp.UserSub);
    expect(await errorOf(refresh(signedIn.RefreshToken!, id))).toMatchObject({
      name: "NotAuthorizedException",
      message: `Client ${id} is configured for secret but secret was not received`,
    });
    expect(
      await errorOf(
        refresh(signedIn.RefreshToken!, id, "REFRESH_TOKEN_AUTH", {
          SECRET_HASH: secretHash(secret, "carol@example.com", id),
        }),
      ),
    ).toMatchObject({ name: "NotAuthorizedException", message: `Unable to verify secret hash for client ${id}` });
    const refreshed = await refresh(signedIn.RefreshToken!, id, "REFRESH_TOKEN_AUTH", {
      SECRET_HASH: secretHash(secret, username, id),
    });
    expect(tokensOf(refreshed).AccessToken).toBeTruthy();
  });
});

describe("REFRESH_TOKEN_AUTH and REFRESH_TOKEN", () => {
  it("mint new access and ID tokens for the same session, without a new refresh token", async () => {
    await createUser("refresh-alice");
    const first = tokensOf(await signIn("refresh-alice"));
    h.clock.advance(5000);
    for (const flow of ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] as const) {
      const response = await refresh(first.RefreshToken!, clientId, flow);
      expect(response.ChallengeParameters).toEqual({});
      const next = tokensOf(response);
      expect(next.RefreshToken).toBeUndefined();
      expect(next).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
      const [before, after] = [claimsOf(first.AccessToken), claimsOf(next.AccessToken)];
      // The refresh keeps the sign-in's origin_jti and auth_time; only jti and the times move.
      expect(after.origin_jti).toBe(before.origin_jti);
      expect(after.auth_time).toBe(before.auth_time);
      expect(after.jti).not.toBe(before.jti);
      expect(after.iat).toBeGreaterThan(before.iat as number);
      expect(claimsOf(next.IdToken).origin_jti).toBe(before.origin_jti);
    }
  });

  it("work through AdminInitiateAuth too", async () => {
    await createUser("refresh-admin");
    const { RefreshToken } = tokensOf(await signIn("refresh-admin"));
    const response = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: RefreshToken! },
      }),
    );
    expect(response.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(response.AuthenticationResult?.RefreshToken).toBeUndefined();
  });

  it("refuse a refresh token issued to another client", async () => {
    await createUser("refresh-other");
    const { RefreshToken } = tokensOf(await signIn("refresh-other"));
    const otherClient = await createClient(h, poolId, { ExplicitAuthFlows: passwordFlows });
    expect(await errorOf(refresh(RefreshToken!, otherClient.ClientId!))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Refresh Token",
    });
  });

  it("refuse a made-up refresh token and need one", async () => {
    expect(await errorOf(refresh("not-a-refresh-token"))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Refresh Token",
    });
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: {} }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "Missing required parameter REFRESH_TOKEN" });
  });

  it("refuse an expired refresh token, after the client's RefreshTokenValidity", async () => {
    const shortLived = await createClient(h, poolId, {
      ExplicitAuthFlows: passwordFlows,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { RefreshToken: "minutes" },
    });
    await createUser("refresh-expiring");
    const { RefreshToken } = tokensOf(await signIn("refresh-expiring", password, shortLived.ClientId!));
    h.clock.advance(59 * 60_000);
    expect(tokensOf(await refresh(RefreshToken!, shortLived.ClientId!)).AccessToken).toBeTruthy();
    h.clock.advance(60_000);
    expect(await errorOf(refresh(RefreshToken!, shortLived.ClientId!))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Refresh Token has expired",
    });
  });

  it("refuse the refresh token of a disabled user", async () => {
    await createUser("refresh-disabled");
    const { RefreshToken } = tokensOf(await signIn("refresh-disabled"));
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: "refresh-disabled" }));
    expect(await errorOf(refresh(RefreshToken!))).toMatchObject({
      name: "NotAuthorizedException",
      message: "User is disabled.",
    });
  });
});

describe("lockout after repeated wrong passwords", () => {
  // Developer guide, "Lockout behavior for failed sign-in attempts": after five failures the
  // user is locked out for 1 s, doubling per further failure (2^(n-5) s, up to ~15 min);
  // attempts meanwhile get "Password attempts exceeded" and do not count.
  it("locks the user out after five wrong passwords, even for the right one", async () => {
    await createUser("lock-alice");
    for (let i = 0; i < 5; i++) {
      expect(await errorOf(signIn("lock-alice", wrong))).toMatchObject({ message: "Incorrect username or password." });
    }
    expect(await errorOf(signIn("lock-alice"))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Password attempts exceeded",
    });
    h.clock.advance(1000);
    expect(tokensOf(await signIn("lock-alice")).AccessToken).toBeTruthy();
    // The success reset the count: five more failures before the next lockout.
    for (let i = 0; i < 5; i++) {
      expect(await errorOf(signIn("lock-alice", wrong))).toMatchObject({ message: "Incorrect username or password." });
    }
    expect(await errorOf(signIn("lock-alice"))).toMatchObject({ message: "Password attempts exceeded" });
  });

  it("doubles the lockout with each further failure", async () => {
    await createUser("lock-bob");
    for (let i = 0; i < 5; i++) await errorOf(signIn("lock-bob", wrong));
    h.clock.advance(1000);
    expect(await errorOf(signIn("lock-bob", wrong))).toMatchObject({ message: "Incorrect username or password." });
    // Sixth failure: locked for 2 s.
    h.clock.advance(1500);
    expect(await errorOf(signIn("lock-bob"))).toMatchObject({ message: "Password attempts exceeded" });
    h.clock.advance(500);
    expect(tokensOf(await signIn("lock-bob")).AccessToken).toBeTruthy();
  });

  it("forgets the failures after 15 minutes without attempts", async () => {
    await createUser("lock-carol");
    for (let i = 0; i < 8; i++) {
      h.clock.advance(300_000);
      await errorOf(signIn("lock-carol", wrong));
    }
    h.clock.advance(15 * 60_000);
    // Without the reset the ninth failure would lock for 16 s.
    expect(await errorOf(signIn("lock-carol", wrong))).toMatchObject({ message: "Incorrect username or password." });
    expect(tokensOf(await signIn("lock-carol")).AccessToken).toBeTruthy();
  });

  it("counts the admin flow's wrong passwords and is per user", async () => {
    await createUser("lock-dave");
    await createUser("lock-erin");
    const adminSignIn = (username: string, secret: string) =>
      h.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: secret },
        }),
      );
    for (let i = 0; i < 5; i++) await errorOf(adminSignIn("lock-dave", wrong));
    expect(await errorOf(adminSignIn("lock-dave", password))).toMatchObject({ message: "Password attempts exceeded" });
    expect((await adminSignIn("lock-erin", password)).AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

describe("NEW_PASSWORD_REQUIRED", () => {
  const temporary = "Temp0rary!";

  async function invite(username: string, attributes: Record<string, string> = {}) {
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        TemporaryPassword: temporary,
        MessageAction: "SUPPRESS",
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    const response = await signIn(username, temporary);
    expect(response.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    return response;
  }

  const answer = (session: string | undefined, responses: Record<string, string>) =>
    h.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: session,
        ChallengeResponses: responses,
      }),
    );

  it("is asked of an invited user, with the user's attributes", async () => {
    const response = await invite("np-alice", { email: "alice@example.com" });
    expect(response.AuthenticationResult).toBeUndefined();
    expect(response.Session?.length).toBeGreaterThanOrEqual(20);
    const parameters = response.ChallengeParameters!;
    expect(parameters.USER_ID_FOR_SRP).toBe("np-alice");
    expect(JSON.parse(parameters.requiredAttributes!)).toEqual([]);
    expect(JSON.parse(parameters.userAttributes!)).toEqual({ email: "alice@example.com" });
  });

  it("sets the new password, confirms the user and signs them in", async () => {
    const { Session } = await invite("np-bob");
    const response = await answer(Session, {
      USERNAME: "np-bob",
      NEW_PASSWORD: "N3w-password",
      "userAttributes.given_name": "Bob",
    });
    const result = response.AuthenticationResult!;
    expect(result.RefreshToken).toBeTruthy();
    expect(claimsOf(result.IdToken)).toMatchObject({ "cognito:username": "np-bob", given_name: "Bob" });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "np-bob" }));
    expect(user.UserStatus).toBe("CONFIRMED");
    expect(await errorOf(signIn("np-bob", temporary))).toMatchObject({ message: "Incorrect username or password." });
    expect(tokensOf(await signIn("np-bob", "N3w-password")).AccessToken).toBeTruthy();
  });

  it("checks the new password against the pool's policy and leaves the challenge open", async () => {
    const { Session } = await invite("np-carol");
    expect(await errorOf(answer(Session, { USERNAME: "np-carol", NEW_PASSWORD: "short" }))).toMatchObject({
      name: "InvalidPasswordException",
    });
    expect(await errorOf(answer(Session, { USERNAME: "np-carol" }))).toMatchObject({
      name: "InvalidParameterException",
      message: "Missing required parameter NEW_PASSWORD",
    });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "np-carol" }));
    expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect(
      (await answer(Session, { USERNAME: "np-carol", NEW_PASSWORD: "N3w-password" })).AuthenticationResult,
    ).toBeTruthy();
  });

  it("refuses a made-up, missing, reused or expired Session", async () => {
    expect(
      await errorOf(answer("x".repeat(40), { USERNAME: "np-nobody", NEW_PASSWORD: "N3w-password" })),
    ).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user.",
    });
    const { Session } = await invite("np-dave");
    expect(await errorOf(answer(undefined, { USERNAME: "np-dave", NEW_PASSWORD: "N3w-password" }))).toMatchObject({
      message: "Invalid session for the user.",
    });
    await answer(Session, { USERNAME: "np-dave", NEW_PASSWORD: "N3w-password" });
    expect(await errorOf(answer(Session, { USERNAME: "np-dave", NEW_PASSWORD: "Other-passw0rd" }))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user.",
    });
    const late = await invite("np-erin");
    h.clock.advance(3 * 60_000 + 1);
    expect(await errorOf(answer(late.Session, { USERNAME: "np-erin", NEW_PASSWORD: "N3w-password" }))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user, session is expired.",
    });
  });

  it("refuses a Session answered as another challenge or for another user", async () => {
    const { Session } = await invite("np-frank");
    await invite("np-grace");
    expect(
      await errorOf(
        h.cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: "SMS_MFA",
            Session,
            ChallengeResponses: { USERNAME: "np-frank", SMS_MFA_CODE: "123456" },
          }),
        ),
      ),
    ).toMatchObject({ name: "NotAuthorizedException", message: "Invalid session for the user." });
    expect(await errorOf(answer(Session, { USERNAME: "np-grace", NEW_PASSWORD: "N3w-password" }))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    expect(
      (await answer(Session, { USERNAME: "np-frank", NEW_PASSWORD: "N3w-password" })).AuthenticationResult,
    ).toBeTruthy();
  });

  it("is answered through AdminRespondToAuthChallenge after AdminInitiateAuth", async () => {
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: "np-heidi",
        TemporaryPassword: temporary,
        MessageAction: "SUPPRESS",
      }),
    );
    const started = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "np-heidi", PASSWORD: temporary },
      }),
    );
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const done = await h.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: started.Session,
        ChallengeResponses: { USERNAME: "np-heidi", NEW_PASSWORD: "N3w-password" },
      }),
    );
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

describe("bad input", () => {
  it("gets an AWS-shaped 400 from every sign-in and token operation, never a 500", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "RS256", kid: "x" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({
        sub: "s",
        iss: `${h.emulator.url}/${poolId}`,
        client_id: clientId,
        origin_jti: "o",
        token_use: "access",
        exp: 9e15,
        username: "u",
      }),
    ).toString("base64url");
    const tokens = [
      "a",
      "a.b.c",
      "e30.e30.AA",
      `${header}.${payload}.${"A".repeat(5000)}`,
      `${header}.${payload}.`,
      "x".repeat(100_000),
    ];
    const calls: [string, unknown][] = [
      [
        "InitiateAuth",
        { ClientId: clientId, AuthFlow: "USER_SRP_AUTH", AuthParameters: { USERNAME: "u", SRP_A: "ff".repeat(2000) } },
      ],
      [
        "InitiateAuth",
        { ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "ü😀", PASSWORD: 5 } },
      ],
      ["InitiateAuth", { ClientId: clientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: null }],
      ["InitiateAuth", { ClientId: clientId, AuthFlow: "NOPE", AuthParameters: {} }],
      ["AdminInitiateAuth", { UserPoolId: poolId, ClientId: clientId, AuthFlow: "REFRESH_TOKEN", AuthParameters: [] }],
      [
        "RespondToAuthChallenge",
        {
          ClientId: clientId,
          ChallengeName: "PASSWORD_VERIFIER",
          ChallengeResponses: {
            USERNAME: "u",
            PASSWORD_CLAIM_SECRET_BLOCK: "%%%",
            PASSWORD_CLAIM_SIGNATURE: "!!",
            TIMESTAMP: "t",
          },
        },
      ],
      [
        "RespondToAuthChallenge",
        {
          ClientId: clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: "x".repeat(3000),
          ChallengeResponses: {},
        },
      ],
      ["RespondToAuthChallenge", { ClientId: clientId, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: 7 }],
      [
        "AdminRespondToAuthChallenge",
        { UserPoolId: poolId, ClientId: clientId, ChallengeName: "bogus", Session: "x".repeat(20) },
      ],
      ["AdminUserGlobalSignOut", { UserPoolId: "us-east-1_nopenope1", Username: "nobody" }],
      ["RevokeToken", {}],
      ["GetTokensFromRefreshToken", { ClientId: clientId, RefreshToken: "a", DeviceKey: "bad" }],
      ...tokens.flatMap((token): [string, unknown][] => [
        ["GlobalSignOut", { AccessToken: token }],
        ["RevokeToken", { ClientId: clientId, Token: token }],
        ["GetTokensFromRefreshToken", { ClientId: clientId, RefreshToken: token }],
      ]),
    ];
    for (const [operation, body] of calls) {
      const response = await rawCall(h.emulator.url, operation, JSON.stringify(body));
      // RevokeToken of an unknown refresh token succeeds (RFC 7009); everything else is refused.
      if (response.status === 200) {
        expect(operation).toBe("RevokeToken");
        continue;
      }
      expect({ operation, status: response.status }).toEqual({ operation, status: 400 });
      expect(typeof response.json.__type).toBe("string");
      expect(typeof response.json.message).toBe("string");
    }
  });
});
