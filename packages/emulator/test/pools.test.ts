import {
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
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
