/**
 * Self-service registration through the AWS SDK: SignUp, ConfirmSignUp, ResendConfirmationCode.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html
 */
import {
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type AttributeType,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, rawCall, secretHash, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const password = "Passw0rd!";
const hour = 3600_000;
let counter = 0;
/** A username no other test uses. */
const fresh = (base = "user"): string => `${base}${++counter}`;

async function setup(
  poolInput: Partial<CreateUserPoolCommandInput> = { AutoVerifiedAttributes: ["email"] },
  clientInput: Partial<CreateUserPoolClientCommandInput> = {},
) {
  const pool = await createPool(h, poolInput);
  const client = await createClient(h, pool.Id!, {
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ...clientInput,
  });
  return { poolId: pool.Id!, clientId: client.ClientId!, clientSecret: client.ClientSecret };
}

const signUp = (clientId: string, Username: string, attributes: AttributeType[] = [], Password = password) =>
  h.cognito.send(new SignUpCommand({ ClientId: clientId, Username, Password, UserAttributes: attributes }));

const emailOf = (name: string): AttributeType[] => [{ Name: "email", Value: `${name}@example.com` }];

const codeFor = (username: string, kind: "SIGN_UP" | "RESEND_CODE" | undefined = undefined): string => {
  const message = h.emulator.outbox.latest(username, kind);
  if (!message) throw new Error(`no message for ${username}`);
  return message.code;
};

const confirm = (clientId: string, Username: string, ConfirmationCode: string) =>
  h.cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username, ConfirmationCode }));

const signIn = (clientId: string, USERNAME: string, PASSWORD = password) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME, PASSWORD },
    }),
  );

/** The claims of a JWT, unverified (the token came straight from the emulator). */
const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

/** A code that is not the one in the outbox. */
const wrongCode = (code: string): string => (code === "000000" ? "111111" : "000000");

