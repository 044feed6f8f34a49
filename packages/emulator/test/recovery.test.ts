/**
 * Self-service password recovery through the AWS SDK: ForgotPassword and ConfirmForgotPassword.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type AttributeType,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, secretHash, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const password = "Passw0rd!";
const newPassword = "N3w-passw0rd";
const hour = 3600_000;
let counter = 0;
const fresh = (base = "user"): string => `${base}${++counter}`;

interface Setup {
  readonly poolId: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

async function setup(
  poolInput: Partial<CreateUserPoolCommandInput> = { AutoVerifiedAttributes: ["email"] },
  clientInput: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<Setup> {
  const pool = await createPool(h, poolInput);
  const client = await createClient(h, pool.Id!, {
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ...clientInput,
  });
  return { poolId: pool.Id!, clientId: client.ClientId!, clientSecret: client.ClientSecret };
}

const latestCode = (username: string, kind: "SIGN_UP" | "FORGOT_PASSWORD"): string => {
  const message = h.emulator.outbox.latest(username, kind);
  if (!message) throw new Error(`no ${kind} message for ${username}`);
  return message.code;
};

/** Signs a user up and confirms them with the emailed code: CONFIRMED, email verified. */
async function confirmedUser(s: Setup, attributes?: AttributeType[]): Promise<string> {
  const name = fresh();
  await h.cognito.send(
    new SignUpCommand({
      ClientId: s.clientId,
      Username: name,
      Password: password,
      UserAttributes: attributes ?? [{ Name: "email", Value: `${name}@example.com` }],
    }),
  );
  await h.cognito.send(
    new ConfirmSignUpCommand({ ClientId: s.clientId, Username: name, ConfirmationCode: latestCode(name, "SIGN_UP") }),
  );
  return name;
}

const forgot = (clientId: string, Username: string) =>
  h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username }));

const confirmForgot = (clientId: string, Username: string, ConfirmationCode: string, Password = newPassword) =>
  h.cognito.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username, ConfirmationCode, Password }));

const signIn = (clientId: string, USERNAME: string, PASSWORD: string) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME, PASSWORD },
    }),
  );

const statusOf = async (poolId: string, Username: string) =>
  (await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username }))).UserStatus;

const wrongCode = (code: string): string => (code === "000000" ? "111111" : "000000");

