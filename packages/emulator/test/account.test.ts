/**
 * A signed-in user's own account, through the AWS SDK with an access token: GetUser,
 * UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
 * DeleteUserAttributes, ChangePassword, DeleteUser.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html
 */
import {
  AdminConfirmSignUpCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  ConfirmSignUpCommand,
  DeleteUserAttributesCommand,
  DeleteUserCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type AttributeType,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const password = "Passw0rd!";
const hour = 3600_000;
let counter = 0;
const fresh = (base = "user"): string => `${base}${++counter}`;

interface Setup {
  readonly poolId: string;
  readonly clientId: string;
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
  return { poolId: pool.Id!, clientId: client.ClientId! };
}

const signIn = async (clientId: string, USERNAME: string, PASSWORD = password): Promise<string> => {
  const auth = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME, PASSWORD },
    }),
  );
  const token = auth.AuthenticationResult?.AccessToken;
  if (!token) throw new Error("no access token");
  return token;
};

const latestCode = (username: string, kind: "SIGN_UP" | "VERIFY_ATTRIBUTE"): string => {
  const message = h.emulator.outbox.latest(username, kind);
  if (!message) throw new Error(`no ${kind} message for ${username}`);
  return message.code;
};

/**
 * A confirmed user, signed in. Where the pool auto-verifies email the user confirms with the
 * emailed code (email verified); otherwise an administrator confirms them (email unverified).
 */
async function signedIn(s: Setup, attributes?: AttributeType[]): Promise<{ name: string; token: string }> {
  const name = fresh();
  const result = await h.cognito.send(
    new SignUpCommand({
      ClientId: s.clientId,
      Username: name,
      Password: password,
      UserAttributes: attributes ?? [{ Name: "email", Value: `${name}@example.com` }],
    }),
  );
  if (result.CodeDeliveryDetails) {
    await h.cognito.send(
      new ConfirmSignUpCommand({ ClientId: s.clientId, Username: name, ConfirmationCode: latestCode(name, "SIGN_UP") }),
    );
  } else {
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: s.poolId, Username: name }));
  }
  return { name, token: await signIn(s.clientId, name) };
}

const getUser = (AccessToken: string) => h.cognito.send(new GetUserCommand({ AccessToken }));

const attributesOf = async (AccessToken: string): Promise<Record<string, string>> =>
  Object.fromEntries(((await getUser(AccessToken)).UserAttributes ?? []).map((a) => [a.Name!, a.Value!]));

const update = (AccessToken: string, UserAttributes: AttributeType[]) =>
  h.cognito.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes }));

const verify = (AccessToken: string, AttributeName: string, Code: string) =>
  h.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName, Code }));

const wrongCode = (code: string): string => (code === "000000" ? "111111" : "000000");

describe("GetUser", () => {
  it("returns the signed-in user's username and attributes", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    const result = await getUser(token);
    expect(result.Username).toBe(name);
    const attributes = Object.fromEntries(result.UserAttributes!.map((a) => [a.Name, a.Value]));
    expect(attributes).toEqual({
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      email: `${name}@example.com`,
      email_verified: "true",
    });
    expect(result.PreferredMfaSetting).toBeUndefined();
    expect(result.UserMFASettingList).toBeUndefined();
  });

  it("returns only what the app client may read, and always the sub", async () => {
    const s = await setup({ AutoVerifiedAttributes: ["email"] }, { ReadAttributes: ["given_name"] });
    const { token } = await signedIn(s, [
      { Name: "email", Value: `${fresh()}@example.com` },
      { Name: "given_name", Value: "Ada" },
    ]);
    const attributes = await attributesOf(token);
    expect(Object.keys(attributes).sort()).toEqual(["given_name", "sub"]);
  });

  it("refuses a token that is not one of the pool's access tokens", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, username: "admin" })).toString("base64url"),
      signature,
    ].join(".");
    for (const bad of ["not.a.token", tampered]) {
      expect(await errorOf(getUser(bad))).toEqual({
        name: "NotAuthorizedException",
        message: "Invalid Access Token",
        status: 400,
      });
    }
  });

  it("refuses an ID token in place of the access token", async () => {
    const s = await setup();
    const { name } = await signedIn(s);
    const auth = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: s.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: name, PASSWORD: password },
      }),
    );
    const error = await errorOf(getUser(auth.AuthenticationResult!.IdToken!));
    expect(error).toMatchObject({ name: "NotAuthorizedException", message: "Invalid Access Token" });
  });

  it("accepts an access token for its hour and refuses it after with 'Access Token has expired'", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    h.clock.advance(hour - 60_000);
    await expect(getUser(token)).resolves.toHaveProperty("Username");
    h.clock.advance(61_000);
    expect(await errorOf(getUser(token))).toEqual({
      name: "NotAuthorizedException",
      message: "Access Token has expired",
      status: 400,
    });
  });

  it("refuses a token after GlobalSignOut with 'Access Token has been revoked'", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    await h.cognito.send(new GlobalSignOutCommand({ AccessToken: token }));
    expect(await errorOf(getUser(token))).toEqual({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
      status: 400,
    });
  });

  it("refuses the token of a user an administrator disabled", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: s.poolId, Username: name }));
    expect((await errorOf(getUser(token))).name).toBe("NotAuthorizedException");
  });
});

