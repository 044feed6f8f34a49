/**
 * The CustomMessage trigger for every triggerSource through the AWS SDK, with a module handler
 * and an HTTP one: the event, the outbox keeping the text the function wrote (code in place),
 * the default message when the text lacks the placeholders, and a failure sending nothing.
 */
import {
  AdminCreateUserCommand,
  AdminResetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConfirmedUser, errorOf } from "./harness.ts";
import { createTriggerPool, handlerKinds, startTriggerHarness, type TriggerHarness } from "./trigger-harness.ts";

const password = "Passw0rd!";

describe.each(handlerKinds)("CustomMessage with a %s handler", (kind) => {
  let h: TriggerHarness;
  let target: { poolId: string; clientId: string };
  let userAuthClient: string;

  beforeAll(async () => {
    h = await startTriggerHarness(kind);
    target = await createTriggerPool(h, ["CustomMessage"], {
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } },
    });
    const { UserPoolClient } = await h.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: target.poolId,
        ClientName: "passwordless",
        ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    userAuthClient = UserPoolClient!.ClientId!;
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.recorder.reset();
    h.recorder.on("CustomMessage", (event) => {
      const code = event.request.codeParameter as string;
      const username = event.request.usernameParameter as string | null;
      const text = `${event.triggerSource}: your code is ${code}${username ? ` for ${username}` : ""}`;
      return {
        ...event,
        response: { smsMessage: text, emailMessage: text, emailSubject: `Subject ${event.triggerSource}` },
      };
    });
  });

  /** The outbox's newest message for `username` must carry the text the trigger wrote. */
  function expectCustomMessage(username: string, source: string) {
    const message = h.emulator.outbox.latest(username);
    expect(message?.subject).toBe(`Subject ${source}`);
    expect(message?.message).toBe(`${source}: your code is ${message?.code ?? "?"}`);
  }

  const signUp = (username: string) =>
    h.cognito.send(
      new SignUpCommand({
        ClientId: target.clientId,
        Username: username,
        Password: password,
        UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
        ClientMetadata: { campaign: "spring" },
      }),
    );
  const confirmed = (username: string) =>
    createConfirmedUser(h, target, username, password, { email: `${username}@example.com` }).then(() =>
      h.cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: target.poolId,
          Username: username,
          UserAttributes: [{ Name: "email_verified", Value: "true" }],
        }),
      ),
    );
  const accessTokenOf = async (username: string) => {
    const { AuthenticationResult } = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: target.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    return AuthenticationResult!.AccessToken!;
  };

  it("CustomMessage_SignUp: the event in AWS's shape, and the outbox keeps the text with the code", async () => {
    await signUp("ada");
    const [event] = h.recorder.of("CustomMessage");
    expect(event).toEqual({
      version: "1",
      triggerSource: "CustomMessage_SignUp",
      region: "us-east-1",
      userPoolId: target.poolId,
      userName: "ada",
      callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: target.clientId },
      request: {
        userAttributes: expect.objectContaining({ email: "ada@example.com", "cognito:user_status": "UNCONFIRMED" }),
        codeParameter: "{####}",
        linkParameter: "{##Click Here##}",
        usernameParameter: null,
        clientMetadata: { campaign: "spring" },
      },
      response: { smsMessage: null, emailMessage: null, emailSubject: null },
    });
    expectCustomMessage("ada", "CustomMessage_SignUp");
  });

  it("CustomMessage_ResendCode", async () => {
    await signUp("grace");
    await h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: target.clientId, Username: "grace" }));
    expect(h.recorder.of("CustomMessage").map((e) => e.triggerSource)).toEqual([
      "CustomMessage_SignUp",
      "CustomMessage_ResendCode",
    ]);
    expectCustomMessage("grace", "CustomMessage_ResendCode");
  });

  it("CustomMessage_ForgotPassword, from ForgotPassword and AdminResetUserPassword", async () => {
    await confirmed("alan");
    h.recorder.events.length = 0;
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username: "alan" }));
    expectCustomMessage("alan", "CustomMessage_ForgotPassword");
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: target.poolId, Username: "alan" }));
    expectCustomMessage("alan", "CustomMessage_ForgotPassword");
    expect(h.recorder.of("CustomMessage").at(-1)?.callerContext).toMatchObject({
      clientId: "CLIENT_ID_NOT_APPLICABLE",
    });
  });

  it("CustomMessage_UpdateUserAttribute, from UpdateUserAttributes and AdminUpdateUserAttributes", async () => {
    await confirmed("edsger");
    await h.cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: await accessTokenOf("edsger"),
        UserAttributes: [{ Name: "email", Value: "edsger@new.example" }],
      }),
    );
    expectCustomMessage("edsger", "CustomMessage_UpdateUserAttribute");
    await h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: target.poolId,
        Username: "edsger",
        UserAttributes: [{ Name: "email", Value: "edsger@newer.example" }],
      }),
    );
    expectCustomMessage("edsger", "CustomMessage_UpdateUserAttribute");
  });

  it("CustomMessage_VerifyUserAttribute, from GetUserAttributeVerificationCode", async () => {
    await confirmed("barbara");
    await h.cognito.send(
      new GetUserAttributeVerificationCodeCommand({
        AccessToken: await accessTokenOf("barbara"),
        AttributeName: "email",
      }),
    );
    expectCustomMessage("barbara", "CustomMessage_VerifyUserAttribute");
  });

  it("CustomMessage_AdminCreateUser: the username and the temporary password in the invitation", async () => {
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: target.poolId,
        Username: "invited",
        UserAttributes: [{ Name: "email", Value: "invited@example.com" }],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    const [event] = h.recorder.of("CustomMessage");
    expect(event?.request).toMatchObject({ codeParameter: "{####}", usernameParameter: "{username}" });
    const message = h.emulator.outbox.latest("invited", "ADMIN_CREATE_USER");
    expect(message?.message).toBe(`CustomMessage_AdminCreateUser: your code is ${message?.code ?? "?"} for invited`);
  });

  it("CustomMessage_Authentication, for a code sent to sign in", async () => {
    await confirmed("linus");
    await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: userAuthClient,
        AuthFlow: "USER_AUTH",
        AuthParameters: { USERNAME: "linus", PREFERRED_CHALLENGE: "EMAIL_OTP" },
      }),
    );
    expectCustomMessage("linus", "CustomMessage_Authentication");
  });

  it("sends the default message when the text lacks the code parameter", async () => {
    h.recorder.on("CustomMessage", (event) => ({ ...event, response: { emailMessage: "No code here" } }));
    await signUp("plain");
    const message = h.emulator.outbox.latest("plain", "SIGN_UP");
    expect(message?.code).toMatch(/^\d{6}$/);
    expect(message?.message).toBeNull();
  });

  it("answers a CustomMessage failure with UserLambdaValidationException and sends nothing", async () => {
    await confirmed("kurt");
    h.recorder.on("CustomMessage", () => {
      throw new Error("template missing");
    });
    expect(
      await errorOf(h.cognito.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username: "kurt" }))),
    ).toMatchObject({
      name: "UserLambdaValidationException",
      message: "CustomMessage failed with error template missing.",
    });
    expect(h.emulator.outbox.latest("kurt", "FORGOT_PASSWORD")).toBeUndefined();
  });
});
