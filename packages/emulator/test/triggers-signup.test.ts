/**
 * PreSignUp and PostConfirmation through the AWS SDK, with a module handler and an HTTP one:
 * the event's shape, the effect of the answer, and the failures (nothing stored on a refusal),
 * plus what happens when an ARN has no handler or a handler is too slow.
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  ListUsersCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness } from "./harness.ts";
import { arnOf, createTriggerPool, handlerKinds, startTriggerHarness, type TriggerHarness } from "./trigger-harness.ts";

const password = "Passw0rd!";

describe.each(handlerKinds)("sign-up triggers with a %s handler", (kind) => {
  let h: TriggerHarness;
  let target: { poolId: string; clientId: string };

  beforeAll(async () => {
    h = await startTriggerHarness(kind);
    target = await createTriggerPool(h, ["PreSignUp", "PostConfirmation"]);
  });
  afterAll(() => h.stop());
  beforeEach(() => h.recorder.reset());

  const signUp = (username: string, email = `${username}@example.com`) =>
    h.cognito.send(
      new SignUpCommand({
        ClientId: target.clientId,
        Username: username,
        Password: password,
        UserAttributes: [{ Name: "email", Value: email }],
        ValidationData: [{ Name: "captcha", Value: "solved" }],
        ClientMetadata: { origin: "test" },
      }),
    );
  const status = async (username: string) =>
    (await h.cognito.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username: username }))).UserStatus;

  it("sends PreSignUp_SignUp in AWS's shape and creates the user as the answer leaves it", async () => {
    const result = await signUp("ada");
    expect(result.UserConfirmed).toBe(false);
    const [event] = h.recorder.of("PreSignUp");
    expect(event).toEqual({
      version: "1",
      triggerSource: "PreSignUp_SignUp",
      region: "us-east-1",
      userPoolId: target.poolId,
      userName: "ada",
      callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: target.clientId },
      request: {
        userAttributes: { email: "ada@example.com" },
        validationData: { captcha: "solved" },
        clientMetadata: { origin: "test" },
      },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    expect(await status("ada")).toBe("UNCONFIRMED");
    expect(h.recorder.of("PostConfirmation")).toHaveLength(0);
    expect(h.emulator.outbox.latest("ada", "SIGN_UP")).toBeDefined();
  });

  it("confirms and verifies the user when PreSignUp says so, and runs PostConfirmation then", async () => {
    h.recorder.on("PreSignUp", (event) => ({
      ...event,
      response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false },
    }));
    const result = await signUp("grace");
    expect(result.UserConfirmed).toBe(true);
    expect(result.CodeDeliveryDetails).toBeUndefined();
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username: "grace" }));
    expect(user.UserStatus).toBe("CONFIRMED");
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
    expect(h.emulator.outbox.latest("grace", "SIGN_UP")).toBeUndefined();
    const [confirmation] = h.recorder.of("PostConfirmation");
    expect(confirmation?.triggerSource).toBe("PostConfirmation_ConfirmSignUp");
    expect(confirmation?.request.userAttributes).toMatchObject({
      email: "grace@example.com",
      email_verified: "true",
      "cognito:user_status": "CONFIRMED",
      sub: result.UserSub,
    });
  });

  it("refuses the sign-up with UserLambdaValidationException when PreSignUp throws, and stores no user", async () => {
    h.recorder.on("PreSignUp", () => {
      throw new Error("Registration from this domain is not allowed.");
    });
    const error = await errorOf(signUp("mallory", "mallory@blocked.example"));
    expect(error).toEqual({
      name: "UserLambdaValidationException",
      message: "PreSignUp failed with error Registration from this domain is not allowed..",
      status: 400,
    });
    const { Users } = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: target.poolId, Filter: 'username = "mallory"' }),
    );
    expect(Users).toEqual([]);
    expect(h.emulator.outbox.latest("mallory")).toBeUndefined();
  });

  it("answers InvalidLambdaResponseException for an answer that is not the event, and stores no user", async () => {
    h.recorder.on("PreSignUp", () => null);
    expect(await errorOf(signUp("nobody"))).toMatchObject({
      name: "InvalidLambdaResponseException",
      message: "Unrecognizable lambda output",
    });
    const { Users } = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: target.poolId, Filter: 'username = "nobody"' }),
    );
    expect(Users).toEqual([]);
  });

  it("runs PostConfirmation_ConfirmSignUp after ConfirmSignUp and AdminConfirmSignUp", async () => {
    await signUp("alan");
    const code = h.emulator.outbox.latest("alan", "SIGN_UP")?.code ?? "";
    await h.cognito.send(
      new ConfirmSignUpCommand({
        ClientId: target.clientId,
        Username: "alan",
        ConfirmationCode: code,
        ClientMetadata: { step: "confirm" },
      }),
    );
    await signUp("edsger");
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: target.poolId, Username: "edsger" }));
    const [byUser, byAdmin] = h.recorder.of("PostConfirmation");
    expect(byUser).toMatchObject({
      triggerSource: "PostConfirmation_ConfirmSignUp",
      userName: "alan",
      callerContext: { clientId: target.clientId },
      request: { clientMetadata: { step: "confirm" }, userAttributes: { email_verified: "true" } },
      response: {},
    });
    expect(byAdmin).toMatchObject({
      triggerSource: "PostConfirmation_ConfirmSignUp",
      userName: "edsger",
      callerContext: { clientId: "CLIENT_ID_NOT_APPLICABLE" },
    });
  });

  it("answers a PostConfirmation failure, and the confirmation stays, as on AWS", async () => {
    await signUp("barbara");
    h.recorder.on("PostConfirmation", () => {
      throw new Error("webhook down");
    });
    const error = await errorOf(
      h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: target.poolId, Username: "barbara" })),
    );
    expect(error).toMatchObject({
      name: "UserLambdaValidationException",
      message: "PostConfirmation failed with error webhook down.",
    });
    expect(await status("barbara")).toBe("CONFIRMED");
  });

  it("runs PostConfirmation_ConfirmForgotPassword after a password reset", async () => {
    h.recorder.on("PreSignUp", (event) => ({ ...event, response: { autoConfirmUser: true, autoVerifyEmail: true } }));
    await signUp("linus");
    h.recorder.reset();
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username: "linus" }));
    const code = h.emulator.outbox.latest("linus", "FORGOT_PASSWORD")?.code ?? "";
    await h.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: target.clientId,
        Username: "linus",
        ConfirmationCode: code,
        Password: "N3wPassw0rd!",
      }),
    );
    expect(h.recorder.of("PostConfirmation").map((e) => e.triggerSource)).toEqual([
      "PostConfirmation_ConfirmForgotPassword",
    ]);
  });

  it("sends PreSignUp_AdminCreateUser, ignores its flags, and a refusal creates no user", async () => {
    h.recorder.on("PreSignUp", (event) => ({ ...event, response: { autoConfirmUser: true, autoVerifyEmail: true } }));
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: target.poolId,
        Username: "invited",
        UserAttributes: [{ Name: "email", Value: "invited@example.com" }],
        ValidationData: [{ Name: "source", Value: "backoffice" }],
        MessageAction: "SUPPRESS",
      }),
    );
    const [event] = h.recorder.of("PreSignUp");
    expect(event).toMatchObject({
      triggerSource: "PreSignUp_AdminCreateUser",
      callerContext: { clientId: "CLIENT_ID_NOT_APPLICABLE" },
      request: { userAttributes: { email: "invited@example.com" }, validationData: { source: "backoffice" } },
    });
    expect(await status("invited")).toBe("FORCE_CHANGE_PASSWORD");

    h.recorder.on("PreSignUp", () => {
      throw new Error("no invitations today");
    });
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: target.poolId,
          Username: "refused",
          UserAttributes: [{ Name: "email", Value: "refused@example.com" }],
        }),
      ),
    );
    expect(error.message).toBe("PreSignUp failed with error no invitations today.");
    expect((await errorOf(status("refused"))).name).toBe("UserNotFoundException");
    expect(h.emulator.outbox.latest("refused")).toBeUndefined();
  });
});

describe("a trigger that cannot run", () => {
  it("fails as AWS does when the function is missing: UnexpectedLambdaException, and no user", async () => {
    const h = await startHarness();
    try {
      const pool = await createPool(h, { LambdaConfig: { PreSignUp: arnOf("PreSignUp") } });
      const client = await createClient(h, pool.Id!);
      const error = await errorOf(
        h.cognito.send(new SignUpCommand({ ClientId: client.ClientId!, Username: "x", Password: password })),
      );
      expect(error).toEqual({
        name: "UnexpectedLambdaException",
        message: "PreSignUp invocation failed due to error ResourceNotFoundException.",
        status: 400,
      });
      const { Users } = await h.cognito.send(new ListUsersCommand({ UserPoolId: pool.Id! }));
      expect(Users).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it.each(handlerKinds)("times out a %s handler that does not answer in time, and stores no user", async (kind) => {
    const h = await startTriggerHarness(kind, 200);
    try {
      const target = await createTriggerPool(h, ["PreSignUp"]);
      h.recorder.on("PreSignUp", () => new Promise(() => undefined));
      const error = await errorOf(
        h.cognito.send(
          new SignUpCommand({
            ClientId: target.clientId,
            Username: "slow",
            Password: password,
            UserAttributes: [{ Name: "email", Value: "slow@example.com" }],
          }),
        ),
      );
      expect(error).toMatchObject({
        name: "UnexpectedLambdaException",
        message: "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
      });
      const { Users } = await h.cognito.send(new ListUsersCommand({ UserPoolId: target.poolId }));
      expect(Users).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it("runs a callback-style CommonJS handler", async () => {
    const module = new URL("./fixtures/triggers/callback-style.cjs", import.meta.url).pathname;
    const h = await startHarness({ triggers: { [arnOf("PreSignUp")]: module } });
    try {
      const target = await createTriggerPool(h, ["PreSignUp"]);
      const result = await h.cognito.send(
        new SignUpCommand({
          ClientId: target.clientId,
          Username: "cb",
          Password: password,
          UserAttributes: [{ Name: "email", Value: "cb@example.com" }],
        }),
      );
      expect(result.UserConfirmed).toBe(true);
    } finally {
      await h.stop();
    }
  });
});
