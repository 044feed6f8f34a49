/**
 * Linking a user to an external IdP account: AdminLinkProviderForUser and
 * AdminDisableProviderForUser.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminLinkProviderForUser.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableProviderForUser.html
 *
 * The emulator does not federate, so a link is kept, not used: the destination user gains an
 * entry in its `identities` attribute (identities.ts), which AdminGetUser, ListUsers, GetUser and
 * the ID token show, and a "provider-link" document keyed by the source identity records whose
 * it is, so one IdP account links to one user. The document names the user by `sub`; a link
 * whose user was deleted, or no longer lists it, is spent and may be made again.
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, userNotFound } from "../errors.ts";
import { identitiesAttribute, parseIdentities, type LinkedIdentity } from "../identities.ts";
import type { Pool, User } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { requireAdminUser } from "./admin-users.ts";
import { findUser, requirePool } from "./common.ts";
import { findIdentityProvider, type Provider } from "./identity-providers.ts";
import { defineOperation } from "./operation.ts";

/** "The maximum number of federated identities linked to a user is five." (API reference) */
const maxLinkedIdentities = 5;
/** The ProviderName of a pool's own users, and the attribute name of an IdP's subject. */
const cognito = "Cognito";
const subjectAttribute = "Cognito_Subject";
/** Social IdPs link by their subject only (SourceUser: "you must set the ProviderAttributeName to Cognito_Subject"). */
const socialTypes: ReadonlySet<string> = new Set(["Facebook", "Google", "LoginWithAmazon", "SignInWithApple"]);

export const linkMessages = {
  /** AWS's answer to a Cognito user as SourceUser (aws/aws-sdk-js-v3#5281, boto/boto3#4163). */
  cognitoSource:
    "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
  /** AWS's answer to a SourceUser that already belongs to a user (aws/aws-sdk-net#1000). */
  alreadyLinked:
    "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
  /** AWS's wording for a provider the pool lacks (webiny/webiny-js#4506), as in client-settings.ts. */
  unknownProvider: (name: string, poolId: string) => `The provider ${name} does not exist for User Pool ${poolId}`,
  // The emulator's wording from here on.
  missingMember: (member: string) => `${member} is required.`,
  socialSubject: (name: string) => `ProviderAttributeName must be ${subjectAttribute} for the ${name} provider.`,
  tooMany: `A user can be linked to at most ${maxLinkedIdentities} federated identities.`,
} as const;

