/**
 * Each pool's SAML signing certificate (signing-certificate.ts makes it): the certificate as
 * GetSigningCertificate answers it and its private key. It goes with its pool (ON DELETE CASCADE).
 *
 * Like `hosted.ts`, the table belongs to this module and is created here if missing, so an
 * existing database gains it on its next start.
 */
import type { Db } from "./database.ts";

export interface StoredCertificate {
  /** Base64 of the DER certificate. */
  readonly certificate: string;
  /** PKCS #8 PEM, kept for the day the emulator signs SAML requests. */
  readonly privateKey: string;
}

const schema = `
CREATE TABLE IF NOT EXISTS pool_signing_certificates (
  pool_id TEXT PRIMARY KEY REFERENCES pools(id) ON DELETE CASCADE,
  certificate TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_at REAL NOT NULL
);
`;

export function signingCertificateRepository(db: Db) {
  db.exec(schema);
  const get = db.prepare<[string], { certificate: string; private_key: string }>(
    "SELECT certificate, private_key FROM pool_signing_certificates WHERE pool_id = ?",
  );
  // A pool keeps the first certificate made for it: a second insert changes nothing.
  const insert = db.prepare<[string, string, string, number]>(
    `INSERT INTO pool_signing_certificates (pool_id, certificate, private_key, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (pool_id) DO NOTHING`,
  );
  return {
    get(poolId: string): StoredCertificate | undefined {
      const row = get.get(poolId);
      return row ? { certificate: row.certificate, privateKey: row.private_key } : undefined;
    },
    /** Keeps `certificate` unless the pool has one already; returns the one the pool has. */
    keep(poolId: string, certificate: StoredCertificate, now: number): StoredCertificate {
      insert.run(poolId, certificate.certificate, certificate.privateKey, now);
      return this.get(poolId) ?? certificate;
    },
  };
}
