/**
 * Signing-key rotation (`POST /_keys/<pool>/rotate`): new tokens carry the new kids, the JWKS
 * publishes them beside the old ones, tokens issued before still verify (with aws-jwt-verify and
 * with the emulator's own GetUser), only the newest retired keys stay, the state survives a
 * restart of a file database, and `GET /_keys/<pool>` counts the JWKS requests.
 */
import { GetUserCommand, InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { keptRetiredKeys } from "../src/key-rotation.ts";
import { createClient, createConfirmedUser, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

interface KeyState {
  signing: { id: string; access: string };
  published: string[];
  jwksRequests: { count: number; times: number[] };
}

let h: Harness;
let poolId: string;
let clientId: string;
beforeAll(async () => {
  h = await startHarness({ clock: { now: () => Date.now() } });
  poolId = (await createPool(h)).Id!;
  clientId = (await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] })).ClientId!;
  await createConfirmedUser(h, { poolId, clientId }, "ada", "Passw0rd!x");
});
afterAll(async () => h?.stop());

const keysOf = async (pool = poolId): Promise<KeyState> =>
  (await (await fetch(`${h.emulator.url}/_keys/${pool}`)).json()) as KeyState;
const rotate = async (pool = poolId): Promise<Response> =>
  fetch(`${h.emulator.url}/_keys/${pool}/rotate`, { method: "POST" });
const jwks = async () =>
  (await (await fetch(`${h.emulator.url}/${poolId}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
const signIn = async () => {
  const result = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "ada", PASSWORD: "Passw0rd!x" },
    }),
  );
  return { access: result.AuthenticationResult!.AccessToken!, id: result.AuthenticationResult!.IdToken! };
};
const kidOf = (token: string) => decomposeUnverifiedJwt(token).header.kid;

describe("key rotation", () => {
  it("signs new tokens with new kids and keeps publishing the old ones, so earlier tokens still verify", async () => {
    const before = await signIn();
    const old = await keysOf();
    expect(kidOf(before.access)).toBe(old.signing.access);
    expect(kidOf(before.id)).toBe(old.signing.id);

    const response = await rotate();
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as KeyState;
    expect(rotated.signing.access).not.toBe(old.signing.access);
    expect(rotated.signing.id).not.toBe(old.signing.id);
    expect(rotated.published.slice(0, 2)).toEqual([rotated.signing.access, rotated.signing.id]);
    expect([...rotated.published.slice(2)].sort()).toEqual([...old.published].sort());
    expect((await jwks()).keys.map((k) => k.kid)).toEqual(rotated.published);

    const after = await signIn();
    expect(kidOf(after.access)).toBe(rotated.signing.access);
    expect(kidOf(after.id)).toBe(rotated.signing.id);

    const verifier = JwtRsaVerifier.create({
      issuer: `${h.emulator.url}/${poolId}`,
      jwksUri: `${h.emulator.url}/${poolId}/.well-known/jwks.json`,
      audience: null,
    });
    // aws-jwt-verify fetches only https URLs; the emulator is http, so hand it the JWKS.
    verifier.cacheJwks((await jwks()) as unknown as Parameters<typeof verifier.cacheJwks>[0]);
    for (const token of [before.access, after.access]) {
      await expect(verifier.verify(token)).resolves.toMatchObject({ token_use: "access", username: "ada" });
    }
    for (const token of [before.id, after.id]) {
      await expect(verifier.verify(token, { audience: clientId })).resolves.toMatchObject({
        token_use: "id",
        "cognito:username": "ada",
      });
    }
    // The emulator's own token checks accept both too.
    for (const token of [before.access, after.access]) {
      await expect(h.cognito.send(new GetUserCommand({ AccessToken: token }))).resolves.toMatchObject({
        Username: "ada",
      });
    }
  });

  it(`keeps the ${keptRetiredKeys} newest retired keys of each use and drops older ones, refusing their tokens`, async () => {
    const oldest = await signIn();
    for (let i = 0; i <= keptRetiredKeys; i++) await rotate();
    const state = await keysOf();
    expect(state.published).toHaveLength(2 * (1 + keptRetiredKeys));
    expect(state.published).not.toContain(kidOf(oldest.access));
    expect(await errorOf(h.cognito.send(new GetUserCommand({ AccessToken: oldest.access })))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Access Token",
    });
  });

  it("counts the pool's JWKS requests, with their times", async () => {
    const start = (await keysOf()).jwksRequests.count;
    await jwks();
    await jwks();
    const state = await keysOf();
    expect(state.jwksRequests.count).toBe(start + 2);
    expect(state.jwksRequests.times.slice(-2).every((t) => Math.abs(Date.now() - t) < 5000)).toBe(true);
  });

  it("answers an unknown pool as AWS would, and changes nothing", async () => {
    const response = await rotate("us-east-1_Nope00000");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "ResourceNotFoundException" });
    expect((await fetch(`${h.emulator.url}/_keys/us-east-1_Nope00000`)).status).toBe(400);
  });
});

it("keeps the rotated keys, retired ones included, across a restart of a file database", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-keys-"));
  try {
    const file = join(dir, "emulator.sqlite3");
    const first = await startEmulator({ port: 0, dataPath: file });
    const pool = (await (
      await fetch(first.url, {
        method: "POST",
        headers: {
          "x-amz-target": "AWSCognitoIdentityProviderService.CreateUserPool",
          "content-type": "application/x-amz-json-1.1",
        },
        body: JSON.stringify({ PoolName: "kept" }),
      })
    ).json()) as { UserPool: { Id: string } };
    const id = pool.UserPool.Id;
    const rotated = (await (await fetch(`${first.url}/_keys/${id}/rotate`, { method: "POST" })).json()) as KeyState;
    await first.stop();
    const second = await startEmulator({ port: 0, dataPath: file });
    try {
      const again = (await (await fetch(`${second.url}/_keys/${id}`)).json()) as KeyState;
      expect(again.signing).toEqual(rotated.signing);
      expect(again.published).toEqual(rotated.published);
      expect(again.published).toHaveLength(4);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
