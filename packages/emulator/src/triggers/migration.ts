/**
 * The migrate user trigger: a sign-in with a password (USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH) or a ForgotPassword that names no user asks the function for the
 * user, and Cognito creates them from its answer.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html
 *
 * Facts relied on: the request carries `password` (not for UserMigration_ForgotPassword) and
 * `validationData` (the sign-in's ClientMetadata) or `clientMetadata` (ForgotPassword's); the
 * answer's `userAttributes` are required; `finalUserStatus` CONFIRMED keeps the password, else
 * the user is RESET_REQUIRED; the pool's password policy is not applied to a migrated password;
 * `forceAliasCreation` moves a verified alias another user holds, otherwise that is an error.
 * An answer without attributes means the old directory does not know the user either; Cognito
 * then answers UserNotFoundException "Exception migrating user in app client <client id>"
 * (the wording users report from AWS; not in the guide).
 */
import type { Context } from "../context.ts";
import { CognitoError } from "../errors.ts";
import type { Client, Pool, User } from "../model.ts";
import { aliasExists, aliasHolders } from "../operations/signup.ts";
import { hashPassword } from "../passwords.ts";
import { makeVerifier } from "../srp.ts";
import { assertUserIsNew, buildUser, checkAttributes, nameNewUser } from "../users.ts";
import { flag, responseOf, triggerEvent } from "./events.ts";
import { invokeTrigger, triggerArn } from "./runtime.ts";
import { clientMetadata } from "./scope.ts";
import { moveVerifiedAliases } from "./sign-up.ts";

/**
 * The user the pool's UserMigration trigger creates for `name`, or null when the pool has no
 * such trigger (or the function does not know the user and the client hides that). `password`
 * is the one typed at sign-in; null for the forgot-password flow.
 */
export async function migrateUser(
  ctx: Context,
  pool: Pool,
  client: Client,
  name: string,
  password: string | null,
): Promise<User | null> {
  if (triggerArn(pool, "UserMigration") === null) return null;
  const metadata = clientMetadata();
  const some = Object.keys(metadata).length > 0 ? metadata : null;
  const returned = await invokeTrigger(
    ctx,
    pool,
    "UserMigration",
    triggerEvent({
      pool,
      userName: name,
      triggerSource: password === null ? "UserMigration_ForgotPassword" : "UserMigration_Authentication",
      request: password === null ? { validationData: null, clientMetadata: some } : { password, validationData: some },
      response: {
        userAttributes: null,
        forceAliasCreation: null,
        enableSMSMFA: null,
        finalUserStatus: null,
        messageAction: null,
        desiredDeliveryMediums: null,
      },
    }),
  );
  const response = responseOf(returned);
  const given = response.userAttributes;
  if (typeof given !== "object" || given === null || Object.keys(given).length === 0) {
    if (client.config.PreventUserExistenceErrors === "ENABLED") return null;
    throw new CognitoError("UserNotFoundException", `Exception migrating user in app client ${client.id}`);
  }
  const input = Object.entries(given as Record<string, unknown>)
    .filter(([attribute]) => attribute !== "username" && attribute !== "sub")
    .map(([Name, Value]) => ({ Name, Value: String(Value) }));
  const attributes = checkAttributes(pool, input, { kind: "admin" }, true);
  const named = nameNewUser(pool, name, attributes);
  const confirmed = password !== null && response.finalUserStatus === "CONFIRMED";
  const secrets =
    password === null
      ? null
      : (() => {
          const { salt, verifier } = makeVerifier(pool.id, named.username, password);
          return { srpSalt: salt, srpVerifier: verifier };
        })();
  const passwordHash = password === null ? null : await hashPassword(password, ctx.settings.hashCost);
  const user = buildUser({
    pool,
    ...named,
    status: confirmed ? "CONFIRMED" : "RESET_REQUIRED",
    password: secrets && passwordHash ? { ...secrets, passwordHash } : null,
    now: ctx.clock.now(),
  });
  ctx.store.transaction(() => {
    assertUserIsNew(ctx, pool, user);
    if (flag(response.forceAliasCreation)) {
      moveVerifiedAliases(ctx, pool, user);
    } else {
      for (const attribute of ["email", "phone_number"] as const) {
        const verifiedAlias =
          (pool.config.AliasAttributes ?? []).includes(attribute) &&
          user.attributes[`${attribute}_verified`] === "true";
        if (verifiedAlias && aliasHolders(ctx, pool, user, attribute).length > 0) throw aliasExists(attribute);
      }
    }
    ctx.store.users.insert(user);
  });
  return user;
}
