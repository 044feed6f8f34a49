/**
 * Administrators' user operations (IAM-authorised in AWS; the emulator accepts any SigV4):
 * AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminConfirmSignUp, AdminSetUserPassword,
 * AdminResetUserPassword, AdminDisableUser, AdminEnableUser, AdminUpdateUserAttributes,
 * AdminDeleteUserAttributes and ListUsers.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html
 */
import { randomInt } from "node:crypto";
import { issueCode } from "../codes.ts";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, messages, notAuthorized, userNotFound } from "../errors.ts";
import { mfaOptionsMember } from "../mfa.ts";
import type { Attributes, PasswordPolicy, Pool, User, VerifiableAttribute } from "../model.ts";
import { shape } from "../shapes.ts";
import type { UserCursor, UserFilter } from "../store/users.ts";
import {
  assertRequiredAttributes,
  assertUserIsNew,
  buildUser,
  checkAttributes,
  currentUser,
  describeUser,
  nameNewUser,
  passwordFields,
  attributeList,
  type PasswordFields,
} from "../users.ts";
import {
  attributesShape,
  clientMetadata,
  epochSeconds,
  findUser,
  password,
  requirePool,
  userPoolId,
  username,
} from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, pageOf } from "./pagination.ts";
import { confirmUser } from "./signup.ts";
import { postConfirmation, preSignUp } from "../triggers/sign-up.ts";

