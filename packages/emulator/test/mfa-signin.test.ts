/**
 * Sign-ins with a second factor, through the AWS SDK and amazon-cognito-identity-js against a
 * running emulator: the SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_MFA, SELECT_MFA_TYPE and MFA_SETUP
 * challenges after USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, SRP's PASSWORD_VERIFIER and
 * NEW_PASSWORD_REQUIRED, and the answers AWS refuses (wrong, replayed or late codes, spent or
 * expired Sessions). Settings are in mfa-settings.test.ts.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type ChallengeNameType,
  type CreateUserPoolClientCommandInput,
  type SetUserPoolMfaConfigCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCodeAt } from "../src/totp.ts";
import { createClient, createConfirmedUser, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";
import { mfaClientFlows as allFlows, mfaPool as sharedMfaPool, passwordSignIn, type Target } from "./mfa-harness.ts";

const password = "Passw0rd!";
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const mfaPool = (
  config: Partial<SetUserPoolMfaConfigCommandInput> = {},
  client: Partial<CreateUserPoolClientCommandInput> = {},
) => sharedMfaPool(h, config, client);

const signIn = (target: Target, username: string, secret = password) => passwordSignIn(h, target, username, secret);

const respond = (
  target: Target,
  ChallengeName: ChallengeNameType,
  Session: string | undefined,
  ChallengeResponses: Record<string, string>,
) =>
  h.cognito.send(
    new RespondToAuthChallengeCommand({ ClientId: target.clientId, ChallengeName, Session, ChallengeResponses }),
  );

/** The SOFTWARE_TOKEN_MFA answer of `username` with `value` as the code. */
const answerTotp = (target: Target, session: string | undefined, username: string, value: string) =>
  respond(target, "SOFTWARE_TOKEN_MFA", session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: value });

/** A user with a verified authenticator, turned on (and preferred); returns its secret. */
async function totpUser(target: Target, username: string, attributes: Record<string, string> = {}): Promise<string> {
  await createConfirmedUser(h, target, username, password, attributes);
  const first = await signIn(target, username);
  const token = first.AuthenticationResult!.AccessToken!;
  const { SecretCode } = await h.cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
  await h.cognito.send(
    new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totpCodeAt(SecretCode!, h.clock.now()) }),
  );
  await h.cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: token,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  // The verifying code is spent; the sign-ins of a test start from the next time step.
  h.clock.advance(30_000);
  return SecretCode!;
}

const code = (secret: string) => totpCodeAt(secret, h.clock.now());
const otherThan = (right: string) => (right === "000000" ? "111111" : "000000");

