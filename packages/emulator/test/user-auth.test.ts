/**
 * Choice-based sign-in (AuthFlow USER_AUTH) through the AWS SDK against a running emulator:
 * SELECT_CHALLENGE and its AvailableChallenges, PREFERRED_CHALLENGE, passwords sent plainly or
 * through SRP, and passwordless EMAIL_OTP / SMS_OTP codes from the outbox.
 */
import {
  AdminInitiateAuthCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  type ChallengeNameType,
} from "@aws-sdk/client-cognito-identity-provider";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createConfirmedUser, errorOf, startHarness, type Harness } from "./harness.ts";
import type { Target } from "./mfa-harness.ts";

const password = "Passw0rd!";
let h: Harness;
let target: Target;

beforeAll(async () => {
  h = await startHarness();
  target = await choicePool(["PASSWORD", "EMAIL_OTP", "SMS_OTP"]);
});
afterAll(async () => h.stop());

/** A pool whose SignInPolicy allows `factors` first, with a client that allows USER_AUTH. */
async function choicePool(factors: ("PASSWORD" | "EMAIL_OTP" | "SMS_OTP")[] | null): Promise<Target> {
  const { UserPool } = await h.cognito.send(
    new CreateUserPoolCommand({
      PoolName: "choice",
      ...(factors ? { Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } } } : {}),
    }),
  );
  const poolId = UserPool!.Id!;
  const clientId = (
    await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] })
  ).ClientId!;
  return { poolId, clientId };
}

/** A confirmed user whose email (and phone, if given) an administrator marked verified. */
async function verifiedUser(where: Target, username: string, attributes: Record<string, string>) {
  await createConfirmedUser(h, where, username, password, attributes);
  const flags = Object.keys(attributes).map((name) => ({ Name: `${name}_verified`, Value: "true" }));
  await h.cognito.send(
    new AdminUpdateUserAttributesCommand({ UserPoolId: where.poolId, Username: username, UserAttributes: flags }),
  );
}

const userAuth = (where: Target, parameters: Record<string, string>) =>
  h.cognito.send(
    new InitiateAuthCommand({ ClientId: where.clientId, AuthFlow: "USER_AUTH", AuthParameters: parameters }),
  );

const respond = (
  where: Target,
  ChallengeName: ChallengeNameType,
  Session: string | undefined,
  responses: Record<string, string>,
) =>
  h.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: where.clientId,
      ChallengeName,
      Session,
      ChallengeResponses: responses,
    }),
  );

