/**
 * The emulator's domain types, named and shaped after the AWS API's (`UserPoolType`,
 * `UserPoolClientType`, `UserType`, `GroupType`) so that operations can return them as they are.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_Types.html
 */

export type UserStatus =
  | "UNCONFIRMED"
  | "CONFIRMED"
  | "FORCE_CHANGE_PASSWORD"
  | "RESET_REQUIRED"
  | "EXTERNAL_PROVIDER"
  | "ARCHIVED"
  | "COMPROMISED"
  | "UNKNOWN";

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  PasswordHistorySize?: number;
  TemporaryPasswordValidityDays: number;
}

export interface StringAttributeConstraints {
  MinLength?: string;
  MaxLength?: string;
}
export interface NumberAttributeConstraints {
  MinValue?: string;
  MaxValue?: string;
}
export interface SchemaAttribute {
  Name: string;
  AttributeDataType: "String" | "Number" | "DateTime" | "Boolean";
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: StringAttributeConstraints;
  NumberAttributeConstraints?: NumberAttributeConstraints;
}

/** Sign-in methods a USER_AUTH sign-in may start with (SignInPolicyType); PASSWORD when unset. */
export type FirstAuthFactor = "PASSWORD" | "EMAIL_OTP" | "SMS_OTP" | "WEB_AUTHN";
export interface SignInPolicy {
  AllowedFirstAuthFactors: FirstAuthFactor[];
}

export type VerifiableAttribute = "email" | "phone_number";
export type AliasAttribute = "email" | "phone_number" | "preferred_username";
export type MfaConfiguration = "OFF" | "ON" | "OPTIONAL";

/** Everything DescribeUserPool returns besides ids, timestamps and counts. */
export interface PoolConfig {
  Policies: { PasswordPolicy: PasswordPolicy; SignInPolicy?: SignInPolicy };
  DeletionProtection: "ACTIVE" | "INACTIVE";
  LambdaConfig: Record<string, unknown>;
  SchemaAttributes: SchemaAttribute[];
  AutoVerifiedAttributes?: VerifiableAttribute[];
  AliasAttributes?: AliasAttribute[];
  UsernameAttributes?: VerifiableAttribute[];
  UsernameConfiguration?: { CaseSensitive: boolean };
  VerificationMessageTemplate?: Record<string, unknown>;
  EmailVerificationMessage?: string;
  EmailVerificationSubject?: string;
  SmsVerificationMessage?: string;
  SmsAuthenticationMessage?: string;
  MfaConfiguration: MfaConfiguration;
  /** SetUserPoolMfaConfig's TOTP switch; GetUserPoolMfaConfig reports it, DescribeUserPool does not. */
  SoftwareTokenMfaConfiguration?: { Enabled: boolean };
  /** SetUserPoolMfaConfig's SMS message; present when SMS MFA is on (SmsConfiguration is shared). */
  SmsMfaConfiguration?: { SmsAuthenticationMessage?: string };
  /** SetUserPoolMfaConfig's email MFA template; present when email MFA is on. */
  EmailMfaConfiguration?: { Message?: string; Subject?: string };
  DeviceConfiguration?: Record<string, unknown>;
  EmailConfiguration: Record<string, unknown>;
  SmsConfiguration?: Record<string, unknown>;
  UserPoolTags?: Record<string, string>;
  AdminCreateUserConfig: {
    AllowAdminCreateUserOnly: boolean;
    UnusedAccountValidityDays?: number;
    InviteMessageTemplate?: Record<string, unknown>;
  };
  UserAttributeUpdateSettings?: { AttributesRequireVerificationBeforeUpdate: VerifiableAttribute[] };
  AccountRecoverySetting?: { RecoveryMechanisms: { Priority: number; Name: string }[] };
  UserPoolAddOns?: Record<string, unknown>;
  UserPoolTier?: string;
  Domain?: string;
}

