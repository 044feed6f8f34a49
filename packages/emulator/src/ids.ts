/**
 * Identifiers in the shapes AWS uses, so that tools which parse them (aws-jwt-verify reads the
 * region from a pool id) work unchanged.
 */
import { randomBytes, randomInt, randomUUID } from "node:crypto";

const alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const lowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `eu-west-1_AbC123xyZ`: the region, an underscore, 9 letters or digits. */
export const newPoolId = (region: string): string => `${region}_${randomString(alphanumeric, 9)}`;

/** 26 lower-case letters and digits, like AWS app client ids. */
export const newClientId = (): string => randomString(lowerAlphanumeric, 26);

/** 51 lower-case letters and digits, the length of AWS app client secrets. */
export const newClientSecret = (): string => randomString(lowerAlphanumeric, 51);

export const newSub = (): string => randomUUID();

/** `import-TZqNQvDRnW`, like the job ids of AWS's examples (JobId's pattern: `import-[0-9a-zA-Z-]+`). */
export const newImportJobId = (): string => `import-${randomString(alphanumeric, 10)}`;

/** A 6-digit one-time code; leading zeros kept. */
export const newCode = (): string => String(randomInt(1_000_000)).padStart(6, "0");

/** An opaque, URL-safe token of `bytes` random bytes. */
export const newOpaque = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** The pool id's region part, e.g. `us-east-1` for `us-east-1_AbC123xyZ`. */
export const regionOfPool = (poolId: string): string => poolId.slice(0, poolId.indexOf("_"));

export const poolIdPattern = String.raw`[\w-]+_[0-9a-zA-Z]+`;
