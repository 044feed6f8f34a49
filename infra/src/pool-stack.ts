/**
 * The real user pool, from the shared definition (pool-definition.ts), as a CDK stack:
 * `npx aws-cdk deploy` (with infra/cdk.json) creates or updates it in the account and region of
 * the caller's credentials. The pool is kept when the stack is deleted (RETAIN, and deletion
 * protection on): it holds every person's account.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cognito-readme.html
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  UserPool,
  type AuthFlow,
  type UserPoolClient,
} from "aws-cdk-lib/aws-cognito";
import type { Construct } from "constructs";
import { gatehousePool, type ClientDefinition, type ExplicitAuthFlow, type PoolDefinition } from "./pool-definition.ts";

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

export interface GatehousePoolStackProps extends StackProps {
  /** The definition to build; the app's own by default. */
  readonly definition?: PoolDefinition;
}

export class GatehousePoolStack extends Stack {
  readonly userPool: UserPool;
  readonly clients: Readonly<Record<string, UserPoolClient>>;

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

    const clients: Record<string, UserPoolClient> = {};
    for (const client of pool.Clients) {
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
        // The app signs in through the API (InitiateAuth), not the hosted UI's OAuth redirects.
        disableOAuth: true,
      });
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
    new CfnOutput(this, "UserPoolId", { description: "COGNITO_USER_POOL_ID", value: this.userPool.userPoolId });
  }
}
