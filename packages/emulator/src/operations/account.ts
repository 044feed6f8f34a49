/**
 * What a signed-in user does to their own account with an access token: GetUser,
 * UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
 * DeleteUserAttributes, ChangePassword, DeleteUser.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html
 *
 * Every one of them authenticates the token as Cognito does (`authenticateAccessToken`: invalid,
 * expired, revoked, disabled user), needs the `aws.cognito.signin.user.admin` scope that
 * InitiateAuth tokens carry, and reads and writes attributes as the token's app client may
 * (ReadAttributes / WriteAttributes).
 *
 * Verification follows the Developer Guide ("Verifying when users change their email or phone
 * number"): changing email or phone_number makes it unverified, and where the pool auto-verifies
 * it a code is sent to the new value. UserAttributeUpdateSettings, which keeps the old value
 * until the new one is verified, is not emulated yet.
 */
import { consumeCode, issueCode, type CodeDeliveryDetails } from "../codes.ts";
import type { Context } from "../context.ts";
import { invalidParameter, messages, notAuthorized, type CognitoError } from "../errors.ts";
import { mfaOptionsMember } from "../mfa.ts";
import type { Attributes, Client, Pool, User, VerifiableAttribute } from "../model.ts";
import { verifyPassword } from "../passwords.ts";
import { shape } from "../shapes.ts";
import { authenticateAccessToken } from "../tokens.ts";
import { attributeList, checkAttributes, currentUser, passwordFields } from "../users.ts";
import { accessToken, attributesShape, clientMetadata, confirmationCode, password } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { aliasExists, aliasHolders } from "./signup.ts";

