/**
 * Sign-in: InitiateAuth and AdminInitiateAuth.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 */
import { invalidParameter } from "../errors.ts";
import type { Client, ExplicitAuthFlow } from "../model.ts";
import { shape } from "../shapes.ts";
import { passwordSignIn, userForSignIn } from "../signin.ts";
import { allowsFlow } from "./clients.ts";
import {
  assertSecretHash,
  clientId,
  clientMetadata,
  requireClient,
  requirePool,
  requirePoolClient,
  userPoolId,
} from "./common.ts";
import { defineOperation } from "./operation.ts";

const authParameters = shape.map(shape.string({ sensitive: true }), { required: true });

/** Each flow's name on the client's ExplicitAuthFlows list. */
const flowPermission: Record<string, ExplicitAuthFlow> = {
  USER_PASSWORD_AUTH: "ALLOW_USER_PASSWORD_AUTH",
  USER_SRP_AUTH: "ALLOW_USER_SRP_AUTH",
  REFRESH_TOKEN_AUTH: "ALLOW_REFRESH_TOKEN_AUTH",
  REFRESH_TOKEN: "ALLOW_REFRESH_TOKEN_AUTH",
  CUSTOM_AUTH: "ALLOW_CUSTOM_AUTH",
  ADMIN_USER_PASSWORD_AUTH: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  ADMIN_NO_SRP_AUTH: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  USER_AUTH: "ALLOW_USER_AUTH",
};

export function assertFlowAllowed(client: Client, flow: string): void {
  const permission = flowPermission[flow];
  if (!permission || !allowsFlow(client, permission)) {
    throw invalidParameter(`${flow} flow not enabled for this client`);
  }
}

/** A required AuthParameters member, or AWS's "Missing required parameter X". */
export function requireParameter(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (value === undefined || value === "") throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

export const authOperations = {
  InitiateAuth: defineOperation(
    shape.structure({
      AuthFlow: shape.string({
        required: true,
        enum: [
          "USER_SRP_AUTH",
          "REFRESH_TOKEN_AUTH",
          "REFRESH_TOKEN",
          "CUSTOM_AUTH",
          "ADMIN_NO_SRP_AUTH",
          "USER_PASSWORD_AUTH",
          "ADMIN_USER_PASSWORD_AUTH",
          "USER_AUTH",
        ],
      }),
      AuthParameters: authParameters,
      ClientId: clientId,
      ClientMetadata: clientMetadata,
      Session: shape.string({ min: 20, max: 2048 }),
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      const parameters = request.AuthParameters;
      if (request.AuthFlow === "ADMIN_NO_SRP_AUTH" || request.AuthFlow === "ADMIN_USER_PASSWORD_AUTH") {
        throw invalidParameter(`Initiate Auth method not supported.`);
      }
      assertFlowAllowed(client, request.AuthFlow);
      switch (request.AuthFlow) {
        case "USER_PASSWORD_AUTH": {
          const name = requireParameter(parameters, "USERNAME");
          const secret = requireParameter(parameters, "PASSWORD");
          assertSecretHash(client, name, parameters.SECRET_HASH);
          return passwordSignIn(ctx, pool, client, userForSignIn(ctx, pool, client, name), secret);
        }
        default:
          throw invalidParameter(`${request.AuthFlow} flow not enabled for this client`);
      }
    },
  ),

  AdminInitiateAuth: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: shape.string({
        required: true,
        enum: [
          "USER_SRP_AUTH",
          "REFRESH_TOKEN_AUTH",
          "REFRESH_TOKEN",
          "CUSTOM_AUTH",
          "ADMIN_NO_SRP_AUTH",
          "USER_PASSWORD_AUTH",
          "ADMIN_USER_PASSWORD_AUTH",
          "USER_AUTH",
        ],
      }),
      AuthParameters: authParameters,
      ClientMetadata: clientMetadata,
      Session: shape.string({ min: 20, max: 2048 }),
    }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      const parameters = request.AuthParameters;
      assertFlowAllowed(client, request.AuthFlow);
      switch (request.AuthFlow) {
        case "ADMIN_USER_PASSWORD_AUTH":
        case "ADMIN_NO_SRP_AUTH": {
          const name = requireParameter(parameters, "USERNAME");
          const secret = requireParameter(parameters, "PASSWORD");
          assertSecretHash(client, name, parameters.SECRET_HASH);
          return passwordSignIn(ctx, pool, client, userForSignIn(ctx, pool, client, name), secret);
        }
        default:
          throw invalidParameter(`${request.AuthFlow} flow not enabled for this client`);
      }
    },
  ),
};