describe("SignUp", () => {
  it("signs a user up unconfirmed and sends a 6-digit code to the auto-verified email", async () => {
    const { clientId } = await setup();
    const name = fresh("alice");
    const result = await signUp(clientId, name, emailOf(name));
    expect(result.UserConfirmed).toBe(false);
    expect(result.UserSub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: `${name.charAt(0)}***@e***`,
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    const message = h.emulator.outbox.latest(name, "SIGN_UP");
    expect(message).toMatchObject({ destination: `${name}@example.com`, medium: "EMAIL" });
    expect(message?.code).toMatch(/^\d{6}$/);
  });

  it("sends the code by SMS when the pool auto-verifies phone numbers", async () => {
    const { clientId } = await setup({ AutoVerifiedAttributes: ["phone_number"] });
    const name = fresh();
    const result = await signUp(clientId, name, [{ Name: "phone_number", Value: "+15555550123" }]);
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: "+*******0123",
      DeliveryMedium: "SMS",
      AttributeName: "phone_number",
    });
  });

  it("sends nothing, and says so by leaving out CodeDeliveryDetails, when the pool verifies nothing", async () => {
    const { clientId } = await setup({});
    const name = fresh();
    const result = await signUp(clientId, name, emailOf(name));
    expect(result.UserConfirmed).toBe(false);
    expect(result.CodeDeliveryDetails).toBeUndefined();
    expect(h.emulator.outbox.latest(name)).toBeUndefined();
  });

  it("refuses a username that is taken with UsernameExistsException", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    const error = await errorOf(signUp(clientId, name, emailOf(name)));
    expect(error).toEqual({ name: "UsernameExistsException", message: "User already exists", status: 400 });
  });

  it("treats usernames case-insensitively by default, so 'Bob' takes 'BOB'", async () => {
    const { clientId } = await setup();
    const name = fresh("Bob");
    await signUp(clientId, name, emailOf(name));
    const error = await errorOf(signUp(clientId, name.toUpperCase(), emailOf(name)));
    expect(error.name).toBe("UsernameExistsException");
    await confirm(clientId, name.toLowerCase(), codeFor(name));
    const auth = await signIn(clientId, name.toUpperCase());
    expect(claimsOf(auth.AuthenticationResult!.AccessToken!).username).toBe(name);
  });

  it("lets a case-sensitive pool hold 'Carol' and 'carol' as two users", async () => {
    const { clientId } = await setup({ UsernameConfiguration: { CaseSensitive: true } });
    const name = fresh("Carol");
    const first = await signUp(clientId, name);
    const second = await signUp(clientId, name.toLowerCase());
    expect(first.UserSub).not.toBe(second.UserSub);
  });

  it.each([
    ["Sh0rt!", "Password not long enough"],
    ["NOLOWERCASE1!", "Password must have lowercase characters"],
    ["nouppercase1!", "Password must have uppercase characters"],
    ["NoNumbers!!", "Password must have numeric characters"],
    ["NoSymbols11", "Password must have symbol characters"],
  ])("refuses the password %s with InvalidPasswordException: %s", async (weak, reason) => {
    const { clientId } = await setup();
    const name = fresh();
    const error = await errorOf(signUp(clientId, name, emailOf(name), weak));
    expect(error).toEqual({
      name: "InvalidPasswordException",
      message: `Password did not conform with policy: ${reason}`,
      status: 400,
    });
  });

  it("applies the pool's own policy, so a 6-character password passes where the minimum is 6", async () => {
    const { clientId } = await setup({
      Policies: { PasswordPolicy: { MinimumLength: 6, RequireSymbols: false, RequireUppercase: false } },
    });
    const result = await signUp(clientId, fresh(), [], "abc123");
    expect(result.UserConfirmed).toBe(false);
  });

  it("leaves no user behind when it refuses a sign-up, so the name can be used again", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await errorOf(signUp(clientId, name, emailOf(name), "weak"));
    await expect(signUp(clientId, name, emailOf(name))).resolves.toMatchObject({ UserConfirmed: false });
  });

  it("names every attribute the schema lacks, one line each, as AWS does", async () => {
    const { clientId } = await setup();
    const error = await errorOf(
      signUp(clientId, fresh(), [
        { Name: "phone", Value: "+15555550100" },
        { Name: "custom:favourite", Value: "tea" },
      ]),
    );
    expect(error).toEqual({
      name: "InvalidParameterException",
      message:
        "Attributes did not conform to the schema: phone: Attribute does not exist in the schema.\ncustom:favourite: Attribute does not exist in the schema.\n",
      status: 400,
    });
  });

  it("accepts a custom attribute the pool declares", async () => {
    const { clientId } = await setup({ Schema: [{ Name: "favourite", AttributeDataType: "String", Mutable: true }] });
    await expect(signUp(clientId, fresh(), [{ Name: "custom:favourite", Value: "tea" }])).resolves.toBeDefined();
  });

  it("refuses a sign-up that lacks the pool's required attributes, naming each", async () => {
    const { clientId } = await setup({
      Schema: [
        { Name: "email", AttributeDataType: "String", Required: true, Mutable: true },
        { Name: "given_name", AttributeDataType: "String", Required: true, Mutable: true },
      ],
    });
    const error = await errorOf(signUp(clientId, fresh()));
    expect(error).toEqual({
      name: "InvalidParameterException",
      message:
        "Attributes did not conform to the schema: given_name: The attribute is required\nemail: The attribute is required\n",
      status: 400,
    });
    const name = fresh();
    await expect(
      signUp(clientId, name, [...emailOf(name), { Name: "given_name", Value: "Dana" }]),
    ).resolves.toBeDefined();
  });

  it("refuses a malformed email address", async () => {
    const { clientId } = await setup();
    const error = await errorOf(signUp(clientId, fresh(), [{ Name: "email", Value: "not-an-email" }]));
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Invalid email address format." });
  });

  it("will not let a user mark their own email verified", async () => {
    const { clientId } = await setup();
    const name = fresh();
    const error = await errorOf(signUp(clientId, name, [...emailOf(name), { Name: "email_verified", Value: "true" }]));
    expect(error).toMatchObject({
      name: "NotAuthorizedException",
      message: "A client attempted to write unauthorized attribute",
    });
  });

  it("refuses an attribute outside the client's WriteAttributes, and accepts one inside", async () => {
    const { clientId } = await setup({ AutoVerifiedAttributes: ["email"] }, { WriteAttributes: ["email"] });
    const name = fresh();
    const error = await errorOf(signUp(clientId, name, [...emailOf(name), { Name: "given_name", Value: "Eve" }]));
    expect(error).toMatchObject({ name: "NotAuthorizedException" });
    await expect(signUp(clientId, name, emailOf(name))).resolves.toBeDefined();
  });

  describe("with a client secret", () => {
    it("accepts SECRET_HASH = Base64(HMAC-SHA256(secret, username + client id))", async () => {
      const { clientId, clientSecret } = await setup({ AutoVerifiedAttributes: ["email"] }, { GenerateSecret: true });
      const name = fresh();
      const result = await h.cognito.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: name,
          Password: password,
          SecretHash: secretHash(clientSecret!, name, clientId),
          UserAttributes: emailOf(name),
        }),
      );
      expect(result.UserConfirmed).toBe(false);
    });

    it("refuses a sign-up without SECRET_HASH", async () => {
      const { clientId } = await setup({}, { GenerateSecret: true });
      const error = await errorOf(signUp(clientId, fresh()));
      expect(error).toEqual({
        name: "NotAuthorizedException",
        message: `Client ${clientId} is configured for secret but secret was not received`,
        status: 400,
      });
    });

    it("refuses a SECRET_HASH computed for another username", async () => {
      const { clientId, clientSecret } = await setup({}, { GenerateSecret: true });
      const error = await errorOf(
        h.cognito.send(
          new SignUpCommand({
            ClientId: clientId,
            Username: fresh(),
            Password: password,
            SecretHash: secretHash(clientSecret!, "someone-else", clientId),
          }),
        ),
      );
      expect(error).toEqual({
        name: "NotAuthorizedException",
        message: `Unable to verify secret hash for client ${clientId}`,
        status: 400,
      });
    });
  });

  describe("in a pool that signs in with email (UsernameAttributes)", () => {
    const emailPool: Partial<CreateUserPoolCommandInput> = {
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
    };

    it("takes the email as the username, makes it the email attribute and names the user by sub", async () => {
      const { clientId } = await setup(emailPool);
      const email = `${fresh("frank")}@example.com`;
      const result = await signUp(clientId, email);
      expect(result.CodeDeliveryDetails?.AttributeName).toBe("email");
      // The username Cognito keeps is the sub; the outbox names the user by it.
      await confirm(clientId, email, codeFor(result.UserSub!));
      const auth = await signIn(clientId, email.toUpperCase());
      const id = claimsOf(auth.AuthenticationResult!.IdToken!);
      expect(id).toMatchObject({ "cognito:username": result.UserSub, email, email_verified: true });
    });

    it("refuses a username that is not an email", async () => {
      const { clientId } = await setup(emailPool);
      const error = await errorOf(signUp(clientId, fresh()));
      expect(error).toEqual({
        name: "InvalidParameterException",
        message: "Username should be an email.",
        status: 400,
      });
    });

    it("refuses a second account with the same email, whatever its case", async () => {
      const { clientId } = await setup(emailPool);
      const email = `${fresh("grace")}@example.com`;
      await signUp(clientId, email);
      const error = await errorOf(signUp(clientId, email.toUpperCase()));
      expect(error).toEqual({
        name: "UsernameExistsException",
        message: "An account with the given email already exists.",
        status: 400,
      });
    });
  });

  it("is refused in a pool where only administrators create users", async () => {
    const { clientId } = await setup({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const error = await errorOf(signUp(clientId, fresh()));
    expect(error).toMatchObject({
      name: "NotAuthorizedException",
      message: "SignUp is not permitted for this user pool",
    });
  });

  it("answers a null in UserAttributes with a validation error, not a fault", async () => {
    const { clientId } = await setup();
    const body = JSON.stringify({ ClientId: clientId, Username: fresh(), Password: password, UserAttributes: [null] });
    const response = await rawCall(h.emulator.url, "SignUp", body);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      __type: "InvalidParameterException",
      message:
        "1 validation error detected: Value null at 'userAttributes.1.member' failed to satisfy constraint: Member must not be null",
    });
  });

  it("answers ResourceNotFoundException for an unknown client", async () => {
    const error = await errorOf(signUp("a".repeat(26), fresh()));
    expect(error).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });

  it("lets exactly one of many concurrent sign-ups of one username succeed", async () => {
    const { clientId } = await setup();
    const name = fresh("race");
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => signUp(clientId, i % 2 ? name : name.toUpperCase(), emailOf(name))),
    );
    const succeeded = attempts.filter((a) => a.status === "fulfilled");
    const failed = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(succeeded).toHaveLength(1);
    expect(failed.map((f) => (f.reason as Error).name)).toEqual(Array(7).fill("UsernameExistsException"));
    expect(
      h.emulator.outbox.list({ username: name }).length +
        h.emulator.outbox.list({ username: name.toUpperCase() }).length,
    ).toBe(1);
  });
});

