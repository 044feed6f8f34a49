/**
 * Self-service registration: SignUp, ConfirmSignUp, ResendConfirmationCode.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html
 */
import { consumeCode, issueCode, simulatedDelivery, type CodeDeliveryDetails } from "../codes.ts";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, messages, notAuthorized } from "../errors.ts";
import type { Attributes, Pool, User } from "../model.ts";
import { shape } from "../shapes.ts";
import {
  assertRequiredAttributes,
  assertUserIsNew,
  buildUser,
  checkAttributes,
  nameNewUser,
  passwordFields,
} from "../users.ts";
import {
  assertSecretHash,
  attributesShape,
  clientId,
  clientMetadata,
  confirmationCode,
  findUser,
  password,
  requireClient,
  secretHash,
  username,
} from "./common.ts";
import { defineOperation } from "./operation.ts";
import { moveVerifiedAliases, postConfirmation, preSignUp } from "../triggers/sign-up.ts";

/** The attribute a sign-up code goes to: the first auto-verified one the user has. */
function verificationTarget(pool: Pool, attributes: Attributes): "email" | "phone_number" | null {
  const auto = pool.config.AutoVerifiedAttributes ?? [];
  if (auto.includes("email") && attributes.email) return "email";
  if (auto.includes("phone_number") && attributes.phone_number) return "phone_number";
  return null;
}

/** Sends a sign-up code where the pool auto-verifies; null when it does not. */
function sendSignUpCode(
  ctx: Context,
  pool: Pool,
  user: User,
  kind: "SIGN_UP" | "RESEND_CODE",
): CodeDeliveryDetails | null {
  const target = verificationTarget(pool, user.attributes);
  return target ? issueCode(ctx, pool, user, "SIGN_UP", kind, target) : null;
}

/** Unknown users of ConfirmSignUp/ResendConfirmationCode, in AWS's words. */
const unknownUser = (): CognitoError => new CognitoError("UserNotFoundException", messages.usernameClientNotFound);

