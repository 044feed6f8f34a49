/**
 * Lookups and request members shared by many operations, with the exceptions AWS raises when
 * they fail. Shapes follow the API reference's constraints.
 */
import type { Context } from "../context.ts";
import { clientNotFound, CognitoError, messages, notAuthorized, poolNotFound, userNotFound } from "../errors.ts";
import { poolIdPattern } from "../ids.ts";
import type { Client, Pool, User } from "../model.ts";
import { shape } from "../shapes.ts";
import { createHmac, timingSafeEqual } from "node:crypto";

export const userPoolId = shape.string({ required: true, min: 1, max: 55, pattern: poolIdPattern });
export const clientId = shape.string({
  required: true,
  min: 1,
  max: 128,
  pattern: String.raw`[\w+]+`,
  sensitive: true,
});
export const username = shape.string({
  required: true,
  min: 1,
  max: 128,
  pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`,
  sensitive: true,
});
export const password = shape.string({ required: true, max: 256, pattern: String.raw`[\S]+`, sensitive: true });
export const secretHash = shape.string({ min: 1, max: 128, pattern: String.raw`[\w+=/]+`, sensitive: true });
export const confirmationCode = shape.string({ required: true, min: 1, max: 2048, pattern: String.raw`[\S]+` });
export const accessToken = shape.string({ required: true, pattern: String.raw`[A-Za-z0-9-_=.]+`, sensitive: true });
export const groupName = shape.string({
  required: true,
  min: 1,
  max: 128,
  pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`,
});
// Required as a list member: a null in UserAttributes is a validation error, not a null handed
// to the operation.
export const attributeType = shape.structure(
  {
    Name: shape.string({ required: true, min: 1, max: 32, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+` }),
    Value: shape.string({ max: 2048, sensitive: true }),
  },
  { required: true },
);
export const attributesShape = shape.list(attributeType);
export const clientMetadata = shape.map(shape.string());
export const paginationToken = shape.string({ min: 1, pattern: String.raw`[\S]+` });

export function requirePool(ctx: Context, id: string): Pool {
  const pool = ctx.store.pools.get(id);
  if (!pool) throw poolNotFound(id);
  return pool;
}

/** A client by id alone (InitiateAuth, SignUp, …): unknown → ResourceNotFoundException. */
export function requireClient(ctx: Context, id: string): { client: Client; pool: Pool } {
  const client = ctx.store.clients.get(id);
  if (!client) throw clientNotFound(id);
  return { client, pool: requirePool(ctx, client.poolId) };
}

/** A client that must belong to `pool` (the Admin* and *UserPoolClient operations). */
export function requirePoolClient(ctx: Context, pool: Pool, id: string): Client {
  const client = ctx.store.clients.get(id);
  if (!client || client.poolId !== pool.id) throw clientNotFound(id);
  return client;
}

/** The key a username is stored under in `pool`. */
export function usernameKeyOf(pool: Pool, name: string): string {
  return pool.config.UsernameConfiguration?.CaseSensitive === true ? name : name.toLowerCase();
}

/**
 * Finds the user a sign-in name refers to, as Cognito resolves it: the username itself, then
 * (for pools that sign in with email/phone, or have them as aliases) the email or phone number,
 * then preferred_username. Aliases count only when verified.
 */
export function findUser(ctx: Context, pool: Pool, name: string): User | undefined {
  const direct = ctx.store.users.get(pool.id, usernameKeyOf(pool, name));
  if (direct) return direct;
  const usernameAttrs = pool.config.UsernameAttributes ?? [];
  const aliases = pool.config.AliasAttributes ?? [];
  const { users } = ctx.store;
  if (name.includes("@") && (usernameAttrs.includes("email") || aliases.includes("email"))) {
    const verifiedOnly = !usernameAttrs.includes("email");
    const match = users.findByEmail(pool.id, name).find((u) => !verifiedOnly || u.attributes.email_verified === "true");
    if (match) return match;
  }
  if (name.startsWith("+") && (usernameAttrs.includes("phone_number") || aliases.includes("phone_number"))) {
    const verifiedOnly = !usernameAttrs.includes("phone_number");
    const match = users
      .findByPhone(pool.id, name)
      .find((u) => !verifiedOnly || u.attributes.phone_number_verified === "true");
    if (match) return match;
  }
  if (aliases.includes("preferred_username")) return users.findByPreferredUsername(pool.id, name)[0];
  return undefined;
}

/** Like findUser, but an unknown name is UserNotFoundException. */
export function requireUser(ctx: Context, pool: Pool, name: string): User {
  const user = findUser(ctx, pool, name);
  if (!user) throw userNotFound();
  return user;
}

/** Every secret the client accepts, oldest first; two during a rotation (client-secrets.ts). */
export const clientSecretsOf = (client: Client): readonly string[] =>
  client.secrets ?? (client.secret === null ? [] : [client.secret]);

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Whether `given` is one of the client's secrets; constant-time. */
export const isClientSecret = (client: Client, given: string): boolean =>
  clientSecretsOf(client).some((secret) => sameBytes(Buffer.from(secret), Buffer.from(given)));

/**
 * Checks SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id))
 * for clients that have a secret, as Cognito requires, with any of the client's secrets;
 * constant-time.
 */
export function assertSecretHash(client: Client, name: string, hash: string | undefined): void {
  const secrets = clientSecretsOf(client);
  if (secrets.length === 0) return;
  if (hash === undefined) {
    throw notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  }
  const actual = Buffer.from(hash, "base64");
  const matches = secrets.some((secret) =>
    sameBytes(
      actual,
      createHmac("sha256", secret)
        .update(name + client.id)
        .digest(),
    ),
  );
  if (!matches) throw notAuthorized(`Unable to verify secret hash for client ${client.id}`);
}

/** A user status that prevents password sign-in, as the error Cognito answers with. */
export function assertCanSignIn(user: User): void {
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  if (user.status === "UNCONFIRMED") throw new CognitoError("UserNotConfirmedException", messages.userNotConfirmed);
  if (user.status === "RESET_REQUIRED")
    throw new CognitoError("PasswordResetRequiredException", messages.passwordResetRequired);
}

/** AWS's ISO timestamps are epoch seconds in JSON (the SDK turns them into Dates). */
export const epochSeconds = (ms: number): number => ms / 1000;