describe("ForgotPassword", () => {
  it("sends a code to the verified email, and ConfirmForgotPassword with it sets the new password", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    const result = await forgot(s.clientId, name);
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: `${name.charAt(0)}***@e***`,
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    const message = h.emulator.outbox.latest(name, "FORGOT_PASSWORD");
    expect(message).toMatchObject({ destination: `${name}@example.com`, medium: "EMAIL" });
    expect(message?.code).toMatch(/^\d{6}$/);

    expect(await confirmForgot(s.clientId, name, message!.code)).toMatchObject({});
    await expect(signIn(s.clientId, name, newPassword)).resolves.toHaveProperty("AuthenticationResult");
    const error = await errorOf(signIn(s.clientId, name, password));
    expect(error).toMatchObject({ name: "NotAuthorizedException", message: "Incorrect username or password." });
    expect(await statusOf(s.poolId, name)).toBe("CONFIRMED");
  });

  it("changes nothing until the code is used: the old password still signs in", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    await expect(signIn(s.clientId, name, password)).resolves.toHaveProperty("AuthenticationResult");
    expect(await statusOf(s.poolId, name)).toBe("CONFIRMED");
  });

  it("finds the user by a verified email alias", async () => {
    const s = await setup({ AliasAttributes: ["email"], AutoVerifiedAttributes: ["email"] });
    const name = await confirmedUser(s);
    const result = await forgot(s.clientId, `${name}@example.com`);
    expect(result.CodeDeliveryDetails?.DeliveryMedium).toBe("EMAIL");
    await confirmForgot(s.clientId, `${name}@example.com`, latestCode(name, "FORGOT_PASSWORD"));
    await expect(signIn(s.clientId, name, newPassword)).resolves.toHaveProperty("AuthenticationResult");
  });

  it("prefers a verified phone over a verified email when the pool has no AccountRecoverySetting", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: s.poolId,
        Username: name,
        UserAttributes: [
          { Name: "phone_number", Value: "+15555550142" },
          { Name: "phone_number_verified", Value: "true" },
        ],
      }),
    );
    const result = await forgot(s.clientId, name);
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: "+*******0142",
      DeliveryMedium: "SMS",
      AttributeName: "phone_number",
    });
    expect(h.emulator.outbox.latest(name, "FORGOT_PASSWORD")).toMatchObject({
      destination: "+15555550142",
      medium: "SMS",
    });
  });

  it("follows the pool's AccountRecoverySetting priorities", async () => {
    const s = await setup({
      AutoVerifiedAttributes: ["email"],
      AccountRecoverySetting: {
        RecoveryMechanisms: [
          { Name: "verified_phone_number", Priority: 2 },
          { Name: "verified_email", Priority: 1 },
        ],
      },
    });
    const name = await confirmedUser(s);
    await h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: s.poolId,
        Username: name,
        UserAttributes: [
          { Name: "phone_number", Value: "+15555550143" },
          { Name: "phone_number_verified", Value: "true" },
        ],
      }),
    );
    const result = await forgot(s.clientId, name);
    expect(result.CodeDeliveryDetails?.AttributeName).toBe("email");
  });

  it("refuses self-service recovery in a pool whose recovery is admin_only", async () => {
    const s = await setup({
      AutoVerifiedAttributes: ["email"],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "admin_only", Priority: 1 }] },
    });
    const name = await confirmedUser(s);
    const error = await errorOf(forgot(s.clientId, name));
    expect(error.name).toBe("NotAuthorizedException");
    expect(h.emulator.outbox.latest(name, "FORGOT_PASSWORD")).toBeUndefined();
  });

  it("refuses a user with no verified email or phone with InvalidParameterException", async () => {
    const s = await setup({});
    const name = fresh();
    await h.cognito.send(
      new SignUpCommand({
        ClientId: s.clientId,
        Username: name,
        Password: password,
        UserAttributes: [{ Name: "email", Value: `${name}@example.com` }],
      }),
    );
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: s.poolId, Username: name }));
    const error = await errorOf(forgot(s.clientId, name));
    expect(error).toEqual({
      name: "InvalidParameterException",
      message: "Cannot reset password for the user as there is no registered/verified email or phone_number",
      status: 400,
    });
  });

  it("answers an unknown user with UserNotFoundException when existence errors are not prevented", async () => {
    const s = await setup();
    const error = await errorOf(forgot(s.clientId, fresh("ghost")));
    expect(error).toEqual({
      name: "UserNotFoundException",
      message: "Username/client id combination not found.",
      status: 400,
    });
  });

  describe("with PreventUserExistenceErrors=ENABLED", () => {
    const hidden = { PreventUserExistenceErrors: "ENABLED" } as const;

    it("answers an unknown user as if a code had been sent, and sends nothing", async () => {
      const s = await setup({ AutoVerifiedAttributes: ["email"] }, hidden);
      const ghost = fresh("ghost");
      const result = await forgot(s.clientId, ghost);
      expect(result.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: "EMAIL", AttributeName: "email" });
      expect(result.CodeDeliveryDetails?.Destination).toMatch(/^g\*\*\*@[a-z]\*\*\*$/);
      expect((await forgot(s.clientId, ghost)).CodeDeliveryDetails).toEqual(result.CodeDeliveryDetails);
      expect(h.emulator.outbox.latest(ghost)).toBeUndefined();
    });

    it("masks an email typed as the username the way a real delivery would be masked", async () => {
      const s = await setup({ UsernameAttributes: ["email"], AutoVerifiedAttributes: ["email"] }, hidden);
      const result = await forgot(s.clientId, "nobody@example.org");
      expect(result.CodeDeliveryDetails).toEqual({
        Destination: "n***@e***",
        DeliveryMedium: "EMAIL",
        AttributeName: "email",
      });
    });

    it("answers a user with no verified contact the same way", async () => {
      const s = await setup({}, hidden);
      const name = fresh();
      await h.cognito.send(new SignUpCommand({ ClientId: s.clientId, Username: name, Password: password }));
      await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: s.poolId, Username: name }));
      const result = await forgot(s.clientId, name);
      expect(result.CodeDeliveryDetails?.DeliveryMedium).toBeDefined();
      expect(h.emulator.outbox.latest(name, "FORGOT_PASSWORD")).toBeUndefined();
    });

    it("answers a disabled user the same way", async () => {
      const s = await setup({ AutoVerifiedAttributes: ["email"] }, hidden);
      const name = await confirmedUser(s);
      await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: s.poolId, Username: name }));
      const result = await forgot(s.clientId, name);
      expect(result.CodeDeliveryDetails?.DeliveryMedium).toBe("EMAIL");
      expect(h.emulator.outbox.latest(name, "FORGOT_PASSWORD")).toBeUndefined();
    });
  });

  it("refuses a disabled user with NotAuthorizedException 'User is disabled.'", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: s.poolId, Username: name }));
    const error = await errorOf(forgot(s.clientId, name));
    expect(error).toEqual({ name: "NotAuthorizedException", message: "User is disabled.", status: 400 });
  });

  it("refuses a user who still holds a temporary password", async () => {
    const s = await setup();
    const name = fresh();
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: s.poolId,
        Username: name,
        MessageAction: "SUPPRESS",
        TemporaryPassword: "Temp0rary!",
        UserAttributes: [
          { Name: "email", Value: `${name}@example.com` },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    const error = await errorOf(forgot(s.clientId, name));
    expect(error).toEqual({
      name: "NotAuthorizedException",
      message: "User password cannot be reset in the current state.",
      status: 400,
    });
  });

  it("requires SECRET_HASH for a client with a secret, and accepts the right one", async () => {
    const s = await setup({ AutoVerifiedAttributes: ["email"] }, { GenerateSecret: true });
    const name = fresh();
    const hash = secretHash(s.clientSecret!, name, s.clientId);
    await h.cognito.send(
      new SignUpCommand({
        ClientId: s.clientId,
        Username: name,
        Password: password,
        SecretHash: hash,
        UserAttributes: [{ Name: "email", Value: `${name}@example.com` }],
      }),
    );
    await h.cognito.send(
      new ConfirmSignUpCommand({
        ClientId: s.clientId,
        Username: name,
        SecretHash: hash,
        ConfirmationCode: latestCode(name, "SIGN_UP"),
      }),
    );
    const error = await errorOf(forgot(s.clientId, name));
    expect(error).toEqual({
      name: "NotAuthorizedException",
      message: `Client ${s.clientId} is configured for secret but secret was not received`,
      status: 400,
    });
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: s.clientId, Username: name, SecretHash: hash }));
    const withoutHash = await errorOf(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD")));
    expect(withoutHash.name).toBe("NotAuthorizedException");
    await h.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: s.clientId,
        Username: name,
        SecretHash: hash,
        ConfirmationCode: latestCode(name, "FORGOT_PASSWORD"),
        Password: newPassword,
      }),
    );
  });
});

