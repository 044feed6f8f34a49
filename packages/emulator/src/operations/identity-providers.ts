/**
 * Identity providers (stored only: the emulator does not federate): CreateIdentityProvider,
 * DescribeIdentityProvider, ListIdentityProviders, UpdateIdentityProvider,
 * DeleteIdentityProvider, GetIdentityProviderByIdentifier.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateIdentityProvider.html
 *
 * Member constraints are the API reference's; the exceptions are the ones each operation
 * declares. The wording of "does not exist" and "already exists" is the emulator's reading.
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import { shape } from "../shapes.ts";
import { epochSeconds, paginationToken, requirePool, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { documentPage } from "./pagination.ts";

const providerName = shape.string({
  required: true,
  min: 1,
  max: 32,
  pattern: String.raw`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`,
});
const providerNameAny = shape.string({
  required: true,
  min: 1,
  max: 32,
  pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+`,
});
const providerType = shape.string({
  required: true,
  enum: ["SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC"],
});
const idpIdentifier = shape.string({ required: true, min: 1, max: 40, pattern: String.raw`[\w\s+=.@-]+` });
const details = shape.map(shape.string());
const attributeMapping = shape.map(shape.string({ max: 131072 }));
const idpIdentifiers = shape.list(idpIdentifier, { max: 50 });

/** IdentityProviderType, as kept. */
export interface Provider {
  readonly UserPoolId: string;
  readonly ProviderName: string;
  readonly ProviderType: string;
  readonly ProviderDetails: Record<string, string>;
  readonly AttributeMapping: Record<string, string>;
  readonly IdpIdentifiers: string[];
  readonly CreatedAt: number;
  readonly UpdatedAt: number;
}

const describe = ({ CreatedAt, UpdatedAt, ...provider }: Provider) => ({
  ...provider,
  LastModifiedDate: epochSeconds(UpdatedAt),
  CreationDate: epochSeconds(CreatedAt),
});

/** The pool's provider named `name` (AdminLinkProviderForUser links users to one). */
export function findIdentityProvider(ctx: Context, poolId: string, name: string): Provider | undefined {
  return ctx.store.documents.get<Provider>(poolId, "identity-provider", name)?.body;
}

function requireProvider(ctx: Context, poolId: string, name: string): Provider {
  const found = findIdentityProvider(ctx, poolId, name);
  if (!found) throw new CognitoError("ResourceNotFoundException", `Identity provider ${name} does not exist.`);
  return found;
}

function allProviders(ctx: Context, poolId: string): Provider[] {
  return ctx.store.documents.all<Provider>(poolId, "identity-provider").map((d) => d.body);
}

/** Refuses an IdP identifier that another provider of the pool already has. */
function assertIdentifiersFree(ctx: Context, poolId: string, name: string, identifiers: readonly string[]): void {
  if (new Set(identifiers).size !== identifiers.length) throw invalidParameter("Duplicate IdP identifiers.");
  for (const other of allProviders(ctx, poolId)) {
    if (other.ProviderName === name) continue;
    const taken = identifiers.find((id) => other.IdpIdentifiers.includes(id));
    if (taken) throw invalidParameter(`The IdP identifier ${taken} is already used by provider ${other.ProviderName}.`);
  }
}

export const identityProviderOperations = {
  CreateIdentityProvider: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ProviderName: providerName,
      ProviderType: providerType,
      ProviderDetails: shape.map(shape.string(), { required: true }),
      AttributeMapping: attributeMapping,
      IdpIdentifiers: idpIdentifiers,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const now = ctx.clock.now();
      const provider: Provider = {
        UserPoolId: pool.id,
        ProviderName: request.ProviderName,
        ProviderType: request.ProviderType,
        ProviderDetails: request.ProviderDetails,
        AttributeMapping: request.AttributeMapping ?? {},
        IdpIdentifiers: request.IdpIdentifiers ?? [],
        CreatedAt: now,
        UpdatedAt: now,
      };
      ctx.store.transaction(() => {
        if (ctx.store.documents.get(pool.id, "identity-provider", provider.ProviderName)) {
          throw new CognitoError(
            "DuplicateProviderException",
            `A provider with the name ${provider.ProviderName} already exists in this user pool.`,
          );
        }
        assertIdentifiersFree(ctx, pool.id, provider.ProviderName, provider.IdpIdentifiers);
        ctx.store.documents.put(pool.id, "identity-provider", provider.ProviderName, provider, now);
      });
      return { IdentityProvider: describe(provider) };
    },
  ),

  DescribeIdentityProvider: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ProviderName: providerNameAny }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return { IdentityProvider: describe(requireProvider(ctx, pool.id, request.ProviderName)) };
    },
  ),

  GetIdentityProviderByIdentifier: defineOperation(
    shape.structure({ UserPoolId: userPoolId, IdpIdentifier: idpIdentifier }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const provider = allProviders(ctx, pool.id).find((p) => p.IdpIdentifiers.includes(request.IdpIdentifier));
      if (!provider) {
        throw new CognitoError(
          "ResourceNotFoundException",
          `Identity provider with identifier ${request.IdpIdentifier} does not exist.`,
        );
      }
      return { IdentityProvider: describe(provider) };
    },
  ),

  ListIdentityProviders: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      MaxResults: shape.integer({ min: 1, max: 60 }),
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const { shown, more } = documentPage<Provider>(ctx, pool.id, "identity-provider", request);
      return {
        Providers: shown.map(({ body }) => ({
          ProviderName: body.ProviderName,
          ProviderType: body.ProviderType,
          LastModifiedDate: epochSeconds(body.UpdatedAt),
          CreationDate: epochSeconds(body.CreatedAt),
        })),
        ...more,
      };
    },
  ),

  UpdateIdentityProvider: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ProviderName: providerName,
      ProviderDetails: details,
      AttributeMapping: attributeMapping,
      IdpIdentifiers: idpIdentifiers,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const current = requireProvider(ctx, pool.id, request.ProviderName);
      // Unlike most Update operations, what is left out stays as it was (the members are optional
      // and the console updates them one at a time).
      const provider: Provider = {
        ...current,
        ProviderDetails: request.ProviderDetails ?? current.ProviderDetails,
        AttributeMapping: request.AttributeMapping ?? current.AttributeMapping,
        IdpIdentifiers: request.IdpIdentifiers ?? current.IdpIdentifiers,
        UpdatedAt: ctx.clock.now(),
      };
      ctx.store.transaction(() => {
        assertIdentifiersFree(ctx, pool.id, provider.ProviderName, provider.IdpIdentifiers);
        ctx.store.documents.put(pool.id, "identity-provider", provider.ProviderName, provider, provider.CreatedAt);
      });
      return { IdentityProvider: describe(provider) };
    },
  ),

  DeleteIdentityProvider: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ProviderName: providerNameAny }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      requireProvider(ctx, pool.id, request.ProviderName);
      ctx.store.documents.delete(pool.id, "identity-provider", request.ProviderName);
      return {};
    },
  ),
};