export const signUpOperations = {
  SignUp: defineOperation(
    shape.structure({
      ClientId: clientId,
      SecretHash: secretHash,
      Username: username,
      Password: { ...password, required: false },
      UserAttributes: attributesShape,
      ValidationData: attributesShape,
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      assertSecretHash(client, request.Username, request.SecretHash);
      if (pool.config.AdminCreateUserConfig.AllowAdminCreateUserOnly) {
        throw notAuthorized("SignUp is not permitted for this user pool");
      }
      if (request.Password === undefined) throw invalidParameter("Password is required for this sign-up.");
      const given = checkAttributes(pool, request.UserAttributes ?? [], { kind: "user", client }, true);
      const named = nameNewUser(pool, request.Username, given);
      assertRequiredAttributes(pool, named.attributes);
      const secrets = await passwordFields(ctx, pool, named.username, request.Password);
      const draft = buildUser({ pool, ...named, status: "UNCONFIRMED", password: secrets, now: ctx.clock.now() });
      assertUserIsNew(ctx, pool, draft);
      // A PreSignUp refusal throws here, before anything is stored.
      const user = await preSignUp(ctx, pool, draft, "PreSignUp_SignUp");
      const confirmed = user.status === "CONFIRMED";
      const delivery = ctx.store.transaction(() => {
        assertUserIsNew(ctx, pool, user);
        moveVerifiedAliases(ctx, pool, user);
        ctx.store.users.insert(user);
        return confirmed ? null : sendSignUpCode(ctx, pool, user, "SIGN_UP");
      });
      if (confirmed) await postConfirmation(ctx, pool, user, "PostConfirmation_ConfirmSignUp");
      return { UserConfirmed: confirmed, UserSub: user.sub, ...(delivery ? { CodeDeliveryDetails: delivery } : {}) };
    },
  ),

  ConfirmSignUp: defineOperation(
    shape.structure({
      ClientId: clientId,
      SecretHash: secretHash,
      Username: username,
      ConfirmationCode: confirmationCode,
      ForceAliasCreation: shape.boolean(),
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      assertSecretHash(client, request.Username, request.SecretHash);
      const user = findUser(ctx, pool, request.Username);
      if (!user) {
        // With existence errors hidden, an unknown user looks like a wrong code.
        if (client.config.PreventUserExistenceErrors === "ENABLED") {
          throw new CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.");
        }
        throw unknownUser();
      }
      if (user.status !== "UNCONFIRMED") {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      // Before the code is spent: a user told AliasExistsException can retry with the same code
      // and ForceAliasCreation=true.
      const force = request.ForceAliasCreation ?? false;
      if (!force) assertAliasFree(ctx, pool, user);
      consumeCode(ctx, user, "SIGN_UP", request.ConfirmationCode);
      const confirmed = ctx.store.transaction(() => confirmUser(ctx, pool, user, force));
      await postConfirmation(ctx, pool, confirmed, "PostConfirmation_ConfirmSignUp");
      return {};
    },
  ),

  ResendConfirmationCode: defineOperation(
    shape.structure({ ClientId: clientId, SecretHash: secretHash, Username: username, ClientMetadata: clientMetadata }),
    (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      assertSecretHash(client, request.Username, request.SecretHash);
      const user = findUser(ctx, pool, request.Username);
      const hideExistence = client.config.PreventUserExistenceErrors === "ENABLED";
      // "Amazon Cognito returns CodeDeliveryDetails for a disabled user or a user that doesn't
      // exist" when existence errors are prevented (Developer Guide, Managing user existence
      // error responses).
      if (hideExistence && (!user || !user.enabled))
        return { CodeDeliveryDetails: simulatedDelivery(pool, request.Username) };
      if (!user) throw unknownUser();
      if (user.status !== "UNCONFIRMED") throw invalidParameter("User is already confirmed.");
      const delivery = sendSignUpCode(ctx, pool, user, "RESEND_CODE");
      if (!delivery) {
        throw invalidParameter("Auto verification not turned on.");
      }
      return { CodeDeliveryDetails: delivery };
    },
  ),
};

/**
 * Marks a user CONFIRMED and their auto-verified contact verified. When that email/phone is
 * also a verified alias of another user, AWS refuses (AliasExistsException) unless
 * ForceAliasCreation moves the alias to this user.
 */
export function confirmUser(ctx: Context, pool: Pool, user: User, forceAlias: boolean): User {
  const target = verificationTarget(pool, user.attributes);
  const attributes = { ...user.attributes };
  if (target) {
    if ((pool.config.AliasAttributes ?? []).includes(target)) {
      const others = aliasHolders(ctx, pool, user, target);
      if (others.length > 0 && !forceAlias) throw aliasExists(target);
      for (const other of others) {
        ctx.store.users.update(
          other,
          { attributes: { ...other.attributes, [`${target}_verified`]: "false" } },
          ctx.clock.now(),
        );
      }
    }
    attributes[`${target}_verified`] = "true";
  }
  return ctx.store.users.update(user, { status: "CONFIRMED", attributes }, ctx.clock.now());
}

/** Other users of `pool` whose verified `attribute` (an alias) is `user`'s value. */
export function aliasHolders(ctx: Context, pool: Pool, user: User, attribute: "email" | "phone_number"): User[] {
  const value = user.attributes[attribute] ?? "";
  if (value === "") return [];
  const holders =
    attribute === "email" ? ctx.store.users.findByEmail(pool.id, value) : ctx.store.users.findByPhone(pool.id, value);
  return holders.filter(
    (other) => other.usernameKey !== user.usernameKey && other.attributes[`${attribute}_verified`] === "true",
  );
}

export const aliasExists = (attribute: "email" | "phone_number"): CognitoError =>
  new CognitoError("AliasExistsException", `An account with the given ${attribute} already exists.`);

/** Refuses to confirm a user whose auto-verified contact is already another user's alias. */
function assertAliasFree(ctx: Context, pool: Pool, user: User): void {
  const target = verificationTarget(pool, user.attributes);
  if (
    target &&
    (pool.config.AliasAttributes ?? []).includes(target) &&
    aliasHolders(ctx, pool, user, target).length > 0
  ) {
    throw aliasExists(target);
  }
}
