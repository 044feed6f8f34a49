/**
 * What every user-touching operation shares: building a new user, checking attributes against
 * the pool's schema and the client's write permissions, setting a password (scrypt hash plus
 * SRP verifier), and the UserType shape AWS returns.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserType.html
 */
import type { Context } from "./context.ts";
import { CognitoError, invalidParameter, notAuthorized } from "./errors.ts";
import { newSub } from "./ids.ts";
import type { Attributes, Client, Pool, User, UserStatus } from "./model.ts";
import { epochSeconds, usernameKeyOf } from "./operations/common.ts";
import { assertPasswordPolicy, hashPassword } from "./passwords.ts";
import { makeVerifier } from "./srp.ts";

export interface AttributeInput {
  readonly Name: string;
  readonly Value?: string | undefined;
}

const emailPattern = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;
const phonePattern = /^\+[0-9]{4,15}$/;
/** Attributes only Cognito sets. */
const systemAttributes = new Set(["sub", "identities"]);
/** Verification flags: writable by admins, never by a user through a client. */
const verificationFlags = new Set(["email_verified", "phone_number_verified"]);

const schemaError = (detail: string): CognitoError =>
  invalidParameter(`Attributes did not conform to the schema: ${detail}`);

export type AttributeWriter =
  /** An administrator (Admin* operations, IAM credentials): any mutable attribute. */
  | { readonly kind: "admin" }
  /** A user through an app client: only the client's WriteAttributes, never verification flags. */
  | { readonly kind: "user"; readonly client: Client };

/**
 * Checks attributes a caller wants to set and returns them as a name → value map.
 * `creating` allows immutable attributes (they can be set once, at creation).
 */
export function checkAttributes(
  pool: Pool,
  input: readonly AttributeInput[],
  writer: AttributeWriter,
  creating: boolean,
): Attributes {
  const schema = new Map(pool.config.SchemaAttributes.map((a) => [a.Name, a]));
  // AWS lists every unknown attribute, one line each:
  // "Attributes did not conform to the schema: phone: Attribute does not exist in the schema.\n"
  const unknown = input.filter(({ Name }) => !schema.has(Name));
  if (unknown.length > 0) {
    throw schemaError(unknown.map(({ Name }) => `${Name}: Attribute does not exist in the schema.\n`).join(""));
  }
  const out: Attributes = {};
  for (const { Name, Value = "" } of input) {
    const definition = schema.get(Name);
    if (!definition) continue;
    if (systemAttributes.has(Name)) throw invalidParameter(`Cannot modify the non-mutable attribute ${Name}`);
    if (writer.kind === "user") {
      const writable = writer.client.config.WriteAttributes;
      const allowed = writable && writable.length > 0 ? writable.includes(Name) : !verificationFlags.has(Name);
      if (!allowed || verificationFlags.has(Name)) {
        throw notAuthorized("A client attempted to write unauthorized attribute");
      }
    }
    if (!creating && !definition.Mutable)
      throw invalidParameter(`Cannot modify an already provided non-mutable attribute ${Name}`);
    const max = Number(definition.StringAttributeConstraints?.MaxLength ?? "2048");
    const min = Number(definition.StringAttributeConstraints?.MinLength ?? "0");
    if (definition.AttributeDataType === "String" && [...Value].length > max) {
      throw schemaError(`${Name}: String must be no longer than ${max} characters\n`);
    }
    if (definition.AttributeDataType === "String" && [...Value].length < min) {
      throw schemaError(`${Name}: String must be no shorter than ${min} characters\n`);
    }
    if (definition.AttributeDataType === "Number" && Value !== "" && !Number.isFinite(Number(Value))) {
      throw schemaError(`${Name}: Number must be a valid number\n`);
    }
    // AWS reads a Boolean attribute without regard to case ("True" is true); it is kept in the
    // one spelling the rest of the emulator compares against.
    const flag = definition.AttributeDataType === "Boolean" ? Value.toLowerCase() : Value;
    if (definition.AttributeDataType === "Boolean" && flag !== "" && flag !== "true" && flag !== "false") {
      throw schemaError(`${Name}: Value must be 'true' or 'false'\n`);
    }
    if (Name === "email" && Value !== "" && !emailPattern.test(Value))
      throw invalidParameter("Invalid email address format.");
    if (Name === "phone_number" && Value !== "" && !phonePattern.test(Value)) {
      throw invalidParameter("Invalid phone number format.");
    }
    out[Name] = flag;
  }
  return out;
}

/**
 * Refuses attributes that lack any of the pool's required ones. AWS names each missing attribute
 * on its own line: "Attributes did not conform to the schema: email: The attribute is required\n".
 */
export function assertRequiredAttributes(pool: Pool, attributes: Attributes): void {
  const missing = pool.config.SchemaAttributes.filter((d) => d.Required && d.Name !== "sub" && !attributes[d.Name]);
  if (missing.length > 0) {
    throw schemaError(missing.map((d) => `${d.Name}: The attribute is required\n`).join(""));
  }
}

