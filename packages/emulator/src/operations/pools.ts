/**
 * User pools: CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool, DeleteUserPool.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import { newPoolId, regionOfPool } from "../ids.ts";
import type { Pool, PoolConfig, SchemaAttribute } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { epochSeconds, paginationToken, requirePool, userPoolId } from "./common.ts";
import { poolDomainMembers } from "./domains.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, encodeToken, isString } from "./pagination.ts";
import { defaultPasswordPolicy, standardAttributeNames, standardAttributes } from "./pool-defaults.ts";

const arnPattern = String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`;
/** SmsConfigurationType, also SetUserPoolMfaConfig's. */
const smsConfiguration = shape.structure({
  SnsCallerArn: shape.string({ required: true, min: 20, max: 2048, pattern: arnPattern }),
  ExternalId: shape.string(),
  SnsRegion: shape.string({ min: 5, max: 32, pattern: "[-a-z0-9]+" }),
});

const verifiable = shape.list(shape.string({ enum: ["phone_number", "email"] }));

const settingsMembers = {
  Policies: shape.structure({
    PasswordPolicy: shape.structure({
      MinimumLength: shape.integer({ min: 6, max: 99 }),
      RequireUppercase: shape.boolean(),
      RequireLowercase: shape.boolean(),
      RequireNumbers: shape.boolean(),
      RequireSymbols: shape.boolean(),
      PasswordHistorySize: shape.integer({ min: 0, max: 24 }),
      TemporaryPasswordValidityDays: shape.integer({ min: 0, max: 365 }),
    }),
    SignInPolicy: shape.structure({
      AllowedFirstAuthFactors: shape.list(
        shape.string({ required: true, enum: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"] }),
      ),
    }),
  }),
  DeletionProtection: shape.string({ enum: ["ACTIVE", "INACTIVE"] }),
  AutoVerifiedAttributes: verifiable,
  // In the order AWS lists them when it refuses a value ("… enum value set: [OPTIONAL, OFF, ON]",
  // rosberglinhares/CloudFormationCognitoCustomResources#1), not the model's.
  MfaConfiguration: shape.string({ enum: ["OPTIONAL", "OFF", "ON"] }),
  UserAttributeUpdateSettings: shape.structure({ AttributesRequireVerificationBeforeUpdate: verifiable }),
  AdminCreateUserConfig: shape.structure({
    AllowAdminCreateUserOnly: shape.boolean(),
    UnusedAccountValidityDays: shape.integer({ min: 0, max: 365 }),
  }),
  AccountRecoverySetting: shape.structure({
    RecoveryMechanisms: shape.list(
      shape.structure({
        Priority: shape.integer({ required: true, min: 1, max: 2 }),
        Name: shape.string({ required: true, enum: ["verified_email", "verified_phone_number", "admin_only"] }),
      }),
      { min: 1, max: 2 },
    ),
  }),
  UserPoolTags: shape.map(shape.string({ max: 256 })),
  EmailVerificationMessage: shape.string({ min: 6, max: 20000 }),
  EmailVerificationSubject: shape.string({ min: 1, max: 140 }),
  SmsVerificationMessage: shape.string({ min: 6, max: 140 }),
  SmsAuthenticationMessage: shape.string({ min: 6, max: 140 }),
  UserPoolTier: shape.string({ enum: ["LITE", "ESSENTIALS", "PLUS"] }),
  VerificationMessageTemplate: shape.structure({
    SmsMessage: shape.string({ min: 6, max: 140 }),
    EmailMessage: shape.string({ min: 6, max: 20000 }),
    EmailSubject: shape.string({ min: 1, max: 140 }),
    EmailMessageByLink: shape.string({ min: 6, max: 20000 }),
    EmailSubjectByLink: shape.string({ min: 1, max: 140 }),
    DefaultEmailOption: shape.string({ enum: ["CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"] }),
  }),
  SmsConfiguration: smsConfiguration,
  EmailConfiguration: shape.structure({
    SourceArn: shape.string({ min: 20, max: 2048, pattern: arnPattern }),
    ReplyToEmailAddress: shape.string(),
    EmailSendingAccount: shape.string({ enum: ["COGNITO_DEFAULT", "DEVELOPER"] }),
    From: shape.string(),
    ConfigurationSet: shape.string({ min: 1, max: 64, pattern: "[a-zA-Z0-9_-]+" }),
  }),
  DeviceConfiguration: shape.structure({
    ChallengeRequiredOnNewDevice: shape.boolean(),
    DeviceOnlyRememberedOnUserPrompt: shape.boolean(),
  }),
  UserPoolAddOns: shape.structure({
    AdvancedSecurityMode: shape.string({ required: true, enum: ["OFF", "AUDIT", "ENFORCED"] }),
    AdvancedSecurityAdditionalFlows: shape.structure({ CustomAuthMode: shape.string({ enum: ["AUDIT", "ENFORCED"] }) }),
  }),
} as const;

/**
 * The verification texts live twice in UserPoolType: in VerificationMessageTemplate and in the
 * older EmailVerificationMessage/EmailVerificationSubject/SmsVerificationMessage. Cognito keeps
 * them in step: a template given fills the older members, and the older members fill a template
 * left out (moto's test_create_user_pool__overwrite_template_messages, verified on AWS).
 */
function verificationTexts(request: Settings) {
  const template = request.VerificationMessageTemplate ?? {};
  const EmailVerificationMessage = template.EmailMessage ?? request.EmailVerificationMessage;
  const EmailVerificationSubject = template.EmailSubject ?? request.EmailVerificationSubject;
  const SmsVerificationMessage = template.SmsMessage ?? request.SmsVerificationMessage;
  return {
    EmailVerificationMessage,
    EmailVerificationSubject,
    SmsVerificationMessage,
    VerificationMessageTemplate: {
      ...(SmsVerificationMessage !== undefined ? { SmsMessage: SmsVerificationMessage } : {}),
      ...(EmailVerificationMessage !== undefined ? { EmailMessage: EmailVerificationMessage } : {}),
      ...(EmailVerificationSubject !== undefined ? { EmailSubject: EmailVerificationSubject } : {}),
      ...(template.EmailMessageByLink !== undefined ? { EmailMessageByLink: template.EmailMessageByLink } : {}),
      ...(template.EmailSubjectByLink !== undefined ? { EmailSubjectByLink: template.EmailSubjectByLink } : {}),
      DefaultEmailOption: template.DefaultEmailOption ?? "CONFIRM_WITH_CODE",
    },
  };
}

const schemaAttribute = shape.structure({
  Name: shape.string({ min: 1, max: 20, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+` }),
  AttributeDataType: shape.string({ enum: ["String", "Number", "DateTime", "Boolean"] }),
  DeveloperOnlyAttribute: shape.boolean(),
  Mutable: shape.boolean(),
  Required: shape.boolean(),
  StringAttributeConstraints: shape.structure({ MinLength: shape.string(), MaxLength: shape.string() }),
  NumberAttributeConstraints: shape.structure({ MinValue: shape.string(), MaxValue: shape.string() }),
});

export const createUserPoolInput = shape.structure({
  PoolName: shape.string({ required: true, min: 1, max: 128, pattern: String.raw`[\w\s+=,.@-]+` }),
  ...settingsMembers,
  AliasAttributes: shape.list(shape.string({ enum: ["phone_number", "email", "preferred_username"] as const })),
  UsernameAttributes: verifiable,
  UsernameConfiguration: shape.structure({ CaseSensitive: shape.boolean({ required: true }) }),
  Schema: shape.list(schemaAttribute, { min: 1, max: 50 }),
});
export type CreateUserPoolRequest = Infer<typeof createUserPoolInput>;

type Settings = Pick<CreateUserPoolRequest, keyof typeof settingsMembers>;
type PassThrough = Record<string, unknown>;

/** The settings that UpdateUserPool replaces: anything left out goes back to its default, as AWS. */
function settingsConfig(
  request: Settings & PassThrough,
): Omit<PoolConfig, "SchemaAttributes" | "AliasAttributes" | "UsernameAttributes" | "UsernameConfiguration"> {
  const recovery = request.AccountRecoverySetting?.RecoveryMechanisms;
  if (recovery) {
    const names = recovery.map((m) => m.Name);
    if (new Set(names).size !== names.length || new Set(recovery.map((m) => m.Priority)).size !== recovery.length) {
      throw invalidParameter("Recovery mechanisms and their priorities must be unique.");
    }
    if (names.includes("admin_only") && names.length > 1) {
      throw invalidParameter("admin_only cannot be combined with other recovery mechanisms.");
    }
  }
  const lambda = request.LambdaConfig;
  return {
    Policies: {
      PasswordPolicy: { ...defaultPasswordPolicy, ...request.Policies?.PasswordPolicy },
      ...(request.Policies?.SignInPolicy
        ? { SignInPolicy: { AllowedFirstAuthFactors: request.Policies.SignInPolicy.AllowedFirstAuthFactors ?? [] } }
        : {}),
    },
    DeletionProtection: request.DeletionProtection ?? "INACTIVE",
    LambdaConfig: typeof lambda === "object" && lambda !== null ? (lambda as Record<string, unknown>) : {},
    AutoVerifiedAttributes: request.AutoVerifiedAttributes,
    MfaConfiguration: request.MfaConfiguration ?? "OFF",
    EmailConfiguration: { EmailSendingAccount: "COGNITO_DEFAULT", ...request.EmailConfiguration },
    ...(request.SmsConfiguration ? { SmsConfiguration: { ...request.SmsConfiguration } } : {}),
    ...(request.DeviceConfiguration ? { DeviceConfiguration: { ...request.DeviceConfiguration } } : {}),
    ...(request.UserPoolAddOns ? { UserPoolAddOns: { ...request.UserPoolAddOns } } : {}),
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: request.AdminCreateUserConfig?.AllowAdminCreateUserOnly ?? false,
      UnusedAccountValidityDays: request.AdminCreateUserConfig?.UnusedAccountValidityDays ?? 7,
    },
    UserAttributeUpdateSettings: request.UserAttributeUpdateSettings
      ? {
          AttributesRequireVerificationBeforeUpdate:
            request.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate ?? [],
        }
      : undefined,
    AccountRecoverySetting: request.AccountRecoverySetting?.RecoveryMechanisms
      ? { RecoveryMechanisms: request.AccountRecoverySetting.RecoveryMechanisms }
      : undefined,
    UserPoolTags: request.UserPoolTags,
    ...verificationTexts(request),
    SmsAuthenticationMessage: request.SmsAuthenticationMessage,
    UserPoolTier: request.UserPoolTier ?? "ESSENTIALS",
  };
}

function schemaOf(request: CreateUserPoolRequest): SchemaAttribute[] {
  const schema = standardAttributes.map((a) => ({ ...a }));
  for (const attribute of request.Schema ?? []) {
    const name = attribute.Name;
    if (!name) throw invalidParameter("Schema attribute name is required.");
    const standard = schema.find((a) => a.Name === name);
    if (standard && standardAttributeNames.has(name)) {
      Object.assign(standard, standardAttribute(standard, attribute));
      continue;
    }
    schema.push(customAttribute(schema, attribute));
  }
  return schema;
}

type SchemaAttributeRequest = NonNullable<CreateUserPoolRequest["Schema"]>[number];

/**
 * A standard attribute as a pool's Schema adjusts it: its type and developer-only flag are
 * fixed ("You can not change AttributeDataType or set developerOnlyAttribute for standard schema
 * attribute email"); it may be made required or immutable at creation only, and given
 * narrower constraints when the entry names its data type.
 */
function standardAttribute(standard: SchemaAttribute, attribute: SchemaAttributeRequest): SchemaAttribute {
  const type = attribute.AttributeDataType;
  if ((type !== undefined && type !== standard.AttributeDataType) || attribute.DeveloperOnlyAttribute) {
    throw invalidParameter(
      `You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute ${standard.Name}`,
    );
  }
  return {
    ...standard,
    ...(attribute.Required !== undefined ? { Required: attribute.Required } : {}),
    ...(attribute.Mutable !== undefined ? { Mutable: attribute.Mutable } : {}),
    ...(type !== undefined ? constraintsOf(standard.Name, type, attribute, standard) : {}),
  };
}

/**
 * A custom attribute as the schema keeps it: `custom:` + its name, or `dev:custom:` + its name
 * for a developer-only one, refusing a name taken in either form ("custom:banana: Existing
 * attribute already has name dev:custom:banana.", moto's wording of AWS's answer). Its data type
 * is required: AWS answers an entry without one "Invalid AttributeDataType input, consider using
 * the provided AttributeDataType enum." (quoted from CreateUserPool in aws-amplify/amplify-cli#9960).
 */
function customAttribute(schema: readonly SchemaAttribute[], attribute: SchemaAttributeRequest): SchemaAttribute {
  if (!attribute.Name) throw invalidParameter("Schema attribute name is required.");
  const type = attribute.AttributeDataType;
  if (type === undefined) {
    throw invalidParameter("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.");
  }
  if (attribute.Required) throw invalidParameter("Required custom attributes are not supported currently.");
  const plain = `custom:${attribute.Name}`;
  const full = attribute.DeveloperOnlyAttribute ? `dev:${plain}` : plain;
  const taken = schema.find((a) => a.Name === plain || a.Name === `dev:${plain}`);
  if (taken) throw invalidParameter(`${plain}: Existing attribute already has name ${taken.Name}.`);
  return {
    Name: full,
    AttributeDataType: type,
    DeveloperOnlyAttribute: attribute.DeveloperOnlyAttribute ?? false,
    Mutable: attribute.Mutable ?? true,
    Required: false,
    // A custom String attribute always reports its (possibly empty) length constraints; a
    // Number one reports value constraints only when it was given some.
    ...(type === "String" ? { StringAttributeConstraints: {} } : {}),
    ...constraintsOf(full, type, attribute),
  };
}

/** A constraint's bound: a whole number of at least 0, or the attribute's constraints are invalid. */
function bound(value: string | undefined, member: string, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw invalidParameter(`Invalid ${member} for schema attribute ${name}`);
  return Number(value);
}

/**
 * The constraints an attribute of `type` keeps (only those of its own type; the other kind is
 * dropped), checked as CreateUserPool checks them: bounds are whole numbers, a string's at most
 * 2048 ("user.email: String attributes cannot have a length of more than 2048"), and the
 * maximum not below the minimum ("user.email: Max length cannot be less than min length.").
 */
function constraintsOf(
  name: string,
  type: SchemaAttribute["AttributeDataType"],
  attribute: SchemaAttributeRequest,
  fallback?: SchemaAttribute,
): Pick<SchemaAttribute, "StringAttributeConstraints" | "NumberAttributeConstraints"> {
  if (type === "String") {
    const given = attribute.StringAttributeConstraints ?? fallback?.StringAttributeConstraints;
    if (!given) return {};
    const min = bound(given.MinLength, "StringAttributeConstraints", name);
    const max = bound(given.MaxLength, "StringAttributeConstraints", name);
    if ((min ?? 0) > 2048 || (max ?? 0) > 2048) {
      throw invalidParameter(`user.${name}: String attributes cannot have a length of more than 2048`);
    }
    if (min !== undefined && max !== undefined && min > max) {
      throw invalidParameter(`user.${name}: Max length cannot be less than min length.`);
    }
    return { StringAttributeConstraints: { ...given } };
  }
  if (type === "Number") {
    const given = attribute.NumberAttributeConstraints ?? fallback?.NumberAttributeConstraints;
    if (!given) return {};
    const min = bound(given.MinValue, "NumberAttributeConstraints", name);
    const max = bound(given.MaxValue, "NumberAttributeConstraints", name);
    if (min !== undefined && max !== undefined && min > max) {
      throw invalidParameter(`user.${name}: Max value cannot be less than min value.`);
    }
    return { NumberAttributeConstraints: { ...given } };
  }
  return {};
}

/** Creates a pool (with a fixed id when seeding). */
export async function createPool(
  ctx: Context,
  request: CreateUserPoolRequest & PassThrough,
  fixedId?: string,
  region: string = ctx.settings.region,
): Promise<Pool> {
  if (request.AliasAttributes?.length && request.UsernameAttributes?.length) {
    throw invalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.");
  }
  // A pool made with MFA required or optional needs a way to send its codes at once; AWS's
  // message, as CloudFormation and the CDK relay it (aws/aws-cdk#12075). SetUserPoolMfaConfig
  // is the way to turn MFA on with TOTP only.
  if ((request.MfaConfiguration ?? "OFF") !== "OFF" && !request.SmsConfiguration) {
    throw invalidParameter(
      "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
    );
  }
  const now = ctx.clock.now();
  const pool: Pool = {
    id: fixedId ?? newPoolId(region),
    name: request.PoolName,
    config: {
      ...settingsConfig(request),
      SchemaAttributes: schemaOf(request),
      AliasAttributes: request.AliasAttributes,
      UsernameAttributes: request.UsernameAttributes,
      UsernameConfiguration: { CaseSensitive: request.UsernameConfiguration?.CaseSensitive ?? false },
    },
    createdAt: now,
    updatedAt: now,
  };
  // Signing keys are made on first need (tokens.ts), not here.
  ctx.store.pools.insert(pool);
  return pool;
}

const arnOf = (pool: Pool): string => `arn:aws:cognito-idp:${regionOfPool(pool.id)}:123456789012:userpool/${pool.id}`;

/** The UserPoolType AWS returns from Create/DescribeUserPool. */
export function describePool(ctx: Context, pool: Pool): Record<string, unknown> {
  // The MFA factors' settings are GetUserPoolMfaConfig's, not part of UserPoolType.
  const {
    SoftwareTokenMfaConfiguration: _totp,
    EmailMfaConfiguration: _email,
    SmsMfaConfiguration: _sms,
    ...config
  } = pool.config;
  return {
    Id: pool.id,
    Name: pool.name,
    ...config,
    ...poolDomainMembers(ctx, pool.id),
    LastModifiedDate: epochSeconds(pool.updatedAt),
    CreationDate: epochSeconds(pool.createdAt),
    EstimatedNumberOfUsers: ctx.store.pools.estimatedUsers(pool.id),
    Arn: arnOf(pool),
  };
}

export const poolOperations = {
  CreateUserPool: defineOperation(createUserPoolInput, async (ctx, request, { signingRegion }) => {
    // A pool's id starts with its region: the region the call was signed for, as on AWS.
    const pool = await createPool(ctx, request, undefined, signingRegion ?? ctx.settings.region);
    return { UserPool: describePool(ctx, pool) };
  }),

  DescribeUserPool: defineOperation(shape.structure({ UserPoolId: userPoolId }), (ctx, { UserPoolId }) => ({
    UserPool: describePool(ctx, requirePool(ctx, UserPoolId)),
  })),

  ListUserPools: defineOperation(
    shape.structure({
      MaxResults: shape.integer({ required: true, min: 1, max: 60 }),
      NextToken: paginationToken,
    }),
    (ctx, { MaxResults, NextToken }) => {
      const after = NextToken ? decodeToken(NextToken, isString) : "";
      const page = ctx.store.pools.list(after, MaxResults + 1);
      const shown = page.slice(0, MaxResults);
      const last = shown.at(-1);
      return {
        UserPools: shown.map((p) => ({
          Id: p.id,
          Name: p.name,
          LambdaConfig: p.config.LambdaConfig,
          LastModifiedDate: epochSeconds(p.updatedAt),
          CreationDate: epochSeconds(p.createdAt),
        })),
        ...(page.length > MaxResults && last ? { NextToken: encodeToken(last.id) } : {}),
      };
    },
  ),

  UpdateUserPool: defineOperation(shape.structure({ UserPoolId: userPoolId, ...settingsMembers }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    const settings = settingsConfig(request);
    // UpdateUserPool has no members for the MFA factors (SetUserPoolMfaConfig sets them): they
    // stay as they are while MFA stays on.
    const { SoftwareTokenMfaConfiguration, SmsMfaConfiguration, EmailMfaConfiguration, SmsConfiguration } = pool.config;
    const factors =
      settings.MfaConfiguration === "OFF"
        ? {}
        : {
            SoftwareTokenMfaConfiguration,
            SmsMfaConfiguration,
            EmailMfaConfiguration,
            SmsConfiguration: settings.SmsConfiguration ?? SmsConfiguration,
          };
    const config: PoolConfig = {
      ...settings,
      ...factors,
      SchemaAttributes: pool.config.SchemaAttributes,
      AliasAttributes: pool.config.AliasAttributes,
      UsernameAttributes: pool.config.UsernameAttributes,
      UsernameConfiguration: pool.config.UsernameConfiguration,
    };
    ctx.store.pools.update(pool.id, config, ctx.clock.now());
    return {};
  }),

  /** https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AddCustomAttributes.html */
  AddCustomAttributes: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      CustomAttributes: shape.list({ ...schemaAttribute, required: true }, { required: true, min: 1, max: 25 }),
    }),
    (ctx, request) => {
      ctx.store.transaction(() => {
        const pool = requirePool(ctx, request.UserPoolId);
        const schema = [...pool.config.SchemaAttributes];
        for (const attribute of request.CustomAttributes) schema.push(customAttribute(schema, attribute));
        if (schema.filter((a) => a.Name.startsWith("custom:")).length > 50)
          throw invalidParameter("A user pool can have at most 50 custom attributes.");
        ctx.store.pools.update(pool.id, { ...pool.config, SchemaAttributes: schema }, ctx.clock.now());
      });
      return {};
    },
  ),

  DeleteUserPool: defineOperation(shape.structure({ UserPoolId: userPoolId }), (ctx, { UserPoolId }) => {
    const pool = requirePool(ctx, UserPoolId);
    if (pool.config.DeletionProtection === "ACTIVE") {
      throw new CognitoError(
        "InvalidParameterException",
        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
      );
    }
    if (ctx.store.hosted.domainsOfPool(pool.id).length > 0) {
      throw invalidParameter("User pool cannot be deleted. It has a domain configured that should be deleted first.");
    }
    ctx.store.transaction(() => ctx.store.pools.delete(pool.id));
    ctx.store.clients.forgetPool(pool.id);
    ctx.keyCache.delete(pool.id);
    return {};
  }),
};
