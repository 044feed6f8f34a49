/**
 * Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets,
 * DeleteUserPoolClientSecret.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AddUserPoolClientSecret.html
 *
 * "Supports up to 2 active secrets per app client for zero-downtime credential rotation": while a
 * client has two, SECRET_HASH, GetTokensFromRefreshToken / RevokeToken's ClientSecret and the
 * token endpoint's client authentication accept either (common.ts `clientSecretsOf`).
 * DescribeUserPoolClient's ClientSecret is the oldest. The secret CreateUserPoolClient made is
 * one of the two, dated with the client; it moves into the client_secrets table
 * (store/client-secrets.ts) when the first secret is added.
 *
 * A ClientSecretId is `<client-id>--<epoch-create-time>` (ClientSecretDescriptorType), here in
 * milliseconds. The wording of the refusals is the emulator's: AWS documents the rules (a
 * confidential client; two secrets; "You cannot delete the last remaining secret").
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import { newClientSecret } from "../ids.ts";
import type { Client } from "../model.ts";
import type { StoredClientSecret } from "../store/client-secrets.ts";
import { shape } from "../shapes.ts";
import { clientId, epochSeconds, paginationToken, requirePool, requirePoolClient, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";

const maxSecrets = 2;

export const clientSecretMessages = {
  publicClient: (id: string) => `Client ${id} does not have a client secret.`,
  limit: (id: string) => `Client ${id} already has ${maxSecrets} client secrets; delete one first.`,
  unknown: (id: string) => `Client secret ${id} does not exist.`,
  lastSecret: "You cannot delete the last remaining secret of an app client.",
} as const;

const secretIdOf = (client: Client, createdAt: number): string => `${client.id}--${createdAt}`;

/** The client's secrets as stored: its added ones, or the one CreateUserPoolClient made. */
function secretsOf(ctx: Context, client: Client): StoredClientSecret[] {
  const added = ctx.store.clientSecrets.list(client.id);
  if (added.length > 0 || client.secret === null) return added;
  return [{ id: secretIdOf(client, client.createdAt), secret: client.secret, createdAt: client.createdAt }];
}

/** A client request of the pool, as each of the three operations starts. */
function requireRequestClient(ctx: Context, request: { UserPoolId: string; ClientId: string }): Client {
  return requirePoolClient(ctx, requirePool(ctx, request.UserPoolId), request.ClientId);
}

const describe = (secret: StoredClientSecret) => ({
  ClientSecretId: secret.id,
  ClientSecretCreateDate: epochSeconds(secret.createdAt),
});

const clientMembers = { UserPoolId: userPoolId, ClientId: clientId } as const;

export const clientSecretOperations = {
  AddUserPoolClientSecret: defineOperation(
    shape.structure({
      ...clientMembers,
      ClientSecret: shape.string({ min: 24, max: 64, pattern: String.raw`[\w+]+`, sensitive: true }),
    }),
    (ctx, request) => {
      const client = requireRequestClient(ctx, request);
      if (client.secret === null) throw invalidParameter(clientSecretMessages.publicClient(client.id));
      const value = request.ClientSecret ?? newClientSecret();
      const added = ctx.store.transaction(() => {
        const current = secretsOf(ctx, client);
        if (current.length >= maxSecrets) {
          throw new CognitoError("LimitExceededException", clientSecretMessages.limit(client.id));
        }
        // The first secret becomes a row beside the new one, which may share its millisecond.
        if (ctx.store.clientSecrets.list(client.id).length === 0) {
          for (const secret of current) ctx.store.clientSecrets.insert(client.id, secret);
        }
        let createdAt = ctx.clock.now();
        while (current.some((s) => s.id === secretIdOf(client, createdAt))) createdAt += 1;
        const secret = { id: secretIdOf(client, createdAt), secret: value, createdAt };
        ctx.store.clientSecrets.insert(client.id, secret);
        ctx.store.clients.forget(client.id);
        return secret;
      });
      // "The ClientSecretValue is only returned when Amazon Cognito generates the secret."
      return {
        ClientSecretDescriptor: {
          ...describe(added),
          ...(request.ClientSecret === undefined ? { ClientSecretValue: value } : {}),
        },
      };
    },
  ),

  ListUserPoolClientSecrets: defineOperation(
    // NextToken is in the model, but "there are only 2 secrets at any given time and we return
    // both with every ListUserPoolClientSecrets call": it is accepted and never answered.
    shape.structure({ ...clientMembers, NextToken: paginationToken }),
    (ctx, request) => {
      const client = requireRequestClient(ctx, request);
      // "For security reasons, the response never reveals the actual secret value."
      return { ClientSecrets: secretsOf(ctx, client).map(describe) };
    },
  ),

  DeleteUserPoolClientSecret: defineOperation(
    shape.structure({ ...clientMembers, ClientSecretId: shape.string({ required: true, min: 1, max: 128 }) }),
    (ctx, request) => {
      const client = requireRequestClient(ctx, request);
      ctx.store.transaction(() => {
        const current = secretsOf(ctx, client);
        if (!current.some((s) => s.id === request.ClientSecretId)) {
          throw new CognitoError("ResourceNotFoundException", clientSecretMessages.unknown(request.ClientSecretId));
        }
        if (current.length <= 1) throw invalidParameter(clientSecretMessages.lastSecret);
        ctx.store.clientSecrets.delete(client.id, request.ClientSecretId);
        ctx.store.clients.forget(client.id);
      });
      return {};
    },
  ),
};
