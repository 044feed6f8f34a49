/**
 * USER_SRP_AUTH against the emulator with the official client library,
 * amazon-cognito-identity-js (the SRP code Amplify also uses), and the PASSWORD_VERIFIER
 * answers it refuses. The low-level tests drive the same library's AuthenticationHelper through
 * the AWS SDK so that each field of the answer can be tampered with.
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type UserPoolClientType,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, secretHash, startHarness, type Harness } from "./harness.ts";
import { AuthenticationHelper, BigInteger, type LibAuthenticationHelper, type LibBigInteger } from "./srp-library.ts";

const password = "Passw0rd!";
let h: Harness;
let poolId: string;
let client: UserPoolClientType;

beforeAll(async () => {
  h = await startHarness();
  const pool = await createPool(h);
  poolId = pool.Id!;
  client = await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
});
afterAll(async () => h.stop());

async function createUser(
  username: string,
  options: { poolId?: string; clientId?: string; confirm?: boolean; attributes?: Record<string, string> } = {},
) {
  const signUp = await h.cognito.send(
    new SignUpCommand({
      ClientId: options.clientId ?? client.ClientId,
      Username: username,
      Password: password,
      UserAttributes: Object.entries(options.attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  if (options.confirm !== false) {
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: options.poolId ?? poolId, Username: username }));
  }
  return signUp.UserSub!;
}

/** `authenticateUser` as a promise: the session, or the error the library reports. */
function signInWithLibrary(
  username: string,
  secret: string,
  target: { poolId: string; clientId: string } = { poolId, clientId: client.ClientId! },
): Promise<{ user: CognitoUser; session: CognitoUserSession }> {
  const pool = new CognitoUserPool({
    UserPoolId: target.poolId,
    ClientId: target.clientId,
    endpoint: `${h.emulator.url}/`,
  });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: secret }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
    });
  });
}

async function libraryError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; name: string; message: string };
    return { code: e.code ?? e.name, message: e.message };
  }
  throw new Error("expected the sign-in to fail");
}

/** The first step of USER_SRP_AUTH through the SDK, keeping the helper for the second. */
async function startSrp(username: string, options: { clientId?: string; secret?: string } = {}) {
  const helper = new AuthenticationHelper(poolId.split("_")[1]!);
  const A = await new Promise<LibBigInteger>((resolve, reject) => {
    helper.getLargeAValue((error, value) =>
      error ? reject(error instanceof Error ? error : new Error("A")) : resolve(value),
    );
  });
  const clientId = options.clientId ?? client.ClientId!;
  const response = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: {
        USERNAME: username,
        SRP_A: A.toString(16),
        ...(options.secret ? { SECRET_HASH: secretHash(options.secret, username, clientId) } : {}),
      },
    }),
  );
  return { helper, response };
}

/** The PASSWORD_VERIFIER answer amazon-cognito-identity-js would send, built with its helper. */
async function passwordClaim(
  helper: LibAuthenticationHelper,
  parameters: Record<string, string>,
  secret: string,
  timestamp = "Tue Mar 4 10:00:00 UTC 2025",
): Promise<Record<string, string>> {
  const userId = parameters.USER_ID_FOR_SRP!;
  const hkdf = await new Promise<Buffer>((resolve, reject) => {
    helper.getPasswordAuthenticationKey(
      userId,
      secret,
      new BigInteger(parameters.SRP_B!, 16),
      new BigInteger(parameters.SALT!, 16),
      (error, key) => (error ? reject(error instanceof Error ? error : new Error("hkdf")) : resolve(key)),
    );
  });
  const signature = createHmac("sha256", hkdf)
    .update(
      Buffer.concat([
        Buffer.from(poolId.split("_")[1]!, "utf8"),
        Buffer.from(userId, "utf8"),
        Buffer.from(parameters.SECRET_BLOCK!, "base64"),
        Buffer.from(timestamp, "utf8"),
      ]),
    )
    .digest("base64");
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK!,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: signature,
  };
}

const respond = (responses: Record<string, string>, clientId = client.ClientId!) =>
  h.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeResponses: responses,
    }),
  );