describe("every token operation", () => {
  const operations: [string, (token: string) => Promise<unknown>][] = [
    ["GetUser", (t) => getUser(t)],
    ["UpdateUserAttributes", (t) => update(t, [{ Name: "given_name", Value: "Zed" }])],
    [
      "GetUserAttributeVerificationCode",
      (t) => h.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: t, AttributeName: "email" })),
    ],
    ["VerifyUserAttribute", (t) => verify(t, "email", "123456")],
    [
      "DeleteUserAttributes",
      (t) => h.cognito.send(new DeleteUserAttributesCommand({ AccessToken: t, UserAttributeNames: ["given_name"] })),
    ],
    [
      "ChangePassword",
      (t) =>
        h.cognito.send(
          new ChangePasswordCommand({ AccessToken: t, PreviousPassword: password, ProposedPassword: "Other-passw0rd" }),
        ),
    ],
    ["DeleteUser", (t) => h.cognito.send(new DeleteUserCommand({ AccessToken: t }))],
  ];

  it.each(operations)("%s refuses an invalid, an expired and a revoked access token", async (_name, call) => {
    const s = await setup();
    const { name } = await signedIn(s);
    expect(await errorOf(call("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Access Token",
    });
    const expiring = await signIn(s.clientId, name);
    h.clock.advance(hour + 1000);
    expect(await errorOf(call(expiring))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has expired",
    });
    const revoked = await signIn(s.clientId, name);
    await h.cognito.send(new GlobalSignOutCommand({ AccessToken: revoked }));
    expect(await errorOf(call(revoked))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
    // Nothing was changed by the refused calls.
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: name }));
    expect(user.UserAttributes?.find((a) => a.Name === "given_name")).toBeUndefined();
    await expect(signIn(s.clientId, name)).resolves.toBeTruthy();
  });
});

