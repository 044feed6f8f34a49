/**
 * The user pool as Gatehouse expects it (issue 12), once, as data: the CDK stack
 * (pool-stack.ts) builds the real pool from it and `npm run provision` (provision.ts) applies it
 * to the emulator, so that development and AWS share one definition. Field names and values are
 * those of Cognito's API (CreateUserPool, CreateUserPoolClient, CreateGroup), so each side maps
 * them without translation tables. docs/configuration.md § Going to AWS says why each is so.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
 */

export type ExplicitAuthFlow =
  | "ALLOW_ADMIN_USER_PASSWORD_AUTH"
  | "ALLOW_USER_PASSWORD_AUTH"
  | "ALLOW_USER_SRP_AUTH"
  | "ALLOW_USER_AUTH"
  | "ALLOW_REFRESH_TOKEN_AUTH";

export interface ClientDefinition {
  readonly ClientName: string;
  /** The web client (the server) has one; the public client (SPAs, mobile apps) cannot keep one. */
  readonly GenerateSecret: boolean;
  readonly ExplicitAuthFlows: readonly ExplicitAuthFlow[];
  readonly PreventUserExistenceErrors: "ENABLED";
  readonly EnableTokenRevocation: true;
  /** In the units of `TokenValidityUnits`. */
  readonly AccessTokenValidity: number;
  readonly IdTokenValidity: number;
  readonly RefreshTokenValidity: number;
  readonly TokenValidityUnits: {
    readonly AccessToken: "minutes";
    readonly IdToken: "minutes";
    readonly RefreshToken: "days";
  };
  /** Minutes a sign-in's challenge session (MFA, new password) lasts (3–15). */
  readonly AuthSessionValidity: number;
}

export interface GroupDefinition {
  readonly GroupName: string;
  readonly Description: string;
  readonly Precedence: number;
}

export interface PoolDefinition {
  readonly PoolName: string;
  /** Sign in by username, or by verified email as an alias (not `UsernameAttributes`). */
  readonly AliasAttributes: readonly ["email"];
  readonly UsernameConfiguration: { readonly CaseSensitive: false };
  readonly AutoVerifiedAttributes: readonly ["email"];
  readonly Schema: readonly [{ readonly Name: "email"; readonly Required: true; readonly Mutable: true }];
  readonly Policies: {
    readonly PasswordPolicy: {
      readonly MinimumLength: number;
      readonly RequireUppercase: boolean;
      readonly RequireLowercase: boolean;
      readonly RequireNumbers: boolean;
      readonly RequireSymbols: boolean;
      readonly TemporaryPasswordValidityDays: number;
    };
    /** Passwords, and passwordless sign-in by an emailed code (USER_AUTH). */
    readonly SignInPolicy: { readonly AllowedFirstAuthFactors: readonly ("PASSWORD" | "EMAIL_OTP")[] };
  };
  /** Choice-based sign-in (USER_AUTH, EMAIL_OTP) needs the Essentials plan. */
  readonly UserPoolTier: "ESSENTIALS";
  /** Self-registration on (ALLOW_SIGNUP=false hides it in the app instead). */
  readonly AdminCreateUserConfig: { readonly AllowAdminCreateUserOnly: false };
  readonly AccountRecoverySetting: {
    readonly RecoveryMechanisms: readonly [{ readonly Name: "verified_email"; readonly Priority: 1 }];
  };
  /** People may add an authenticator app (TOTP); nobody must. */
  readonly MfaConfiguration: "OPTIONAL";
  readonly SoftwareTokenMfa: true;
  readonly DeletionProtection: "ACTIVE";
  readonly Clients: readonly ClientDefinition[];
  readonly Groups: readonly GroupDefinition[];
}

const tokenValidity = {
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  AuthSessionValidity: 3,
} as const;

export const gatehousePool: PoolDefinition = {
  PoolName: "gatehouse",
  AliasAttributes: ["email"],
  UsernameConfiguration: { CaseSensitive: false },
  AutoVerifiedAttributes: ["email"],
  Schema: [{ Name: "email", Required: true, Mutable: true }],
  Policies: {
    PasswordPolicy: {
      MinimumLength: 8,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: false,
      TemporaryPasswordValidityDays: 7,
    },
    SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] },
  },
  UserPoolTier: "ESSENTIALS",
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
  MfaConfiguration: "OPTIONAL",
  SoftwareTokenMfa: true,
  DeletionProtection: "ACTIVE",
  Clients: [
    {
      // The server's client (COGNITO_CLIENT_ID / COGNITO_CLIENT_SECRET).
      ClientName: "gatehouse-web",
      GenerateSecret: true,
      ExplicitAuthFlows: [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      ...tokenValidity,
    },
    {
      // SPAs, mobile apps and API clients (COGNITO_PUBLIC_CLIENT_ID).
      ClientName: "gatehouse-public",
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      ...tokenValidity,
    },
  ],
  Groups: [{ GroupName: "staff", Description: "Back-office staff", Precedence: 1 }],
};