describe("ConfirmForgotPassword", () => {
  it("checks the password policy before the code, so a refused password spends nothing", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    const code = latestCode(name, "FORGOT_PASSWORD");
    // More refusals than the wrong-code limit: none of them counts as a try.
    for (let i = 0; i < 6; i++) {
      const error = await errorOf(confirmForgot(s.clientId, name, code, "weakpass"));
      expect(error).toEqual({
        name: "InvalidPasswordException",
        message: "Password did not conform with policy: Password must have uppercase characters",
        status: 400,
      });
    }
    await expect(confirmForgot(s.clientId, name, code)).resolves.toBeDefined();
  });

  it("refuses a wrong code with CodeMismatchException and keeps the old password", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    const error = await errorOf(confirmForgot(s.clientId, name, wrongCode(latestCode(name, "FORGOT_PASSWORD"))));
    expect(error).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
    await expect(signIn(s.clientId, name, password)).resolves.toHaveProperty("AuthenticationResult");
  });

  it("accepts a code just under an hour old", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    h.clock.advance(hour - 60_000);
    await expect(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD"))).resolves.toBeDefined();
  });

  it("refuses a code older than an hour with ExpiredCodeException", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    h.clock.advance(hour + 1000);
    const error = await errorOf(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD")));
    expect(error).toEqual({
      name: "ExpiredCodeException",
      message: "Invalid code provided, please request a code again.",
      status: 400,
    });
    await expect(signIn(s.clientId, name, password)).resolves.toHaveProperty("AuthenticationResult");
  });

  it("after five wrong codes refuses even the right one with LimitExceededException", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    const code = latestCode(name, "FORGOT_PASSWORD");
    for (let i = 0; i < 5; i++) {
      expect((await errorOf(confirmForgot(s.clientId, name, wrongCode(code)))).name).toBe("CodeMismatchException");
    }
    const error = await errorOf(confirmForgot(s.clientId, name, code));
    expect(error).toEqual({
      name: "LimitExceededException",
      message: "Attempt limit exceeded, please try after some time.",
      status: 400,
    });
    // A new code starts a new count.
    await forgot(s.clientId, name);
    await expect(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD"))).resolves.toBeDefined();
  });

  it("answers ExpiredCodeException when no code was asked for, and for a code already used", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    const never = await errorOf(confirmForgot(s.clientId, name, "123456"));
    expect(never).toMatchObject({ name: "ExpiredCodeException" });
    await forgot(s.clientId, name);
    const code = latestCode(name, "FORGOT_PASSWORD");
    await confirmForgot(s.clientId, name, code);
    const reused = await errorOf(confirmForgot(s.clientId, name, code, "An0ther-passw0rd"));
    expect(reused).toMatchObject({ name: "ExpiredCodeException" });
  });

  it("does not take a sign-up code for a password reset", async () => {
    const s = await setup();
    const name = fresh();
    await h.cognito.send(
      new SignUpCommand({
        ClientId: s.clientId,
        Username: name,
        Password: password,
        UserAttributes: [{ Name: "email", Value: `${name}@example.com` }],
      }),
    );
    const error = await errorOf(confirmForgot(s.clientId, name, latestCode(name, "SIGN_UP")));
    expect(error.name).toBe("ExpiredCodeException");
  });

  it("confirms a user whose password an administrator reset (RESET_REQUIRED)", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: s.poolId, Username: name }));
    expect(await statusOf(s.poolId, name)).toBe("RESET_REQUIRED");
    expect((await errorOf(signIn(s.clientId, name, password))).name).toBe("PasswordResetRequiredException");
    await confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD"));
    expect(await statusOf(s.poolId, name)).toBe("CONFIRMED");
    await expect(signIn(s.clientId, name, newPassword)).resolves.toHaveProperty("AuthenticationResult");
  });

  it("answers an unknown user with UserNotFoundException when existence errors are not prevented", async () => {
    const s = await setup();
    const error = await errorOf(confirmForgot(s.clientId, fresh("ghost"), "123456"));
    expect(error).toEqual({
      name: "UserNotFoundException",
      message: "Username/client id combination not found.",
      status: 400,
    });
  });

  it("answers an unknown or disabled user as a wrong code when PreventUserExistenceErrors is ENABLED", async () => {
    const s = await setup({ AutoVerifiedAttributes: ["email"] }, { PreventUserExistenceErrors: "ENABLED" });
    const unknown = await errorOf(confirmForgot(s.clientId, fresh("ghost"), "123456"));
    expect(unknown).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: s.poolId, Username: name }));
    const disabled = await errorOf(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD")));
    expect(disabled.name).toBe("CodeMismatchException");
  });

  it("refuses a disabled user with 'User is disabled.' when existence errors are not prevented", async () => {
    const s = await setup();
    const name = await confirmedUser(s);
    await forgot(s.clientId, name);
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: s.poolId, Username: name }));
    const error = await errorOf(confirmForgot(s.clientId, name, latestCode(name, "FORGOT_PASSWORD")));
    expect(error).toEqual({ name: "NotAuthorizedException", message: "User is disabled.", status: 400 });
  });

  it("refuses a request without the new password with a validation error", async () => {
    const s = await setup();
    const error = await errorOf(
      h.cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: s.clientId,
          Username: "someone",
          ConfirmationCode: "123456",
        } as unknown as ConstructorParameters<typeof ConfirmForgotPasswordCommand>[0]),
      ),
    );
    expect(error).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(error.message).toMatch(
      /^1 validation error detected: .*'password' failed to satisfy constraint: Member must not be null$/,
    );
  });
});