describe("UpdateUserAttributes", () => {
  it("sets attributes the client may write, without sending anything", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    const result = await update(token, [
      { Name: "given_name", Value: "Ada" },
      { Name: "family_name", Value: "Lovelace" },
    ]);
    expect(result.CodeDeliveryDetailsList).toBeUndefined();
    expect(await attributesOf(token)).toMatchObject({
      given_name: "Ada",
      family_name: "Lovelace",
      email_verified: "true",
    });
  });

  it("makes a changed email unverified and, where email is auto-verified, sends a code to the new address", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    const result = await update(token, [{ Name: "email", Value: `new-${name}@example.org` }]);
    expect(result.CodeDeliveryDetailsList).toEqual([
      { Destination: "n***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" },
    ]);
    expect(await attributesOf(token)).toMatchObject({ email: `new-${name}@example.org`, email_verified: "false" });
    expect(h.emulator.outbox.latest(name, "VERIFY_ATTRIBUTE")).toMatchObject({
      destination: `new-${name}@example.org`,
      medium: "EMAIL",
    });
    await verify(token, "email", latestCode(name, "VERIFY_ATTRIBUTE"));
    expect(await attributesOf(token)).toMatchObject({ email_verified: "true" });
  });

  it("makes a changed email unverified but sends nothing where email is not auto-verified", async () => {
    const s = await setup({});
    const { name, token } = await signedIn(s);
    const result = await update(token, [{ Name: "email", Value: `other-${name}@example.com` }]);
    expect(result.CodeDeliveryDetailsList).toBeUndefined();
    expect(await attributesOf(token)).toMatchObject({ email_verified: "false" });
    expect(h.emulator.outbox.latest(name, "VERIFY_ATTRIBUTE")).toBeUndefined();
  });

  it("keeps the email verified when the same address is written again", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    const result = await update(token, [{ Name: "email", Value: `${name}@example.com` }]);
    expect(result.CodeDeliveryDetailsList).toBeUndefined();
    expect(await attributesOf(token)).toMatchObject({ email_verified: "true" });
  });

  it("will not let a code sent for the old address verify the new one", async () => {
    const s = await setup({});
    const { name, token } = await signedIn(s);
    await h.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "email" }));
    const oldCode = latestCode(name, "VERIFY_ATTRIBUTE");
    await update(token, [{ Name: "email", Value: `attacker-${name}@example.net` }]);
    expect((await errorOf(verify(token, "email", oldCode))).name).toBe("ExpiredCodeException");
    expect(await attributesOf(token)).toMatchObject({ email_verified: "false" });
  });

  it("refuses an attribute outside the client's WriteAttributes and writes one inside", async () => {
    const s = await setup({ AutoVerifiedAttributes: ["email"] }, { WriteAttributes: ["email", "given_name"] });
    const { token } = await signedIn(s);
    expect(await errorOf(update(token, [{ Name: "family_name", Value: "Hopper" }]))).toEqual({
      name: "NotAuthorizedException",
      message: "A client attempted to write unauthorized attribute",
      status: 400,
    });
    await update(token, [{ Name: "given_name", Value: "Grace" }]);
    expect(await attributesOf(token)).toMatchObject({ given_name: "Grace" });
    expect(await attributesOf(token)).not.toHaveProperty("family_name");
  });

  it("will not let a user mark their own email verified", async () => {
    const s = await setup({});
    const { token } = await signedIn(s);
    const error = await errorOf(update(token, [{ Name: "email_verified", Value: "true" }]));
    expect(error).toMatchObject({ name: "NotAuthorizedException" });
    expect(await attributesOf(token)).not.toHaveProperty("email_verified");
  });

  it("refuses to change an immutable attribute", async () => {
    const s = await setup({
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "tenant", AttributeDataType: "String", Mutable: false }],
    });
    const name = fresh();
    const { token } = await signedIn(s, [
      { Name: "email", Value: `${name}@example.com` },
      { Name: "custom:tenant", Value: "acme" },
    ]);
    expect(await errorOf(update(token, [{ Name: "custom:tenant", Value: "evil" }]))).toEqual({
      name: "InvalidParameterException",
      message: "Cannot modify an already provided non-mutable attribute custom:tenant",
      status: 400,
    });
    expect(await attributesOf(token)).toMatchObject({ "custom:tenant": "acme" });
  });

  it("removes an optional attribute given a blank value", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    await update(token, [{ Name: "nickname", Value: "ace" }]);
    await update(token, [{ Name: "nickname", Value: "" }]);
    expect(await attributesOf(token)).not.toHaveProperty("nickname");
  });

  it("refuses, in a pool that signs in by email, an email another user signs in with", async () => {
    const s = await setup({ UsernameAttributes: ["email"], AutoVerifiedAttributes: ["email"] });
    const taken = `${fresh("taken")}@example.com`;
    await h.cognito.send(new SignUpCommand({ ClientId: s.clientId, Username: taken, Password: password }));
    const mine = `${fresh("mine")}@example.com`;
    const signUp = await h.cognito.send(
      new SignUpCommand({ ClientId: s.clientId, Username: mine, Password: password }),
    );
    await h.cognito.send(
      new ConfirmSignUpCommand({
        ClientId: s.clientId,
        Username: mine,
        ConfirmationCode: latestCode(signUp.UserSub!, "SIGN_UP"),
      }),
    );
    const token = await signIn(s.clientId, mine);
    expect(await errorOf(update(token, [{ Name: "email", Value: taken.toUpperCase() }]))).toEqual({
      name: "AliasExistsException",
      message: "An account with the given email already exists.",
      status: 400,
    });
    expect(await attributesOf(token)).toMatchObject({ email: mine, email_verified: "true" });
  });
});

