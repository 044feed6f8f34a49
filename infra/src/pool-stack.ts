/**
 * The real user pool, from the shared definition (pool-definition.ts), as a CDK stack:
 * `npx aws-cdk deploy` (with infra/cdk.json) creates or updates it in the account and region of
 * the caller's credentials. The pool is kept when the stack is deleted (RETAIN, and deletion
 * protection on): it holds every person's account.
 *
 * Beside the pool: the hosted UI's domain, the API's resource server, the app clients (web with
 * OAuth code flow, public, machine with client_credentials), the groups, and the Lambda triggers
 * built from triggers/ (NodejsFunction, bundled by esbuild at synth). The PostConfirmation
 * function's GATEHOUSE_WEBHOOK_SECRET comes from a Secrets Manager secret the stack makes (the
 * app reads the same secret); its GATEHOUSE_WEBHOOK_URL is the `webhookUrl` prop.
 *
 * The pool names each function (LambdaConfig) and PreSignUp's role needs ListUsers on the pool:
 * a policy inside the role would make the function wait for the pool and the pool for the
 * function. The grant is therefore a policy of its own, attached to the role after both exist
 * (the CDK's Cognito README, "Trigger permissions").
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cognito-readme.html
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import {
  AccountRecovery,
  type CfnUserPoolClient,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClientIdentityProvider,
  UserPoolOperation,
  type AuthFlow,
  type OAuthSettings,
  type UserPoolClient,
  type UserPoolDomain,
  type UserPoolResourceServer,
} from "aws-cdk-lib/aws-cognito";
import { Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { resolve } from "node:path";
import {
  gatehousePool,
  type ClientDefinition,
  type ExplicitAuthFlow,
  type PoolDefinition,
  type ResourceServerDefinition,
  type TriggerName,
} from "./pool-definition.ts";

/** The repository's root, which trigger sources are relative to. */
const repositoryRoot = resolve(import.meta.dirname, "../..");

const triggerOperations: Readonly<Record<TriggerName, UserPoolOperation>> = {
  PreSignUp: UserPoolOperation.PRE_SIGN_UP,
  PostConfirmation: UserPoolOperation.POST_CONFIRMATION,
};

const authFlowOptions: Readonly<Record<ExplicitAuthFlow, keyof AuthFlow | null>> = {
  ALLOW_ADMIN_USER_PASSWORD_AUTH: "adminUserPassword",
  ALLOW_USER_PASSWORD_AUTH: "userPassword",
  ALLOW_USER_SRP_AUTH: "userSrp",
  ALLOW_USER_AUTH: "user",
  // CloudFormation adds it to every client whatever the flows say.
  ALLOW_REFRESH_TOKEN_AUTH: null,
};

function authFlowsOf(client: ClientDefinition): AuthFlow {
  const flows: Record<string, boolean> = {};
  for (const flow of client.ExplicitAuthFlows) {
    const option = authFlowOptions[flow];
    if (option) flows[option] = true;
  }
  return flows;
}

function oAuthOf(
  client: ClientDefinition,
  definitions: readonly ResourceServerDefinition[],
  servers: ReadonlyMap<string, UserPoolResourceServer>,
): OAuthSettings {
  const flows = client.AllowedOAuthFlows ?? [];
  const scopes = (client.AllowedOAuthScopes ?? []).map((scope) => {
    const slash = scope.indexOf("/");
    const server = slash > 0 ? servers.get(scope.slice(0, slash)) : undefined;
    // Through the construct, so that the client waits for the server that defines the scope.
    if (!server) return OAuthScope.custom(scope);
    const name = scope.slice(slash + 1);
    const described = definitions.find((d) => d.Identifier === scope.slice(0, slash));
    return OAuthScope.resourceServer(
      server,
      new ResourceServerScope({
        scopeName: name,
        scopeDescription: described?.Scopes.find((s) => s.ScopeName === name)?.ScopeDescription ?? name,
      }),
    );
  });
  return {
    flows: {
      authorizationCodeGrant: flows.includes("code"),
      implicitCodeGrant: flows.includes("implicit"),
      clientCredentials: flows.includes("client_credentials"),
    },
    scopes,
    callbackUrls: [...(client.CallbackURLs ?? [])],
    logoutUrls: [...(client.LogoutURLs ?? [])],
  };
}