describe("SELECT_CHALLENGE", () => {
  it("lists the methods the pool allows and the user can use, and PASSWORD signs in", async () => {
    await verifiedUser(target, "choice-alice", { email: "alice@example.com" });
    const select = await userAuth(target, { USERNAME: "choice-alice" });
    expect(select.ChallengeName).toBe("SELECT_CHALLENGE");
    // No phone number: SMS_OTP is not offered even though the pool allows it.
    expect(select.AvailableChallenges).toEqual(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
    expect(select.Session).toBeTruthy();
    const done = await respond(target, "SELECT_CHALLENGE", select.Session, {
      USERNAME: "choice-alice",
      ANSWER: "PASSWORD",
      PASSWORD: password,
    });
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("takes PASSWORD answered directly, refuses a wrong one, and is spent by the answer", async () => {
    await verifiedUser(target, "choice-bob", { email: "bob@example.com" });
    const select = await userAuth(target, { USERNAME: "choice-bob" });
    expect(
      await errorOf(respond(target, "PASSWORD", select.Session, { USERNAME: "choice-bob", PASSWORD: "Wr0ng-pass!" })),
    ).toEqual({ name: "NotAuthorizedException", message: "Incorrect username or password.", status: 400 });
    expect(
      (await errorOf(respond(target, "PASSWORD", select.Session, { USERNAME: "choice-bob", PASSWORD: password })))
        .message,
    ).toBe("Invalid session for the user, session can only be used once.");
    const again = await userAuth(target, { USERNAME: "choice-bob" });
    const done = await respond(target, "PASSWORD", again.Session, { USERNAME: "choice-bob", PASSWORD: password });
    expect(done.AuthenticationResult?.IdToken).toBeTruthy();
  });

  it("goes on to SRP's PASSWORD_VERIFIER for PASSWORD_SRP", async () => {
    await verifiedUser(target, "choice-carol", { email: "carol@example.com" });
    const select = await userAuth(target, { USERNAME: "choice-carol" });
    const require = createRequire(import.meta.url);
    const { AuthenticationHelper } = require("amazon-cognito-identity-js") as {
      AuthenticationHelper: new (pool: string) => {
        getLargeAValue(callback: (error: unknown, value: { toString(radix: number): string }) => void): void;
      };
    };
    const helper = new AuthenticationHelper(target.poolId.split("_")[1]!);
    const A = await new Promise<string>((resolve, reject) => {
      helper.getLargeAValue((error, value) => (error ? reject(new Error("A")) : resolve(value.toString(16))));
    });
    const verifier = await respond(target, "SELECT_CHALLENGE", select.Session, {
      USERNAME: "choice-carol",
      ANSWER: "PASSWORD_SRP",
      SRP_A: A,
    });
    expect(verifier.ChallengeName).toBe("PASSWORD_VERIFIER");
    expect(verifier.ChallengeParameters).toMatchObject({ USER_ID_FOR_SRP: "choice-carol" });
  });

  it("refuses a method that is not offered, or an answer without what the method needs", async () => {
    await verifiedUser(target, "choice-dave", { email: "dave@example.com" });
    const select = await userAuth(target, { USERNAME: "choice-dave" });
    expect(
      await errorOf(
        respond(target, "SELECT_CHALLENGE", select.Session, { USERNAME: "choice-dave", ANSWER: "SMS_OTP" }),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect(
      await errorOf(
        respond(target, "SELECT_CHALLENGE", select.Session, { USERNAME: "choice-dave", ANSWER: "PASSWORD" }),
      ),
    ).toEqual({ name: "InvalidParameterException", message: "Missing required parameter PASSWORD", status: 400 });
    // Refusals before the Session is spent leave it open.
    const done = await respond(target, "SELECT_CHALLENGE", select.Session, {
      USERNAME: "choice-dave",
      ANSWER: "PASSWORD",
      PASSWORD: password,
    });
    expect(done.AuthenticationResult).toBeDefined();
  });

  it("offers only PASSWORD and PASSWORD_SRP when the pool sets no sign-in policy", async () => {
    const plain = await choicePool(null);
    await verifiedUser(plain, "choice-erin", { email: "erin@example.com" });
    expect((await userAuth(plain, { USERNAME: "choice-erin" })).AvailableChallenges).toEqual([
      "PASSWORD",
      "PASSWORD_SRP",
    ]);
  });
});

describe("PREFERRED_CHALLENGE and passwordless codes", () => {
  it("signs in with the password at once when PASSWORD is preferred", async () => {
    await verifiedUser(target, "pref-alice", { email: "alice@example.com" });
    const done = await userAuth(target, {
      USERNAME: "pref-alice",
      PREFERRED_CHALLENGE: "PASSWORD",
      PASSWORD: password,
    });
    expect(done.ChallengeName).toBeUndefined();
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("emails a code for EMAIL_OTP, and the code alone signs the user in", async () => {
    await verifiedUser(target, "otp-bob", { email: "bob@example.com" });
    const challenge = await userAuth(target, { USERNAME: "otp-bob", PREFERRED_CHALLENGE: "EMAIL_OTP" });
    expect(challenge).toMatchObject({
      ChallengeName: "EMAIL_OTP",
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "EMAIL", CODE_DELIVERY_DESTINATION: "b***@e***" },
    });
    const sent = h.emulator.outbox.latest("otp-bob", "AUTHENTICATION")!;
    expect(sent).toMatchObject({ destination: "bob@example.com", medium: "EMAIL" });
    const wrong = sent.code === "000000" ? "111111" : "000000";
    expect(
      await errorOf(respond(target, "EMAIL_OTP", challenge.Session, { USERNAME: "otp-bob", EMAIL_OTP_CODE: wrong })),
    ).toEqual({ name: "CodeMismatchException", message: "Invalid code or auth state for the user.", status: 400 });
    const done = await respond(target, "EMAIL_OTP", challenge.Session, {
      USERNAME: "otp-bob",
      EMAIL_OTP_CODE: sent.code,
    });
    expect(done.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it("texts a code for SMS_OTP chosen in SELECT_CHALLENGE, through AdminInitiateAuth", async () => {
    await verifiedUser(target, "otp-carol", { email: "carol@example.com", phone_number: "+15555550199" });
    const select = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: target.poolId,
        ClientId: target.clientId,
        AuthFlow: "USER_AUTH",
        AuthParameters: { USERNAME: "otp-carol" },
      }),
    );
    expect(select.AvailableChallenges).toEqual(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]);
    const challenge = await respond(target, "SELECT_CHALLENGE", select.Session, {
      USERNAME: "otp-carol",
      ANSWER: "SMS_OTP",
    });
    expect(challenge.ChallengeName).toBe("SMS_OTP");
    const sent = h.emulator.outbox.latest("otp-carol", "AUTHENTICATION")!;
    expect(sent).toMatchObject({ destination: "+15555550199", medium: "SMS" });
    const done = await respond(target, "SMS_OTP", challenge.Session, {
      USERNAME: "otp-carol",
      SMS_OTP_CODE: sent.code,
    });
    expect(done.AuthenticationResult).toBeDefined();
  });

  it("offers no code to an unverified email, nor where the pool requires MFA", async () => {
    await createConfirmedUser(h, target, "otp-dave", password, { email: "dave@example.com" });
    const unverified = await userAuth(target, { USERNAME: "otp-dave", PREFERRED_CHALLENGE: "EMAIL_OTP" });
    expect(unverified.ChallengeName).toBe("SELECT_CHALLENGE");
    expect(unverified.AvailableChallenges).toEqual(["PASSWORD", "PASSWORD_SRP"]);
    const strict = await choicePool(["PASSWORD", "EMAIL_OTP"]);
    await h.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: strict.poolId,
        MfaConfiguration: "ON",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    await verifiedUser(strict, "otp-erin", { email: "erin@example.com" });
    expect((await userAuth(strict, { USERNAME: "otp-erin" })).AvailableChallenges).toEqual([
      "PASSWORD",
      "PASSWORD_SRP",
    ]);
    // A password sign-in there still has to set up a second factor.
    const password1 = await userAuth(strict, {
      USERNAME: "otp-erin",
      PREFERRED_CHALLENGE: "PASSWORD",
      PASSWORD: password,
    });
    expect(password1.ChallengeName).toBe("MFA_SETUP");
  });

  it("refuses USER_AUTH for a client that does not allow it, and an unknown user", async () => {
    const other = await createClient(h, target.poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
    expect(
      await errorOf(userAuth({ poolId: target.poolId, clientId: other.ClientId! }, { USERNAME: "choice-alice" })),
    ).toEqual({
      name: "InvalidParameterException",
      message: "USER_AUTH flow not enabled for this client",
      status: 400,
    });
    expect(await errorOf(userAuth(target, { USERNAME: "nobody-here" }))).toEqual({
      name: "UserNotFoundException",
      message: "User does not exist.",
      status: 400,
    });
    expect(await errorOf(userAuth(target, {}))).toMatchObject({
      name: "InvalidParameterException",
      message: "Missing required parameter USERNAME",
    });
  });
});
