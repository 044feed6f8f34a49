import {
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
  type SchemaAttributeType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

describe("user pools", () => {
  it("creates a pool with an AWS-shaped id, AWS's defaults and the standard schema", async () => {
    const pool = await createPool(h, { PoolName: "main" });
    expect(pool.Id).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    expect(pool.Name).toBe("main");
    expect(pool.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 8,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 7,
    });
    expect(pool.MfaConfiguration).toBe("OFF");
    expect(pool.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect(pool.SchemaAttributes?.map((a) => a.Name)).toContain("email");
    expect(pool.CreationDate).toBeInstanceOf(Date);
    expect(pool.Arn).toBe(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${pool.Id}`);
  });

  it("keeps the settings it was given, including custom attributes and LambdaConfig", async () => {
    const pool = await createPool(h, {
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } },
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "tenant", AttributeDataType: "String", Mutable: true }],
      LambdaConfig: { PreSignUp: "arn:aws:lambda:us-east-1:123456789012:function:pre" },
      UsernameConfiguration: { CaseSensitive: true },
    });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.Policies?.PasswordPolicy?.MinimumLength).toBe(12);
    expect(UserPool?.Policies?.PasswordPolicy?.RequireSymbols).toBe(false);
    expect(UserPool?.UsernameAttributes).toEqual(["email"]);
    expect(UserPool?.SchemaAttributes?.find((a) => a.Name === "custom:tenant")).toMatchObject({
      AttributeDataType: "String",
      Mutable: true,
    });
    expect(UserPool?.LambdaConfig?.PreSignUp).toContain("function:pre");
    expect(UserPool?.UsernameConfiguration?.CaseSensitive).toBe(true);
  });

  it("refuses both alias and username attributes", async () => {
    const error = await errorOf(createPool(h, { AliasAttributes: ["email"], UsernameAttributes: ["email"] }));
    expect(error.name).toBe("InvalidParameterException");
  });

  it("refuses a bad pool name with AWS's validation wording", async () => {
    const error = await errorOf(createPool(h, { PoolName: "bad/name" }));
    expect(error).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(error.message).toBe(
      "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    );
  });

  it("refuses an unknown MfaConfiguration, listing the values in AWS's order", async () => {
    // AWS's answer, as CloudFormation relayed it (rosberglinhares/CloudFormationCognitoCustomResources#1).
    const error = await errorOf(createPool(h, { MfaConfiguration: "false" as "OFF" }));
    expect(error.message).toBe(
      "1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]",
    );
  });

  it("lists pools page by page", async () => {
    for (let i = 0; i < 3; i++) await createPool(h, { PoolName: `page-${i}` });
    const seen = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await h.cognito.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken }));
      expect(page.UserPools!.length).toBeLessThanOrEqual(2);
      for (const p of page.UserPools!) seen.add(p.Id!);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });

  it("updates a pool, resetting what the update leaves out as AWS does", async () => {
    const pool = await createPool(h, {
      MfaConfiguration: "OPTIONAL",
      SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sms" },
      Policies: { PasswordPolicy: { MinimumLength: 10 } },
    });
    await h.cognito.send(
      new UpdateUserPoolCommand({ UserPoolId: pool.Id, Policies: { PasswordPolicy: { MinimumLength: 14 } } }),
    );
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.Policies?.PasswordPolicy?.MinimumLength).toBe(14);
    expect(UserPool?.MfaConfiguration).toBe("OFF");
  });

  it("deletes a pool, and then it does not exist", async () => {
    const pool = await createPool(h);
    await h.cognito.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
    const error = await errorOf(h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id })));
    expect(error).toMatchObject({ name: "ResourceNotFoundException", message: `User pool ${pool.Id} does not exist.` });
  });

  it("will not delete a pool with deletion protection", async () => {
    const pool = await createPool(h, { DeletionProtection: "ACTIVE" });
    const error = await errorOf(h.cognito.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })));
    expect(error.name).toBe("InvalidParameterException");
  });

  it("answers ResourceNotFoundException for an unknown pool", async () => {
    const error = await errorOf(h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: "us-east-1_doesNotEx" })));
    expect(error).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });
});

/*
 * CreateUserPool's checks of Schema entries. The messages are AWS's: "Invalid AttributeDataType
 * input, consider using the provided AttributeDataType enum." is quoted from a CreateUserPool
 * failure in aws-amplify/amplify-cli#9960; the others are those moto (getmoto/moto#4493, which
 * models AWS's schema quirks, e.g. constraints checked only when the entry names its type)
 * answers with, as its tests assert.
 */
describe("user pool schema entries", () => {
  const schemaError = async (attribute: SchemaAttributeType): Promise<string> => {
    const error = await errorOf(createPool(h, { Schema: [attribute] }));
    expect(error).toMatchObject({ name: "InvalidParameterException", status: 400 });
    return error.message;
  };

  it("keeps a custom String attribute's empty constraints and leaves an unconstrained Number without any", async () => {
    const pool = await createPool(h, {
      Schema: [
        { Name: "string", AttributeDataType: "String" },
        { Name: "number", AttributeDataType: "Number" },
        { Name: "limited", AttributeDataType: "Number", NumberAttributeConstraints: { MinValue: "1", MaxValue: "9" } },
      ],
    });
    const byName = new Map(pool.SchemaAttributes?.map((a) => [a.Name, a]));
    expect(byName.get("custom:string")).toMatchObject({ DeveloperOnlyAttribute: false, Mutable: true });
    expect(byName.get("custom:string")?.StringAttributeConstraints).toEqual({});
    expect(byName.get("custom:number")).not.toHaveProperty("NumberAttributeConstraints");
    expect(byName.get("custom:limited")?.NumberAttributeConstraints).toEqual({ MinValue: "1", MaxValue: "9" });
  });

  it("narrows a standard attribute's constraints when the entry names its type", async () => {
    const pool = await createPool(h, {
      Schema: [{ Name: "email", AttributeDataType: "String", StringAttributeConstraints: { MaxLength: "100" } }],
    });
    const email = pool.SchemaAttributes?.find((a) => a.Name === "email");
    expect(email?.StringAttributeConstraints).toEqual({ MaxLength: "100" });
  });

  it("refuses a custom attribute without a data type", async () => {
    expect(await schemaError({ Name: "custom" })).toBe(
      "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
    );
  });

  it("refuses a standard attribute of another type or made developer-only", async () => {
    const message =
      "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email";
    expect(await schemaError({ Name: "email", AttributeDataType: "Number" })).toBe(message);
    expect(await schemaError({ Name: "email", DeveloperOnlyAttribute: true })).toBe(message);
  });

  it("refuses bounds that are not whole numbers", async () => {
    expect(
      await schemaError({ Name: "email", AttributeDataType: "String", StringAttributeConstraints: { MinLength: "x" } }),
    ).toBe("Invalid StringAttributeConstraints for schema attribute email");
    expect(
      await schemaError({ Name: "score", AttributeDataType: "Number", NumberAttributeConstraints: { MaxValue: "x" } }),
    ).toBe("Invalid NumberAttributeConstraints for schema attribute custom:score");
  });

  it("refuses string lengths over 2048 and a maximum below the minimum", async () => {
    expect(
      await schemaError({
        Name: "email",
        AttributeDataType: "String",
        StringAttributeConstraints: { MaxLength: "2049" },
      }),
    ).toBe("user.email: String attributes cannot have a length of more than 2048");
    expect(
      await schemaError({
        Name: "email",
        AttributeDataType: "String",
        StringAttributeConstraints: { MinLength: "2", MaxLength: "1" },
      }),
    ).toBe("user.email: Max length cannot be less than min length.");
    expect(
      await schemaError({
        Name: "updated_at",
        AttributeDataType: "Number",
        NumberAttributeConstraints: { MinValue: "2", MaxValue: "1" },
      }),
    ).toBe("user.updated_at: Max value cannot be less than min value.");
  });
});
