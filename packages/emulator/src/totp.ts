/**
 * Authenticator-app codes as Cognito checks them: RFC 6238 TOTP with HMAC-SHA1, 6 digits and a
 * 30-second step, accepting the step before and after the current one for clock drift
 * (developer guide, "TOTP software token MFA"). The algorithm is otpauth's; this module only
 * fixes its parameters and adds the one rule RFC 6238 §5.2 leaves to the verifier: a code that
 * was accepted once is spent, and so is every code of an earlier step.
 */
import { Secret, TOTP } from "otpauth";

const period = 30;
const digits = 6;
const algorithm = "SHA1";

/**
 * A fresh shared secret in base32, the form AssociateSoftwareToken's SecretCode takes: 160 bits
 * (RFC 4226 §4's recommended length), 32 characters.
 */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/**
 * The time step `code` belongs to for `secret` at `now` (epoch ms), within one step of drift,
 * or null when it matches none. A malformed secret or code matches nothing.
 */
export function totpStepOf(secret: string, code: string, now: number): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  let key: Secret;
  try {
    key = Secret.fromBase32(secret);
  } catch {
    return null;
  }
  const delta = TOTP.validate({ token: code, secret: key, algorithm, digits, period, timestamp: now, window: 1 });
  return delta === null ? null : TOTP.counter({ period, timestamp: now }) + delta;
}

/** The code an authenticator shows for `secret` at `now`; tests and tools use it. */
export const totpCodeAt = (secret: string, now: number): string =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm, digits, period, timestamp: now });
