/**
 * The sign-in triggers through the AWS SDK, with a module handler and an HTTP one:
 * PreAuthentication, PostAuthentication, PreTokenGeneration (V1_0 and V2_0), UserMigration
 * (sign-in and forgot password) and the CUSTOM_AUTH flow's Define/Create/VerifyAuthChallenge.
 */
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CreateGroupCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConfirmedUser, errorOf } from "./harness.ts";
import {
  arnOf,
  claimsOf,
  createTriggerPool,
  handlerKinds,
  startTriggerHarness,
  type TriggerHarness,
} from "./trigger-harness.ts";

const password = "Passw0rd!";

describe.each(handlerKinds)("sign-in triggers with a %s handler", (kind) => {
  let h: TriggerHarness;
  let v1: { poolId: string; clientId: string };
  let v2: { poolId: string; clientId: string };

  beforeAll(async () => {
    h = await startTriggerHarness(kind);
    v1 = await createTriggerPool(h, ["PreAuthentication", "PostAuthentication", "PreTokenGeneration", "UserMigration"]);
    v2 = await createTriggerPool(
      h,
      [],
      {},
      {
        PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: arnOf("PreTokenGeneration") },
      },
    );
    for (const target of [v1, v2]) {
      await createConfirmedUser(h, target, "ada", password, { email: "ada@example.com" });
      await h.cognito.send(new CreateGroupCommand({ UserPoolId: target.poolId, GroupName: "staff", Precedence: 1 }));
      await h.cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: target.poolId, Username: "ada", GroupName: "staff" }),
      );
    }
  });
  afterAll(() => h.stop());
  beforeEach(() => h.recorder.reset());

  const signIn = (target: { clientId: string }, username = "ada", secret = password) =>
    h.cognito.send(
      new InitiateAuthCommand({
        ClientId: target.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: secret },
        ClientMetadata: { device: "laptop" },
      }),
    );

  it("runs PreAuthentication, PostAuthentication and PreTokenGeneration in that order, in AWS's shape", async () => {
    await signIn(v1);
    expect(h.recorder.events.map((e) => e.triggerSource)).toEqual([
      "PreAuthentication_Authentication",
      "PostAuthentication_Authentication",
      "TokenGeneration_Authentication",
    ]);
    const [pre, post, tokens] = h.recorder.events;
    expect(pre).toMatchObject({
      version: "1",
      region: "us-east-1",
      userPoolId: v1.poolId,
      userName: "ada",
      callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: v1.clientId },
      request: {
        userAttributes: { email: "ada@example.com", "cognito:user_status": "CONFIRMED" },
        validationData: { device: "laptop" },
        userNotFound: false,
      },
      response: {},
    });
    // InitiateAuth's ClientMetadata does not reach PostAuthentication.
    expect(post?.request).toEqual({ userAttributes: pre?.request.userAttributes, newDeviceUsed: false });
    expect(tokens).toMatchObject({
      version: "1",
      request: { groupConfiguration: { groupsToOverride: ["staff"], iamRolesToOverride: [], preferredRole: null } },
      response: { claimsOverrideDetails: null },
    });
    expect(tokens?.request).not.toHaveProperty("scopes");
  });

  it("refuses the sign-in when PreAuthentication throws, before the password is checked", async () => {
    h.recorder.on("PreAuthentication", () => {
      throw new Error("Email not verified");
    });
    expect(await errorOf(signIn(v1, "ada", "wrong-password"))).toMatchObject({
      name: "UserLambdaValidationException",
      message: "PreAuthentication failed with error Email not verified.",
    });
    expect(h.recorder.of("PostAuthentication")).toHaveLength(0);
  });

  it("refuses the sign-in when PostAuthentication throws, and no tokens are issued", async () => {
    h.recorder.on("PostAuthentication", () => {
      throw new Error("audit log unavailable");
    });
    expect(await errorOf(signIn(v1))).toMatchObject({
      name: "UserLambdaValidationException",
      message: "PostAuthentication failed with error audit log unavailable.",
    });
    expect(h.recorder.of("PreTokenGeneration")).toHaveLength(0);
  });

  it("V1_0: adds, overrides and suppresses ID-token claims and replaces the groups of both tokens", async () => {
    h.recorder.on("PreTokenGeneration", (event) => ({
      ...event,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { tenant: "acme", email: "hidden@example.com", sub: "forged" },
          claimsToSuppress: ["email_verified"],
          groupOverrideDetails: { groupsToOverride: ["admins"], iamRolesToOverride: [], preferredRole: null },
        },
      },
    }));
    const { AuthenticationResult } = await signIn(v1);
    const id = claimsOf(AuthenticationResult?.IdToken);
    const access = claimsOf(AuthenticationResult?.AccessToken);
    expect(id).toMatchObject({ tenant: "acme", email: "hidden@example.com", "cognito:groups": ["admins"] });
    expect(id).not.toHaveProperty("email_verified");
    expect(id.sub).not.toBe("forged");
    expect(access["cognito:groups"]).toEqual(["admins"]);
    expect(access).not.toHaveProperty("tenant");
  });

  it("V1_0 runs for a refresh with TokenGeneration_RefreshTokens", async () => {
    const { AuthenticationResult } = await signIn(v1);
    h.recorder.reset();
    await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: v1.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: AuthenticationResult?.RefreshToken ?? "" },
      }),
    );
    expect(h.recorder.events.map((e) => e.triggerSource)).toEqual(["TokenGeneration_RefreshTokens"]);
  });

  it("V2_0: changes both tokens' claims, the access token's scopes, and sees the scopes", async () => {
    h.recorder.on("PreTokenGeneration", (event) => ({
      ...event,
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { plan: "pro" }, claimsToSuppress: ["email"] },
          accessTokenGeneration: {
            claimsToAddOrOverride: { tenant: "acme", roles: ["reader", "writer"] },
            claimsToSuppress: ["cognito:groups"],
            scopesToAdd: ["gatehouse/users.read"],
            scopesToSuppress: ["aws.cognito.signin.user.admin"],
          },
          groupOverrideDetails: { groupsToOverride: ["auditors"] },
        },
      },
    }));
    const { AuthenticationResult } = await signIn(v2);
    const [event] = h.recorder.of("PreTokenGeneration");
    expect(event).toMatchObject({
      version: "2",
      triggerSource: "TokenGeneration_Authentication",
      request: { scopes: ["aws.cognito.signin.user.admin"], groupConfiguration: { groupsToOverride: ["staff"] } },
      response: { claimsAndScopeOverrideDetails: null },
    });
    const id = claimsOf(AuthenticationResult?.IdToken);
    const access = claimsOf(AuthenticationResult?.AccessToken);
    expect(id).toMatchObject({ plan: "pro", "cognito:groups": ["auditors"] });
    expect(id).not.toHaveProperty("email");
    expect(access).toMatchObject({ tenant: "acme", roles: ["reader", "writer"], scope: "gatehouse/users.read" });
    expect(access).not.toHaveProperty("cognito:groups");
  });

  it("answers a PreTokenGeneration failure with UserLambdaValidationException and no tokens", async () => {
    h.recorder.on("PreTokenGeneration", () => {
      throw new Error("claims service down");
    });
    expect(await errorOf(signIn(v2))).toMatchObject({
      name: "UserLambdaValidationException",
      message: "PreTokenGeneration failed with error claims service down.",
    });
  });

  it("migrates an unknown user at sign-in (UserMigration_Authentication) and signs them in", async () => {
    h.recorder.on("UserMigration", (event) => {
      if (event.request.password !== "0ldPassword") throw new Error("Bad password");
      return {
        ...event,
        response: {
          userAttributes: { email: "legacy@example.com", email_verified: "true" },
          finalUserStatus: "CONFIRMED",
          messageAction: "SUPPRESS",
        },
      };
    });
    expect(await errorOf(signIn(v1, "legacy", "guess"))).toMatchObject({
      name: "UserLambdaValidationException",
      message: "UserMigration failed with error Bad password.",
    });
    expect(
      (await errorOf(h.cognito.send(new AdminGetUserCommand({ UserPoolId: v1.poolId, Username: "legacy" })))).name,
    ).toBe("UserNotFoundException");
    const { AuthenticationResult } = await signIn(v1, "legacy", "0ldPassword");
    expect(AuthenticationResult?.AccessToken).toBeDefined();
    const migration = h.recorder.of("UserMigration").at(-1);
    expect(migration).toMatchObject({
      triggerSource: "UserMigration_Authentication",
      userName: "legacy",
      request: { password: "0ldPassword", validationData: { device: "laptop" } },
      response: { userAttributes: null, finalUserStatus: null },
    });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: v1.poolId, Username: "legacy" }));
    expect(user.UserStatus).toBe("CONFIRMED");
    // Signed in with the password the old directory accepted, the user is now in the pool.
    h.recorder.reset();
    await signIn(v1, "legacy", "0ldPassword");
    expect(h.recorder.of("UserMigration")).toHaveLength(0);
  });

  it("says the user was not found when UserMigration returns no attributes", async () => {
    expect(await errorOf(signIn(v1, "stranger", "whatever"))).toEqual({
      name: "UserNotFoundException",
      message: `Exception migrating user in app client ${v1.clientId}`,
      status: 400,
    });
  });

  it("migrates an unknown user at ForgotPassword (UserMigration_ForgotPassword) and sends the code", async () => {
    h.recorder.on("UserMigration", (event) => ({
      ...event,
      response: { userAttributes: { email: "old@example.com", email_verified: "true" } },
    }));
    const result = await h.cognito.send(
      new ForgotPasswordCommand({ ClientId: v1.clientId, Username: "olduser", ClientMetadata: { from: "reset" } }),
    );
    expect(result.CodeDeliveryDetails?.DeliveryMedium).toBe("EMAIL");
    const [event] = h.recorder.of("UserMigration");
    expect(event).toMatchObject({
      triggerSource: "UserMigration_ForgotPassword",
      userName: "olduser",
      request: { clientMetadata: { from: "reset" } },
    });
    expect(event?.request).not.toHaveProperty("password");
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: v1.poolId, Username: "olduser" }));
    expect(user.UserStatus).toBe("RESET_REQUIRED");
    expect(h.emulator.outbox.latest("olduser", "FORGOT_PASSWORD")).toBeDefined();
  });
});

