/**
 * Managed login branding styles (stored only: the hosted pages do not render them):
 * CreateManagedLoginBranding, DescribeManagedLoginBranding, DescribeManagedLoginBrandingByClient,
 * UpdateManagedLoginBranding, DeleteManagedLoginBranding.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateManagedLoginBranding.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ManagedLoginBrandingType.html
 *
 * A style belongs to one app client and a client has at most one (ManagedLoginBrandingExists).
 * Update "preserves existing style settings that you don't specify": Settings are merged into the
 * stored ones (objects member by member, anything else replaced) and Assets replace the stored
 * asset of the same Category and ColorMode. UseCognitoProvidedValues true stands for Cognito's
 * defaults, so "you must also omit values for Settings and Assets", and it clears them on update.
 * The emulator keeps no defaults, so ReturnMergedResources returns what was stored. A style whose
 * client was deleted goes with it. The wording of the refusals is the emulator's.
 */
import { randomUUID } from "node:crypto";
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import type { Pool } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { documentsOfClient, findClientDocument } from "./client-documents.ts";
import { clientId, epochSeconds, requirePool, requirePoolClient, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";

const brandingId = shape.string({
  pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[4][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}",
});
const asset = shape.structure({
  Category: shape.string({
    required: true,
    enum: [
      "FAVICON_ICO",
      "FAVICON_SVG",
      "EMAIL_GRAPHIC",
      "SMS_GRAPHIC",
      "AUTH_APP_GRAPHIC",
      "PASSWORD_GRAPHIC",
      "PASSKEY_GRAPHIC",
      "PAGE_HEADER_LOGO",
      "PAGE_HEADER_BACKGROUND",
      "PAGE_FOOTER_LOGO",
      "PAGE_FOOTER_BACKGROUND",
      "PAGE_BACKGROUND",
      "FORM_BACKGROUND",
      "FORM_LOGO",
      "IDP_BUTTON_ICON",
    ],
  }),
  ColorMode: shape.string({ required: true, enum: ["LIGHT", "DARK", "DYNAMIC"] }),
  Extension: shape.string({ required: true, enum: ["ICO", "JPEG", "PNG", "SVG", "WEBP"] }),
  // A blob travels as Base64; "Maximum length of 1000000" bytes, 1333336 characters of Base64.
  Bytes: shape.string({ max: 1333336, pattern: "[A-Za-z0-9+/]*={0,2}" }),
  ResourceId: shape.string({ min: 1, max: 40, pattern: String.raw`[\w\- ]+` }),
});
type Asset = Infer<typeof asset>;
const styleMembers = {
  UseCognitoProvidedValues: shape.boolean(),
  Settings: shape.document(),
  Assets: shape.list(asset, { max: 40 }),
} as const;

/** ManagedLoginBrandingType, as kept, with the client it belongs to. */
interface Branding {
  readonly ManagedLoginBrandingId: string;
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly UseCognitoProvidedValues: boolean;
  readonly Settings?: unknown;
  readonly Assets: Asset[];
  readonly CreatedAt: number;
  readonly UpdatedAt: number;
}

export const brandingMessages = {
  exists: (client: string) => `A managed login branding style already exists for client ${client}.`,
  notFound: (id: string) => `Managed login branding ${id} does not exist.`,
  noneForClient: (client: string) => `Client ${client} has no managed login branding style.`,
  defaultsOnly: "Settings and Assets must be omitted when UseCognitoProvidedValues is true.",
  idRequired: "UserPoolId and ManagedLoginBrandingId are required.",
} as const;

const describe = ({ ClientId: _client, CreatedAt, UpdatedAt, ...branding }: Branding) => ({
  ...branding,
  CreationDate: epochSeconds(CreatedAt),
  LastModifiedDate: epochSeconds(UpdatedAt),
});

function requireBranding(ctx: Context, pool: Pool, id: string): Branding {
  const branding = findClientDocument<Branding>(ctx, pool, "managed-login-branding", id);
  if (!branding) throw new CognitoError("ResourceNotFoundException", brandingMessages.notFound(id));
  return branding;
}

/** The client's style, if it has one. */
const brandingOfClient = (ctx: Context, pool: Pool, client: string): Branding | undefined =>
  documentsOfClient<Branding>(ctx, pool, "managed-login-branding", client)[0];

function assertDefaultsAlone(request: Infer<ReturnType<typeof shape.structure<typeof styleMembers>>>): void {
  if (request.UseCognitoProvidedValues === true && (request.Settings !== undefined || request.Assets !== undefined)) {
    throw invalidParameter(brandingMessages.defaultsOnly);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `update` merged into `stored`: objects member by member; any other value replaces. */
function mergeSettings(stored: unknown, update: unknown): unknown {
  if (!isObject(stored) || !isObject(update)) return update;
  const keys = new Set([...Object.keys(stored), ...Object.keys(update)]);
  // fromEntries defines own members, so a "__proto__" key stays a key and not a prototype.
  return Object.fromEntries(
    [...keys].map((key) => [key, key in update ? mergeSettings(stored[key], update[key]) : stored[key]]),
  );
}

const assetKey = (a: Asset): string => `${a.Category}/${a.ColorMode}`;

function mergeAssets(stored: readonly Asset[], update: readonly Asset[]): Asset[] {
  const replaced = new Set(update.map(assetKey));
  return [...stored.filter((a) => !replaced.has(assetKey(a))), ...update];
}

function save(ctx: Context, branding: Branding): void {
  ctx.store.documents.put(
    branding.UserPoolId,
    "managed-login-branding",
    branding.ManagedLoginBrandingId,
    branding,
    branding.CreatedAt,
  );
}

export const managedLoginBrandingOperations = {
  CreateManagedLoginBranding: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: clientId, ...styleMembers }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      assertDefaultsAlone(request);
      const now = ctx.clock.now();
      const branding: Branding = {
        ManagedLoginBrandingId: randomUUID(),
        UserPoolId: pool.id,
        ClientId: client.id,
        UseCognitoProvidedValues: request.UseCognitoProvidedValues ?? false,
        ...(request.Settings === undefined ? {} : { Settings: request.Settings }),
        Assets: request.Assets ?? [],
        CreatedAt: now,
        UpdatedAt: now,
      };
      ctx.store.transaction(() => {
        if (brandingOfClient(ctx, pool, client.id)) {
          throw new CognitoError("ManagedLoginBrandingExistsException", brandingMessages.exists(client.id));
        }
        save(ctx, branding);
      });
      return { ManagedLoginBranding: describe(branding) };
    },
  ),

  DescribeManagedLoginBranding: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ManagedLoginBrandingId: { ...brandingId, required: true },
      ReturnMergedResources: shape.boolean(),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return { ManagedLoginBranding: describe(requireBranding(ctx, pool, request.ManagedLoginBrandingId)) };
    },
  ),

  DescribeManagedLoginBrandingByClient: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: clientId, ReturnMergedResources: shape.boolean() }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      const branding = brandingOfClient(ctx, pool, client.id);
      if (!branding) throw new CognitoError("ResourceNotFoundException", brandingMessages.noneForClient(client.id));
      return { ManagedLoginBranding: describe(branding) };
    },
  ),

  UpdateManagedLoginBranding: defineOperation(
    // Both ids are optional in AWS's model, yet name the style to update.
    shape.structure({
      UserPoolId: { ...userPoolId, required: false },
      ManagedLoginBrandingId: brandingId,
      ...styleMembers,
    }),
    (ctx, request) => {
      if (request.UserPoolId === undefined || request.ManagedLoginBrandingId === undefined) {
        throw invalidParameter(brandingMessages.idRequired);
      }
      const pool = requirePool(ctx, request.UserPoolId);
      assertDefaultsAlone(request);
      const id = request.ManagedLoginBrandingId;
      const updated = ctx.store.transaction(() => {
        const current = requireBranding(ctx, pool, id);
        const { Settings: _old, ...rest } = current;
        const defaults = request.UseCognitoProvidedValues === true;
        const settings = defaults
          ? undefined
          : request.Settings === undefined
            ? current.Settings
            : mergeSettings(current.Settings, request.Settings);
        const branding: Branding = {
          ...rest,
          UseCognitoProvidedValues: request.UseCognitoProvidedValues ?? current.UseCognitoProvidedValues,
          ...(settings === undefined ? {} : { Settings: settings }),
          Assets: defaults ? [] : mergeAssets(current.Assets, request.Assets ?? []),
          UpdatedAt: ctx.clock.now(),
        };
        save(ctx, branding);
        return branding;
      });
      return { ManagedLoginBranding: describe(updated) };
    },
  ),

  DeleteManagedLoginBranding: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ManagedLoginBrandingId: { ...brandingId, required: true } }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      requireBranding(ctx, pool, request.ManagedLoginBrandingId);
      ctx.store.documents.delete(pool.id, "managed-login-branding", request.ManagedLoginBrandingId);
      return {};
    },
  ),
};