describe("GetUserAttributeVerificationCode and VerifyUserAttribute", () => {
  it("send a code to the email and, with it, mark the email verified", async () => {
    const s = await setup({});
    const { name, token } = await signedIn(s);
    expect(await attributesOf(token)).not.toHaveProperty("email_verified");
    const result = await h.cognito.send(
      new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "email" }),
    );
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: `${name.charAt(0)}***@e***`,
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    await expect(verify(token, "email", latestCode(name, "VERIFY_ATTRIBUTE"))).resolves.toBeDefined();
    expect(await attributesOf(token)).toMatchObject({ email_verified: "true" });
  });

  it("send a phone number's code by SMS", async () => {
    const s = await setup({});
    const { token } = await signedIn(s, [{ Name: "phone_number", Value: "+15555550199" }]);
    const result = await h.cognito.send(
      new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "phone_number" }),
    );
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: "+*******0199",
      DeliveryMedium: "SMS",
      AttributeName: "phone_number",
    });
  });

  it("refuse to verify anything but email and phone_number", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    const expected = {
      name: "InvalidParameterException",
      message: "Invalid attribute name. Only phone_number and email can be verified.",
      status: 400,
    };
    expect(
      await errorOf(
        h.cognito.send(
          new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "given_name" }),
        ),
      ),
    ).toEqual(expected);
    expect(await errorOf(verify(token, "given_name", "123456"))).toEqual(expected);
  });

  it("refuse an attribute the user has no value for", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    expect(
      await errorOf(
        h.cognito.send(
          new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "phone_number" }),
        ),
      ),
    ).toEqual({
      name: "InvalidParameterException",
      message: "User does not have a valid registered phone number",
      status: 400,
    });
    expect(await errorOf(verify(token, "phone_number", "123456"))).toEqual({
      name: "InvalidParameterException",
      message: "Unable to verify attribute: phone_number no value set to verify",
      status: 400,
    });
  });

  it("refuse a wrong code, then after five refuse even the right one", async () => {
    const s = await setup({});
    const { name, token } = await signedIn(s);
    await h.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "email" }));
    const code = latestCode(name, "VERIFY_ATTRIBUTE");
    expect(await errorOf(verify(token, "email", wrongCode(code)))).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
    for (let i = 0; i < 4; i++) await errorOf(verify(token, "email", wrongCode(code)));
    expect(await errorOf(verify(token, "email", code))).toEqual({
      name: "LimitExceededException",
      message: "Attempt limit exceeded, please try after some time.",
      status: 400,
    });
    expect(await attributesOf(token)).not.toHaveProperty("email_verified");
  });

  it("take a code once, and not after 24 hours", async () => {
    const s = await setup({});
    const { name, token } = await signedIn(s);
    const send = () =>
      h.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: "email" }));
    await send();
    const code = latestCode(name, "VERIFY_ATTRIBUTE");
    await verify(token, "email", code);
    expect(await errorOf(verify(token, "email", code))).toEqual({
      name: "ExpiredCodeException",
      message: "Invalid code provided, please request a code again.",
      status: 400,
    });
    // An already verified, unchanged email may be verified again, with a new code.
    await send();
    h.clock.advance(24 * hour + 1000);
    const later = await signIn(s.clientId, name);
    expect((await errorOf(verify(later, "email", latestCode(name, "VERIFY_ATTRIBUTE")))).name).toBe(
      "ExpiredCodeException",
    );
  });

  it("refuse, with AliasExistsException, an email another user has verified as their alias", async () => {
    const s = await setup({ AliasAttributes: ["email"], AutoVerifiedAttributes: ["email"] });
    const first = await signedIn(s);
    const second = await signedIn(s);
    await update(second.token, [{ Name: "email", Value: `${first.name}@example.com` }]);
    const error = await errorOf(verify(second.token, "email", latestCode(second.name, "VERIFY_ATTRIBUTE")));
    expect(error).toEqual({
      name: "AliasExistsException",
      message: "An account with the given email already exists.",
      status: 400,
    });
    expect(await attributesOf(second.token)).toMatchObject({ email_verified: "false" });
    expect(await attributesOf(first.token)).toMatchObject({ email_verified: "true" });
  });
});

