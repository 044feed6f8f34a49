/**
 * The user pool as Gatehouse expects it (issue 12), once, as data: the CDK stack
 * (pool-stack.ts) builds the real pool from it and `npm run provision` (provision.ts) applies it
 * to the emulator, so that development and AWS share one definition. Field names and values are
 * those of Cognito's API (CreateUserPool, CreateUserPoolClient, CreateGroup), so each side maps
 * them without translation tables. docs/configuration.md § Going to AWS says why each is so.
 * What differs between environments (the hosted UI's domain prefix, the site's URLs) comes from
 * `gatehousePoolFor(environment)`; `gatehousePool` is the local one.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
 */

export type ExplicitAuthFlow =
  | "ALLOW_ADMIN_USER_PASSWORD_AUTH"
  | "ALLOW_USER_PASSWORD_AUTH"
  | "ALLOW_USER_SRP_AUTH"
  | "ALLOW_USER_AUTH"
  | "ALLOW_REFRESH_TOKEN_AUTH";

export type OAuthFlow = "code" | "implicit" | "client_credentials";

/** Which of the app's settings names the client (provision prints them for .env). */
export type ClientPurpose = "web" | "public" | "machine";

export interface ClientDefinition {
  readonly ClientName: string;
  readonly Purpose: ClientPurpose;
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
  /** OAuth 2.0 through the pool's domain; a client without these has none. */
  readonly AllowedOAuthFlows?: readonly OAuthFlow[];
  readonly AllowedOAuthScopes?: readonly string[];
  readonly CallbackURLs?: readonly string[];
  readonly LogoutURLs?: readonly string[];
  readonly SupportedIdentityProviders?: readonly ["COGNITO"];
}

export interface ResourceServerDefinition {
  readonly Identifier: string;
  readonly Name: string;
  readonly Scopes: readonly { readonly ScopeName: string; readonly ScopeDescription: string }[];
}

/** A Lambda trigger we ship (triggers/), by the LambdaConfig member it fills. */
export interface TriggerDefinition {
  readonly FunctionName: string;
  /** The handler's source, relative to the repository's root. */
  readonly Source: string;
  /** Cognito actions on the pool itself that the function calls. */
  readonly PoolActions: readonly string[];
  /** Whether it calls the app's webhook (GATEHOUSE_WEBHOOK_URL / GATEHOUSE_WEBHOOK_SECRET). */
  readonly Webhook: boolean;
}

export type TriggerName = "PreSignUp" | "PostConfirmation";

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
  /** The prefix of the hosted UI's domain, `<prefix>.auth.<region>.amazoncognito.com`. */
  readonly Domain: string;
  readonly ResourceServers: readonly ResourceServerDefinition[];
  readonly Clients: readonly ClientDefinition[];
  readonly Groups: readonly GroupDefinition[];
  readonly LambdaConfig: Readonly<Record<TriggerName, TriggerDefinition>>;
}

/** What differs between the local pool, staging and production. */
export interface PoolEnvironment {
  /**
   * Unique per region across all of AWS; lower-case letters, digits and hyphens, without
   * "aws", "amazon" or "cognito".
   */
  readonly domainPrefix: string;
  /** The site's PUBLIC_URL(s): each gets `<url>/auth/callback` and `<url>/` on the web client. */
  readonly publicUrls: readonly string[];
}

export const localEnvironment: PoolEnvironment = {
  domainPrefix: "gatehouse-local",
  publicUrls: ["http://localhost:3000"],
};

/** The resource server of the REST API, whose scopes machine clients are granted. */
export const apiResourceServer: ResourceServerDefinition = {
  Identifier: "gatehouse",
  Name: "Gatehouse API",
  Scopes: [{ ScopeName: "users.read", ScopeDescription: "Read the user list" }],
};

const tokenValidity = {
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  AuthSessionValidity: 3,
} as const;

const withoutSlash = (url: string): string => url.replace(/\/+$/, "");

export function gatehousePoolFor(environment: PoolEnvironment): PoolDefinition {
  const sites = environment.publicUrls.map(withoutSlash);
  return {
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
        Purpose: "web",
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
        // HOSTED_UI's sign-in (packages/app/src/accounts/routes/hosted-sign-in.ts): the code grant
        // with PKCE; aws.cognito.signin.user.admin lets the account page use the access token.
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        CallbackURLs: sites.map((site) => `${site}/auth/callback`),
        LogoutURLs: sites.map((site) => `${site}/`),
        SupportedIdentityProviders: ["COGNITO"],
      },
      {
        // SPAs, mobile apps and API clients (COGNITO_PUBLIC_CLIENT_ID).
        ClientName: "gatehouse-public",
        Purpose: "public",
        GenerateSecret: false,
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
        EnableTokenRevocation: true,
        ...tokenValidity,
      },
      {
        // Services calling the REST API as themselves (API_MACHINE_CLIENT_IDS): client_credentials
        // at the domain's token endpoint, for the API's scopes only; no user sign-in flows.
        ClientName: "gatehouse-machine",
        Purpose: "machine",
        GenerateSecret: true,
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
        EnableTokenRevocation: true,
        ...tokenValidity,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: apiResourceServer.Scopes.map(
          (scope) => `${apiResourceServer.Identifier}/${scope.ScopeName}`,
        ),
        SupportedIdentityProviders: ["COGNITO"],
      },
    ],
    Groups: [{ GroupName: "staff", Description: "Back-office staff", Precedence: 1 }],
    Domain: environment.domainPrefix,
    ResourceServers: [apiResourceServer],
    LambdaConfig: {
      PreSignUp: {
        FunctionName: "gatehouse-pre-signup",
        Source: "triggers/pre-signup.ts",
        PoolActions: ["cognito-idp:ListUsers"],
        Webhook: false,
      },
      PostConfirmation: {
        FunctionName: "gatehouse-post-confirmation",
        Source: "triggers/post-confirmation.ts",
        PoolActions: [],
        Webhook: true,
      },
    },
  };
}

export const gatehousePool: PoolDefinition = gatehousePoolFor(localEnvironment);