describe("ConfirmSignUp", () => {
  it("confirms a user with the code, who can then sign in with a verified email", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    expect((await errorOf(signIn(clientId, name))).name).toBe("UserNotConfirmedException");
    await expect(confirm(clientId, name, codeFor(name))).resolves.toBeDefined();
    const auth = await signIn(clientId, name);
    expect(claimsOf(auth.AuthenticationResult!.IdToken!)).toMatchObject({ email_verified: true });
  });

  it("refuses a wrong code with CodeMismatchException and leaves the user unconfirmed", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    const error = await errorOf(confirm(clientId, name, wrongCode(codeFor(name))));
    expect(error).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
    expect((await errorOf(signIn(clientId, name))).name).toBe("UserNotConfirmedException");
  });

  it("accepts a code just under 24 hours old", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    h.clock.advance(24 * hour - 60_000);
    await expect(confirm(clientId, name, codeFor(name))).resolves.toBeDefined();
  });

  it("refuses a code older than 24 hours with ExpiredCodeException", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    h.clock.advance(24 * hour + 1000);
    const error = await errorOf(confirm(clientId, name, codeFor(name)));
    expect(error).toEqual({
      name: "ExpiredCodeException",
      message: "Invalid code provided, please request a code again.",
      status: 400,
    });
  });

  it("after five wrong codes refuses even the right one with LimitExceededException", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    const code = codeFor(name);
    for (let i = 0; i < 5; i++) {
      expect((await errorOf(confirm(clientId, name, wrongCode(code)))).name).toBe("CodeMismatchException");
    }
    const error = await errorOf(confirm(clientId, name, code));
    expect(error).toEqual({
      name: "LimitExceededException",
      message: "Attempt limit exceeded, please try after some time.",
      status: 400,
    });
  });

  it("refuses to confirm a user twice", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    const code = codeFor(name);
    await confirm(clientId, name, code);
    const error = await errorOf(confirm(clientId, name, code));
    expect(error).toEqual({
      name: "NotAuthorizedException",
      message: "User cannot be confirmed. Current status is CONFIRMED",
      status: 400,
    });
  });

  it("answers UserNotFoundException for an unknown user when existence errors are not prevented", async () => {
    const { clientId } = await setup({}, { PreventUserExistenceErrors: "LEGACY" });
    const error = await errorOf(confirm(clientId, fresh("ghost"), "123456"));
    expect(error).toEqual({
      name: "UserNotFoundException",
      message: "Username/client id combination not found.",
      status: 400,
    });
  });

  it("answers an unknown user as a wrong code when PreventUserExistenceErrors is ENABLED", async () => {
    const { clientId } = await setup({}, { PreventUserExistenceErrors: "ENABLED" });
    const error = await errorOf(confirm(clientId, fresh("ghost"), "123456"));
    expect(error).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
  });

  it("requires SECRET_HASH for a client with a secret", async () => {
    const { clientId, clientSecret } = await setup({ AutoVerifiedAttributes: ["email"] }, { GenerateSecret: true });
    const name = fresh();
    await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: name,
        Password: password,
        SecretHash: secretHash(clientSecret!, name, clientId),
        UserAttributes: emailOf(name),
      }),
    );
    const error = await errorOf(confirm(clientId, name, codeFor(name)));
    expect(error.name).toBe("NotAuthorizedException");
    await h.cognito.send(
      new ConfirmSignUpCommand({
        ClientId: clientId,
        Username: name,
        ConfirmationCode: codeFor(name),
        SecretHash: secretHash(clientSecret!, name, clientId),
      }),
    );
    await expect(
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: {
            USERNAME: name,
            PASSWORD: password,
            SECRET_HASH: secretHash(clientSecret!, name, clientId),
          },
        }),
      ),
    ).resolves.toHaveProperty("AuthenticationResult");
  });

  describe("in a pool with email as an alias", () => {
    const aliasPool: Partial<CreateUserPoolCommandInput> = {
      AliasAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
    };

    it("refuses, with AliasExistsException, to give a second user an email another has verified", async () => {
      const { clientId } = await setup(aliasPool);
      const [first, second] = [fresh("henry"), fresh("henry")];
      const email = [{ Name: "email", Value: `${first}@example.com` }];
      await signUp(clientId, first, email);
      await confirm(clientId, first, codeFor(first));
      await signUp(clientId, second, email);
      const code = codeFor(second);
      const error = await errorOf(confirm(clientId, second, code));
      expect(error).toEqual({
        name: "AliasExistsException",
        message: "An account with the given email already exists.",
        status: 400,
      });
      // The code was not spent: the same code with ForceAliasCreation moves the alias.
      await h.cognito.send(
        new ConfirmSignUpCommand({
          ClientId: clientId,
          Username: second,
          ConfirmationCode: code,
          ForceAliasCreation: true,
        }),
      );
      const auth = await signIn(clientId, `${first}@example.com`);
      expect(claimsOf(auth.AuthenticationResult!.AccessToken!).username).toBe(second);
      const old = await signIn(clientId, first);
      expect(claimsOf(old.AuthenticationResult!.IdToken!)).toMatchObject({ email_verified: false });
    });
  });
});