/**
 * How a new user is named (SignUp and AdminCreateUser). In pools whose UsernameAttributes include
 * email/phone, the name given must be an email/phone number, it becomes that attribute, and the
 * username is the `sub`. In pools with the email or phone alias, the username must not look like
 * one: "If you select email address as an alias, Amazon Cognito doesn't accept a user name that
 * matches a valid email address format. Similarly, if you select phone number as an alias, …"
 * (Developer Guide, User pool attributes) — otherwise one person could take another's address as
 * a username (issue 14). Pools with neither accept any username.
 */
export function nameNewUser(
  pool: Pool,
  requested: string,
  attributes: Attributes,
): { username: string; sub: string; attributes: Attributes } {
  const sub = newSub();
  const byAttribute = pool.config.UsernameAttributes ?? [];
  if (byAttribute.length === 0) {
    const aliases = pool.config.AliasAttributes ?? [];
    if (aliases.includes("email") && emailPattern.test(requested)) {
      throw invalidParameter("Username cannot be of email format, since user pool is configured for email alias.");
    }
    if (aliases.includes("phone_number") && phonePattern.test(requested)) {
      throw invalidParameter(
        "Username cannot be of phone number format, since user pool is configured for phone number alias.",
      );
    }
    return { username: requested, sub, attributes };
  }
  if (byAttribute.includes("email") && emailPattern.test(requested)) {
    return { username: sub, sub, attributes: { ...attributes, email: requested } };
  }
  if (byAttribute.includes("phone_number") && phonePattern.test(requested)) {
    return { username: sub, sub, attributes: { ...attributes, phone_number: requested } };
  }
  // AWS's words: "Username should be an email." in an email-only pool (boto/boto3#3836), "…either
  // an email or a phone number." where both are allowed (aws-amplify/amplify-js#533).
  throw invalidParameter(
    byAttribute.includes("email") && byAttribute.includes("phone_number")
      ? "Username should be either an email or a phone number."
      : byAttribute.includes("email")
        ? "Username should be an email."
        : "Username should be a phone number.",
  );
}

export interface NewUser {
  readonly pool: Pool;
  readonly username: string;
  readonly sub: string;
  readonly attributes: Attributes;
  readonly status: UserStatus;
  readonly password: PasswordFields | null;
  readonly now: number;
}

export function buildUser({ pool, username, sub, attributes, status, password, now }: NewUser): User {
  return {
    poolId: pool.id,
    username,
    usernameKey: usernameKeyOf(pool, username),
    sub,
    status,
    enabled: true,
    attributes: { sub, ...attributes },
    passwordHash: password?.passwordHash ?? null,
    srpSalt: password?.srpSalt ?? null,
    srpVerifier: password?.srpVerifier ?? null,
    mfa: {},
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Refuses a new user whose username — or, in pools that sign in by email/phone, whose
 * email/phone — is taken. Call inside the transaction that inserts the user.
 */
export function assertUserIsNew(ctx: Context, pool: Pool, user: User): void {
  if (ctx.store.users.get(pool.id, user.usernameKey)) {
    throw new CognitoError("UsernameExistsException", "User already exists");
  }
  const byAttribute = pool.config.UsernameAttributes ?? [];
  const email = user.attributes.email;
  if (byAttribute.includes("email") && email && ctx.store.users.findByEmail(pool.id, email).length > 0) {
    throw new CognitoError("UsernameExistsException", "An account with the given email already exists.");
  }
  const phone = user.attributes.phone_number;
  if (byAttribute.includes("phone_number") && phone && ctx.store.users.findByPhone(pool.id, phone).length > 0) {
    throw new CognitoError("UsernameExistsException", "An account with the given phone_number already exists.");
  }
}

/**
 * The user as stored now. Operations that await (password hashing) hold a copy that another
 * request may have changed meanwhile; re-read it in the synchronous turn that writes, so a write
 * never puts back stale attributes. A user deleted meanwhile is UserNotFoundException.
 */
export function currentUser(ctx: Context, user: User): User {
  const stored = ctx.store.users.get(user.poolId, user.usernameKey);
  if (!stored || stored.sub !== user.sub) throw new CognitoError("UserNotFoundException", "User does not exist.");
  return stored;
}

export interface PasswordFields {
  readonly passwordHash: string;
  readonly srpSalt: string;
  readonly srpVerifier: string;
}

/**
 * Checks `password` against the pool's policy and derives what is stored for it: the scrypt
 * hash (password flows) and the SRP salt and verifier (USER_SRP_AUTH), for `username` — the
 * user's real username, which is what the client uses as USER_ID_FOR_SRP.
 */
export async function passwordFields(
  ctx: Context,
  pool: Pool,
  username: string,
  password: string,
): Promise<PasswordFields> {
  assertPasswordPolicy(password, pool.config.Policies.PasswordPolicy);
  const passwordHash = await hashPassword(password, ctx.settings.hashCost);
  const { salt, verifier } = makeVerifier(pool.id, username, password);
  return { passwordHash, srpSalt: salt, srpVerifier: verifier };
}

export const attributeList = (attributes: Attributes, only?: readonly string[]): { Name: string; Value: string }[] =>
  Object.entries(attributes)
    .filter(([name]) => !only || only.includes(name))
    .map(([Name, Value]) => ({ Name, Value }));

/** The UserType of AdminCreateUser, ListUsers and ListUsersInGroup. */
export function describeUser(user: User, attributesToGet?: readonly string[]) {
  return {
    Username: user.username,
    Attributes: attributeList(user.attributes, attributesToGet),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
