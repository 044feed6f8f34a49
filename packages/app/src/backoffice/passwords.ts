/**
 * Local passwords of back-office staff, hashed as Django's ScryptPasswordHasher stores them:
 * `scrypt$<N>$<salt>$<r>$<p>$<hash>` (base64 salt and hash). The work factors travel with each
 * hash, so they can be raised later: `needsRehash` tells the sign-in to store a fresh hash.
 * Comparison is constant-time. Only `node:crypto`, no native dependency (DESIGN.md).
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#scrypt
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptParameters {
  /** CPU/memory cost N (a power of two). */
  readonly cost: number;
  /** Block size r. */
  readonly blockSize: number;
  /** Parallelism p. */
  readonly parallelism: number;
}

/**
 * One of OWASP's equivalent scrypt settings (N=2^15, r=8, p=3): 32 MiB and ~0.35 s per hash on
 * the project's two-core machines — slow for a guesser, unnoticeable for a person signing in.
 */
export const defaultScrypt: ScryptParameters = { cost: 2 ** 15, blockSize: 8, parallelism: 3 };

const keyLength = 32;
const saltBytes = 16;

const derive = (password: string, salt: Buffer, params: ScryptParameters, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = {
      N: params.cost,
      r: params.blockSize,
      p: params.parallelism,
      // Node's default ceiling (32 MiB) is just below what N=2^15, r=8 needs.
      maxmem: 256 * params.cost * params.blockSize + 64 * 1024 * 1024,
    };
    scrypt(password.normalize("NFKC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

interface ParsedHash {
  readonly params: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;

/** Reads a stored hash; null for anything that is not one of ours (never throws). */
export function parsePasswordHash(encoded: string): ParsedHash | null {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [, n, salt, r, p, hash] = parts as [string, string, string, string, string, string];
  const params = { cost: Number(n), blockSize: Number(r), parallelism: Number(p) };
  if (!isPowerOfTwo(params.cost) || params.cost > 2 ** 20) return null;
  if (!Number.isInteger(params.blockSize) || params.blockSize < 1 || params.blockSize > 32) return null;
  if (!Number.isInteger(params.parallelism) || params.parallelism < 1 || params.parallelism > 16) return null;
  const saltBuffer = Buffer.from(salt, "base64");
  const hashBuffer = Buffer.from(hash, "base64");
  if (saltBuffer.length < 8 || hashBuffer.length < 16) return null;
  return { params, salt: saltBuffer, hash: hashBuffer };
}

/**
 * @example
 *   const stored = await hashPassword("correct horse battery staple");
 *   await verifyPassword("correct horse battery staple", stored); // true
 */
export async function hashPassword(password: string, params: ScryptParameters = defaultScrypt): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, params, keyLength);
  return [
    "scrypt",
    params.cost,
    salt.toString("base64"),
    params.blockSize,
    params.parallelism,
    hash.toString("base64"),
  ].join("$");
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with other work factors than today's (Django's must_update). */
export function needsRehash(stored: string, params: ScryptParameters = defaultScrypt): boolean {
  const parsed = parsePasswordHash(stored);
  return (
    !parsed ||
    parsed.params.cost !== params.cost ||
    parsed.params.blockSize !== params.blockSize ||
    parsed.params.parallelism !== params.parallelism
  );
}

/**
 * Spends the time of one verification when there is no user to verify against, so a response's
 * timing does not say whether a username exists.
 */
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("gatehouse-timing-equaliser");
  await verifyPassword(password, await dummyHash);
  return false;
}
