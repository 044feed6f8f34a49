import {
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  UpdateUserPoolDomainCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";

describe("user-pool domains", () => {
  it("creates a prefix domain, describes it as ACTIVE and shows it on the pool", async () => {
    const pool = await createPool(h);
    const created = await h.cognito.send(
      new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "shop-login" }),
    );
    // A prefix domain has no CloudFront domain of its own to point DNS at.
    expect(created.CloudFrontDomain).toBeUndefined();
    expect(created.ManagedLoginVersion).toBe(1);

    const { DomainDescription } = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "shop-login" }));
    expect(DomainDescription).toMatchObject({
      UserPoolId: pool.Id,
      Domain: "shop-login",
      Status: "ACTIVE",
      ManagedLoginVersion: 1,
      AWSAccountId: "123456789012",
    });
    expect(DomainDescription?.CloudFrontDistribution).toMatch(/\.cloudfront\.net$/);
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.Domain).toBe("shop-login");
  });

  it("creates a custom domain with a certificate and answers with its CloudFront domain", async () => {
    const pool = await createPool(h);
    const created = await h.cognito.send(
      new CreateUserPoolDomainCommand({
        UserPoolId: pool.Id,
        Domain: "auth.example.com",
        CustomDomainConfig: { CertificateArn: certificate },
        ManagedLoginVersion: 2,
      }),
    );
    expect(created.CloudFrontDomain).toMatch(/^d[0-9a-f]+\.cloudfront\.net$/);
    expect(created.ManagedLoginVersion).toBe(2);
    const { DomainDescription } = await h.cognito.send(
      new DescribeUserPoolDomainCommand({ Domain: "auth.example.com" }),
    );
    expect(DomainDescription?.CustomDomainConfig).toEqual({ CertificateArn: certificate });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
    expect(UserPool?.CustomDomain).toBe("auth.example.com");
  });

  it("describes an unknown domain as an empty DomainDescription, as AWS does, rather than failing", async () => {
    const result = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "nobody-has-this" }));
    expect(result.DomainDescription).toEqual({});
  });

  it("refuses a domain another pool holds with AWS's message", async () => {
    const first = await createPool(h);
    const second = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: first.Id, Domain: "taken-prefix" }));
    const error = await errorOf(
      h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: second.Id, Domain: "taken-prefix" })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Domain already associated with another user pool.",
      status: 400,
    });
  });

  it("refuses a second prefix domain for the same pool", async () => {
    const pool = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "first-prefix" }));
    const error = await errorOf(
      h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "second-prefix" })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "User pool already has a domain configured.",
    });
  });

  it("refuses a prefix with characters outside AWS's format, quoting the format", async () => {
    const pool = await createPool(h);
    const error = await errorOf(
      h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "Bad_Prefix" })),
    );
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toBe(
      String.raw`The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`,
    );
  });

  it("refuses a prefix containing aws, amazon or cognito", async () => {
    const pool = await createPool(h);
    for (const [domain, word] of [
      ["my-aws-app", "aws"],
      ["amazonish", "amazon"],
      ["cognito-login", "cognito"],
    ] as const) {
      const error = await errorOf(
        h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: domain })),
      );
      expect(error).toMatchObject({
        name: "InvalidParameterException",
        message: `Domain cannot contain reserved word: ${word}`,
      });
    }
  });

  it("refuses a domain for a pool that does not exist", async () => {
    const error = await errorOf(
      h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: "us-east-1_Nope12345", Domain: "orphan-prefix" })),
    );
    expect(error).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_Nope12345 does not exist.",
    });
  });

  it("updates the managed login version of the pool's domain", async () => {
    const pool = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "version-prefix" }));
    const updated = await h.cognito.send(
      new UpdateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "version-prefix", ManagedLoginVersion: 2 }),
    );
    expect(updated.ManagedLoginVersion).toBe(2);
    const { DomainDescription } = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "version-prefix" }));
    expect(DomainDescription?.ManagedLoginVersion).toBe(2);
  });

  it("refuses to update or delete a domain the pool does not hold: No such domain or user pool exists.", async () => {
    const owner = await createPool(h);
    const other = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: owner.Id, Domain: "owned-prefix" }));
    for (const call of [
      new UpdateUserPoolDomainCommand({ UserPoolId: other.Id, Domain: "owned-prefix", ManagedLoginVersion: 2 }),
      new DeleteUserPoolDomainCommand({ UserPoolId: other.Id, Domain: "owned-prefix" }),
      new DeleteUserPoolDomainCommand({ UserPoolId: owner.Id, Domain: "never-made" }),
    ]) {
      expect(await errorOf(h.cognito.send(call as never))).toMatchObject({
        name: "InvalidParameterException",
        message: "No such domain or user pool exists.",
      });
    }
    const { DomainDescription } = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "owned-prefix" }));
    expect(DomainDescription?.UserPoolId).toBe(owner.Id);
  });

  it("keeps a pool with a domain from being deleted until the domain is deleted", async () => {
    const pool = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "doomed-prefix" }));
    expect(await errorOf(h.cognito.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })))).toMatchObject({
      name: "InvalidParameterException",
      message: "User pool cannot be deleted. It has a domain configured that should be deleted first.",
    });
    await h.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: "doomed-prefix" }));
    expect(
      (await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "doomed-prefix" }))).DomainDescription,
    ).toEqual({});
    await h.cognito.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
    // The name is free again once deleted.
    const next = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: next.Id, Domain: "doomed-prefix" }));
  });

  it("validates the request shape: a missing Domain is AWS's validation error", async () => {
    const pool = await createPool(h);
    const error = await errorOf(
      h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: undefined as unknown as string })),
    );
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toContain("Value null at 'domain' failed to satisfy constraint: Member must not be null");
  });
});
