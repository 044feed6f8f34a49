/**
 * What the MFA tests share: a pool with an MFA configuration and an app client, and a
 * USER_PASSWORD_AUTH sign-in.
 */
import {
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  type CreateUserPoolClientCommandInput,
  type SetUserPoolMfaConfigCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { createClient, createPool, type Harness } from "./harness.ts";

export interface Target {
  readonly poolId: string;
  readonly clientId: string;
}

export const mfaClientFlows: CreateUserPoolClientCommandInput["ExplicitAuthFlows"] = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];

/** A pool with the MFA configuration given (OPTIONAL with TOTP unless told) and a client of it. */
export async function mfaPool(
  h: Harness,
  config: Partial<SetUserPoolMfaConfigCommandInput> = {},
  client: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<Target> {
  const poolId = (await createPool(h)).Id!;
  const clientId = (await createClient(h, poolId, { ExplicitAuthFlows: mfaClientFlows, ...client })).ClientId!;
  await h.cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: true },
      ...config,
    }),
  );
  return { poolId, clientId };
}

export const passwordSignIn = (h: Harness, target: Target, username: string, password: string) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: target.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