describe.each(handlerKinds)("CUSTOM_AUTH with a %s handler", (kind) => {
  let h: TriggerHarness;
  let target: { poolId: string; clientId: string };

  beforeAll(async () => {
    h = await startTriggerHarness(kind);
    target = await createTriggerPool(h, [
      "DefineAuthChallenge",
      "CreateAuthChallenge",
      "VerifyAuthChallengeResponse",
      "PreTokenGeneration",
    ]);
    await createConfirmedUser(h, target, "ada", password, { email: "ada@example.com" });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.recorder.reset();
    // Two tries at a question; tokens after a right answer.
    h.recorder.on("DefineAuthChallenge", (event) => {
      const session = event.request.session as { challengeResult: boolean }[];
      const last = session.at(-1);
      const response =
        last?.challengeResult === true
          ? { issueTokens: true, failAuthentication: false }
          : session.length >= 2
            ? { issueTokens: false, failAuthentication: true }
            : { challengeName: "CUSTOM_CHALLENGE", issueTokens: false, failAuthentication: false };
      return { ...event, response };
    });
    h.recorder.on("CreateAuthChallenge", (event) => ({
      ...event,
      response: {
        publicChallengeParameters: { question: "2 + 2?" },
        privateChallengeParameters: { answer: "4" },
        challengeMetadata: "ARITHMETIC",
      },
    }));
    h.recorder.on("VerifyAuthChallengeResponse", (event) => ({
      ...event,
      response: {
        answerCorrect:
          event.request.challengeAnswer === (event.request.privateChallengeParameters as { answer: string }).answer,
      },
    }));
  });

  const start = () =>
    h.cognito.send(
      new InitiateAuthCommand({
        ClientId: target.clientId,
        AuthFlow: "CUSTOM_AUTH",
        AuthParameters: { USERNAME: "ada" },
      }),
    );
  const answer = (session: string | undefined, value: string) =>
    h.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: target.clientId,
        ChallengeName: "CUSTOM_CHALLENGE",
        Session: session,
        ChallengeResponses: { USERNAME: "ada", ANSWER: value },
        ClientMetadata: { attempt: "yes" },
      }),
    );

  it("asks the question, takes a wrong then a right answer, and issues tokens", async () => {
    const first = await start();
    expect(first).toMatchObject({
      ChallengeName: "CUSTOM_CHALLENGE",
      ChallengeParameters: { question: "2 + 2?", USERNAME: "ada" },
    });
    const second = await answer(first.Session, "5");
    expect(second.ChallengeName).toBe("CUSTOM_CHALLENGE");
    expect(second.Session).not.toBe(first.Session);
    const done = await answer(second.Session, "4");
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
    expect(h.recorder.events.map((e) => e.triggerSource)).toEqual([
      "DefineAuthChallenge_Authentication",
      "CreateAuthChallenge_Authentication",
      "VerifyAuthChallengeResponse_Authentication",
      "DefineAuthChallenge_Authentication",
      "CreateAuthChallenge_Authentication",
      "VerifyAuthChallengeResponse_Authentication",
      "DefineAuthChallenge_Authentication",
      "TokenGeneration_Authentication",
    ]);
    const verify = h.recorder.of("VerifyAuthChallengeResponse")[1];
    expect(verify?.request).toMatchObject({
      privateChallengeParameters: { answer: "4" },
      challengeAnswer: "4",
      clientMetadata: { attempt: "yes" },
      userNotFound: false,
    });
    expect(h.recorder.of("DefineAuthChallenge")[2]?.request.session).toEqual([
      { challengeName: "CUSTOM_CHALLENGE", challengeResult: false, challengeMetadata: "ARITHMETIC" },
      { challengeName: "CUSTOM_CHALLENGE", challengeResult: true, challengeMetadata: "ARITHMETIC" },
    ]);
    expect(h.recorder.of("CreateAuthChallenge")[0]?.request).toMatchObject({
      challengeName: "CUSTOM_CHALLENGE",
      session: [],
    });
  });

  it("fails the sign-in when DefineAuthChallenge says so, and a Session is answered once", async () => {
    const first = await start();
    const second = await answer(first.Session, "1");
    expect(await errorOf(answer(second.Session, "2"))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    expect((await errorOf(answer(first.Session, "4"))).name).toBe("NotAuthorizedException");
  });

  it("answers a throwing challenge function with UserLambdaValidationException", async () => {
    h.recorder.on("CreateAuthChallenge", () => {
      throw new Error("SMS provider down");
    });
    expect(await errorOf(start())).toMatchObject({
      name: "UserLambdaValidationException",
      message: "CreateAuthChallenge failed with error SMS provider down.",
    });
  });

  it("works through AdminInitiateAuth too", async () => {
    const first = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: target.poolId,
        ClientId: target.clientId,
        AuthFlow: "CUSTOM_AUTH",
        AuthParameters: { USERNAME: "ada" },
      }),
    );
    expect(first.ChallengeName).toBe("CUSTOM_CHALLENGE");
    expect((await answer(first.Session, "4")).AuthenticationResult).toBeDefined();
  });
});
