/**
 * Managed login branding styles through the AWS SDK: one per app client, stored with their
 * Settings document and image assets, described by id and by client, updated in part, deleted;
 * each exception that applies.
 */
import {
  CreateManagedLoginBrandingCommand,
  DeleteManagedLoginBrandingCommand,
  DeleteUserPoolClientCommand,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeManagedLoginBrandingCommand,
  UpdateManagedLoginBrandingCommand,
  type AssetType,
  type CreateManagedLoginBrandingCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acrossRestart, createClient, createPool, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
});
afterAll(async () => h.stop());

const logo: AssetType = {
  Category: "PAGE_HEADER_LOGO",
  ColorMode: "LIGHT",
  Extension: "PNG",
  Bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
};
const settings = { components: { primaryButton: { lightMode: { defaults: { backgroundColor: "0972d3ff" } } } } };

async function newClient(): Promise<string> {
  return (await createClient(h, poolId)).ClientId!;
}
const create = (input: Partial<CreateManagedLoginBrandingCommandInput> & { ClientId: string }) =>
  h.cognito.send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ...input }));
const describeById = (ManagedLoginBrandingId: string) =>
  h.cognito.send(new DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId }));

describe("managed login branding", () => {
  it("creates a style for a client, with its settings and assets, and describes it by id and by client", async () => {
    const clientId = await newClient();
    const { ManagedLoginBranding } = await create({ ClientId: clientId, Settings: settings, Assets: [logo] });
    // ManagedLoginBrandingType: ManagedLoginBrandingId (a UUID v4), UserPoolId,
    // UseCognitoProvidedValues, Settings, Assets, CreationDate, LastModifiedDate.
    expect(ManagedLoginBranding).toEqual({
      ManagedLoginBrandingId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      UserPoolId: poolId,
      UseCognitoProvidedValues: false,
      Settings: settings,
      Assets: [logo],
      CreationDate: new Date(h.clock.now()),
      LastModifiedDate: new Date(h.clock.now()),
    });
    const id = ManagedLoginBranding!.ManagedLoginBrandingId!;
    expect((await describeById(id)).ManagedLoginBranding).toEqual(ManagedLoginBranding);
    const byClient = await h.cognito.send(
      new DescribeManagedLoginBrandingByClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ReturnMergedResources: true,
      }),
    );
    expect(byClient.ManagedLoginBranding).toEqual(ManagedLoginBranding);
  });

  it("creates a style of Cognito's defaults, and refuses settings beside them", async () => {
    const clientId = await newClient();
    const { ManagedLoginBranding } = await create({ ClientId: clientId, UseCognitoProvidedValues: true });
    expect(ManagedLoginBranding).toMatchObject({ UseCognitoProvidedValues: true, Assets: [] });
    expect(ManagedLoginBranding?.Settings).toBeUndefined();
    // "When you specify true for this option, you must also omit values for Settings and Assets."
    expect(
      await errorOf(create({ ClientId: await newClient(), UseCognitoProvidedValues: true, Settings: {} })),
    ).toMatchObject({
      name: "InvalidParameterException",
      message: "Settings and Assets must be omitted when UseCognitoProvidedValues is true.",
    });
  });

  it("gives a client one style at most", async () => {
    const clientId = await newClient();
    await create({ ClientId: clientId, UseCognitoProvidedValues: true });
    expect(await errorOf(create({ ClientId: clientId, Settings: settings }))).toMatchObject({
      name: "ManagedLoginBrandingExistsException",
      status: 400,
    });
  });

  it("updates in part: settings merged, an asset replaced by category and color mode, others kept", async () => {
    const clientId = await newClient();
    const dark: AssetType = { ...logo, ColorMode: "DARK", Extension: "SVG", Bytes: new TextEncoder().encode("<svg/>") };
    const created = await create({ ClientId: clientId, Settings: settings, Assets: [logo, dark] });
    const id = created.ManagedLoginBranding!.ManagedLoginBrandingId!;
    h.clock.advance(60_000);
    const newLogo: AssetType = { ...logo, Extension: "WEBP", Bytes: new Uint8Array([1, 2, 3]) };
    const { ManagedLoginBranding } = await h.cognito.send(
      new UpdateManagedLoginBrandingCommand({
        UserPoolId: poolId,
        ManagedLoginBrandingId: id,
        Settings: { categories: { global: { colorSchemeMode: "DARK" } } },
        Assets: [newLogo],
      }),
    );
    // "Amazon Cognito … preserves existing style settings that you don't specify."
    expect(ManagedLoginBranding?.Settings).toEqual({
      ...settings,
      categories: { global: { colorSchemeMode: "DARK" } },
    });
    expect(ManagedLoginBranding?.Assets).toEqual([dark, newLogo]);
    expect(ManagedLoginBranding?.LastModifiedDate).toEqual(new Date(h.clock.now()));
    expect(ManagedLoginBranding?.CreationDate).toEqual(created.ManagedLoginBranding?.CreationDate);
    expect((await describeById(id)).ManagedLoginBranding).toEqual(ManagedLoginBranding);

    const reset = await h.cognito.send(
      new UpdateManagedLoginBrandingCommand({
        UserPoolId: poolId,
        ManagedLoginBrandingId: id,
        UseCognitoProvidedValues: true,
      }),
    );
    expect(reset.ManagedLoginBranding).toMatchObject({ UseCognitoProvidedValues: true, Assets: [] });
    expect(reset.ManagedLoginBranding?.Settings).toBeUndefined();
  });

  it("deletes a style, after which the client can have a new one", async () => {
    const clientId = await newClient();
    const id = (await create({ ClientId: clientId, UseCognitoProvidedValues: true })).ManagedLoginBranding!
      .ManagedLoginBrandingId!;
    await h.cognito.send(new DeleteManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: id }));
    expect(await errorOf(describeById(id))).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Managed login branding ${id} does not exist.`,
    });
    await create({ ClientId: clientId, UseCognitoProvidedValues: true });
  });

  it("forgets the style of a deleted client", async () => {
    const clientId = await newClient();
    const id = (await create({ ClientId: clientId, UseCognitoProvidedValues: true })).ManagedLoginBranding!
      .ManagedLoginBrandingId!;
    await h.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    expect(await errorOf(describeById(id))).toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("answers ResourceNotFoundException for unknown styles, clients and pools", async () => {
    const missing = "11111111-2222-4333-8444-555555555555";
    expect(await errorOf(describeById(missing))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(
      await errorOf(
        h.cognito.send(new DeleteManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: missing })),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException" });
    expect(
      await errorOf(
        h.cognito.send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: missing })),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException" });
    const plain = await newClient();
    expect(
      await errorOf(
        h.cognito.send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: plain })),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Client ${plain} has no managed login branding style.`,
    });
    expect(await errorOf(create({ ClientId: "unknownclient" }))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool client unknownclient does not exist.",
    });
    expect(
      await errorOf(
        h.cognito.send(new CreateManagedLoginBrandingCommand({ UserPoolId: "us-east-1_missing", ClientId: plain })),
      ),
    ).toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("validates ids, assets and the members Update needs", async () => {
    const badId = await errorOf(describeById("not-a-uuid"));
    expect(badId.name).toBe("InvalidParameterException");
    expect(badId.message).toContain("'managedLoginBrandingId' failed to satisfy constraint");
    const clientId = await newClient();
    const raw = await rawCall(
      h.emulator.url,
      "CreateManagedLoginBranding",
      JSON.stringify({ UserPoolId: poolId, ClientId: clientId, Assets: [{ Category: "LOGO", ColorMode: "LIGHT" }] }),
    );
    expect(raw.status).toBe(400);
    expect(raw.json.__type).toBe("InvalidParameterException");
    expect(String(raw.json.message)).toContain("'assets.1.member.extension' failed to satisfy constraint");
    expect(await errorOf(h.cognito.send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId })))).toMatchObject({
      name: "InvalidParameterException",
      message: "UserPoolId and ManagedLoginBrandingId are required.",
    });
  });
});

it("keeps styles across a restart with a data file", async () => {
  await acrossRestart(
    async (first) => {
      const pool = (await createPool(first)).Id!;
      const client = (await createClient(first, pool)).ClientId!;
      const { ManagedLoginBranding } = await first.cognito.send(
        new CreateManagedLoginBrandingCommand({
          UserPoolId: pool,
          ClientId: client,
          Settings: settings,
          Assets: [logo],
        }),
      );
      return { pool, client, ManagedLoginBranding };
    },
    async (second, { pool, client, ManagedLoginBranding }) => {
      const again = await second.cognito.send(
        new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: pool, ClientId: client }),
      );
      expect(again.ManagedLoginBranding).toEqual(ManagedLoginBranding);
    },
  );
});
