/**
 * The legacy SMS MFA switch through the AWS SDK: SetUserSettings and AdminSetUserSettings turn
 * SMS MFA on and off, GetUser / AdminGetUser show it as MFAOptions (and not in
 * UserMFASettingList), sign-ins are challenged by SMS; each exception that applies.
 */
import {
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserSettingsCommand,
  GetUserCommand,
  SetUserSettingsCommand,
  type MFAOptionType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acrossRestart, createConfirmedUser, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";
import { mfaPool, passwordSignIn, type Target } from "./mfa-harness.ts";

const password = "Passw0rd!";
const smsOn: MFAOptionType[] = [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }];
const smsPool = {
  SmsMfaConfiguration: {
    SmsAuthenticationMessage: "Code {####}",
    SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sms", ExternalId: "gatehouse" },
  },
};

let h: Harness;
let target: Target;
let serial = 0;
beforeAll(async () => {
  h = await startHarness();
  target = await mfaPool(h, smsPool);
});
afterAll(async () => h.stop());

async function newUser(attributes: Record<string, string> = { phone_number: "+15555550100" }): Promise<string> {
  serial += 1;
  const name = `settings${serial}`;
  await createConfirmedUser(h, target, name, password, attributes);
  return name;
}

const adminSet = (Username: string, MFAOptions: MFAOptionType[], on: Harness = h, UserPoolId = target.poolId) =>
  on.cognito.send(new AdminSetUserSettingsCommand({ UserPoolId, Username, MFAOptions }));
const adminGet = (Username: string) => h.cognito.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username }));

describe("AdminSetUserSettings", () => {
  it("turns SMS MFA on: MFAOptions shows it, UserMFASettingList does not, and a sign-in gets SMS_MFA", async () => {
    const username = await newUser();
    await adminSet(username, smsOn);
    // aws/aws-sdk-java-v2#4869: after the legacy call AdminGetUser answers MFAOptions=[{SMS,
    // phone_number}] with no UserMFASettingList or PreferredMfaSetting.
    const user = await adminGet(username);
    expect(user.MFAOptions).toEqual(smsOn);
    expect(user.UserMFASettingList).toBeUndefined();
    expect(user.PreferredMfaSetting).toBeUndefined();
    const challenge = await passwordSignIn(h, target, username, password);
    expect(challenge.ChallengeName).toBe("SMS_MFA");
    expect(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM).toBe("SMS");
  });

  it("turns SMS MFA off with an empty list, also where SetUserMFAPreference turned it on", async () => {
    const username = await newUser();
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: target.poolId,
        Username: username,
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    // aws-amplify/amplify-js#1259: SMS turned on by preference shows in MFAOptions too.
    expect((await adminGet(username)).MFAOptions).toEqual(smsOn);
    await adminSet(username, []);
    const user = await adminGet(username);
    expect(user.MFAOptions).toBeUndefined();
    expect(user.UserMFASettingList).toBeUndefined();
    expect(user.PreferredMfaSetting).toBeUndefined();
    expect((await passwordSignIn(h, target, username, password)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("is turned off by SetUserMFAPreference turning SMS off", async () => {
    const username = await newUser();
    await adminSet(username, smsOn);
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: target.poolId,
        Username: username,
        SMSMfaSettings: { Enabled: false },
      }),
    );
    expect((await adminGet(username)).MFAOptions).toBeUndefined();
  });

  it("refuses EMAIL and any attribute but phone_number", async () => {
    const username = await newUser();
    // MFAOptionType: "You can use this parameter to set only the SMS delivery medium value";
    // AttributeName: "The only valid value is phone_number."
    expect(await errorOf(adminSet(username, [{ DeliveryMedium: "EMAIL", AttributeName: "email" }]))).toMatchObject({
      name: "InvalidParameterException",
      message: "MFAOptions can set only the SMS delivery medium.",
      status: 400,
    });
    expect(await errorOf(adminSet(username, [{ DeliveryMedium: "SMS", AttributeName: "email" }]))).toMatchObject({
      name: "InvalidParameterException",
      message: "MFAOptions can name only the phone_number attribute.",
    });
    expect((await adminGet(username)).MFAOptions).toBeUndefined();
  });

  it("refuses SMS for a user without a phone number", async () => {
    const username = await newUser({});
    // As AdminSetUserMFAPreference answers (aws/aws-sdk-js-v3#4645).
    expect(await errorOf(adminSet(username, smsOn))).toMatchObject({
      name: "InvalidParameterException",
      message: "User does not have delivery config set to turn on SMS_MFA",
    });
  });

  it("answers UserNotFoundException, ResourceNotFoundException and a missing MFAOptions", async () => {
    expect(await errorOf(adminSet("nobody-here", smsOn))).toMatchObject({
      name: "UserNotFoundException",
      message: "User does not exist.",
    });
    expect(await errorOf(adminSet("x", smsOn, h, "us-east-1_missing"))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    const missing = await rawCall(
      h.emulator.url,
      "AdminSetUserSettings",
      JSON.stringify({ UserPoolId: target.poolId, Username: "x" }),
    );
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      __type: "InvalidParameterException",
      message:
        "1 validation error detected: Value null at 'mFAOptions' failed to satisfy constraint: Member must not be null",
    });
  });
});

describe("SetUserSettings", () => {
  it("lets a signed-in user turn SMS MFA on and off, as GetUser shows", async () => {
    const username = await newUser();
    const { AccessToken } = (await passwordSignIn(h, target, username, password)).AuthenticationResult!;
    await h.cognito.send(new SetUserSettingsCommand({ AccessToken, MFAOptions: smsOn }));
    const on = await h.cognito.send(new GetUserCommand({ AccessToken }));
    expect(on.MFAOptions).toEqual(smsOn);
    expect(on.UserMFASettingList).toBeUndefined();
    await h.cognito.send(new SetUserSettingsCommand({ AccessToken, MFAOptions: [] }));
    expect((await h.cognito.send(new GetUserCommand({ AccessToken }))).MFAOptions).toBeUndefined();
  });

  it("refuses an access token that is not one", async () => {
    expect(
      await errorOf(h.cognito.send(new SetUserSettingsCommand({ AccessToken: "not.a.token", MFAOptions: smsOn }))),
    ).toMatchObject({ name: "NotAuthorizedException", message: "Invalid Access Token" });
  });
});

it("keeps the setting across a restart with a data file", async () => {
  await acrossRestart(
    async (first) => {
      const kept = await mfaPool(first, smsPool);
      await createConfirmedUser(first, kept, "keeper", password, { phone_number: "+15555550100" });
      await adminSet("keeper", smsOn, first, kept.poolId);
      return kept.poolId;
    },
    async (second, pool) => {
      const user = await second.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: "keeper" }));
      expect(user.MFAOptions).toEqual(smsOn);
    },
  );
});