describe("DeleteUserAttributes", () => {
  it("removes attributes, an email together with its verified flag", async () => {
    const s = await setup();
    const { token } = await signedIn(s);
    await update(token, [{ Name: "given_name", Value: "Ada" }]);
    await h.cognito.send(
      new DeleteUserAttributesCommand({ AccessToken: token, UserAttributeNames: ["given_name", "email"] }),
    );
    const attributes = await attributesOf(token);
    expect(Object.keys(attributes)).toEqual(["sub"]);
  });

  it("refuses to remove what the client may not write", async () => {
    const s = await setup({ AutoVerifiedAttributes: ["email"] }, { WriteAttributes: ["email", "given_name"] });
    const { name, token } = await signedIn(s);
    await h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: s.poolId,
        Username: name,
        UserAttributes: [{ Name: "family_name", Value: "Hopper" }],
      }),
    );
    const error = await errorOf(
      h.cognito.send(new DeleteUserAttributesCommand({ AccessToken: token, UserAttributeNames: ["family_name"] })),
    );
    expect(error).toEqual({
      name: "NotAuthorizedException",
      message: "A client attempted to write unauthorized attribute",
      status: 400,
    });
    expect(await attributesOf(token)).toHaveProperty("family_name", "Hopper");
  });

  it("refuses to remove an immutable attribute", async () => {
    const s = await setup({
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "tenant", AttributeDataType: "String", Mutable: false }],
    });
    const { token } = await signedIn(s, [
      { Name: "email", Value: `${fresh()}@example.com` },
      { Name: "custom:tenant", Value: "acme" },
    ]);
    const error = await errorOf(
      h.cognito.send(new DeleteUserAttributesCommand({ AccessToken: token, UserAttributeNames: ["custom:tenant"] })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Cannot modify an already provided non-mutable attribute custom:tenant",
    });
  });

  it("refuses to remove a required attribute", async () => {
    const s = await setup({
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "email", AttributeDataType: "String", Required: true, Mutable: true }],
    });
    const { token } = await signedIn(s);
    const error = await errorOf(
      h.cognito.send(new DeleteUserAttributesCommand({ AccessToken: token, UserAttributeNames: ["email"] })),
    );
    expect(error).toEqual({
      name: "InvalidParameterException",
      message: "Attributes did not conform to the schema: email: The attribute is required\n",
      status: 400,
    });
  });
});

describe("ChangePassword", () => {
  const change = (AccessToken: string, PreviousPassword: string | undefined, ProposedPassword: string) =>
    h.cognito.send(new ChangePasswordCommand({ AccessToken, PreviousPassword, ProposedPassword }));

  it("changes the password, and the session that asked stays signed in", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    await change(token, password, "N3w-passw0rd");
    await expect(signIn(s.clientId, name, "N3w-passw0rd")).resolves.toBeTruthy();
    expect(await errorOf(signIn(s.clientId, name, password))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    await expect(getUser(token)).resolves.toHaveProperty("Username", name);
  });

  it("refuses a wrong or missing previous password with 'Incorrect username or password.'", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    for (const previous of ["Wr0ng-passw0rd", undefined]) {
      expect(await errorOf(change(token, previous, "N3w-passw0rd"))).toEqual({
        name: "NotAuthorizedException",
        message: "Incorrect username or password.",
        status: 400,
      });
    }
    await expect(signIn(s.clientId, name, password)).resolves.toBeTruthy();
  });

  it("holds the new password to the pool's policy", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    expect(await errorOf(change(token, password, "short"))).toEqual({
      name: "InvalidPasswordException",
      message: "Password did not conform with policy: Password not long enough",
      status: 400,
    });
    await expect(signIn(s.clientId, name, password)).resolves.toBeTruthy();
  });
});

describe("DeleteUser", () => {
  it("deletes the signed-in user, whose name can then be taken again", async () => {
    const s = await setup();
    const { name, token } = await signedIn(s);
    await h.cognito.send(new DeleteUserCommand({ AccessToken: token }));
    expect(await errorOf(signIn(s.clientId, name))).toEqual({
      name: "UserNotFoundException",
      message: "User does not exist.",
      status: 400,
    });
    expect((await errorOf(getUser(token))).name).toBe("NotAuthorizedException");
    await expect(
      h.cognito.send(
        new SignUpCommand({
          ClientId: s.clientId,
          Username: name,
          Password: password,
          UserAttributes: [{ Name: "email", Value: `${name}@example.com` }],
        }),
      ),
    ).resolves.toHaveProperty("UserConfirmed", false);
  });

  it("deletes only the token's own user", async () => {
    const s = await setup();
    const mine = await signedIn(s);
    const other = await signedIn(s);
    await h.cognito.send(new DeleteUserCommand({ AccessToken: mine.token }));
    await expect(getUser(other.token)).resolves.toHaveProperty("Username", other.name);
  });
});