export interface GatehousePoolStackProps extends StackProps {
  /** The definition to build; the app's own by default (see `gatehousePoolFor`). */
  readonly definition?: PoolDefinition;
  /**
   * The app's PostConfirmation webhook, `https://<app>/hooks/cognito/post-confirmation`;
   * unset, the trigger only logs that the app is not told (triggers/README.md).
   */
  readonly webhookUrl?: string;
}

export class GatehousePoolStack extends Stack {
  readonly userPool: UserPool;
  readonly clients: Readonly<Record<string, UserPoolClient>>;
  readonly domain: UserPoolDomain;
  readonly resourceServers: ReadonlyMap<string, UserPoolResourceServer>;
  readonly triggers: Readonly<Record<TriggerName, NodejsFunction>>;
  /** GATEHOUSE_WEBHOOK_SECRET, shared by the PostConfirmation function and the app. */
  readonly webhookSecret: Secret;

  constructor(scope: Construct, id: string, props: GatehousePoolStackProps = {}) {
    super(scope, id, props);
    const pool = props.definition ?? gatehousePool;
    const password = pool.Policies.PasswordPolicy;
    const factors = pool.Policies.SignInPolicy.AllowedFirstAuthFactors;

    this.userPool = new UserPool(this, "UserPool", {
      userPoolName: pool.PoolName,
      signInAliases: { username: true, email: pool.AliasAttributes.includes("email") },
      signInCaseSensitive: pool.UsernameConfiguration.CaseSensitive,
      autoVerify: { email: pool.AutoVerifiedAttributes.includes("email") },
      standardAttributes: { email: { required: true, mutable: true } },
      selfSignUpEnabled: !pool.AdminCreateUserConfig.AllowAdminCreateUserOnly,
      passwordPolicy: {
        minLength: password.MinimumLength,
        requireUppercase: password.RequireUppercase,
        requireLowercase: password.RequireLowercase,
        requireDigits: password.RequireNumbers,
        requireSymbols: password.RequireSymbols,
        tempPasswordValidity: Duration.days(password.TemporaryPasswordValidityDays),
      },
      featurePlan: FeaturePlan[pool.UserPoolTier],
      signInPolicy: {
        allowedFirstAuthFactors: { password: factors.includes("PASSWORD"), emailOtp: factors.includes("EMAIL_OTP") },
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa[pool.MfaConfiguration],
      mfaSecondFactor: { sms: false, otp: pool.SoftwareTokenMfa },
      deletionProtection: pool.DeletionProtection === "ACTIVE",
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.domain = this.userPool.addDomain("Domain", { cognitoDomain: { domainPrefix: pool.Domain } });
    new CfnOutput(this, "HostedUiDomain", {
      description: "The hosted UI's domain",
      value: `${pool.Domain}.auth.${this.region}.amazoncognito.com`,
    });

    const servers = new Map<string, UserPoolResourceServer>();
    for (const server of pool.ResourceServers) {
      servers.set(
        server.Identifier,
        this.userPool.addResourceServer(`ResourceServer-${server.Identifier}`, {
          identifier: server.Identifier,
          userPoolResourceServerName: server.Name,
          scopes: server.Scopes.map(
            (scope) =>
              new ResourceServerScope({ scopeName: scope.ScopeName, scopeDescription: scope.ScopeDescription }),
          ),
        }),
      );
    }
    this.resourceServers = servers;

    const clients: Record<string, UserPoolClient> = {};
    for (const client of pool.Clients) {
      const oAuth = client.AllowedOAuthFlows?.length ? oAuthOf(client, pool.ResourceServers, servers) : undefined;
      clients[client.ClientName] = this.userPool.addClient(client.ClientName, {
        userPoolClientName: client.ClientName,
        generateSecret: client.GenerateSecret,
        authFlows: authFlowsOf(client),
        preventUserExistenceErrors: client.PreventUserExistenceErrors === "ENABLED",
        enableTokenRevocation: client.EnableTokenRevocation,
        accessTokenValidity: Duration.minutes(client.AccessTokenValidity),
        idTokenValidity: Duration.minutes(client.IdTokenValidity),
        refreshTokenValidity: Duration.days(client.RefreshTokenValidity),
        authSessionValidity: Duration.minutes(client.AuthSessionValidity),
        // A client without OAuth settings signs in through the API (InitiateAuth) only.
        ...(oAuth
          ? {
              oAuth,
              supportedIdentityProviders: (client.SupportedIdentityProviders ?? []).map(
                () => UserPoolClientIdentityProvider.COGNITO,
              ),
            }
          : { disableOAuth: true }),
      });
      if (Object.keys(authFlowsOf(client)).length === 0) {
        // Without ExplicitAuthFlows Cognito would allow SRP and custom sign-in; the CDK leaves
        // the property out when no flow is chosen, so say refresh-only ourselves.
        const cfn = clients[client.ClientName]!.node.defaultChild as CfnUserPoolClient;
        cfn.explicitAuthFlows = [...client.ExplicitAuthFlows];
      }
      new CfnOutput(this, `${client.ClientName}-id`, {
        description: `${client.ClientName}'s client id`,
        value: clients[client.ClientName]!.userPoolClientId,
      });
    }
    this.clients = clients;

    for (const group of pool.Groups) {
      new CfnUserPoolGroup(this, `group-${group.GroupName}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group.GroupName,
        description: group.Description,
        precedence: group.Precedence,
      });
    }

    this.webhookSecret = new Secret(this, "WebhookSecret", {
      description: "GATEHOUSE_WEBHOOK_SECRET: the PostConfirmation trigger signs its calls to the app with it",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const triggers: Partial<Record<TriggerName, NodejsFunction>> = {};
    for (const [name, trigger] of Object.entries(pool.LambdaConfig) as [
      TriggerName,
      typeof pool.LambdaConfig.PreSignUp,
    ][]) {
      const fn = new NodejsFunction(this, `Trigger-${name}`, {
        functionName: trigger.FunctionName,
        entry: resolve(repositoryRoot, trigger.Source),
        handler: "handler",
        runtime: Runtime.NODEJS_22_X,
        // Cognito waits 5 s for a trigger; the function keeps its own budget within that.
        timeout: Duration.seconds(5),
        memorySize: 256,
        environment: trigger.Webhook
          ? {
              ...(props.webhookUrl ? { GATEHOUSE_WEBHOOK_URL: props.webhookUrl } : {}),
              // A dynamic reference: CloudFormation resolves it at deploy time, the template holds none.
              GATEHOUSE_WEBHOOK_SECRET: this.webhookSecret.secretValue.unsafeUnwrap(),
            }
          : {},
        bundling: {
          format: OutputFormat.ESM,
          target: "node22",
          // Node.js 22's Lambda runtime has the AWS SDK for JavaScript v3 built in.
          externalModules: ["@aws-sdk/*"],
        },
      });
      // The pool's LambdaConfig and the permission for Cognito (this pool only) to invoke it.
      this.userPool.addTrigger(triggerOperations[name], fn);
      if (trigger.PoolActions.length > 0) {
        fn.role?.attachInlinePolicy(
          new Policy(this, `Trigger-${name}-pool-access`, {
            statements: [
              new PolicyStatement({ actions: [...trigger.PoolActions], resources: [this.userPool.userPoolArn] }),
            ],
          }),
        );
      }
      triggers[name] = fn;
    }
    this.triggers = triggers as Record<TriggerName, NodejsFunction>;

    new CfnOutput(this, "UserPoolId", { description: "COGNITO_USER_POOL_ID", value: this.userPool.userPoolId });
    new CfnOutput(this, "WebhookSecretArn", {
      description: "GATEHOUSE_WEBHOOK_SECRET's secret (give the app its value)",
      value: this.webhookSecret.secretArn,
    });
  }
}
