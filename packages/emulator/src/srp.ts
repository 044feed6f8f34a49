/**
 * The server half of SRP-6a as Cognito runs it for USER_SRP_AUTH (and, with a device's group key
 * and key in place of the pool name and user, for DEVICE_SRP_AUTH), so that
 * `amazon-cognito-identity-js` (and Amplify, which uses the same math) can sign in unchanged.
 *
 * Cognito's variant: the 3072-bit group of RFC 5054/3526, g = 2, SHA-256,
 * k = H(pad(N) | pad(g)), x = H(pad(salt) | H(poolName | userId | ":" | password)),
 * u = H(pad(A) | pad(B)), and the session key is HKDF-SHA256(ikm = pad(S), salt = pad(u),
 * info = "Caldera Derived Key", 16 bytes). The client proves the key with
 * HMAC(key, poolName | userId | secretBlock | timestamp). `pad` is the hex of the number with a
 * leading 00 when its high bit is set, as the client library pads.
 *
 * Modular exponentiation is done natively by OpenSSL, as a raw RSA public-key operation with
 * modulus N and the exponent as the public exponent (`publicEncrypt` without padding computes
 * base^e mod n): about 1 ms where a BigInt square-and-multiply takes 6–8 ms here. (A
 * Diffie-Hellman object with the base as generator would also compute it, but Node checks the
 * group of every new DH object, and for a generator other than 2 OpenSSL then proves N prime:
 * five seconds per call.)
 */
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

const nHex =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
const N = BigInt(`0x${nHex}`);
const nBytes = Buffer.from(nHex, "hex");
const g = 2n;

const toHex = (n: bigint): string => {
  const hex = n.toString(16);
  return hex.length % 2 === 1 ? `0${hex}` : hex;
};
/** The client library's padHex: even length, and a leading 00 when the high bit is set. */
export const padHex = (n: bigint): string => {
  const hex = toHex(n);
  return "89abcdefABCDEF".includes(hex[0] ?? "0") ? `00${hex}` : hex;
};
const hexToBigInt = (hex: string): bigint => BigInt(`0x${hex || "0"}`);
const sha256Hex = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");
const hashOfHex = (hex: string): string => sha256Hex(Buffer.from(hex, "hex"));

const k = hexToBigInt(hashOfHex(`${padHex(N)}${padHex(g)}`));

const nBase64Url = nBytes.toString("base64url");

/** base^exponent mod N, natively; `exponent` must be below N (every SRP exponent is). */
function modPow(base: bigint, exponent: bigint): bigint {
  const reduced = base % N;
  if (exponent === 0n) return 1n;
  if (exponent === 1n || reduced <= 1n) return reduced;
  const key = createPublicKey({
    key: { kty: "RSA", n: nBase64Url, e: Buffer.from(toHex(exponent), "hex").toString("base64url") },
    format: "jwk",
  });
  // Without padding the input is a big-endian number exactly as long as the modulus.
  const input = Buffer.alloc(nBytes.length);
  const value = Buffer.from(toHex(reduced), "hex");
  value.copy(input, input.length - value.length);
  return hexToBigInt(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, input).toString("hex"));
}

/**
 * The pool-name part of a pool id (`us-east-1_AbC123xyZ` → `AbC123xyZ`): the SRP realm of its
 * users' verifiers. A device's realm is its device group key instead (DEVICE_PASSWORD_VERIFIER).
 */
export const poolNameOf = (poolId: string): string => poolId.slice(poolId.indexOf("_") + 1);

function privateKeyX(poolId: string, userId: string, password: string, saltHex: string): bigint {
  const inner = sha256Hex(`${poolNameOf(poolId)}${userId}:${password}`);
  return hexToBigInt(hashOfHex(`${padHex(hexToBigInt(saltHex))}${inner}`));
}

export interface SrpVerifier {
  /** Hex. */
  readonly salt: string;
  /** Hex of v = g^x mod N. */
  readonly verifier: string;
}

/** Computes what the server stores instead of the password. `userId` is USER_ID_FOR_SRP. */
export function makeVerifier(poolId: string, userId: string, password: string): SrpVerifier {
  const salt = randomBytes(16).toString("hex");
  const x = privateKeyX(poolId, userId, password, salt);
  return { salt, verifier: toHex(modPow(g, x)) };
}

export interface ServerChallenge {
  /** Hex of the server's secret ephemeral b (kept server-side). */
  readonly b: string;
  /** Hex of B = k·v + g^b mod N (sent as SRP_B). */
  readonly B: string;
}

export function serverChallenge(verifierHex: string): ServerChallenge {
  const v = hexToBigInt(verifierHex);
  for (;;) {
    const b = hexToBigInt(randomBytes(32).toString("hex"));
    const B = (k * v + modPow(g, b)) % N;
    if (B !== 0n) return { b: toHex(b), B: toHex(B) };
  }
}

export interface ClaimInput {
  /** The realm the verifier was made in: poolNameOf(pool id) for a user, the group key for a device. */
  readonly realm: string;
  /** USER_ID_FOR_SRP for a user, the device key for a device. */
  readonly userId: string;
  readonly verifier: string;
  readonly A: string;
  readonly b: string;
  readonly B: string;
  /** Base64, as sent in PASSWORD_CLAIM_SECRET_BLOCK. */
  readonly secretBlock: string;
  readonly timestamp: string;
  /** Base64, as sent in PASSWORD_CLAIM_SIGNATURE. */
  readonly signature: string;
}

/** True when A is acceptable: SRP requires A mod N ≠ 0. */
export function isValidA(aHex: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(aHex) || aHex.length > 2048) return false;
  return hexToBigInt(aHex) % N !== 0n;
}

/** Checks the client's PASSWORD_CLAIM_SIGNATURE; false for a wrong password. */
export function verifyPasswordClaim(input: ClaimInput): boolean {
  const A = hexToBigInt(input.A);
  const B = hexToBigInt(input.B);
  const v = hexToBigInt(input.verifier);
  const b = hexToBigInt(input.b);
  const u = hexToBigInt(hashOfHex(`${padHex(A)}${padHex(B)}`));
  if (u === 0n) return false;
  const S = modPow((A * modPow(v, u)) % N, b);
  const prk = createHmac("sha256", Buffer.from(padHex(u), "hex"))
    .update(Buffer.from(padHex(S), "hex"))
    .digest();
  const key = createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from("Caldera Derived Key", "utf8"), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  const expected = createHmac("sha256", key)
    .update(
      Buffer.concat([
        Buffer.from(input.realm, "utf8"),
        Buffer.from(input.userId, "utf8"),
        Buffer.from(input.secretBlock, "base64"),
        Buffer.from(input.timestamp, "utf8"),
      ]),
    )
    .digest();
  const actual = Buffer.from(input.signature, "base64");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
