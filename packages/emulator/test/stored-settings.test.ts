/**
 * Settings kept and returned without being acted on, through the AWS SDK: tags, custom
 * attributes added later, UI customization, log delivery, risk configuration and threat
 * protection's sign-in events; each with the exceptions its operations declare.
 */
import {
  AddCustomAttributesCommand,
  AdminListUserAuthEventsCommand,
  AdminUpdateAuthEventFeedbackCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolCommand,
  GetLogDeliveryConfigurationCommand,
  GetUICustomizationCommand,
  ListTagsForResourceCommand,
  SetLogDeliveryConfigurationCommand,
  SetRiskConfigurationCommand,
  SetUICustomizationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAuthEventFeedbackCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createConfirmedUser, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const missingPool = "us-east-1_Nowhere00";
const logGroup = "arn:aws:logs:us-east-1:123456789012:log-group:cognito";

describe("tags", () => {
  it("tags a pool by its ARN, lists and removes tags, and DescribeUserPool shows them as UserPoolTags", async () => {
    const pool = await createPool(h, { UserPoolTags: { team: "auth" } });
    await h.cognito.send(new TagResourceCommand({ ResourceArn: pool.Arn, Tags: { env: "test", cost: "1" } }));
    await h.cognito.send(new UntagResourceCommand({ ResourceArn: pool.Arn, TagKeys: ["cost"] }));
    const { Tags } = await h.cognito.send(new ListTagsForResourceCommand({ ResourceArn: pool.Arn }));
    expect(Tags).toEqual({ team: "auth", env: "test" });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.UserPoolTags).toEqual({ team: "auth", env: "test" });
  });

  it("answers ResourceNotFoundException for the ARN of no pool", async () => {
    const arn = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${missingPool}`;
    for (const call of [
      h.cognito.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: "b" } })),
      h.cognito.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] })),
      h.cognito.send(new ListTagsForResourceCommand({ ResourceArn: arn })),
    ]) {
      expect(await errorOf(call)).toEqual({
        name: "ResourceNotFoundException",
        message: `User pool ${missingPool} does not exist.`,
        status: 400,
      });
    }
  });

  it("refuses more than 50 tags", async () => {
    const pool = await createPool(h);
    const Tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(await errorOf(h.cognito.send(new TagResourceCommand({ ResourceArn: pool.Arn, Tags })))).toMatchObject({
      name: "InvalidParameterException",
    });
  });
});

describe("AddCustomAttributes", () => {
  it("adds custom: attributes (dev:custom: when developer-only) to the schema", async () => {
    const pool = await createPool(h);
    await h.cognito.send(
      new AddCustomAttributesCommand({
        UserPoolId: pool.Id,
        CustomAttributes: [
          { Name: "plan", AttributeDataType: "String", StringAttributeConstraints: { MaxLength: "20" } },
          { Name: "secret", AttributeDataType: "Number", DeveloperOnlyAttribute: true },
        ],
      }),
    );
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.SchemaAttributes).toContainEqual(
      expect.objectContaining({ Name: "custom:plan", StringAttributeConstraints: { MaxLength: "20" } }),
    );
    expect(UserPool?.SchemaAttributes).toContainEqual(
      expect.objectContaining({ Name: "dev:custom:secret", DeveloperOnlyAttribute: true }),
    );
  });

  it("refuses a name the schema has, saying under which name", async () => {
    const pool = await createPool(h, {
      Schema: [{ Name: "banana", AttributeDataType: "String", DeveloperOnlyAttribute: true }],
    });
    expect(
      await errorOf(
        h.cognito.send(
          new AddCustomAttributesCommand({
            UserPoolId: pool.Id,
            CustomAttributes: [{ Name: "banana", AttributeDataType: "String" }],
          }),
        ),
      ),
    ).toEqual({
      name: "InvalidParameterException",
      message: "custom:banana: Existing attribute already has name dev:custom:banana.",
      status: 400,
    });
  });

  it("refuses an empty list and an unknown pool", async () => {
    expect(
      await errorOf(h.cognito.send(new AddCustomAttributesCommand({ UserPoolId: missingPool, CustomAttributes: [] }))),
    ).toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("customAttributes") });
    expect(
      await errorOf(
        h.cognito.send(new AddCustomAttributesCommand({ UserPoolId: missingPool, CustomAttributes: [{ Name: "x1" }] })),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("UI customization", () => {
  it("keeps the pool's CSS for every client and a client's own over it", async () => {
    const pool = await createPool(h);
    const client = await createClient(h, pool.Id!);
    const { UICustomization } = await h.cognito.send(
      new SetUICustomizationCommand({ UserPoolId: pool.Id, CSS: ".banner-customizable { color: red; }" }),
    );
    expect(UICustomization).toMatchObject({
      UserPoolId: pool.Id,
      ClientId: "ALL",
      CSS: ".banner-customizable { color: red; }",
    });
    const inherited = await h.cognito.send(
      new GetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }),
    );
    expect(inherited.UICustomization).toMatchObject({ ClientId: "ALL", CSS: ".banner-customizable { color: red; }" });
    await h.cognito.send(
      new SetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, CSS: ".x{}" }),
    );
    const own = await h.cognito.send(new GetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }));
    expect(own.UICustomization).toMatchObject({ ClientId: client.ClientId, CSS: ".x{}" });
  });

  it("answers ResourceNotFoundException for a client of another pool or an unknown pool", async () => {
    const pool = await createPool(h);
    const other = await createClient(h, (await createPool(h)).Id!);
    expect(
      await errorOf(
        h.cognito.send(new SetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: other.ClientId, CSS: "" })),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await errorOf(h.cognito.send(new GetUICustomizationCommand({ UserPoolId: missingPool })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});

describe("log delivery", () => {
  it("keeps the configurations it is given and returns none before", async () => {
    const pool = await createPool(h);
    const before = await h.cognito.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: pool.Id }));
    expect(before.LogDeliveryConfiguration).toEqual({ UserPoolId: pool.Id, LogConfigurations: [] });
    const LogConfigurations = [
      { LogLevel: "ERROR", EventSource: "userNotification", CloudWatchLogsConfiguration: { LogGroupArn: logGroup } },
    ] as const;
    await h.cognito.send(
      new SetLogDeliveryConfigurationCommand({ UserPoolId: pool.Id, LogConfigurations: [...LogConfigurations] }),
    );
    const after = await h.cognito.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: pool.Id }));
    expect(after.LogDeliveryConfiguration?.LogConfigurations).toEqual(LogConfigurations);
  });

  it("refuses an unknown log level and an unknown pool", async () => {
    const pool = await createPool(h);
    expect(
      await errorOf(
        h.cognito.send(
          new SetLogDeliveryConfigurationCommand({
            UserPoolId: pool.Id,
            LogConfigurations: [{ LogLevel: "DEBUG" as "ERROR", EventSource: "userNotification" }],
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect(
      await errorOf(h.cognito.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: missingPool }))),
    ).toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("risk configuration and sign-in events (threat protection)", () => {
  it("keeps the risk configuration of a pool with threat protection on", async () => {
    const pool = await createPool(h, { UserPoolAddOns: { AdvancedSecurityMode: "AUDIT" } });
    const settings = {
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: "BLOCK" as const } },
      RiskExceptionConfiguration: { SkippedIPRangeList: ["10.0.0.0/8"] },
    };
    const { RiskConfiguration } = await h.cognito.send(
      new SetRiskConfigurationCommand({ UserPoolId: pool.Id, ...settings }),
    );
    expect(RiskConfiguration).toMatchObject({ UserPoolId: pool.Id, ...settings });
    const described = await h.cognito.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool.Id }));
    expect(described.RiskConfiguration).toMatchObject(settings);
    expect(described.RiskConfiguration?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("lists no sign-in events (the emulator records none) and finds none to give feedback on", async () => {
    const pool = await createPool(h, { UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" } });
    const client = await createClient(h, pool.Id!);
    await createConfirmedUser(h, { poolId: pool.Id!, clientId: client.ClientId! }, "watched", "Passw0rd!");
    const events = await h.cognito.send(
      new AdminListUserAuthEventsCommand({ UserPoolId: pool.Id, Username: "watched" }),
    );
    expect(events.AuthEvents).toEqual([]);
    // Thunks: a promise made before the loop awaits it would reject unhandled meanwhile.
    for (const call of [
      () =>
        h.cognito.send(
          new AdminUpdateAuthEventFeedbackCommand({
            UserPoolId: pool.Id,
            Username: "watched",
            EventId: "e-1",
            FeedbackValue: "Valid",
          }),
        ),
      () =>
        h.cognito.send(
          new UpdateAuthEventFeedbackCommand({
            UserPoolId: pool.Id,
            Username: "watched",
            EventId: "e-1",
            FeedbackToken: "token",
            FeedbackValue: "Invalid",
          }),
        ),
    ]) {
      expect(await errorOf(call())).toEqual({
        name: "ResourceNotFoundException",
        message: "Auth event e-1 does not exist.",
        status: 400,
      });
    }
  });

  it("answers UserPoolAddOnNotEnabledException while threat protection is off", async () => {
    const pool = await createPool(h);
    const client = await createClient(h, pool.Id!);
    await createConfirmedUser(h, { poolId: pool.Id!, clientId: client.ClientId! }, "unwatched", "Passw0rd!");
    for (const call of [
      h.cognito.send(new SetRiskConfigurationCommand({ UserPoolId: pool.Id })),
      h.cognito.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool.Id })),
      h.cognito.send(new AdminListUserAuthEventsCommand({ UserPoolId: pool.Id, Username: "unwatched" })),
    ]) {
      expect(await errorOf(call)).toMatchObject({ name: "UserPoolAddOnNotEnabledException", status: 400 });
    }
  });

  it("answers UserNotFoundException for an unknown user and ResourceNotFoundException for an unknown pool", async () => {
    const pool = await createPool(h, { UserPoolAddOns: { AdvancedSecurityMode: "AUDIT" } });
    expect(
      await errorOf(h.cognito.send(new AdminListUserAuthEventsCommand({ UserPoolId: pool.Id, Username: "nobody" }))),
    ).toMatchObject({ name: "UserNotFoundException" });
    expect(
      await errorOf(h.cognito.send(new DescribeRiskConfigurationCommand({ UserPoolId: missingPool }))),
    ).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