export interface Pool {
  readonly id: string;
  readonly name: string;
  readonly config: PoolConfig;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type ExplicitAuthFlow =
  | "ADMIN_NO_SRP_AUTH"
  | "CUSTOM_AUTH_FLOW_ONLY"
  | "USER_PASSWORD_AUTH"
  | "ALLOW_ADMIN_USER_PASSWORD_AUTH"
  | "ALLOW_CUSTOM_AUTH"
  | "ALLOW_USER_PASSWORD_AUTH"
  | "ALLOW_USER_SRP_AUTH"
  | "ALLOW_REFRESH_TOKEN_AUTH"
  | "ALLOW_USER_AUTH";

export type TimeUnit = "seconds" | "minutes" | "hours" | "days";

/** Everything DescribeUserPoolClient returns besides ids, name, secret and timestamps. */
export interface ClientConfig {
  RefreshTokenValidity: number;
  AccessTokenValidity: number;
  IdTokenValidity: number;
  TokenValidityUnits: { AccessToken: TimeUnit; IdToken: TimeUnit; RefreshToken: TimeUnit };
  ReadAttributes?: string[];
  WriteAttributes?: string[];
  ExplicitAuthFlows: ExplicitAuthFlow[];
  SupportedIdentityProviders?: string[];
  CallbackURLs?: string[];
  LogoutURLs?: string[];
  DefaultRedirectURI?: string;
  AllowedOAuthFlows?: string[];
  AllowedOAuthScopes?: string[];
  AllowedOAuthFlowsUserPoolClient: boolean;
  AnalyticsConfiguration?: Record<string, unknown>;
  PreventUserExistenceErrors: "ENABLED" | "LEGACY";
  EnableTokenRevocation: boolean;
  EnablePropagateAdditionalUserContextData: boolean;
  AuthSessionValidity: number;
}

export interface Client {
  readonly id: string;
  readonly poolId: string;
  readonly name: string;
  /** The client's secret (its oldest, when it has two); null for a public client. */
  readonly secret: string | null;
  /**
   * Every secret the client accepts, oldest first, once AddUserPoolClientSecret gave it more
   * than its first; absent means just `secret`. Read it through `clientSecretsOf`.
   */
  readonly secrets?: readonly string[];
  readonly config: ClientConfig;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type Attributes = Record<string, string>;

/** The MFA factors of UserMFASettingList and PreferredMfaSetting. */
export type MfaFactor = "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP";

export interface MfaSettings {
  preferred?: MfaFactor;
  enabled?: MfaFactor[];
  /** The base32 secret of the user's verified authenticator (VerifySoftwareToken succeeded). */
  totpSecret?: string;
  /** A secret AssociateSoftwareToken handed out that has not been verified yet. */
  pendingTotpSecret?: string;
  /** VerifySoftwareToken's FriendlyDeviceName. */
  totpDeviceName?: string;
  /** The 30-second time step of the last TOTP code accepted: that code, and older ones, are spent. */
  totpLastStep?: number;
  /**
   * SMS MFA turned on by the legacy SetUserSettings / AdminSetUserSettings (MFAOptions): the user
   * is challenged by SMS and MFAOptions shows it, but UserMFASettingList does not list it until
   * SetUserMFAPreference is called (aws/aws-sdk-java-v2#4869).
   */
  smsOption?: true;
}

export interface User {
  readonly poolId: string;
  /** The username as Cognito reports it (for email-as-username pools: the sub). */
  readonly username: string;
  /** The primary key within the pool: lower-cased unless the pool is case-sensitive. */
  readonly usernameKey: string;
  readonly sub: string;
  readonly status: UserStatus;
  readonly enabled: boolean;
  /** Standard and `custom:` attributes, `sub` included, as strings (as AWS transports them). */
  readonly attributes: Attributes;
  readonly passwordHash: string | null;
  readonly srpSalt: string | null;
  readonly srpVerifier: string | null;
  readonly mfa: MfaSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Group {
  readonly poolId: string;
  readonly name: string;
  readonly description: string | null;
  readonly roleArn: string | null;
  readonly precedence: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Kinds of message the emulator "sends"; each lands in the outbox. */
export type MessageKind =
  "SIGN_UP" | "RESEND_CODE" | "FORGOT_PASSWORD" | "VERIFY_ATTRIBUTE" | "ADMIN_CREATE_USER" | "AUTHENTICATION";

export interface OutboxMessage {
  readonly id: number;
  readonly poolId: string;
  readonly username: string;
  readonly destination: string;
  readonly medium: "EMAIL" | "SMS";
  readonly kind: MessageKind;
  readonly code: string;
  /** The subject and text a CustomMessage trigger wrote (the code in place); null otherwise. */
  readonly subject?: string | null;
  readonly message?: string | null;
  readonly createdAt: string;
}
