/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) through the
 * maintained `otpauth` library, and the QR code an authenticator app scans, drawn on the server
 * as SVG by `qrcode` (no script, no image request, nothing that leaves the page). The back office
 * keeps its staff's secrets itself; the public site gets its secrets from Cognito
 * (AssociateSoftwareToken) and can use the URI and QR helpers here for them.
 *
 * Key URI format: https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 *
 * @example
 *   const secret = newTotpSecret();
 *   const uri = totpUri({ secret, issuer: "Gatehouse", account: "ada" });
 *   const svg = await totpQrSvg(uri);
 *   matchTotp(secret, "123456"); // the step the code belongs to, or null
 */
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

export const totpPeriodSeconds = 30;
export const totpDigits = 6;
/** Codes of the step before and after the current one are accepted too (clock drift, typing time). */
export const totpWindow = 1;

/** A new random secret (160 bits, RFC 4226's recommended length), in base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

const totpOf = (secret: string, issuer = "", account = "") =>
  new TOTP({
    issuer,
    label: account,
    issuerInLabel: issuer !== "",
    algorithm: "SHA1",
    digits: totpDigits,
    period: totpPeriodSeconds,
    secret: Secret.fromBase32(secret),
  });

/** The `otpauth://totp/…` URI of the QR code: issuer and account name, the secret, SHA-1, 6 digits, 30 s. */
export function totpUri({ secret, issuer, account }: { secret: string; issuer: string; account: string }): string {
  return totpOf(secret, issuer, account).toString();
}

/** The QR code of `uri` as an SVG element (dark modules on white, a quiet zone of two modules). */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/**
 * What a person typed, as a code: digits only once spaces and dashes are taken out ("123 456"
 * as some apps show it), or null when that is not six digits.
 */
export function normaliseTotpCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step (`floor(unix seconds / 30)`) that `code` is right for, within one step either
 * side of `at`, or null when it is wrong. Callers refuse a step at or before the last one used,
 * so that a code works once.
 */
export function matchTotp(secret: string, code: string, at: number = Date.now()): number | null {
  const delta = totpOf(secret).validate({ token: code, timestamp: at, window: totpWindow });
  return delta === null ? null : totpStepAt(at) + delta;
}

/** The time step of `at`. */
export const totpStepAt = (at: number): number => Math.floor(at / 1000 / totpPeriodSeconds);

/** The code of `secret` at `at` (tests, and screenshots that sign in). */
export function totpCodeAt(secret: string, at: number = Date.now()): string {
  return totpOf(secret).generate({ timestamp: at });
}

/** The secret in groups of four, as it is easiest to type into an app by hand. */
export const groupedSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");
