/**
 * Issue 15's hand check, through the AWS SDK: a pool keeps every member CreateUserPool takes,
 * MFA required or optional needs a way to send codes, the pool id's region is the signing
 * region, Boolean attributes are read without regard to case, and an unconfirmed user is told
 * so whatever the password.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const snsRole = "arn:aws:iam::123456789012:role/cognito-sms";

describe("CreateUserPool keeps every member it takes", () => {
  it("returns and describes VerificationMessageTemplate, SmsConfiguration, EmailConfiguration, DeviceConfiguration and UserPoolAddOns", async () => {
    const given = {
      VerificationMessageTemplate: {
        DefaultEmailOption: "CONFIRM_WITH_LINK",
        EmailMessageByLink: "Click {##here##}",
        EmailSubjectByLink: "Confirm",
        SmsMessage: "Code {####}",
      },
      SmsConfiguration: { SnsCallerArn: snsRole, ExternalId: "ext-1", SnsRegion: "us-east-1" },
      EmailConfiguration: { EmailSendingAccount: "DEVELOPER", From: "Gatehouse <no-reply@example.com>" },
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false },
      UserPoolAddOns: { AdvancedSecurityMode: "AUDIT" },
    } as const;
    const pool = await createPool(h, given);
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    for (const described of [pool, UserPool]) {
      expect(described).toMatchObject(given);
      expect(described?.SmsVerificationMessage).toBe("Code {####}");
    }
  });

  it("fills the older verification members from the template, and the template from them (as AWS keeps them in step)", async () => {
    const fromTemplate = await createPool(h, {
      VerificationMessageTemplate: {
        EmailMessage: "foo {####} bar",
        EmailSubject: "Subject",
        SmsMessage: "{####} baz",
      },
    });
    expect(fromTemplate).toMatchObject({
      EmailVerificationMessage: "foo {####} bar",
      EmailVerificationSubject: "Subject",
      SmsVerificationMessage: "{####} baz",
    });
    const fromOlder = await createPool(h, { EmailVerificationMessage: "Your code {####}" });
    expect(fromOlder.VerificationMessageTemplate).toEqual({
      EmailMessage: "Your code {####}",
      DefaultEmailOption: "CONFIRM_WITH_CODE",
    });
  });

  it("UpdateUserPool replaces them too", async () => {
    const pool = await createPool(h, { DeviceConfiguration: { ChallengeRequiredOnNewDevice: true } });
    await h.cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.Id,
        UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
        EmailConfiguration: { ReplyToEmailAddress: "help@example.com" },
      }),
    );
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.UserPoolAddOns).toEqual({ AdvancedSecurityMode: "ENFORCED" });
    expect(UserPool?.EmailConfiguration).toEqual({
      EmailSendingAccount: "COGNITO_DEFAULT",
      ReplyToEmailAddress: "help@example.com",
    });
    expect(UserPool?.DeviceConfiguration).toBeUndefined();
  });

  it("refuses members outside their constraints with AWS's validation message", async () => {
    expect(await errorOf(createPool(h, { SmsConfiguration: { SnsCallerArn: "not-an-arn" } }))).toMatchObject({
      name: "InvalidParameterException",
      status: 400,
      message: expect.stringMatching(/^2 validation errors detected: .*smsConfiguration\.snsCallerArn/),
    });
    expect(await errorOf(createPool(h, { UserPoolAddOns: { AdvancedSecurityMode: "LOUD" as "AUDIT" } }))).toMatchObject(
      { name: "InvalidParameterException", status: 400 },
    );
  });
});

describe("CreateUserPool with MFA required or optional", () => {
  it("needs an SmsConfiguration, with AWS's message (aws/aws-cdk#12075)", async () => {
    for (const MfaConfiguration of ["ON", "OPTIONAL"] as const) {
      expect(await errorOf(createPool(h, { MfaConfiguration }))).toEqual({
        name: "InvalidParameterException",
        message: "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
        status: 400,
      });
    }
  });

  it("is made with one", async () => {
    const pool = await createPool(h, { MfaConfiguration: "ON", SmsConfiguration: { SnsCallerArn: snsRole } });
    expect(pool).toMatchObject({ MfaConfiguration: "ON", SmsConfiguration: { SnsCallerArn: snsRole } });
  });
});

describe("the pool id's region", () => {
  it("is the region CreateUserPool was signed for, in the id, the ARN and the issuer", async () => {
    const inTokyo = new CognitoIdentityProviderClient({
      endpoint: h.emulator.url,
      region: "ap-northeast-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const { UserPool } = await inTokyo.send(new CreateUserPoolCommand({ PoolName: "tokyo" }));
    inTokyo.destroy();
    expect(UserPool?.Id).toMatch(/^ap-northeast-1_[0-9A-Za-z]{9}$/);
    expect(UserPool?.Arn).toBe(`arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/${UserPool?.Id}`);
  });

  it("is the emulator's --region when the call is not signed", async () => {
    const { json } = await rawCall(h.emulator.url, "CreateUserPool", JSON.stringify({ PoolName: "unsigned" }));
    expect((json.UserPool as { Id: string }).Id).toMatch(/^us-east-1_/);
  });
});

describe("Boolean attributes", () => {
  const createWithFlag = (poolId: string, Username: string, Value: string) =>
    h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username,
        UserAttributes: [
          { Name: "email", Value: `${Username}@example.com` },
          { Name: "email_verified", Value },
        ],
        MessageAction: "SUPPRESS",
      }),
    );

  it("accept email_verified in any letter case, as AWS does, and keep it as true", async () => {
    const pool = await createPool(h);
    await createWithFlag(pool.Id!, "mixed-case", "True");
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: "mixed-case" }));
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
  });

  it("still refuse what is neither true nor false", async () => {
    const pool = await createPool(h);
    expect(await errorOf(createWithFlag(pool.Id!, "yes-user", "yes"))).toEqual({
      name: "InvalidParameterException",
      message: "Attributes did not conform to the schema: email_verified: Value must be 'true' or 'false'\n",
      status: 400,
    });
  });
});

describe("an unconfirmed user signing in", () => {
  it("is told UserNotConfirmedException with a wrong password as with the right one (amazon-cognito-identity-js#288, aws-sdk-js#4608)", async () => {
    const pool = await createPool(h);
    const client = await createClient(h, pool.Id!, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
    await h.cognito.send(
      new SignUpCommand({ ClientId: client.ClientId, Username: "pending", Password: "Right-passw0rd" }),
    );
    for (const PASSWORD of ["Right-passw0rd", "Wrong-passw0rd"]) {
      const refused = await errorOf(
        h.cognito.send(
          new InitiateAuthCommand({
            ClientId: client.ClientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "pending", PASSWORD },
          }),
        ),
      );
      expect(refused).toEqual({ name: "UserNotConfirmedException", message: "User is not confirmed.", status: 400 });
    }
  });
});
