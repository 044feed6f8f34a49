/**
 * Device tracking at sign-in, for pools with a DeviceConfiguration ("When you provide a value for
 * any DeviceConfiguration field, you activate the Amazon Cognito device-remembering feature",
 * DeviceConfigurationType). The device operations are operations/devices.ts.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-device-tracking.html
 *
 * - A sign-in that names no device gets a new one in its AuthenticationResult: NewDeviceMetadata
 *   { DeviceKey: `<region>_<uuid>`, DeviceGroupKey } ("For any sign-in that doesn't already
 *   include device information, Amazon Cognito includes a device key in the response"). Its tokens
 *   are bound to that key (the access token's `device_key` claim, the session's device) and
 *   ConfirmDevice, called with them, starts tracking it.
 * - A sign-in that names a tracked device of the user (DEVICE_KEY in AuthParameters or in the
 *   ChallengeResponses, as the client libraries send it with every step) is bound to it and gets
 *   no new one. A device the user does not have is ResourceNotFoundException "Device does not
 *   exist.", which amazon-cognito-identity-js answers by retrying without it.
 * - A tracked device proves itself after the user's password with DEVICE_SRP_AUTH, then
 *   DEVICE_PASSWORD_VERIFIER (operations/device-challenges.ts): SRP over the verifier ConfirmDevice
 *   stored, made in the realm of the device group key with the device key as the user. It does so
 *   when no second factor is due, and in place of the second factor when the device is remembered
 *   and the pool lets remembered devices skip MFA (ChallengeRequiredOnNewDevice: "When true, a
 *   remembered device can sign in with device authentication instead of SMS and time-based
 *   one-time password (TOTP) factors"). Otherwise the second factor is asked and the device is
 *   taken at its word: "users who sign in with devices that have not been confirmed or
 *   remembered must still provide a second factor in a user pool that requires MFA"
 *   (DeviceConfigurationType).
 * - Refreshing a session bound to a device needs that DEVICE_KEY ("With device tracking, these
 *   tokens are linked to a single device. If a refresh token is used on any other device, the call
 *   fails", AWS's blog "Tracking and remembering devices using Amazon Cognito Your User Pools").
 *
 * The device named by the current call is read from the request in scope (triggers/scope.ts):
 * every way a sign-in ends (a password, an MFA code, a new password, a custom challenge) signs its
 * tokens in prepareSession, which would otherwise need the device threaded through each of them.
 */
import { createHash, randomUUID } from "node:crypto";
import { openChallenge } from "./challenge-session.ts";
import type { Context } from "./context.ts";
import { CognitoError } from "./errors.ts";
import { regionOfPool } from "./ids.ts";
import { mfaDue } from "./mfa.ts";
import type { Client, Pool, User } from "./model.ts";
import type { AuthResponse } from "./signin.ts";
import type { Device } from "./store/devices.ts";
import { requestMapEntry } from "./triggers/scope.ts";

/** The pool's device settings, or null when it does not track devices. */
export function deviceTracking(
  pool: Pool,
): { readonly challengeRequiredOnNewDevice: boolean; readonly onlyRememberedOnUserPrompt: boolean } | null {
  const config = pool.config.DeviceConfiguration;
  if (!config) return null;
  const { ChallengeRequiredOnNewDevice: challenge, DeviceOnlyRememberedOnUserPrompt: prompt } = config;
  if (challenge === undefined && prompt === undefined) return null;
  return { challengeRequiredOnNewDevice: challenge === true, onlyRememberedOnUserPrompt: prompt === true };
}

export const deviceNotFound = (): CognitoError =>
  new CognitoError("ResourceNotFoundException", "Device does not exist.");

/**
 * The user's device group: the SRP realm their devices' verifiers are made in (what the client
 * libraries pass to AuthenticationHelper in place of the pool name). Not a secret — Cognito hands
 * it out with every new device — so it is derived from the user's sub rather than stored.
 */
export const deviceGroupKeyOf = (user: User): string =>
  `-${createHash("sha256").update(`device-group\0${user.poolId}\0${user.sub}`).digest("base64url").slice(0, 9)}`;

/** The DEVICE_KEY the current sign-in request names, if any. */
export const namedDeviceKey = (): string | undefined =>
  requestMapEntry("AuthParameters", "DEVICE_KEY") ?? requestMapEntry("ChallengeResponses", "DEVICE_KEY");

/** The user's tracked device `deviceKey`, or "Device does not exist.". */
export function requireUserDevice(ctx: Context, user: Pick<User, "poolId" | "usernameKey">, deviceKey: string): Device {
  const device = ctx.store.devices.get(user.poolId, deviceKey);
  if (!device || device.usernameKey !== user.usernameKey) throw deviceNotFound();
  return device;
}

/**
 * Refuses a DEVICE_KEY the user does not have before a challenge is used up, so that the client
 * can answer it again without one (amazon-cognito-identity-js does, on a ResourceNotFoundException
 * that mentions a device).
 */
export function assertNamedDevice(ctx: Context, pool: Pool, usernameKey: string): void {
  const named = namedDeviceKey();
  if (named !== undefined && deviceTracking(pool)) requireUserDevice(ctx, { poolId: pool.id, usernameKey }, named);
}

/** NewDeviceMetadataType. */
export interface NewDeviceMetadata {
  readonly DeviceKey: string;
  readonly DeviceGroupKey: string;
}

/**
 * The device a sign-in's tokens are bound to: the tracked one it names, or a new key (with the
 * metadata to hand out); null when the pool does not track devices.
 */
export function deviceForSignIn(
  ctx: Context,
  pool: Pool,
  user: User,
): { readonly deviceKey: string; readonly newDevice?: NewDeviceMetadata } | null {
  if (!deviceTracking(pool)) return null;
  const named = namedDeviceKey();
  if (named !== undefined) return { deviceKey: requireUserDevice(ctx, user, named).deviceKey };
  const deviceKey = `${regionOfPool(pool.id)}_${randomUUID()}`;
  return { deviceKey, newDevice: { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKeyOf(user) } };
}

/**
 * DEVICE_SRP_AUTH, when the sign-in named a tracked device with a verifier and that device is to
 * prove itself now (see the header); null to go on with the second factor or the tokens.
 */
export function deviceChallenge(ctx: Context, pool: Pool, client: Client, user: User): AuthResponse | null {
  const tracking = deviceTracking(pool);
  const named = namedDeviceKey();
  if (!tracking || named === undefined) return null;
  const device = requireUserDevice(ctx, user, named);
  if (device.verifier === "") return null;
  const skipsMfa = device.remembered && tracking.challengeRequiredOnNewDevice;
  if (mfaDue(pool, user) && !skipsMfa) return null;
  return {
    ChallengeName: "DEVICE_SRP_AUTH",
    Session: openChallenge(ctx, pool, client, user, "DEVICE_SRP_AUTH", { deviceKey: device.deviceKey }),
    ChallengeParameters: {},
  };
}