const admin = { kind: "admin" } as const;
const verifiable: readonly VerifiableAttribute[] = ["email", "phone_number"];
const deliveryMedium = shape.string({ enum: ["SMS", "EMAIL"] });
const attributeName = shape.string({ min: 1, max: 32, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+` });

/**
 * The user an Admin* request names. Besides the username and the pool's sign-in aliases, AWS
 * accepts the user's `sub` ("If username isn't an alias attribute in your user pool, this value
 * must be the sub of a local user", AdminGetUser's Username).
 */
export function requireAdminUser(ctx: Context, pool: Pool, name: string): User {
  const user = findUser(ctx, pool, name) ?? ctx.store.users.findBySub(pool.id, name);
  if (!user) throw userNotFound();
  return user;
}

// ---------------------------------------------------------------------------------------------
// Temporary passwords and the invitation message

const lowers = "abcdefghijkmnopqrstuvwxyz";
const uppers = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const digits = "23456789";
// A subset of Cognito's RequireSymbols characters without quotes, backslash and space, so the
// password survives being pasted from a message.
const symbols = "^$*.[]{}()?!@#%&/,><:;|_~=+-";

/** A password that satisfies any pool policy: one of each class, at least 12 characters. */
function generateTemporaryPassword(policy: PasswordPolicy): string {
  const pick = (set: string): string => set.charAt(randomInt(set.length));
  const chars = [pick(lowers), pick(uppers), pick(digits), pick(symbols)];
  const all = lowers + uppers + digits + symbols;
  while (chars.length < Math.max(policy.MinimumLength, 12)) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  return chars.join("");
}

interface Invitation {
  readonly destination: string;
  readonly medium: "EMAIL" | "SMS";
}

/**
 * Where the invitation goes. DesiredDeliveryMediums defaults to SMS (API reference); a user with
 * no phone number then gets it by email, and one with neither gets none. A medium asked for
 * explicitly needs its attribute: "You must provide a value for email … if you set EMAIL in the
 * DesiredDeliveryMediums parameter" (and phone_number for SMS); that InvalidParameterException's
 * wording is ours.
 */
function invitationsFor(attributes: Attributes, desired: readonly string[] | undefined): Invitation[] {
  const email = attributes.email;
  const phone = attributes.phone_number;
  if (!desired || desired.length === 0) {
    if (phone) return [{ destination: phone, medium: "SMS" }];
    return email ? [{ destination: email, medium: "EMAIL" }] : [];
  }
  // The shape has already limited each value to EMAIL or SMS.
  return [...new Set(desired)].map((name) => {
    const medium = name === "EMAIL" ? "EMAIL" : "SMS";
    const destination = medium === "EMAIL" ? email : phone;
    if (!destination) {
      throw invalidParameter(
        medium === "EMAIL"
          ? "User email is required to deliver the invitation by EMAIL."
          : "User phone_number is required to deliver the invitation by SMS.",
      );
    }
    return { destination, medium };
  });
}

/**
 * RESEND to a user who has no invitation pending. The exception is AWS's; AWS does not document
 * its message, so the wording is ours.
 */
const notResendable = (user: User): CognitoError =>
  new CognitoError(
    "UnsupportedUserStateException",
    `Resend not possible. ${user.username} status is ${user.status}, not FORCE_CHANGE_PASSWORD`,
  );

function sendInvitations(ctx: Context, pool: Pool, user: User, invitations: readonly Invitation[], code: string) {
  for (const { destination, medium } of invitations) {
    ctx.outbox.deliver({
      poolId: pool.id,
      username: user.username,
      destination,
      medium,
      kind: "ADMIN_CREATE_USER",
      code,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Verified contacts

/**
 * A verification flag needs the attribute it verifies; AWS refuses "email_verified" on a user
 * without an email with these words.
 */
function assertFlagsHaveValues(attributes: Attributes): void {
  if (attributes.email_verified !== undefined && !attributes.email) {
    throw invalidParameter("Email is required to verify/un-verify an email");
  }
  if (attributes.phone_number_verified !== undefined && !attributes.phone_number) {
    throw invalidParameter("Phone number is required to verify/un-verify a phone number");
  }
}

const aliasTaken = (attribute: VerifiableAttribute): CognitoError =>
  new CognitoError("AliasExistsException", `An account with the given ${attribute} already exists.`);

/**
 * Makes `user`'s verified email/phone its sign-in alias. Where another user holds the same
 * verified alias, AWS answers AliasExistsException unless ForceAliasCreation moves the alias
 * (the other user's value becomes unverified). In pools that sign in by email/phone, the value
 * must be unique outright. `attributes` are the ones whose value or flag the request sets. Call
 * inside the transaction that writes `user`.
 */
function claimContacts(
  ctx: Context,
  pool: Pool,
  user: User,
  attributes: readonly VerifiableAttribute[],
  force: boolean,
): void {
  const aliases = pool.config.AliasAttributes ?? [];
  const usernameAttributes = pool.config.UsernameAttributes ?? [];
  for (const attribute of attributes) {
    const value = user.attributes[attribute];
    if (!value) continue;
    const holders = (
      attribute === "email" ? ctx.store.users.findByEmail(pool.id, value) : ctx.store.users.findByPhone(pool.id, value)
    ).filter((other) => other.usernameKey !== user.usernameKey);
    if (usernameAttributes.includes(attribute) && holders.length > 0) throw aliasTaken(attribute);
    if (!aliases.includes(attribute) || user.attributes[`${attribute}_verified`] !== "true") continue;
    const verifiedHolders = holders.filter((other) => other.attributes[`${attribute}_verified`] === "true");
    if (verifiedHolders.length > 0 && !force) throw aliasTaken(attribute);
    for (const other of verifiedHolders) {
      ctx.store.users.update(
        other,
        { attributes: { ...other.attributes, [`${attribute}_verified`]: "false" } },
        ctx.clock.now(),
      );
    }
  }
}

/**
 * Checks the names of attributes to remove: they must exist in the schema, be mutable, and not
 * be `sub`. Removing email or phone_number removes its verification flag too.
 */
function removeAttributes(
  pool: Pool,
  attributes: Attributes,
  names: readonly string[],
  unknownMessage: (unknown: readonly string[]) => string = (unknown) =>
    `Attributes did not conform to the schema: ${unknown.map((n) => `${n}: Attribute does not exist in the schema.\n`).join("")}`,
): Attributes {
  const schema = new Map(pool.config.SchemaAttributes.map((a) => [a.Name, a]));
  const unknown = names.filter((name) => !schema.has(name));
  if (unknown.length > 0) throw invalidParameter(unknownMessage(unknown));
  const out = { ...attributes };
  for (const name of names) {
    if (name === "sub") throw invalidParameter(`Cannot modify the non-mutable attribute ${name}`);
    if (!schema.get(name)?.Mutable)
      throw invalidParameter(`Cannot modify an already provided non-mutable attribute ${name}`);
    delete out[name];
    if (name === "email" || name === "phone_number") delete out[`${name}_verified`];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Password reset

/**
 * Where AdminResetUserPassword sends its code: a verified email or phone, in the order of the
 * pool's AccountRecoverySetting; without one, Cognito's legacy order (a verified phone, then a
 * verified email). `admin_only` pools have no self-service recovery, so no destination.
 */
function recoveryAttribute(pool: Pool, user: User): VerifiableAttribute | null {
  const mechanisms = pool.config.AccountRecoverySetting?.RecoveryMechanisms;
  const order: string[] = mechanisms
    ? [...mechanisms].sort((a, b) => a.Priority - b.Priority).map((m) => m.Name)
    : ["verified_phone_number", "verified_email"];
  for (const name of order) {
    if (name === "verified_email" && user.attributes.email && user.attributes.email_verified === "true") return "email";
    if (
      name === "verified_phone_number" &&
      user.attributes.phone_number &&
      user.attributes.phone_number_verified === "true"
    ) {
      return "phone_number";
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// ListUsers filters

/**
 * The attributes ListUsers can search, and what each compares. Per the API reference: username
 * (case-sensitive), email, phone_number, name, given_name, family_name, preferred_username,
 * `cognito:user_status` ("called Status in the Console", case-insensitive), `status` ("called
 * Enabled in the Console", case-sensitive: "Enabled" or "Disabled") and sub. Custom attributes
 * are not searchable.
 */
const searchable: Readonly<Record<string, UserFilter["field"]>> = {
  username: "username",
  email: { attribute: "email" },
  phone_number: { attribute: "phone_number" },
  name: { attribute: "name" },
  given_name: { attribute: "given_name" },
  family_name: { attribute: "family_name" },
  preferred_username: { attribute: "preferred_username" },
  "cognito:user_status": "userStatus",
  status: "enabled",
  sub: "sub",
};

// `AttributeName Filter-Type "AttributeValue"`, quotes in the value escaped with a backslash.
// AWS's own examples also quote the name (`"email"^="testuser"`) and omit the spaces.
const filterSyntax = /^\s*(?:"([^"]+)"|([^\s"^=]+))\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/su;

/**
 * Parses a ListUsers Filter. An empty filter lists everyone. Anything else that is not one
 * attribute name, `=` or `^=`, and a quoted value is AWS's InvalidParameterException
 * "Error while parsing filter." (the text AWS answers a malformed filter with, e.g.
 * aws/aws-sdk-php#1088). A well-formed filter on an attribute that is not searchable ("Custom
 * attributes aren't searchable", API reference) is "Invalid search attribute: custom:foo", the
 * answer moto gives since getmoto/moto#4407.
 */
function parseFilter(filter: string | undefined): UserFilter | null {
  if (filter === undefined || filter.trim() === "") return null;
  const match = filterSyntax.exec(filter);
  const name = match?.[1] ?? match?.[2];
  if (!match || name === undefined) throw invalidParameter("Error while parsing filter.");
  const field = Object.hasOwn(searchable, name) ? searchable[name] : undefined;
  if (field === undefined) throw invalidParameter(`Invalid search attribute: ${name}`);
  return {
    field,
    operator: match[3] === "^=" ? "^=" : "=",
    value: (match[4] ?? "").replace(/\\(.)/gsu, "$1"),
  };
}

const isCursor = (value: unknown): value is UserCursor =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Record<string, unknown>).createdAt === "number" &&
  typeof (value as Record<string, unknown>).usernameKey === "string";

// ---------------------------------------------------------------------------------------------

/** AdminResetUserPassword's answer for a disabled user (see there). */
const resetUserDisabled = "User is disabled";

export const adminUserOperations = {
  AdminCreateUser: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      UserAttributes: attributesShape,
      ValidationData: attributesShape,
      // Blank is allowed: "To create a user with no password, omit this parameter or submit a
      // blank value"; without passwordless sign-in Cognito then generates one.
      TemporaryPassword: shape.string({ max: 256, pattern: String.raw`[\S]*`, sensitive: true }),
      ForceAliasCreation: shape.boolean(),
      MessageAction: shape.string({ enum: ["RESEND", "SUPPRESS"] }),
      DesiredDeliveryMediums: shape.list(deliveryMedium),
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const policy = pool.config.Policies.PasswordPolicy;
      const temporary = request.TemporaryPassword || generateTemporaryPassword(policy);

      if (request.MessageAction === "RESEND") {
        // RESEND re-sends the invitation to an existing user "and resets the temporary-password
        // duration with a new temporary password"; a user who does not exist is
        // UserNotFoundException, and only FORCE_CHANGE_PASSWORD users have an invitation.
        const user = requireAdminUser(ctx, pool, request.Username);
        if (user.status !== "FORCE_CHANGE_PASSWORD") {
          throw notResendable(user);
        }
        const invitations = invitationsFor(user.attributes, request.DesiredDeliveryMediums);
        const secrets = await passwordFields(ctx, pool, user.username, temporary);
        const updated = ctx.store.transaction(() => {
          const current = currentUser(ctx, user);
          if (current.status !== "FORCE_CHANGE_PASSWORD") {
            throw notResendable(current);
          }
          const next = ctx.store.users.update(current, secrets, ctx.clock.now());
          sendInvitations(ctx, pool, next, invitations, temporary);
          return next;
        });
        return { User: describeUser(updated) };
      }

      const given = checkAttributes(pool, request.UserAttributes ?? [], admin, true);
      const named = nameNewUser(pool, request.Username, given);
      assertRequiredAttributes(pool, named.attributes);
      assertFlagsHaveValues(named.attributes);
      const invitations =
        request.MessageAction === "SUPPRESS" ? [] : invitationsFor(named.attributes, request.DesiredDeliveryMediums);
      const draft = buildUser({ pool, ...named, status: "FORCE_CHANGE_PASSWORD", password: null, now: 0 });
      // Before the hashing, so that an existing user is told so whatever the password.
      assertUserIsNew(ctx, pool, draft);
      // AdminCreateUser ignores the answer's flags; a refusal creates no user.
      await preSignUp(ctx, pool, draft, "PreSignUp_AdminCreateUser");
      const secrets: PasswordFields = await passwordFields(ctx, pool, named.username, temporary);
      const user = buildUser({
        pool,
        ...named,
        status: "FORCE_CHANGE_PASSWORD",
        password: secrets,
        now: ctx.clock.now(),
      });
      ctx.store.transaction(() => {
        assertUserIsNew(ctx, pool, user);
        claimContacts(ctx, pool, user, verifiable, request.ForceAliasCreation ?? false);
        ctx.store.users.insert(user);
        sendInvitations(ctx, pool, user, invitations, temporary);
      });
      return { User: describeUser(user) };
    },
  ),

  AdminGetUser: defineOperation(shape.structure({ UserPoolId: userPoolId, Username: username }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    const user = requireAdminUser(ctx, pool, request.Username);
    const enabledMfa = user.mfa.enabled ?? [];
    return {
      Username: user.username,
      UserAttributes: attributeList(user.attributes),
      UserCreateDate: epochSeconds(user.createdAt),
      UserLastModifiedDate: epochSeconds(user.updatedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
      ...mfaOptionsMember(user),
      ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
      ...(enabledMfa.length > 0 ? { UserMFASettingList: enabledMfa } : {}),
    };
  }),

  AdminDeleteUser: defineOperation(shape.structure({ UserPoolId: userPoolId, Username: username }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      const user = requireAdminUser(ctx, pool, request.Username);
      // Group memberships, codes, sessions and pending challenges go with the user (cascade).
      ctx.store.users.delete(pool.id, user.usernameKey);
    });
    return {};
  }),

  AdminConfirmSignUp: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, ClientMetadata: clientMetadata }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      if (user.status !== "UNCONFIRMED") {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      const confirmed = ctx.store.transaction(() => confirmUser(ctx, pool, user, false));
      await postConfirmation(ctx, pool, confirmed, "PostConfirmation_ConfirmSignUp");
      return {};
    },
  ),

  /**
   * "If the password is temporary, the user's Status becomes FORCE_CHANGE_PASSWORD … After the
   * user sets a new password, or if you set a permanent password, their status becomes
   * Confirmed." The pool's password policy applies (InvalidPasswordException).
   */
  AdminSetUserPassword: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: shape.boolean() }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      const secrets = await passwordFields(ctx, pool, user.username, request.Password);
      const status = request.Permanent === true ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD";
      ctx.store.transaction(() =>
        ctx.store.users.update(currentUser(ctx, user), { ...secrets, status }, ctx.clock.now()),
      );
      return {};
    },
  ),

  /**
   * Puts the user in RESET_REQUIRED and sends a password-reset code that ConfirmForgotPassword
   * accepts. As Cognito: a disabled user is "User is disabled", without the period its sign-ins
   * end with (AWS's answer quoted in amazon-archives/amazon-cognito-identity-js#373; moto, which
   * copies AWS's wording, distinguishes the two the same way); only a CONFIRMED (or already
   * RESET_REQUIRED) user can be reset, otherwise "User password cannot be reset in the current
   * state."; and a user with no verified email or phone is InvalidParameterException "Cannot
   * reset password for the user as there is no registered/verified email or phone_number".
   */
  AdminResetUserPassword: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, ClientMetadata: clientMetadata }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      ctx.store.transaction(() => {
        const user = requireAdminUser(ctx, pool, request.Username);
        if (!user.enabled) throw notAuthorized(resetUserDisabled);
        if (user.status !== "CONFIRMED" && user.status !== "RESET_REQUIRED") {
          throw notAuthorized(messages.passwordCannotBeReset);
        }
        const attribute = recoveryAttribute(pool, user);
        if (!attribute) throw invalidParameter(messages.noRecoveryDestination);
        const updated = ctx.store.users.update(user, { status: "RESET_REQUIRED" }, ctx.clock.now());
        issueCode(ctx, pool, updated, "FORGOT_PASSWORD", "FORGOT_PASSWORD", attribute);
      });
      return {};
    },
  ),

  /** "Deactivates a user profile and revokes all access tokens for the user." */
  AdminDisableUser: defineOperation(shape.structure({ UserPoolId: userPoolId, Username: username }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      const user = requireAdminUser(ctx, pool, request.Username);
      ctx.store.users.update(user, { enabled: false }, ctx.clock.now());
      ctx.store.sessions.revokeAllOfUser(pool.id, user.usernameKey);
    });
    return {};
  }),

  AdminEnableUser: defineOperation(shape.structure({ UserPoolId: userPoolId, Username: username }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      const user = requireAdminUser(ctx, pool, request.Username);
      ctx.store.users.update(user, { enabled: true }, ctx.clock.now());
    });
    return {};
  }),

  /**
   * Sets attributes as an administrator: any mutable attribute, verification flags included. "To
   * delete an attribute from your user, submit the attribute in your API request with a blank
   * value." A new email/phone is unverified unless the request sets its flag; where the pool
   * auto-verifies it, a verification code is sent ("If you set the email_verified or
   * phone_number_verified value … to true, Amazon Cognito doesn't send a verification message").
   */
  AdminUpdateUserAttributes: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      UserAttributes: { ...attributesShape, required: true },
      ClientMetadata: clientMetadata,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      const blank = request.UserAttributes.filter((a) => (a.Value ?? "") === "").map((a) => a.Name);
      const set = checkAttributes(
        pool,
        request.UserAttributes.filter((a) => (a.Value ?? "") !== ""),
        admin,
        false,
      );
      const attributes = removeAttributes(pool, { ...user.attributes, ...set }, blank);
      const changed: VerifiableAttribute[] = [];
      for (const attribute of verifiable) {
        const value = attributes[attribute];
        if (value === undefined || value === user.attributes[attribute]) continue;
        changed.push(attribute);
        if (set[`${attribute}_verified`] === undefined) attributes[`${attribute}_verified`] = "false";
      }
      const touched = verifiable.filter((a) => changed.includes(a) || set[`${a}_verified`] !== undefined);
      assertRequiredAttributes(pool, attributes);
      assertFlagsHaveValues(attributes);
      ctx.store.transaction(() => {
        const updated = ctx.store.users.update(user, { attributes }, ctx.clock.now());
        claimContacts(ctx, pool, updated, touched, false);
        const auto = pool.config.AutoVerifiedAttributes ?? [];
        for (const attribute of changed) {
          if (auto.includes(attribute) && attributes[`${attribute}_verified`] !== "true") {
            issueCode(ctx, pool, updated, `VERIFY:${attribute}`, "VERIFY_ATTRIBUTE", attribute);
          }
        }
      });
      return {};
    },
  ),

  AdminDeleteUserAttributes: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      UserAttributeNames: shape.list(attributeName, { required: true }),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      ctx.store.transaction(() => {
        const user = requireAdminUser(ctx, pool, request.Username);
        // AdminDeleteUserAttributes words names outside the schema as moto does (getmoto/moto#4487):
        // "Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\n".
        const attributes = removeAttributes(
          pool,
          user.attributes,
          request.UserAttributeNames,
          (unknown) =>
            `Invalid user attributes: ${unknown.map((n) => `user.${n}: Attribute does not exist in the schema.\n`).join("")}`,
        );
        assertRequiredAttributes(pool, attributes);
        ctx.store.users.update(user, { attributes }, ctx.clock.now());
      });
      return {};
    },
  ),

  /**
   * Users in creation order, at most Limit (0–60; 60 when 0 or left out) per page, filtered by
   * one searchable attribute. AttributesToGet picks the attributes returned (all when null or
   * empty). The PaginationToken is the position after the page's last user.
   */
  ListUsers: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      AttributesToGet: shape.list(attributeName),
      Limit: shape.integer({ min: 0, max: 60 }),
      PaginationToken: shape.string({ min: 1, pattern: String.raw`[\S]+` }),
      Filter: shape.string({ max: 256 }),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const filter = parseFilter(request.Filter);
      const limit = request.Limit === undefined || request.Limit === 0 ? 60 : request.Limit;
      const cursor = request.PaginationToken ? decodeToken(request.PaginationToken, isCursor) : null;
      const page = ctx.store.users.search(pool.id, filter, cursor, limit + 1);
      const cursorOf = (user: User): UserCursor => ({ createdAt: user.createdAt, usernameKey: user.usernameKey });
      const { shown, more } = pageOf(page, limit, cursorOf, "PaginationToken");
      const only = request.AttributesToGet && request.AttributesToGet.length > 0 ? request.AttributesToGet : undefined;
      return { Users: shown.map((user) => describeUser(user, only)), ...more };
    },
  ),
};
