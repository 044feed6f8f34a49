/**
 * Terms documents through the AWS SDK: created per app client under a unique name, described
 * by id and by client and name, listed a page at a time, updated, deleted; each exception that
 * applies.
 */
import {
  CreateTermsCommand,
  DeleteTermsCommand,
  DeleteUserPoolClientCommand,
  DescribeTermsByClientCommand,
  DescribeTermsCommand,
  ListTermsCommand,
  UpdateTermsCommand,
  type CreateTermsCommandInput,
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

const links = { "cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terms" };
const terms = (ClientId: string, input: Partial<CreateTermsCommandInput> = {}, on: Harness = h, pool = poolId) =>
  on.cognito.send(
    new CreateTermsCommand({
      UserPoolId: pool,
      ClientId,
      TermsName: "terms-of-use",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: links,
      ...input,
    }),
  );
const newClient = async (): Promise<string> => (await createClient(h, poolId)).ClientId!;
const describeTerms = (TermsId: string) => h.cognito.send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId }));

describe("terms documents", () => {
  it("creates terms for a client and describes them by id and by client and name", async () => {
    const clientId = await newClient();
    const { Terms } = await terms(clientId);
    // TermsType: TermsId (a UUID v4), UserPoolId, ClientId, TermsName, TermsSource, Enforcement,
    // Links, CreationDate, LastModifiedDate.
    expect(Terms).toEqual({
      TermsId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      UserPoolId: poolId,
      ClientId: clientId,
      TermsName: "terms-of-use",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: links,
      CreationDate: new Date(h.clock.now()),
      LastModifiedDate: new Date(h.clock.now()),
    });
    expect((await describeTerms(Terms!.TermsId!)).Terms).toEqual(Terms);
    const byClient = await h.cognito.send(
      new DescribeTermsByClientCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: "terms-of-use" }),
    );
    expect(byClient.Terms).toEqual(Terms);
  });

  it("keeps names unique to a client: privacy-policy beside terms-of-use, not a second terms-of-use", async () => {
    const clientId = await newClient();
    await terms(clientId);
    await terms(clientId, { TermsName: "privacy-policy" });
    // "Terms document names must be unique to the app client." (TermsExistsException)
    expect(await errorOf(terms(clientId))).toMatchObject({ name: "TermsExistsException", status: 400 });
    // Another client may have its own.
    await terms(await newClient());
  });

  it("lists the pool's terms a page at a time", async () => {
    const pool = (await createPool(h)).Id!;
    const client = (await createClient(h, pool)).ClientId!;
    await terms(client, {}, h, pool);
    await terms(client, { TermsName: "privacy-policy" }, h, pool);
    const first = await h.cognito.send(new ListTermsCommand({ UserPoolId: pool, MaxResults: 1 }));
    expect(first.Terms).toHaveLength(1);
    expect(first.Terms![0]).toEqual({
      TermsId: expect.any(String),
      TermsName: expect.stringMatching(/^(terms-of-use|privacy-policy)$/),
      Enforcement: "NONE",
      CreationDate: expect.any(Date),
      LastModifiedDate: expect.any(Date),
    });
    const second = await h.cognito.send(
      new ListTermsCommand({ UserPoolId: pool, MaxResults: 1, NextToken: first.NextToken }),
    );
    expect(second.Terms).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect(new Set([first.Terms![0]!.TermsName, second.Terms![0]!.TermsName])).toEqual(
      new Set(["terms-of-use", "privacy-policy"]),
    );
    expect(
      await errorOf(h.cognito.send(new ListTermsCommand({ UserPoolId: pool, NextToken: "forged" }))),
    ).toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("updates what it is given, refusing a name the client already uses", async () => {
    const clientId = await newClient();
    const { Terms } = await terms(clientId);
    await terms(clientId, { TermsName: "privacy-policy" });
    h.clock.advance(1000);
    const { Terms: updated } = await h.cognito.send(
      new UpdateTermsCommand({
        UserPoolId: poolId,
        TermsId: Terms!.TermsId,
        Links: { "cognito:default": "https://example.com/v2" },
      }),
    );
    expect(updated).toMatchObject({
      TermsName: "terms-of-use",
      Links: { "cognito:default": "https://example.com/v2" },
      CreationDate: Terms!.CreationDate,
      LastModifiedDate: new Date(h.clock.now()),
    });
    expect(
      await errorOf(
        h.cognito.send(
          new UpdateTermsCommand({ UserPoolId: poolId, TermsId: Terms!.TermsId, TermsName: "privacy-policy" }),
        ),
      ),
    ).toMatchObject({ name: "TermsExistsException" });
  });

  it("deletes terms, and forgets those of a deleted client", async () => {
    const clientId = await newClient();
    const id = (await terms(clientId)).Terms!.TermsId!;
    await h.cognito.send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: id }));
    expect(await errorOf(describeTerms(id))).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Terms ${id} does not exist.`,
    });
    const gone = await newClient();
    const orphan = (await terms(gone)).Terms!.TermsId!;
    await h.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: gone }));
    expect(await errorOf(describeTerms(orphan))).toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("answers ResourceNotFoundException for unknown terms, clients and pools", async () => {
    const missing = "11111111-2222-4333-8444-555555555555";
    expect(await errorOf(describeTerms(missing))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(
      await errorOf(h.cognito.send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: missing }))),
    ).toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect(
      await errorOf(h.cognito.send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: missing }))),
    ).toMatchObject({
      name: "ResourceNotFoundException",
    });
    const plain = await newClient();
    expect(
      await errorOf(
        h.cognito.send(
          new DescribeTermsByClientCommand({ UserPoolId: poolId, ClientId: plain, TermsName: "privacy-policy" }),
        ),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Client ${plain} has no terms documents named privacy-policy.`,
    });
    expect(await errorOf(terms("unknownclient"))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool client unknownclient does not exist.",
    });
    expect(await errorOf(h.cognito.send(new ListTermsCommand({ UserPoolId: "us-east-1_missing" })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("validates names, sources, languages and URLs as AWS's model constrains them", async () => {
    const clientId = await newClient();
    // TermsNameType: ^(terms-of-use|privacy-policy)$; LanguageIdType: ^cognito:(default|…)$.
    const badName = await errorOf(terms(clientId, { TermsName: "cookies" }));
    expect(badName.name).toBe("InvalidParameterException");
    expect(badName.message).toContain("'termsName' failed to satisfy constraint");
    const badLanguage = await errorOf(terms(clientId, { Links: { klingon: "https://example.com" } }));
    expect(badLanguage.name).toBe("InvalidParameterException");
    expect(badLanguage.message).toContain("Map keys must satisfy constraint");
    const raw = await rawCall(
      h.emulator.url,
      "CreateTerms",
      JSON.stringify({
        UserPoolId: poolId,
        ClientId: clientId,
        TermsName: "terms-of-use",
        TermsSource: "PDF",
        Enforcement: "NONE",
      }),
    );
    expect(raw.status).toBe(400);
    expect(String(raw.json.message)).toContain(
      "'termsSource' failed to satisfy constraint: Member must satisfy enum value set: [LINK]",
    );
  });
});

it("keeps terms across a restart with a data file", async () => {
  await acrossRestart(
    async (first) => {
      const pool = (await createPool(first)).Id!;
      const client = (await createClient(first, pool)).ClientId!;
      return (await terms(client, {}, first, pool)).Terms!;
    },
    async (second, kept) => {
      const again = await second.cognito.send(
        new DescribeTermsCommand({ UserPoolId: kept.UserPoolId, TermsId: kept.TermsId }),
      );
      expect(again.Terms).toEqual(kept);
    },
  );
});
