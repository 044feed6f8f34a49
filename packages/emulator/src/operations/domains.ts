/**
 * User-pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
 * DeleteUserPoolDomain. A domain is where the pool's hosted UI and OAuth 2.0 endpoints are
 * served; locally that is `<emulator>/<domain>/…` (see `hosted/`).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
 *
 * AWS's answers relied on, as reported against AWS:
 * - a taken domain: "Domain already associated with another user pool.";
 * - a prefix outside `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`: "The domain name contains an
 *   invalid character. …", and one containing aws, amazon or cognito: "Domain cannot contain
 *   reserved word: aws";
 * - a domain the pool does not hold (Update/Delete): "No such domain or user pool exists.";
 * - DescribeUserPoolDomain of an unknown domain: an empty DomainDescription, not an error.
 * "User pool already has a domain configured." (a second prefix domain) is the emulator's reading.
 */
import { createHash } from "node:crypto";
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import { regionOfPool } from "../ids.ts";
import { shape } from "../shapes.ts";
import type { PoolDomain } from "../store/hosted.ts";
import { requirePool, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";

const prefixPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const hostnamePattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const reservedWords = ["aws", "amazon", "cognito"];

// A prefix (1–63 characters) or, with CustomDomainConfig, a fully qualified name.
const anyDomainShape = shape.string({ required: true, min: 1, max: 253 });
const customDomainConfig = shape.structure({
  CertificateArn: shape.string({
    required: true,
    min: 20,
    max: 2048,
    pattern: String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`,
  }),
});
const managedLoginVersion = shape.integer({});

/** A deterministic stand-in for the CloudFront distribution AWS puts in front of a domain. */
const cloudFrontOf = (domain: string): string =>
  `d${createHash("sha256").update(domain).digest("hex").slice(0, 13)}.cloudfront.net`;

/** Checks a new domain's name as Cognito does for its kind. */
function checkDomainName(name: string, custom: boolean): void {
  if (custom) {
    if (!hostnamePattern.test(name)) throw invalidParameter(`The domain name ${name} is not a valid domain name.`);
    return;
  }
  if (!prefixPattern.test(name)) {
    throw invalidParameter(
      String.raw`The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`,
    );
  }
  const reserved = reservedWords.find((word) => name.includes(word));
  if (reserved) throw invalidParameter(`Domain cannot contain reserved word: ${reserved}`);
}

/** The domain `name` when `poolId` holds it; else AWS's refusal. */
function ownedDomain(ctx: Context, poolId: string, name: string): PoolDomain {
  const domain = ctx.store.hosted.domain(name);
  if (!domain || domain.poolId !== poolId) throw invalidParameter("No such domain or user pool exists.");
  return domain;
}

/** Timestamps as AWS prints a domain's Version: yyyyMMddHHmmss. */
const versionOf = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);

/** The DomainDescriptionType AWS returns. */
export function describeDomain(domain: PoolDomain): Record<string, unknown> {
  return {
    UserPoolId: domain.poolId,
    AWSAccountId: "123456789012",
    Domain: domain.domain,
    S3Bucket: `aws-cognito-prod-${regionOfPool(domain.poolId)}-assets`,
    CloudFrontDistribution: cloudFrontOf(domain.domain),
    Version: versionOf(domain.createdAt),
    Status: "ACTIVE",
    ...(domain.certificateArn === null ? {} : { CustomDomainConfig: { CertificateArn: domain.certificateArn } }),
    ManagedLoginVersion: domain.managedLoginVersion,
  };
}

/** The pool's prefix domain and custom domain, as DescribeUserPool's Domain and CustomDomain. */
export function poolDomainMembers(ctx: Context, poolId: string): { Domain?: string; CustomDomain?: string } {
  const domains = ctx.store.hosted.domainsOfPool(poolId);
  const prefix = domains.find((d) => d.certificateArn === null);
  const custom = domains.find((d) => d.certificateArn !== null);
  return { ...(prefix ? { Domain: prefix.domain } : {}), ...(custom ? { CustomDomain: custom.domain } : {}) };
}

export const createUserPoolDomainInput = shape.structure({
  Domain: anyDomainShape,
  UserPoolId: userPoolId,
  ManagedLoginVersion: managedLoginVersion,
  CustomDomainConfig: customDomainConfig,
});

/** Creates a domain for a pool; used by the operation and by seed files. */
export function createPoolDomain(
  ctx: Context,
  request: {
    Domain: string;
    UserPoolId: string;
    ManagedLoginVersion?: number;
    CustomDomainConfig?: { CertificateArn: string };
  },
): PoolDomain {
  const pool = requirePool(ctx, request.UserPoolId);
  const custom = request.CustomDomainConfig !== undefined;
  checkDomainName(request.Domain, custom);
  return ctx.store.transaction(() => {
    if (ctx.store.hosted.domain(request.Domain))
      throw invalidParameter("Domain already associated with another user pool.");
    const held = ctx.store.hosted.domainsOfPool(pool.id);
    if (held.some((d) => (d.certificateArn !== null) === custom)) {
      throw invalidParameter("User pool already has a domain configured.");
    }
    const domain: PoolDomain = {
      domain: request.Domain,
      poolId: pool.id,
      managedLoginVersion: request.ManagedLoginVersion ?? 1,
      certificateArn: request.CustomDomainConfig?.CertificateArn ?? null,
      createdAt: ctx.clock.now(),
    };
    ctx.store.hosted.insertDomain(domain);
    return domain;
  });
}

function checkVersion(version: number | undefined): void {
  if (version !== undefined && version !== 1 && version !== 2) {
    throw invalidParameter("ManagedLoginVersion must be 1 or 2.");
  }
}

export const domainOperations = {
  CreateUserPoolDomain: defineOperation(createUserPoolDomainInput, (ctx, request) => {
    checkVersion(request.ManagedLoginVersion);
    const domain = createPoolDomain(ctx, request);
    return {
      ...(domain.certificateArn === null ? {} : { CloudFrontDomain: cloudFrontOf(domain.domain) }),
      ManagedLoginVersion: domain.managedLoginVersion,
    };
  }),

  DescribeUserPoolDomain: defineOperation(shape.structure({ Domain: anyDomainShape }), (ctx, request) => {
    const domain = ctx.store.hosted.domain(request.Domain);
    return { DomainDescription: domain ? describeDomain(domain) : {} };
  }),

  UpdateUserPoolDomain: defineOperation(
    shape.structure({
      Domain: anyDomainShape,
      UserPoolId: userPoolId,
      ManagedLoginVersion: managedLoginVersion,
      CustomDomainConfig: customDomainConfig,
    }),
    (ctx, request) => {
      checkVersion(request.ManagedLoginVersion);
      requirePool(ctx, request.UserPoolId);
      const domain = ownedDomain(ctx, request.UserPoolId, request.Domain);
      if (domain.certificateArn === null && request.CustomDomainConfig) {
        throw invalidParameter("CustomDomainConfig can only be updated for a custom domain.");
      }
      const updated = {
        domain: domain.domain,
        managedLoginVersion: request.ManagedLoginVersion ?? domain.managedLoginVersion,
        certificateArn: request.CustomDomainConfig?.CertificateArn ?? domain.certificateArn,
      };
      ctx.store.hosted.updateDomain(updated);
      return {
        ManagedLoginVersion: updated.managedLoginVersion,
        ...(updated.certificateArn === null ? {} : { CloudFrontDomain: cloudFrontOf(domain.domain) }),
      };
    },
  ),

  DeleteUserPoolDomain: defineOperation(
    shape.structure({ Domain: anyDomainShape, UserPoolId: userPoolId }),
    (ctx, request) => {
      requirePool(ctx, request.UserPoolId);
      const domain = ownedDomain(ctx, request.UserPoolId, request.Domain);
      ctx.store.hosted.deleteDomain(domain.domain);
      return {};
    },
  ),
};