const providerUser = shape.structure(
  {
    ProviderName: shape.string({ min: 1, max: 32, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+` }),
    ProviderAttributeName: shape.string({ max: 131072 }),
    ProviderAttributeValue: shape.string({ max: 131072 }),
  },
  { required: true },
);
type ProviderUser = Infer<typeof providerUser>;
/** These two operations take any string as UserPoolId (StringType in AWS's model, not UserPoolIdType). */
const anyPoolId = shape.string({ required: true, max: 131072 });

/** One IdP account as AdminLinkProviderForUser's SourceUser names it. */
interface SourceIdentity {
  readonly provider: Provider;
  readonly attribute: string;
  readonly value: string;
}

/** `member` of ProviderUserIdentifierType, which the model leaves optional but a link needs. */
function need(user: ProviderUser, member: keyof ProviderUser, where: string): string {
  const value = user[member];
  if (value === undefined || value === "") throw invalidParameter(linkMessages.missingMember(`${where}.${member}`));
  return value;
}

function requireProvider(ctx: Context, pool: Pool, name: string): Provider {
  const provider = findIdentityProvider(ctx, pool.id, name);
  if (!provider) throw invalidParameter(linkMessages.unknownProvider(name, pool.id));
  return provider;
}

/** The IdP account a SourceUser (or AdminDisableProviderForUser's User) names. */
function sourceIdentity(ctx: Context, pool: Pool, user: ProviderUser, where: string): SourceIdentity {
  const provider = requireProvider(ctx, pool, need(user, "ProviderName", where));
  const attribute = need(user, "ProviderAttributeName", where);
  if (socialTypes.has(provider.ProviderType) && attribute !== subjectAttribute) {
    throw invalidParameter(linkMessages.socialSubject(provider.ProviderName));
  }
  return { provider, attribute, value: need(user, "ProviderAttributeValue", where) };
}

const linkKey = (source: SourceIdentity): string =>
  JSON.stringify([source.provider.ProviderName, source.attribute, source.value]);

const isSource = (identity: LinkedIdentity, source: SourceIdentity): boolean =>
  identity.providerName === source.provider.ProviderName && identity.userId === source.value;

/** The user `source` is linked to, if the link still stands. */
function linkedUser(ctx: Context, pool: Pool, source: SourceIdentity): User | undefined {
  const link = ctx.store.documents.get<{ sub: string }>(pool.id, "provider-link", linkKey(source));
  const user = link && ctx.store.users.findBySub(pool.id, link.body.sub);
  return user && parseIdentities(user.attributes.identities).some((i) => isSource(i, source)) ? user : undefined;
}

/** `user` with its `identities` attribute set to `list`. */
function withIdentities(ctx: Context, user: User, list: readonly LinkedIdentity[]): void {
  const { identities: _old, ...rest } = user.attributes;
  const value = identitiesAttribute(list);
  ctx.store.users.update(
    user,
    { attributes: value === undefined ? rest : { ...rest, identities: value } },
    ctx.clock.now(),
  );
}

/**
 * The DestinationUser: a pool user by username (ProviderName Cognito; "The ProviderAttributeName
 * of the DestinationUser is ignored"), or a federated user, named `<ProviderName>_<user id>`.
 */
function destinationUser(ctx: Context, pool: Pool, destination: ProviderUser): User {
  const name = need(destination, "ProviderName", "DestinationUser");
  const value = need(destination, "ProviderAttributeValue", "DestinationUser");
  if (name === cognito) return requireAdminUser(ctx, pool, value);
  const provider = requireProvider(ctx, pool, name);
  const user = findUser(ctx, pool, `${provider.ProviderName}_${value}`);
  if (!user) throw userNotFound();
  return user;
}

export const providerLinkOperations = {
  AdminLinkProviderForUser: defineOperation(
    shape.structure({ UserPoolId: anyPoolId, DestinationUser: providerUser, SourceUser: providerUser }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      if (request.SourceUser.ProviderName === cognito) throw invalidParameter(linkMessages.cognitoSource);
      const source = sourceIdentity(ctx, pool, request.SourceUser, "SourceUser");
      ctx.store.transaction(() => {
        const user = destinationUser(ctx, pool, request.DestinationUser);
        if (linkedUser(ctx, pool, source)) throw invalidParameter(linkMessages.alreadyLinked);
        const identities = parseIdentities(user.attributes.identities).filter((i) => !isSource(i, source));
        if (identities.length >= maxLinkedIdentities)
          throw new CognitoError("LimitExceededException", linkMessages.tooMany);
        const now = ctx.clock.now();
        const identity: LinkedIdentity = {
          userId: source.value,
          providerName: source.provider.ProviderName,
          providerType: source.provider.ProviderType,
          issuer: null,
          primary: false,
          dateCreated: now,
        };
        withIdentities(ctx, user, [...identities, identity]);
        ctx.store.documents.put(pool.id, "provider-link", linkKey(source), { sub: user.sub }, now);
      });
      return {};
    },
  ),

  AdminDisableProviderForUser: defineOperation(
    shape.structure({ UserPoolId: anyPoolId, User: providerUser }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      // "To deactivate a local user, set ProviderName to Cognito and the ProviderAttributeName to
      // Cognito_Subject. The ProviderAttributeValue must be user's local username." They can no
      // longer sign in with their password: the user is disabled, as AdminDisableUser does.
      if (request.User.ProviderName === cognito) {
        if (need(request.User, "ProviderAttributeName", "User") !== subjectAttribute) {
          throw invalidParameter(linkMessages.socialSubject(cognito));
        }
        ctx.store.transaction(() => {
          const user = requireAdminUser(ctx, pool, need(request.User, "ProviderAttributeValue", "User"));
          ctx.store.users.update(user, { enabled: false }, ctx.clock.now());
          ctx.store.sessions.revokeAllOfUser(pool.id, user.usernameKey);
        });
        return {};
      }
      const source = sourceIdentity(ctx, pool, request.User, "User");
      ctx.store.transaction(() => {
        const linked = linkedUser(ctx, pool, source);
        // A federated user of that account (one that signed in through the IdP) is disabled too.
        const federated = findUser(ctx, pool, `${source.provider.ProviderName}_${source.value}`);
        const signedUp = federated?.status === "EXTERNAL_PROVIDER" ? federated : undefined;
        if (!linked && !signedUp) throw userNotFound();
        if (linked) {
          withIdentities(
            ctx,
            linked,
            parseIdentities(linked.attributes.identities).filter((i) => !isSource(i, source)),
          );
        }
        ctx.store.documents.delete(pool.id, "provider-link", linkKey(source));
        if (signedUp) {
          ctx.store.users.update(signedUp, { enabled: false }, ctx.clock.now());
          ctx.store.sessions.revokeAllOfUser(pool.id, signedUp.usernameKey);
        }
      });
      return {};
    },
  ),
};
