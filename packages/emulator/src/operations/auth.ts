/**
 * Sign-in: InitiateAuth and AdminInitiateAuth — USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH,
 * USER_SRP_AUTH (answered with RespondToAuthChallenge, see challenges.ts) and
 * REFRESH_TOKEN_AUTH / REFRESH_TOKEN, and USER_AUTH (choice-based, see user-auth.ts).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html
 */
import type { Context } from "../context.ts";
import { invalidParameter, notAuthorized, type CognitoError } from "../errors.ts";
import type { Client, ExplicitAuthFlow, Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import { passwordSignIn, refreshSignIn, srpChallenge, userForPasswordSignIn, type AuthResponse } from "../signin.ts";
import { startCustomAuth } from "../triggers/custom-auth.ts";
import { isValidA } from "../srp.ts";
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
import { userAuthFlow } from "./user-auth.ts";

const authParameters = shape.map(shape.string({ sensitive: true }), { required: true });

const authFlows = [
  "USER_SRP_AUTH",
  "REFRESH_TOKEN_AUTH",
  "REFRESH_TOKEN",
  "CUSTOM_AUTH",
  "ADMIN_NO_SRP_AUTH",
  "USER_PASSWORD_AUTH",
  "ADMIN_USER_PASSWORD_AUTH",
  "USER_AUTH",
] as const;

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

/**
 * A required AuthParameters/ChallengeResponses member, or AWS's "Missing required parameter X".
 * Some clients send `null` for members they lack (amazon-cognito-identity-js's DEVICE_KEY), so
 * anything but a non-empty string counts as missing.
 */
export function requireParameter(parameters: Readonly<Record<string, unknown>>, name: string): string {
  const value = parameters[name];
  if (typeof value !== "string" || value === "") throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

/** An optional member, with `null` read as absent. */
export function optionalParameter(parameters: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = parameters[name];
  return typeof value === "string" ? value : undefined;
}

/** AWS's answer to a secret client's call without SECRET_HASH (as in assertSecretHash). */
const secretNotReceived = (client: Client): CognitoError =>
  notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);

/**
 * The flows both operations share once the client is known. USER_SRP_AUTH is answered with
 * RespondToAuthChallenge (or AdminRespondToAuthChallenge) and PASSWORD_VERIFIER.
 */
async function sharedFlow(
  ctx: Context,
  pool: Pool,
  client: Client,
  flow: string,
  parameters: Readonly<Record<string, unknown>>,
): Promise<AuthResponse> {
  switch (flow) {
    case "USER_SRP_AUTH": {
      const name = requireParameter(parameters, "USERNAME");
      const srpA = requireParameter(parameters, "SRP_A");
      assertSecretHash(client, name, optionalParameter(parameters, "SECRET_HASH"));
      // SRP-6a's one safety check on the client's ephemeral: A mod N must not be 0.
      if (!isValidA(srpA)) throw invalidParameter("SRP_A is not a valid SRP value.");
      return srpChallenge(ctx, pool, client, name, srpA);
    }
    case "REFRESH_TOKEN_AUTH":
    case "REFRESH_TOKEN": {
      const token = requireParameter(parameters, "REFRESH_TOKEN");
      const hash = optionalParameter(parameters, "SECRET_HASH");
      // Whether a secret was sent is known before the token is looked up; whether it is right
      // needs the token's user (AWS hashes the user's username, not what was typed at sign-in).
      if (client.secret !== null && hash === undefined) throw secretNotReceived(client);
      return refreshSignIn(ctx, client, token, optionalParameter(parameters, "DEVICE_KEY"), (user) => {
        assertSecretHash(client, user.username, hash);
      });
    }
    case "USER_AUTH":
      return userAuthFlow(ctx, pool, client, parameters);
    case "CUSTOM_AUTH":
      return startCustomAuth(ctx, pool, client, parameters);
    default:
      throw invalidParameter(`${flow} flow not enabled for this client`);
  }
}

export const authOperations = {
  InitiateAuth: defineOperation(
    shape.structure({
      AuthFlow: shape.string({ required: true, enum: authFlows }),
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
      if (request.AuthFlow === "USER_PASSWORD_AUTH") {
        const name = requireParameter(parameters, "USERNAME");
        const secret = requireParameter(parameters, "PASSWORD");
        assertSecretHash(client, name, optionalParameter(parameters, "SECRET_HASH"));
        return passwordSignIn(ctx, pool, client, await userForPasswordSignIn(ctx, pool, client, name, secret), secret);
      }
      return sharedFlow(ctx, pool, client, request.AuthFlow, parameters);
    },
  ),

  AdminInitiateAuth: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: shape.string({ required: true, enum: authFlows }),
      AuthParameters: authParameters,
      ClientMetadata: clientMetadata,
      Session: shape.string({ min: 20, max: 2048 }),
    }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      const parameters = request.AuthParameters;
      if (request.AuthFlow === "USER_PASSWORD_AUTH") {
        // The admin API's password flow is ADMIN_USER_PASSWORD_AUTH.
        throw invalidParameter(`Initiate Auth method not supported.`);
      }
      assertFlowAllowed(client, request.AuthFlow);
      if (request.AuthFlow === "ADMIN_USER_PASSWORD_AUTH" || request.AuthFlow === "ADMIN_NO_SRP_AUTH") {
        const name = requireParameter(parameters, "USERNAME");
        const secret = requireParameter(parameters, "PASSWORD");
        assertSecretHash(client, name, optionalParameter(parameters, "SECRET_HASH"));
        return passwordSignIn(ctx, pool, client, await userForPasswordSignIn(ctx, pool, client, name, secret), secret);
      }
      return sharedFlow(ctx, pool, client, request.AuthFlow, parameters);
    },
  ),
};