function claimsOf(token: string | undefined): Record<string, unknown> {
  const payload = token?.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The code the emulator last "sent" to `username` for a sign-in. */
function sentCode(username: string) {
  const message = h.emulator.outbox.latest(username, "AUTHENTICATION");
  if (!message) throw new Error(`no sign-in code for ${username}`);
  return message;
}

describe("SOFTWARE_TOKEN_MFA", () => {
  it("follows the password for a user with an authenticator, and the code signs them in", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-alice");
    const challenge = await signIn(target, "totp-alice");
    expect(challenge.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
    expect(challenge.ChallengeParameters).toEqual({});
    expect(challenge.AuthenticationResult).toBeUndefined();
    expect(challenge.Session!.length).toBeGreaterThanOrEqual(20);
    const done = await answerTotp(target, challenge.Session, "totp-alice", code(secret));
    expect(done.ChallengeName).toBeUndefined();
    expect(done.AuthenticationResult).toMatchObject({ TokenType: "Bearer", ExpiresIn: 3600 });
    expect(done.AuthenticationResult!.RefreshToken).toBeTruthy();
    // The tokens are those of any sign-in. Cognito adds `acr` and `amr` (e.g. ["pwd", "otp",
    // "mfa"]) only "in response to" a requested authentication level — acr_values, or
    // TARGET_ACR_VALUES in USER_AUTH (developer guide, "Authentication levels with ACR and AMR
    // claims"); a plain sign-in asks for none.
    const id = claimsOf(done.AuthenticationResult!.IdToken);
    const access = claimsOf(done.AuthenticationResult!.AccessToken);
    expect(id).toMatchObject({ "cognito:username": "totp-alice", token_use: "id" });
    expect(access).toMatchObject({
      username: "totp-alice",
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
    });
    for (const claims of [id, access]) {
      expect(claims).not.toHaveProperty("amr");
      expect(claims).not.toHaveProperty("acr");
    }
    // auth_time is when the sign-in completed, i.e. when the second factor was proven.
    expect(id.auth_time).toBe(Math.floor(h.clock.now() / 1000));
  });

  it("takes a code one step early or late, but not a code used once already", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-bob");
    const first = await signIn(target, "totp-bob");
    const used = code(secret);
    await answerTotp(target, first.Session, "totp-bob", used);
    const second = await signIn(target, "totp-bob");
    // AWS: ExpiredCodeException "Your software token has already been used once." (the answer
    // aws-amplify/amplify-swift's TOTP sign-in integration tests sleep 30 s to avoid).
    expect(await errorOf(answerTotp(target, second.Session, "totp-bob", used))).toEqual({
      name: "ExpiredCodeException",
      message: "Your software token has already been used once.",
      status: 400,
    });
    // 30 s later the previous step's code is still within the drift allowed, but spent; the
    // step after it is not.
    const early = totpCodeAt(secret, h.clock.now() + 30_000);
    h.clock.advance(30_000);
    const late = totpCodeAt(secret, h.clock.now() - 30_000);
    expect(late).toBe(used);
    const done = await answerTotp(target, second.Session, "totp-bob", early);
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("refuses a wrong code and takes the right one on the same Session, which is then spent", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-carol");
    const challenge = await signIn(target, "totp-carol");
    const right = code(secret);
    expect(await errorOf(answerTotp(target, challenge.Session, "totp-carol", otherThan(right)))).toMatchObject({
      name: "CodeMismatchException",
      message: "Invalid code or auth state for the user.",
    });
    await answerTotp(target, challenge.Session, "totp-carol", right);
    h.clock.advance(30_000);
    // Reported against AWS: aws-amplify/amplify-js#13123.
    expect(await errorOf(answerTotp(target, challenge.Session, "totp-carol", code(secret)))).toEqual({
      name: "NotAuthorizedException",
      message: "Invalid session for the user, session can only be used once.",
      status: 400,
    });
  });

  it("expires with the client's AuthSessionValidity: 3 minutes by default, or as set", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-dave");
    const challenge = await signIn(target, "totp-dave");
    h.clock.advance(3 * 60_000);
    expect(await errorOf(answerTotp(target, challenge.Session, "totp-dave", code(secret)))).toEqual({
      name: "NotAuthorizedException",
      message: "Invalid session for the user, session is expired.",
      status: 400,
    });
    const patient = {
      poolId: target.poolId,
      clientId: (await createClient(h, target.poolId, { ExplicitAuthFlows: allFlows, AuthSessionValidity: 10 }))
        .ClientId!,
    };
    const slow = await signIn(patient, "totp-dave");
    h.clock.advance(9 * 60_000);
    const done = await answerTotp(patient, slow.Session, "totp-dave", code(secret));
    expect(done.AuthenticationResult?.IdToken).toBeTruthy();
  });

  it("counts wrong codes toward the lockout, after which even the right code is refused", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-erin");
    const challenge = await signIn(target, "totp-erin");
    const right = code(secret);
    const answer = (value: string) => answerTotp(target, challenge.Session, "totp-erin", value);
    for (let i = 0; i < 5; i++) expect((await errorOf(answer(otherThan(right)))).name).toBe("CodeMismatchException");
    expect(await errorOf(answer(right))).toEqual({
      name: "NotAuthorizedException",
      message: "Password attempts exceeded",
      status: 400,
    });
    // The lockout covers the password too, until it runs out (1 s after the fifth failure).
    expect(await errorOf(signIn(target, "totp-erin"))).toMatchObject({ message: "Password attempts exceeded" });
    h.clock.advance(1_000);
    expect(await answer(right)).toHaveProperty("AuthenticationResult");
  });

  it("refuses answers that name another challenge, miss the code or send the wrong types", async () => {
    const target = await mfaPool();
    await totpUser(target, "totp-frank");
    const challenge = await signIn(target, "totp-frank");
    expect(
      await errorOf(respond(target, "SMS_MFA", challenge.Session, { USERNAME: "totp-frank", SMS_MFA_CODE: "123456" })),
    ).toEqual({ name: "NotAuthorizedException", message: "Invalid session for the user.", status: 400 });
    expect(await errorOf(respond(target, "SOFTWARE_TOKEN_MFA", challenge.Session, { USERNAME: "totp-frank" }))).toEqual(
      {
        name: "InvalidParameterException",
        message: "Missing required parameter SOFTWARE_TOKEN_MFA_CODE",
        status: 400,
      },
    );
    expect(await errorOf(answerTotp(target, challenge.Session, "someone-else", "123456"))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    const wrongType = await rawCall(
      h.emulator.url,
      "RespondToAuthChallenge",
      JSON.stringify({
        ClientId: target.clientId,
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: "totp-frank", SOFTWARE_TOKEN_MFA_CODE: 123456 },
      }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.__type).toBe("SerializationException");
  });

  it("is not asked for once the pool turns MFA off", async () => {
    const target = await mfaPool();
    await totpUser(target, "totp-gina");
    await h.cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: target.poolId, MfaConfiguration: "OFF" }));
    expect((await signIn(target, "totp-gina")).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("is answered through amazon-cognito-identity-js after SRP (its totpRequired callback)", async () => {
    const target = await mfaPool();
    const secret = await totpUser(target, "totp-hana");
    const pool = new CognitoUserPool({
      UserPoolId: target.poolId,
      ClientId: target.clientId,
      endpoint: `${h.emulator.url}/`,
    });
    const user = new CognitoUser({ Username: "totp-hana", Pool: pool });
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      const callbacks = {
        onSuccess: resolve,
        onFailure: reject,
        totpRequired: () => user.sendMFACode(code(secret), callbacks, "SOFTWARE_TOKEN_MFA"),
      };
      user.authenticateUser(new AuthenticationDetails({ Username: "totp-hana", Password: password }), callbacks);
    });
    expect(session.isValid()).toBe(true);
    expect(session.getIdToken().payload["cognito:username"]).toBe("totp-hana");
  });
});

