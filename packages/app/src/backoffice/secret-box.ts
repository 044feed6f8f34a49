/**
 * Encryption of the few secrets the app keeps at rest (the back office's TOTP secrets), so that
 * a copy of the database — a backup, a replica, a leaked dump — does not hand out second factors.
 * AES-256-GCM under a key derived with HKDF-SHA-256 from SESSION_SECRET, which a deployment
 * already keeps in its secret store apart from the database (docs/decisions.md). The row's id is
 * the additional data, so a sealed value copied onto another row does not open.
 *
 * SESSION_PREVIOUS_SECRETS still open what they sealed; `rotate` reseals under the current key,
 * so that the old secret can be retired without losing anything.
 *
 * @example
 *   const box = secretBox(["current secret", "retired secret"], "backoffice-totp");
 *   const sealed = box.seal("JBSWY3DPEHPK3PXP", userId);
 *   box.open(sealed, userId); // { plaintext: "JBSWY3DPEHPK3PXP", current: true }
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

export interface Opened {
  readonly plaintext: string;
  /** Sealed under the current key; false: under a retired one, to be sealed again. */
  readonly current: boolean;
}

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** The plaintext, or null when no known key opens it (or it was tampered with, or moved). */
  open(sealed: string, context: string): Opened | null;
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

const version = "v1";

function keyOf(secret: string, purpose: string): Key {
  const bytes = Buffer.from(hkdfSync("sha256", secret, "gatehouse secret-box", purpose, 32));
  // Names the key in each sealed value, so opening needs no trial decryption.
  const id = createHmac("sha256", bytes).update("key id").digest("base64url").slice(0, 8);
  return { id, bytes };
}

/** A box for `purpose` under `secrets`: the first seals, every one opens. */
export function secretBox(secrets: readonly string[], purpose: string): SecretBox {
  const [current, ...retired] = secrets.map((secret) => keyOf(secret, purpose));
  if (!current) throw new Error("secretBox needs at least one secret");
  const keys = new Map([...retired, current].map((key) => [key.id, key]));
  const additionalData = (context: string) => Buffer.from(`${purpose}:${context}`, "utf8");

  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
      cipher.setAAD(additionalData(context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return [version, current.id, iv.toString("base64url"), body.toString("base64url")].join(".");
    },

    open(sealed, context) {
      const [tag, keyId, ivText, bodyText, ...rest] = sealed.split(".");
      const key = keyId === undefined ? undefined : keys.get(keyId);
      if (tag !== version || !key || ivText === undefined || bodyText === undefined || rest.length > 0) return null;
      const iv = Buffer.from(ivText, "base64url");
      const body = Buffer.from(bodyText, "base64url");
      if (iv.length !== 12 || body.length < 16) return null;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv);
        decipher.setAAD(additionalData(context));
        decipher.setAuthTag(body.subarray(body.length - 16));
        const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
        return { plaintext: plaintext.toString("utf8"), current: key === current };
      } catch {
        return null;
      }
    },
  };
}