const attributeName = shape.string({
  required: true,
  min: 1,
  max: 32,
  pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`,
});
const verifiable: readonly VerifiableAttribute[] = ["email", "phone_number"];
const isVerifiable = (name: string): name is VerifiableAttribute => (verifiable as readonly string[]).includes(name);

/** The scope that lets a token manage its own user (Cognito's user-pools API scope). */
const userAdminScope = "aws.cognito.signin.user.admin";

export interface Caller {
  readonly pool: Pool;
  readonly client: Client;
  readonly user: User;
}

/** Authenticates the AccessToken of a self-service call and finds the app client it was issued to. */
export async function callerOf(ctx: Context, token: string): Promise<Caller> {
  const { pool, user, claims } = await authenticateAccessToken(ctx, token);
  const { scope } = claims as { scope?: unknown };
  if (typeof scope !== "string" || !scope.split(" ").includes(userAdminScope)) {
    throw notAuthorized("Access Token does not have required scopes");
  }
  const client = ctx.store.clients.get(claims.client_id);
  // A token of a deleted app client is no longer one of this pool's tokens.
  if (!client || client.poolId !== pool.id) throw notAuthorized(messages.invalidAccessToken);
  return { pool, client, user };
}

/** The attributes the client may read; `sub` always, as it identifies the user. */
function readable(user: User, client: Client): Attributes {
  const allowed = client.config.ReadAttributes;
  if (!allowed || allowed.length === 0) return user.attributes;
  return Object.fromEntries(
    Object.entries(user.attributes).filter(([name]) => name === "sub" || allowed.includes(name)),
  );
}

// AWS's wording, as users report it (aws-amplify/amplify-js#3652) and as floci-io/floci checked
// it against a real pool, like the "no value" messages below; the email variant of "User does
// not have a valid registered …" is by analogy with the phone one.
const invalidAttributeName = (): CognitoError =>
  invalidParameter("Invalid attribute name. Only phone_number and email can be verified.");

/**
 * Refuses a new email/phone that another user of the pool already signs in with: in pools whose
 * UsernameAttributes include it, the value must be unique ("An account with the given email
 * already exists.").
 */
function assertContactFree(ctx: Context, pool: Pool, user: User, attribute: VerifiableAttribute): void {
  if (!(pool.config.UsernameAttributes ?? []).includes(attribute)) return;
  const value = user.attributes[attribute];
  if (!value) return;
  const holders =
    attribute === "email" ? ctx.store.users.findByEmail(pool.id, value) : ctx.store.users.findByPhone(pool.id, value);
  if (holders.some((other) => other.usernameKey !== user.usernameKey)) throw aliasExists(attribute);
}

/** Refuses to leave a required attribute without a value. */
function assertRequiredKept(pool: Pool, names: readonly string[]): void {
  const required = pool.config.SchemaAttributes.filter((d) => d.Required && names.includes(d.Name));
  if (required.length > 0) {
    throw invalidParameter(
      `Attributes did not conform to the schema: ${required.map((d) => `${d.Name}: The attribute is required\n`).join("")}`,
    );
  }
}

/**
 * Checks the names of attributes a user wants removed, as a write through `client`: they must be
 * in the schema, writable by the client, mutable and not required.
 */
function checkRemovals(pool: Pool, client: Client, names: readonly string[]): void {
  checkAttributes(
    pool,
    names.map((Name) => ({ Name, Value: "" })),
    { kind: "user", client },
    false,
  );
  assertRequiredKept(pool, names);
}

/** `attributes` without `names`; removing email/phone removes its verified flag too. */
function withoutAttributes(attributes: Attributes, names: readonly string[]): Attributes {
  const out = { ...attributes };
  for (const name of names) {
    delete out[name];
    if (isVerifiable(name)) delete out[`${name}_verified`];
  }
  return out;
}

export const accountOperations = {
  GetUser: defineOperation(shape.structure({ AccessToken: accessToken }), async (ctx, request) => {
    const { client, user } = await callerOf(ctx, request.AccessToken);
    const enabled = user.mfa.enabled ?? [];
    return {
      Username: user.username,
      UserAttributes: attributeList(readable(user, client)),
      ...mfaOptionsMember(user),
      ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
      ...(enabled.length > 0 ? { UserMFASettingList: enabled } : {}),
    };
  }),

  UpdateUserAttributes: defineOperation(
    shape.structure({
      AccessToken: accessToken,
      UserAttributes: { ...attributesShape, required: true },
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { pool, client, user: caller } = await callerOf(ctx, request.AccessToken);
      const blank = request.UserAttributes.filter((a) => (a.Value ?? "") === "").map((a) => a.Name);
      const given = checkAttributes(pool, request.UserAttributes, { kind: "user", client }, false);
      assertRequiredKept(pool, blank);
      const auto = pool.config.AutoVerifiedAttributes ?? [];
      const deliveries = ctx.store.transaction(() => {
        const user = currentUser(ctx, caller);
        const attributes = withoutAttributes({ ...user.attributes, ...given }, blank);
        const changed = verifiable.filter(
          (name) => attributes[name] !== undefined && attributes[name] !== user.attributes[name],
        );
        // A new email/phone is not verified, whatever the old one was.
        for (const name of changed) attributes[`${name}_verified`] = "false";
        const updated = ctx.store.users.update(user, { attributes }, ctx.clock.now());
        const sent: CodeDeliveryDetails[] = [];
        for (const name of changed) {
          assertContactFree(ctx, pool, updated, name);
          // A code sent for the old value must not verify the new one.
          ctx.store.codes.delete(pool.id, user.usernameKey, `VERIFY:${name}`);
          if (!auto.includes(name)) continue;
          const delivery = issueCode(ctx, pool, updated, `VERIFY:${name}`, "VERIFY_ATTRIBUTE", name);
          if (delivery) sent.push(delivery);
        }
        for (const name of blank.filter(isVerifiable)) {
          ctx.store.codes.delete(pool.id, user.usernameKey, `VERIFY:${name}`);
        }
        return sent;
      });
      return deliveries.length > 0 ? { CodeDeliveryDetailsList: deliveries } : {};
    },
  ),

  GetUserAttributeVerificationCode: defineOperation(
    shape.structure({ AccessToken: accessToken, AttributeName: attributeName, ClientMetadata: clientMetadata }),
    async (ctx, request) => {
      const { pool, user } = await callerOf(ctx, request.AccessToken);
      const name = request.AttributeName;
      if (!isVerifiable(name)) throw invalidAttributeName();
      if (!user.attributes[name]) {
        throw invalidParameter(
          name === "phone_number"
            ? "User does not have a valid registered phone number"
            : "User does not have a valid registered email",
        );
      }
      const delivery = issueCode(ctx, pool, user, `VERIFY:${name}`, "VERIFY_ATTRIBUTE", name);
      if (!delivery) throw invalidAttributeName();
      return { CodeDeliveryDetails: delivery };
    },
  ),

  VerifyUserAttribute: defineOperation(
    shape.structure({ AccessToken: accessToken, AttributeName: attributeName, Code: confirmationCode }),
    async (ctx, request) => {
      const { pool, user: caller } = await callerOf(ctx, request.AccessToken);
      const name = request.AttributeName;
      if (!isVerifiable(name)) throw invalidAttributeName();
      const user = currentUser(ctx, caller);
      if (!user.attributes[name]) {
        throw invalidParameter(`Unable to verify attribute: ${name} no value set to verify`);
      }
      // A verified alias is how others sign in: it cannot become a second user's too. Checked
      // before the code is spent, so the user can try again once the conflict is resolved.
      if ((pool.config.AliasAttributes ?? []).includes(name) && aliasHolders(ctx, pool, user, name).length > 0) {
        throw aliasExists(name);
      }
      consumeCode(ctx, user, `VERIFY:${name}`, request.Code);
      ctx.store.transaction(() => {
        ctx.store.users.update(
          user,
          { attributes: { ...user.attributes, [`${name}_verified`]: "true" } },
          ctx.clock.now(),
        );
      });
      return {};
    },
  ),

  DeleteUserAttributes: defineOperation(
    shape.structure({ AccessToken: accessToken, UserAttributeNames: shape.list(attributeName, { required: true }) }),
    async (ctx, request) => {
      const { pool, client, user: caller } = await callerOf(ctx, request.AccessToken);
      checkRemovals(pool, client, request.UserAttributeNames);
      ctx.store.transaction(() => {
        const user = currentUser(ctx, caller);
        const attributes = withoutAttributes(user.attributes, request.UserAttributeNames);
        ctx.store.users.update(user, { attributes }, ctx.clock.now());
        for (const name of request.UserAttributeNames.filter(isVerifiable)) {
          ctx.store.codes.delete(pool.id, user.usernameKey, `VERIFY:${name}`);
        }
      });
      return {};
    },
  ),

  ChangePassword: defineOperation(
    shape.structure({
      AccessToken: accessToken,
      // Optional since passwordless sign-in: "Required if the user has a password".
      PreviousPassword: { ...password, required: false },
      ProposedPassword: password,
    }),
    async (ctx, request) => {
      const { pool, user } = await callerOf(ctx, request.AccessToken);
      // A user with a password proves it; leaving it out is the same wrong answer.
      if (user.passwordHash !== null) {
        const proven =
          request.PreviousPassword !== undefined && (await verifyPassword(request.PreviousPassword, user.passwordHash));
        if (!proven) throw notAuthorized(messages.incorrectCredentials);
      }
      const secrets = await passwordFields(ctx, pool, user.username, request.ProposedPassword);
      ctx.store.transaction(() => {
        const current = currentUser(ctx, user);
        // The password proven above must still be the user's: a concurrent change wins once.
        if (current.passwordHash !== user.passwordHash) throw notAuthorized(messages.incorrectCredentials);
        ctx.store.users.update(current, secrets, ctx.clock.now());
      });
      return {};
    },
  ),

  DeleteUser: defineOperation(shape.structure({ AccessToken: accessToken }), async (ctx, request) => {
    const { pool, user } = await callerOf(ctx, request.AccessToken);
    // Sessions, codes, challenges and group memberships go with the user (ON DELETE CASCADE).
    ctx.store.transaction(() => ctx.store.users.delete(pool.id, user.usernameKey));
    return {};
  }),
};