describe("EMAIL_OTP and SMS_MFA", () => {
  const emailMfa = { EmailMfaConfiguration: { Message: "Your code is {####}", Subject: "Sign-in code" } };
  const sms = {
    SmsMfaConfiguration: {
      SmsAuthenticationMessage: "Code {####}",
      SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sms", ExternalId: "gatehouse" },
    },
  };

  it("emails a code to a user with email MFA on, to the outbox, and the code signs them in", async () => {
    const target = await mfaPool(emailMfa);
    await createConfirmedUser(h, target, "email-alice", password, { email: "alice@example.com" });
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: target.poolId,
        Username: "email-alice",
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenge = await signIn(target, "email-alice");
    expect(challenge.ChallengeName).toBe("EMAIL_OTP");
    expect(challenge.ChallengeParameters).toEqual({
      CODE_DELIVERY_DELIVERY_MEDIUM: "EMAIL",
      CODE_DELIVERY_DESTINATION: "a***@e***",
    });
    const sent = sentCode("email-alice");
    expect(sent).toMatchObject({ destination: "alice@example.com", medium: "EMAIL", kind: "AUTHENTICATION" });
    expect(sent.code).toMatch(/^[0-9]{6}$/);
    expect(
      await errorOf(
        respond(target, "EMAIL_OTP", challenge.Session, {
          USERNAME: "email-alice",
          EMAIL_OTP_CODE: otherThan(sent.code),
        }),
      ),
    ).toMatchObject({ name: "CodeMismatchException" });
    const done = await respond(target, "EMAIL_OTP", challenge.Session, {
      USERNAME: "email-alice",
      EMAIL_OTP_CODE: sent.code,
    });
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("texts a code through the admin API, and receiving it verifies the phone number", async () => {
    const target = await mfaPool(sms);
    await createConfirmedUser(h, target, "sms-bob", password, { phone_number: "+15555550123" });
    const admin = { UserPoolId: target.poolId, Username: "sms-bob" };
    await h.cognito.send(new AdminSetUserMFAPreferenceCommand({ ...admin, SMSMfaSettings: { Enabled: true } }));
    const challenge = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: target.poolId,
        ClientId: target.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "sms-bob", PASSWORD: password },
      }),
    );
    expect(challenge).toMatchObject({
      ChallengeName: "SMS_MFA",
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "SMS", CODE_DELIVERY_DESTINATION: "+*******0123" },
    });
    const sent = sentCode("sms-bob");
    expect(sent).toMatchObject({ destination: "+15555550123", medium: "SMS" });
    const done = await h.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: target.poolId,
        ClientId: target.clientId,
        ChallengeName: "SMS_MFA",
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: "sms-bob", SMS_MFA_CODE: sent.code },
      }),
    );
    expect(claimsOf(done.AuthenticationResult!.IdToken).phone_number_verified).toBe(true);
    const user = await h.cognito.send(new AdminGetUserCommand(admin));
    expect(user.UserAttributes).toContainEqual({ Name: "phone_number_verified", Value: "true" });
  });

  it("sends a code when MFA is required even if the user turned no factor on", async () => {
    const target = await mfaPool({ MfaConfiguration: "ON", ...emailMfa });
    await createConfirmedUser(h, target, "email-carol", password, { email: "carol@example.com" });
    const challenge = await signIn(target, "email-carol");
    expect(challenge.ChallengeName).toBe("EMAIL_OTP");
    const done = await respond(target, "EMAIL_OTP", challenge.Session, {
      USERNAME: "email-carol",
      EMAIL_OTP_CODE: sentCode("email-carol").code,
    });
    expect(done.AuthenticationResult).toBeDefined();
  });

  it("is skipped when MFA is optional and the user turned no factor on", async () => {
    const target = await mfaPool(emailMfa);
    await createConfirmedUser(h, target, "email-dave", password, { email: "dave@example.com" });
    expect((await signIn(target, "email-dave")).AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

describe("SELECT_MFA_TYPE", () => {
  it("lets a user with two factors and no preference choose, then asks for that factor", async () => {
    const target = await mfaPool({ EmailMfaConfiguration: { Message: "Code {####}" } });
    const secret = await totpUser(target, "select-alice", { email: "alice@example.com" });
    const admin = { UserPoolId: target.poolId, Username: "select-alice" };
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        ...admin,
        EmailMfaSettings: { Enabled: true },
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    const select = await signIn(target, "select-alice");
    expect(select.ChallengeName).toBe("SELECT_MFA_TYPE");
    expect(JSON.parse(select.ChallengeParameters!.MFAS_CAN_CHOOSE!)).toEqual(["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]);
    expect(
      await errorOf(
        respond(target, "SELECT_MFA_TYPE", select.Session, { USERNAME: "select-alice", ANSWER: "SMS_MFA" }),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    const totp = await respond(target, "SELECT_MFA_TYPE", select.Session, {
      USERNAME: "select-alice",
      ANSWER: "SOFTWARE_TOKEN_MFA",
    });
    expect(totp.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
    expect(totp.Session).not.toBe(select.Session);
    expect(
      (
        await errorOf(
          respond(target, "SELECT_MFA_TYPE", select.Session, { USERNAME: "select-alice", ANSWER: "EMAIL_OTP" }),
        )
      ).message,
    ).toBe("Invalid session for the user, session can only be used once.");
    const done = await answerTotp(target, totp.Session, "select-alice", code(secret));
    expect(done.AuthenticationResult).toBeDefined();
    // Choosing email instead sends its code; the API reference's example calls it EMAIL_MFA.
    const again = await signIn(target, "select-alice");
    const email = await respond(target, "SELECT_MFA_TYPE", again.Session, {
      USERNAME: "select-alice",
      ANSWER: "EMAIL_MFA",
    });
    expect(email.ChallengeName).toBe("EMAIL_OTP");
    expect(sentCode("select-alice").destination).toBe("alice@example.com");
  });

  it("is skipped for the preferred factor", async () => {
    const target = await mfaPool({ EmailMfaConfiguration: { Message: "Code {####}" } });
    await totpUser(target, "select-bob", { email: "bob@example.com" });
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: target.poolId,
        Username: "select-bob",
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    expect((await signIn(target, "select-bob")).ChallengeName).toBe("EMAIL_OTP");
  });
});

describe("MFA_SETUP", () => {
  it("makes a user of a pool that requires MFA set up an authenticator before the tokens", async () => {
    const target = await mfaPool({ MfaConfiguration: "ON" });
    await createConfirmedUser(h, target, "setup-alice", password);
    const setup = await signIn(target, "setup-alice");
    expect(setup.ChallengeName).toBe("MFA_SETUP");
    expect(JSON.parse(setup.ChallengeParameters!.MFAS_CAN_SETUP!)).toEqual(["SOFTWARE_TOKEN_MFA"]);
    // MFA_SETUP itself is not answerable before an authenticator is verified.
    expect(await errorOf(respond(target, "MFA_SETUP", setup.Session, { USERNAME: "setup-alice" }))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user.",
    });
    const associated = await h.cognito.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
    expect(associated.SecretCode).toMatch(/^[A-Z2-7]{32}$/);
    expect(associated.Session).toBeTruthy();
    // Each step spends the Session it was given.
    expect(await errorOf(h.cognito.send(new AssociateSoftwareTokenCommand({ Session: setup.Session })))).toMatchObject({
      message: "Invalid session for the user, session can only be used once.",
    });
    const wrong = otherThan(code(associated.SecretCode!));
    expect(
      await errorOf(h.cognito.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: wrong }))),
    ).toMatchObject({ name: "EnableSoftwareTokenMFAException" });
    const verified = await h.cognito.send(
      new VerifySoftwareTokenCommand({
        Session: associated.Session,
        UserCode: code(associated.SecretCode!),
        FriendlyDeviceName: "phone",
      }),
    );
    expect(verified.Status).toBe("SUCCESS");
    expect(verified.Session).toBeTruthy();
    const done = await respond(target, "MFA_SETUP", verified.Session, { USERNAME: "setup-alice" });
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username: "setup-alice" }));
    expect(user).toMatchObject({
      UserMFASettingList: ["SOFTWARE_TOKEN_MFA"],
      PreferredMfaSetting: "SOFTWARE_TOKEN_MFA",
    });
    h.clock.advance(30_000);
    const next = await signIn(target, "setup-alice");
    expect(next.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
    await answerTotp(target, next.Session, "setup-alice", code(associated.SecretCode!));
  });

  it("follows a new password for a user an administrator created", async () => {
    const target = await mfaPool({ MfaConfiguration: "ON" });
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: target.poolId,
        Username: "setup-bob",
        TemporaryPassword: "Temp0rary!",
        MessageAction: "SUPPRESS",
      }),
    );
    const first = await signIn(target, "setup-bob", "Temp0rary!");
    expect(first.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const next = await respond(target, "NEW_PASSWORD_REQUIRED", first.Session, {
      USERNAME: "setup-bob",
      NEW_PASSWORD: password,
    });
    expect(next.ChallengeName).toBe("MFA_SETUP");
    expect(next.AuthenticationResult).toBeUndefined();
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username: "setup-bob" }));
    expect(user.UserStatus).toBe("CONFIRMED");
  });

  it("is completed through amazon-cognito-identity-js (its mfaSetup callback) after SRP", async () => {
    const target = await mfaPool({ MfaConfiguration: "ON" });
    await createConfirmedUser(h, target, "setup-carol", password);
    const pool = new CognitoUserPool({
      UserPoolId: target.poolId,
      ClientId: target.clientId,
      endpoint: `${h.emulator.url}/`,
    });
    const user = new CognitoUser({ Username: "setup-carol", Pool: pool });
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: "setup-carol", Password: password }), {
        onSuccess: resolve,
        onFailure: reject,
        mfaSetup: () =>
          user.associateSoftwareToken({
            associateSecretCode: (secret: string) =>
              user.verifySoftwareToken(code(secret), "phone", { onSuccess: resolve, onFailure: reject }),
            onFailure: reject,
          }),
      });
    });
    expect(session.isValid()).toBe(true);
  });

  it("lists the pool's factors, and is refused for an unknown Session", async () => {
    const target = await mfaPool({ MfaConfiguration: "ON", EmailMfaConfiguration: { Message: "Code {####}" } });
    await createConfirmedUser(h, target, "setup-dave", password);
    const setup = await signIn(target, "setup-dave");
    expect(JSON.parse(setup.ChallengeParameters!.MFAS_CAN_SETUP!)).toEqual(["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]);
    expect(
      await errorOf(h.cognito.send(new VerifySoftwareTokenCommand({ Session: "x".repeat(64), UserCode: "123456" }))),
    ).toEqual({ name: "NotAuthorizedException", message: "Invalid session for the user.", status: 400 });
  });
});