describe("ResendConfirmationCode", () => {
  it("sends a new code that replaces the old one", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    const old = codeFor(name);
    const result = await h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: name }));
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: `${name.charAt(0)}***@e***`,
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    const renewed = codeFor(name, "RESEND_CODE");
    if (renewed !== old) {
      expect((await errorOf(confirm(clientId, name, old))).name).toBe("CodeMismatchException");
    }
    await expect(confirm(clientId, name, renewed)).resolves.toBeDefined();
  });

  it("gives the new code a fresh 24 hours", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    h.clock.advance(23 * hour);
    await h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: name }));
    h.clock.advance(2 * hour);
    await expect(confirm(clientId, name, codeFor(name, "RESEND_CODE"))).resolves.toBeDefined();
  });

  it("refuses a user who is already confirmed", async () => {
    const { clientId } = await setup();
    const name = fresh();
    await signUp(clientId, name, emailOf(name));
    await confirm(clientId, name, codeFor(name));
    const error = await errorOf(
      h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: name })),
    );
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "User is already confirmed." });
  });

  it("answers UserNotFoundException for an unknown user when existence errors are not prevented", async () => {
    const { clientId } = await setup();
    const error = await errorOf(
      h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: fresh("ghost") })),
    );
    expect(error).toEqual({
      name: "UserNotFoundException",
      message: "Username/client id combination not found.",
      status: 400,
    });
  });

  it("answers an unknown user with a simulated delivery, sending nothing, when PreventUserExistenceErrors is ENABLED", async () => {
    const { clientId } = await setup({ AutoVerifiedAttributes: ["email"] }, { PreventUserExistenceErrors: "ENABLED" });
    const ghost = fresh("ghost");
    const result = await h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: ghost }));
    expect(result.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: "EMAIL", AttributeName: "email" });
    expect(result.CodeDeliveryDetails?.Destination).toMatch(/^g\*\*\*@[a-z]\*\*\*$/);
    const again = await h.cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: ghost }));
    expect(again.CodeDeliveryDetails).toEqual(result.CodeDeliveryDetails);
    expect(h.emulator.outbox.latest(ghost)).toBeUndefined();
  });
});