// The library does its half of SRP with a pure-JavaScript BigInteger: seconds per sign-in on a busy
// machine, so these tests get more time than the default.
describe("amazon-cognito-identity-js", { timeout: 60_000 }, () => {
  it("signs a user in with SRP and receives the user's tokens", async () => {
    const sub = await createUser("srp-alice", { attributes: { email: "alice@example.com" } });
    const { session } = await signInWithLibrary("srp-alice", password);
    expect(session.isValid()).toBe(true);
    expect(session.getAccessToken().decodePayload()).toMatchObject({
      sub,
      username: "srp-alice",
      client_id: client.ClientId,
      token_use: "access",
    });
    expect(session.getIdToken().decodePayload()).toMatchObject({
      sub,
      "cognito:username": "srp-alice",
      aud: client.ClientId,
      email: "alice@example.com",
      token_use: "id",
    });
    expect(session.getRefreshToken().getToken()).not.toBe("");
  });

  it("refreshes the session with the refresh token and keeps the refresh token", async () => {
    await createUser("srp-refresher");
    const { user, session } = await signInWithLibrary("srp-refresher", password);
    h.clock.advance(1000);
    const refreshed = await new Promise<CognitoUserSession>((resolve, reject) => {
      user.refreshSession(session.getRefreshToken(), (error: unknown, next: CognitoUserSession) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(next),
      );
    });
    expect(refreshed.getAccessToken().getJwtToken()).not.toBe(session.getAccessToken().getJwtToken());
    expect(refreshed.getRefreshToken().getToken()).toBe(session.getRefreshToken().getToken());
    expect(refreshed.getAccessToken().decodePayload().origin_jti).toBe(
      session.getAccessToken().decodePayload().origin_jti,
    );
  });

  it("is told 'Incorrect username or password.' for a wrong password", async () => {
    await createUser("srp-wrong");
    expect(await libraryError(signInWithLibrary("srp-wrong", "Wrong-passw0rd"))).toEqual({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("is told the user does not exist, unless the client prevents user existence errors", async () => {
    expect(await libraryError(signInWithLibrary("srp-nobody", password))).toEqual({
      code: "UserNotFoundException",
      message: "User does not exist.",
    });
    const hiding = await createClient(h, poolId, {
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
    });
    // Cognito simulates the PASSWORD_VERIFIER challenge, so the failure comes at the answer and
    // looks like a wrong password.
    expect(
      await libraryError(signInWithLibrary("srp-nobody", password, { poolId, clientId: hiding.ClientId! })),
    ).toEqual({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("is told an unconfirmed user is not confirmed whatever the password, as Cognito answers (amazon-cognito-identity-js#288)", async () => {
    await createUser("srp-unconfirmed", { confirm: false });
    expect(await libraryError(signInWithLibrary("srp-unconfirmed", "Wrong-passw0rd"))).toEqual({
      code: "UserNotConfirmedException",
      message: "User is not confirmed.",
    });
    expect(await libraryError(signInWithLibrary("srp-unconfirmed", password))).toEqual({
      code: "UserNotConfirmedException",
      message: "User is not confirmed.",
    });
  });

  it("signs in by email where email is the username, with the sub-like username as USER_ID_FOR_SRP", async () => {
    const emailPool = await createPool(h, { UsernameAttributes: ["email"] });
    const emailClient = await createClient(h, emailPool.Id!, {
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const sub = await createUser("bob@example.com", { poolId: emailPool.Id!, clientId: emailClient.ClientId! });
    const { user, session } = await signInWithLibrary("bob@example.com", password, {
      poolId: emailPool.Id!,
      clientId: emailClient.ClientId!,
    });
    expect(user.getUsername()).toBe(sub);
    expect(session.getIdToken().decodePayload()).toMatchObject({ "cognito:username": sub, email: "bob@example.com" });
  });
});

describe("amazon-cognito-identity-js and an invited user", { timeout: 60_000 }, () => {
  it("completes NEW_PASSWORD_REQUIRED after signing in with the temporary password", async () => {
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: "srp-invited",
        TemporaryPassword: "Temp0rary!",
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: "invited@example.com" }],
      }),
    );
    const pool = new CognitoUserPool({
      UserPoolId: poolId,
      ClientId: client.ClientId!,
      endpoint: `${h.emulator.url}/`,
    });
    const user = new CognitoUser({ Username: "srp-invited", Pool: pool });
    let offered: unknown;
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      const fail = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
      user.authenticateUser(new AuthenticationDetails({ Username: "srp-invited", Password: "Temp0rary!" }), {
        onSuccess: resolve,
        onFailure: fail,
        newPasswordRequired: (userAttributes: unknown) => {
          offered = userAttributes;
          user.completeNewPasswordChallenge("N3w-passw0rd", {}, { onSuccess: resolve, onFailure: fail });
        },
      });
    });
    expect(offered).toEqual({ email: "invited@example.com" });
    expect(session.getIdToken().decodePayload()).toMatchObject({ "cognito:username": "srp-invited" });
    const { UserStatus } = await h.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: "srp-invited" }),
    );
    expect(UserStatus).toBe("CONFIRMED");
    await expect(signInWithLibrary("srp-invited", "N3w-passw0rd")).resolves.toBeTruthy();
  });
});

