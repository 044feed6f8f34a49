/**
 * A pool's SAML signing certificate, the one GetSigningCertificate returns: "Issued certificates
 * are valid for 10 years from the date of issue" (API reference). The emulator makes one
 * self-signed RSA-2048 / SHA-256 certificate per pool on first request and keeps it (with its
 * private key, store/signing-certificates.ts), so every later call — and a restarted emulator —
 * returns the same one. The subject and issuer are `CN=<pool id>`, the emulator's choice.
 * The emulator does not rotate it (AWS issues a new one yearly).
 *
 * node:crypto signs but cannot encode a certificate; the ASN.1 structures come from PeculiarVentures'
 * asn1 schemas of RFC 5280, without @peculiar/x509's global reflect-metadata polyfill.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetSigningCertificate.html
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { generateKeyPair, randomBytes, sign } from "node:crypto";
import { promisify } from "node:util";
import type { Context } from "./context.ts";
import type { StoredCertificate } from "./store/signing-certificates.ts";

const validityYears = 10;
const commonNameOid = "2.5.4.3";
/**
 * sha256WithRSAEncryption (RFC 8017 A.2.4), its parameters NULL. Written out rather than taken
 * from @peculiar/asn1-rsa, whose constant of that name carries sha512-256's OID (2.11.1).
 */
const sha256WithRsa = new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: null });

const generateRsa = promisify(generateKeyPair);

/** A positive serial number of 16 random bytes (RFC 5280 §4.1.2.2 allows up to 20). */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return new Uint8Array(bytes).buffer;
}

async function issue(poolId: string, now: number): Promise<StoredCertificate> {
  const { publicKey, privateKey } = await generateRsa("rsa", { modulusLength: 2048 });
  const name = new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: commonNameOid, value: new AttributeValue({ utf8String: poolId }) }),
    ]),
  ]);
  const notBefore = new Date(now);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: sha256WithRsa,
    issuer: name,
    // Validity writes a UTCTime until 2049 and a GeneralizedTime after, as RFC 5280 §4.1.2.5 requires.
    validity: new Validity({ notBefore, notAfter }),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(publicKey.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo),
  });
  const signature = sign("sha256", Buffer.from(AsnConvert.serialize(tbsCertificate)), privateKey);
  const certificate = new Certificate({
    tbsCertificate,
    signatureAlgorithm: sha256WithRsa,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return {
    certificate: Buffer.from(AsnConvert.serialize(certificate)).toString("base64"),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** The pool's certificate (base64 DER), made on first request. The pool must exist. */
export async function signingCertificateOf(ctx: Context, poolId: string): Promise<string> {
  const kept = ctx.store.signingCertificates.get(poolId);
  if (kept) return kept.certificate;
  // Concurrent first requests each make one while the key is generated; the first one kept
  // wins, so every caller gets the same certificate.
  const fresh = await issue(poolId, ctx.clock.now());
  return ctx.store.signingCertificates.keep(poolId, fresh, ctx.clock.now()).certificate;
}
