/**
 * The parts of amazon-cognito-identity-js's SRP helper (AuthenticationHelper) and big integers
 * that the tests drive directly, typed: the library ships them untyped. The same math the
 * library's CognitoUser does for USER_SRP_AUTH and, with a device group key for the pool name,
 * for DEVICE_SRP_AUTH.
 */
import { createRequire } from "node:module";

export interface LibBigInteger {
  toString(radix: number): string;
}
export interface LibAuthenticationHelper {
  getLargeAValue(callback: (error: unknown, value: LibBigInteger) => void): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: LibBigInteger,
    salt: LibBigInteger,
    callback: (error: unknown, hkdf: Buffer) => void,
  ): void;
  /** A device's random password and its salt and verifier, for ConfirmDevice. */
  generateHashDevice(deviceGroupKey: string, username: string, callback: (error: unknown) => void): void;
  getSaltDevices(): string;
  getVerifierDevices(): string;
  getRandomPassword(): string;
}

const require = createRequire(import.meta.url);
/** `new AuthenticationHelper(realm)`: the pool name for a user, the device group key for a device. */
export const { AuthenticationHelper } = require("amazon-cognito-identity-js") as {
  AuthenticationHelper: new (realm: string) => LibAuthenticationHelper;
};
export const BigInteger = (
  require("amazon-cognito-identity-js/lib/BigInteger.js") as {
    default: new (hex: string, radix: number) => LibBigInteger;
  }
).default;