describe("the PASSWORD_VERIFIER challenge", { timeout: 60_000 }, () => {
  it("carries SALT, SECRET_BLOCK, SRP_B, USERNAME and USER_ID_FOR_SRP, and no Session", async () => {
    await createUser("srp-params");
    const { response } = await startSrp("SRP-PARAMS");
    expect(response.ChallengeName).toBe("PASSWORD_VERIFIER");
    // AWS answers USER_SRP_AUTH without a Session: the SECRET_BLOCK comes back in the answer.
    expect(response.Session).toBeUndefined();
    const parameters = response.ChallengeParameters!;
    expect(Object.keys(parameters).sort()).toEqual(["SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"]);
    expect(parameters.USER_ID_FOR_SRP).toBe("srp-params");
    expect(parameters.SALT).toMatch(/^[0-9a-f]+$/);
    expect(parameters.SRP_B).toMatch(/^[0-9a-f]+$/);
    expect(Buffer.from(parameters.SECRET_BLOCK!, "base64").length).toBeGreaterThan(16);
  });

  it("is answered through the SDK with the library's proof, without a Session", async () => {
    await createUser("srp-sdk");
    const { helper, response } = await startSrp("srp-sdk");
    const answer = await respond(await passwordClaim(helper, response.ChallengeParameters!, password));
    expect(answer.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(answer.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it("is also started by AdminInitiateAuth and answered by AdminRespondToAuthChallenge", async () => {
    await createUser("srp-admin");
    const helper = new AuthenticationHelper(poolId.split("_")[1]!);
    const A = await new Promise<LibBigInteger>((resolve, reject) => {
      helper.getLargeAValue((error, value) => (error ? reject(new Error("A")) : resolve(value)));
    });
    const started = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: client.ClientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: "srp-admin", SRP_A: A.toString(16) },
      }),
    );
    expect(started.ChallengeName).toBe("PASSWORD_VERIFIER");
    const done = await h.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: client.ClientId,
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeResponses: await passwordClaim(helper, started.ChallengeParameters!, password),
      }),
    );
    expect(done.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it("refuses a forged signature as a wrong password, and the challenge is then used up", async () => {
    await createUser("srp-forged");
    const { helper, response } = await startSrp("srp-forged");
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    const forged = { ...claim, PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32, 7).toString("base64") };
    expect(await errorOf(respond(forged))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    expect(await errorOf(respond(claim))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user.",
    });
  });

  it("cannot be answered twice", async () => {
    await createUser("srp-twice");
    const { helper, response } = await startSrp("srp-twice");
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    await respond(claim);
    expect(await errorOf(respond(claim))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user.",
    });
  });

  it("expires after the client's AuthSessionValidity (3 minutes by default)", async () => {
    await createUser("srp-late");
    const { helper, response } = await startSrp("srp-late");
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    h.clock.advance(3 * 60_000 + 1);
    expect(await errorOf(respond(claim))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user, session is expired.",
    });
  });

  it("refuses an answer for another user than the one challenged", async () => {
    await createUser("srp-one");
    await createUser("srp-two");
    const { helper, response } = await startSrp("srp-one");
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    expect(await errorOf(respond({ ...claim, USERNAME: "srp-two" }))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("refuses an answer without the proof", async () => {
    await createUser("srp-missing");
    const { helper, response } = await startSrp("srp-missing");
    const { PASSWORD_CLAIM_SIGNATURE: _signature, ...rest } = await passwordClaim(
      helper,
      response.ChallengeParameters!,
      password,
    );
    expect(await errorOf(respond(rest))).toMatchObject({
      name: "InvalidParameterException",
      message: "Missing required parameter PASSWORD_CLAIM_SIGNATURE",
    });
  });

  it("refuses an SRP_A that is 0 mod N before any challenge is issued", async () => {
    await createUser("srp-zero");
    const N =
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
    for (const srpA of ["0", N, "zz"]) {
      expect(
        await errorOf(
          h.cognito.send(
            new InitiateAuthCommand({
              ClientId: client.ClientId,
              AuthFlow: "USER_SRP_AUTH",
              AuthParameters: { USERNAME: "srp-zero", SRP_A: srpA },
            }),
          ),
        ),
      ).toMatchObject({ name: "InvalidParameterException" });
    }
  });

  it("is refused with 'Password attempts exceeded' while the user is locked out", async () => {
    const both = await createClient(h, poolId, {
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
    });
    await createUser("srp-locked");
    for (let i = 0; i < 5; i++) {
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: both.ClientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "srp-locked", PASSWORD: "Wrong-passw0rd" },
          }),
        ),
      );
    }
    const { helper, response } = await startSrp("srp-locked", { clientId: both.ClientId! });
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    expect(await errorOf(respond(claim, both.ClientId!))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Password attempts exceeded",
    });
  });

  it("needs SECRET_HASH of the typed name to start and of USER_ID_FOR_SRP to answer, for a secret client", async () => {
    const secretClient = await createClient(h, poolId, {
      GenerateSecret: true,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const secret = secretClient.ClientSecret!;
    const id = secretClient.ClientId!;
    await createUser("srp-secret");
    expect(
      await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: id,
            AuthFlow: "USER_SRP_AUTH",
            AuthParameters: { USERNAME: "srp-secret", SRP_A: "1234" },
          }),
        ),
      ),
    ).toMatchObject({
      name: "NotAuthorizedException",
      message: `Client ${id} is configured for secret but secret was not received`,
    });
    const { helper, response } = await startSrp("SRP-SECRET", { clientId: id, secret });
    const claim = await passwordClaim(helper, response.ChallengeParameters!, password);
    expect(await errorOf(respond(claim, id))).toMatchObject({
      name: "NotAuthorizedException",
      message: `Client ${id} is configured for secret but secret was not received`,
    });
    const answer = await respond({ ...claim, SECRET_HASH: secretHash(secret, "srp-secret", id) }, id);
    expect(answer.AuthenticationResult?.IdToken).toBeTruthy();
  });
});
