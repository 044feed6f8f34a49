/**
 * Password storage and the pool's password policy.
 *
 * Hashes are `scrypt$<log2N>$<r>$<salt>$<hash>`, so a stored hash keeps the cost it was made
 * with when the setting changes. The default cost (N=2^10, r=4) takes about 1.2 ms of CPU here:
 * an emulator needs "never plaintext", not resistance to offline cracking, and must stay fast
 * for load tests (see docs/decisions.md). Comparison is constant-time.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { CognitoError } from "./errors.ts";
import type { PasswordPolicy } from "./model.ts";

export interface HashCost {
  /** log2 of scrypt's N. */
  readonly log2N: number;
  readonly r: number;
}
export const defaultHashCost: HashCost = { log2N: 10, r: 4 };

const keyLength = 32;

function derive(password: string, salt: Buffer, log2N: number, r: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: 2 ** log2N, r, p: 1, maxmem: 256 * 2 ** log2N * r + 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string, cost: HashCost = defaultHashCost): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost.log2N, cost.r);
  return `scrypt$${cost.log2N}$${cost.r}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) return false;
  const [scheme, log2N, r, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !log2N || !r || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), Number(log2N), Number(r));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Cognito's special characters for RequireSymbols. */
const symbols = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ");

/**
 * The policy's failures in AWS's words, first failure only (as AWS reports them):
 * `Password did not conform with policy: Password must have uppercase characters`.
 */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy): string | null {
  const chars = [...password];
  if (chars.length < policy.MinimumLength) return "Password not long enough";
  if (policy.RequireLowercase && !chars.some((c) => c >= "a" && c <= "z"))
    return "Password must have lowercase characters";
  if (policy.RequireUppercase && !chars.some((c) => c >= "A" && c <= "Z"))
    return "Password must have uppercase characters";
  if (policy.RequireNumbers && !chars.some((c) => c >= "0" && c <= "9")) return "Password must have numeric characters";
  if (policy.RequireSymbols && !chars.some((c) => symbols.has(c))) return "Password must have symbol characters";
  return null;
}

/** Throws InvalidPasswordException when `password` breaks the pool's policy. */
export function assertPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const violation = passwordPolicyViolation(password, policy);
  if (violation) {
    throw new CognitoError("InvalidPasswordException", `Password did not conform with policy: ${violation}`);
  }
}
