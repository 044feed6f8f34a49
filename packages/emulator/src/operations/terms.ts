/**
 * Terms documents (stored only: the hosted sign-up page does not link them): CreateTerms,
 * DescribeTerms, DescribeTermsByClient, ListTerms, UpdateTerms, DeleteTerms.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateTerms.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TermsType.html
 *
 * A terms document belongs to an app client; "Terms document names must be unique to the app
 * client" (TermsExistsException), and a name is terms-of-use or privacy-policy. Links maps
 * languages (`cognito:default`, `cognito:spanish`, …) to URLs. Member constraints are those of
 * AWS's model; the wording of the refusals is the emulator's. Documents go with their client.
 */
import { randomUUID } from "node:crypto";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import type { Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import { documentsOfClient, findClientDocument } from "./client-documents.ts";
import { clientId, epochSeconds, requirePool, requirePoolClient, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { documentPage } from "./pagination.ts";

const termsId = shape.string({
  required: true,
  pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[4][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}",
});
const termsName = shape.string({ pattern: "terms-of-use|privacy-policy" });
const termsSource = shape.string({ enum: ["LINK"] });
const enforcement = shape.string({ enum: ["NONE"] });
const links = shape.map(shape.string({ min: 1, max: 1024, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}]+` }), {
  max: 13,
});
const languagePattern =
  "cognito:(default|dutch|english|french|spanish|german|bahasa-indonesia|italian|japanese|korean|portuguese-brazil|chinese-(simplified|traditional))";
const languageRe = new RegExp(`^(?:${languagePattern})$`);

/** TermsType, as kept. */
interface Terms {
  readonly TermsId: string;
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly TermsName: string;
  readonly TermsSource: string;
  readonly Enforcement: string;
  readonly Links: Record<string, string>;
  readonly CreatedAt: number;
  readonly UpdatedAt: number;
}

export const termsMessages = {
  exists: (name: string, client: string) => `Terms documents named ${name} already exist for client ${client}.`,
  notFound: (id: string) => `Terms ${id} does not exist.`,
  notFoundByName: (name: string, client: string) => `Client ${client} has no terms documents named ${name}.`,
} as const;

const describe = ({ CreatedAt, UpdatedAt, ...terms }: Terms) => ({
  ...terms,
  CreationDate: epochSeconds(CreatedAt),
  LastModifiedDate: epochSeconds(UpdatedAt),
});

/** LinksType: 1 to 13 entries whose keys are languages (the map shape checks only values). */
function checkLinks(value: Record<string, string>): void {
  const count = Object.keys(value).length;
  const bad = Object.keys(value).filter((key) => !languageRe.test(key));
  if (count === 0) {
    throw invalidParameter(
      "1 validation error detected: Value '{}' at 'links' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (bad.length > 0) {
    throw invalidParameter(
      `1 validation error detected: Value at 'links' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^${languagePattern}$]`,
    );
  }
}

function requireTerms(ctx: Context, pool: Pool, id: string): Terms {
  const terms = findClientDocument<Terms>(ctx, pool, "terms", id);
  if (!terms) throw new CognitoError("ResourceNotFoundException", termsMessages.notFound(id));
  return terms;
}

const termsOfClient = (ctx: Context, pool: Pool, client: string, name: string): Terms | undefined =>
  documentsOfClient<Terms>(ctx, pool, "terms", client).find((terms) => terms.TermsName === name);

function assertNameFree(ctx: Context, pool: Pool, terms: Terms): void {
  const holder = termsOfClient(ctx, pool, terms.ClientId, terms.TermsName);
  if (holder && holder.TermsId !== terms.TermsId) {
    throw new CognitoError("TermsExistsException", termsMessages.exists(terms.TermsName, terms.ClientId));
  }
}

const save = (ctx: Context, terms: Terms): void =>
  ctx.store.documents.put(terms.UserPoolId, "terms", terms.TermsId, terms, terms.CreatedAt);

export const termsOperations = {
  CreateTerms: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: clientId,
      TermsName: { ...termsName, required: true },
      TermsSource: { ...termsSource, required: true },
      Enforcement: { ...enforcement, required: true },
      Links: links,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      if (request.Links) checkLinks(request.Links);
      const now = ctx.clock.now();
      const terms: Terms = {
        TermsId: randomUUID(),
        UserPoolId: pool.id,
        ClientId: client.id,
        TermsName: request.TermsName,
        TermsSource: request.TermsSource,
        Enforcement: request.Enforcement,
        Links: request.Links ?? {},
        CreatedAt: now,
        UpdatedAt: now,
      };
      ctx.store.transaction(() => {
        assertNameFree(ctx, pool, terms);
        save(ctx, terms);
      });
      return { Terms: describe(terms) };
    },
  ),

  DescribeTerms: defineOperation(shape.structure({ TermsId: termsId, UserPoolId: userPoolId }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return { Terms: describe(requireTerms(ctx, pool, request.TermsId)) };
  }),

  DescribeTermsByClient: defineOperation(
    shape.structure({ ClientId: clientId, UserPoolId: userPoolId, TermsName: { ...termsName, required: true } }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      const terms = termsOfClient(ctx, pool, client.id, request.TermsName);
      if (!terms) {
        throw new CognitoError("ResourceNotFoundException", termsMessages.notFoundByName(request.TermsName, client.id));
      }
      return { Terms: describe(terms) };
    },
  ),

  ListTerms: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      MaxResults: shape.integer({ min: 1, max: 60 }),
      NextToken: shape.string({ max: 131072 }),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const { shown, more } = documentPage<Terms>(ctx, pool.id, "terms", request);
      return {
        // A page may come out short where a deleted client's documents were left out.
        Terms: shown
          .filter((d) => findClientDocument(ctx, pool, "terms", d.key))
          .map(({ body }) => ({
            TermsId: body.TermsId,
            TermsName: body.TermsName,
            Enforcement: body.Enforcement,
            CreationDate: epochSeconds(body.CreatedAt),
            LastModifiedDate: epochSeconds(body.UpdatedAt),
          })),
        ...more,
      };
    },
  ),

  UpdateTerms: defineOperation(
    shape.structure({
      TermsId: termsId,
      UserPoolId: userPoolId,
      TermsName: termsName,
      TermsSource: termsSource,
      Enforcement: enforcement,
      Links: links,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      if (request.Links) checkLinks(request.Links);
      const updated = ctx.store.transaction(() => {
        const current = requireTerms(ctx, pool, request.TermsId);
        const terms: Terms = {
          ...current,
          TermsName: request.TermsName ?? current.TermsName,
          TermsSource: request.TermsSource ?? current.TermsSource,
          Enforcement: request.Enforcement ?? current.Enforcement,
          Links: request.Links ?? current.Links,
          UpdatedAt: ctx.clock.now(),
        };
        assertNameFree(ctx, pool, terms);
        save(ctx, terms);
        return terms;
      });
      return { Terms: describe(updated) };
    },
  ),

  DeleteTerms: defineOperation(shape.structure({ TermsId: termsId, UserPoolId: userPoolId }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    requireTerms(ctx, pool, request.TermsId);
    ctx.store.documents.delete(pool.id, "terms", request.TermsId);
    return {};
  }),
};
