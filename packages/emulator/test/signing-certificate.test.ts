/**
 * GetSigningCertificate through the AWS SDK: an X.509 certificate per pool that node:crypto
 * reads, self-signed, "valid for 10 years from the date of issue" (API reference), the same on
 * every call and after a restart; the exceptions the operation declares.
 */
import { GetSigningCertificateCommand } from "@aws-sdk/client-cognito-identity-provider";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const certificateOf = async (harness: Harness, UserPoolId: string): Promise<string> =>
  (await harness.cognito.send(new GetSigningCertificateCommand({ UserPoolId }))).Certificate!;

describe("GetSigningCertificate", () => {
  it("returns the base64 of a self-signed X.509 certificate for the pool, valid for ten years", async () => {
    const poolId = (await createPool(h)).Id!;
    const issuedAt = h.clock.now();
    const certificate = new X509Certificate(Buffer.from(await certificateOf(h, poolId), "base64"));
    expect(certificate.subject).toBe(`CN=${poolId}`);
    expect(certificate.issuer).toBe(`CN=${poolId}`);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe("rsa");
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // Certificate times have whole seconds.
    const from = Date.parse(certificate.validFrom);
    expect(Math.abs(from - issuedAt)).toBeLessThan(1000);
    const until = new Date(from);
    until.setUTCFullYear(until.getUTCFullYear() + 10);
    expect(Date.parse(certificate.validTo)).toBe(until.getTime());
  });

  it("returns the same certificate on every call, also to concurrent first calls, and another per pool", async () => {
    const poolId = (await createPool(h)).Id!;
    const [a, b] = await Promise.all([certificateOf(h, poolId), certificateOf(h, poolId)]);
    expect(b).toBe(a);
    expect(await certificateOf(h, poolId)).toBe(a);
    const other = (await createPool(h)).Id!;
    expect(await certificateOf(h, other)).not.toBe(a);
  });

  it("answers ResourceNotFoundException for an unknown pool and InvalidParameterException for a malformed id", async () => {
    expect(await errorOf(certificateOf(h, "us-east-1_missing"))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_missing does not exist.",
      status: 400,
    });
    expect((await errorOf(certificateOf(h, "not a pool"))).name).toBe("InvalidParameterException");
  });

  it("keeps the certificate across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-certificate-"));
    try {
      const dataPath = join(dir, "emulator.sqlite3");
      const first = await startHarness({ inMemory: false, dataPath });
      const poolId = (await createPool(first)).Id!;
      const before = await certificateOf(first, poolId);
      await first.stop();
      const second = await startHarness({ inMemory: false, dataPath });
      try {
        expect(await certificateOf(second, poolId)).toBe(before);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
