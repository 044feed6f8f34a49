/**
 * Answers to the device challenges (RespondToAuthChallenge and AdminRespondToAuthChallenge):
 * DEVICE_SRP_AUTH, which opens an SRP exchange with the tracked device (USERNAME, DEVICE_KEY,
 * SRP_A), and DEVICE_PASSWORD_VERIFIER, the device's proof (PASSWORD_CLAIM_SIGNATURE over
 * PASSWORD_CLAIM_SECRET_BLOCK and TIMESTAMP), after which the sign-in ends with tokens bound to the
 * device. When the challenge comes is devices.ts's deviceChallenge.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 *
 * The math is USER_SRP_AUTH's (srp.ts) with the device group key as the realm and the device key
 * as the user, as amazon-cognito-identity-js's getDeviceResponse computes it
 * (`new AuthenticationHelper(deviceGroupKey)`, getPasswordAuthenticationKey(deviceKey, …)).
 * A wrong proof is "Incorrect username or password." (as AWS answers it,
 * aws/aws-sdk-net-extensions-cognito#73) and uses the Session up, as a wrong PASSWORD_VERIFIER does.
 */
import { randomBytes } from "node:crypto";
import { invalidSession, notAuthorizedSessionUsed, openChallenge } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { requireUserDevice } from "../devices.ts";
import { invalidParameter, messages, notAuthorized } from "../errors.ts";
import type { AuthResponse } from "../signin.ts";
import { isValidA, serverChallenge, verifyPasswordClaim } from "../srp.ts";
import type { User } from "../model.ts";
import type { PendingChallenge } from "../store/challenges.ts";
import type { Device } from "../store/devices.ts";
import { requireParameter } from "./auth.ts";
import type { Answer } from "./challenges.ts";
import { answeringUser, completeSignIn } from "./mfa-challenges.ts";

/** The device the answer names, which must be the one the challenge was opened for. */
function challengedDevice(ctx: Context, answer: Answer, pending: PendingChallenge, user: User): Device {
  const device = requireUserDevice(ctx, user, requireParameter(answer.responses, "DEVICE_KEY"));
  if (device.deviceKey !== pending.state.deviceKey) throw invalidSession();
  return device;
}

/** DEVICE_SRP_AUTH: answers SRP_A with the device's salt and the server's SRP_B. */
export function answerDeviceSrpAuth(ctx: Context, answer: Answer): AuthResponse {
  const { pending, user } = answeringUser(ctx, answer);
  const srpA = requireParameter(answer.responses, "SRP_A");
  const device = challengedDevice(ctx, answer, pending, user);
  if (!isValidA(srpA)) throw invalidParameter("SRP_A is not a valid SRP value.");
  if (!ctx.store.challenges.spend(pending.session, answer.name)) throw notAuthorizedSessionUsed();
  const { b, B } = serverChallenge(device.verifier);
  const secretBlock = randomBytes(64).toString("base64");
  const state = { deviceKey: device.deviceKey, A: srpA, b, B, secretBlock };
  return {
    ChallengeName: "DEVICE_PASSWORD_VERIFIER",
    Session: openChallenge(ctx, answer.pool, answer.client, user, "DEVICE_PASSWORD_VERIFIER", state),
    ChallengeParameters: {
      DEVICE_KEY: device.deviceKey,
      SALT: device.salt,
      SECRET_BLOCK: secretBlock,
      SRP_B: B,
      USERNAME: user.username,
    },
  };
}

/** DEVICE_PASSWORD_VERIFIER: the device's proof; right, the sign-in ends (without MFA). */
export async function answerDevicePasswordVerifier(ctx: Context, answer: Answer): Promise<AuthResponse> {
  const { pending, user } = answeringUser(ctx, answer);
  const secretBlock = requireParameter(answer.responses, "PASSWORD_CLAIM_SECRET_BLOCK");
  const signature = requireParameter(answer.responses, "PASSWORD_CLAIM_SIGNATURE");
  const timestamp = requireParameter(answer.responses, "TIMESTAMP");
  const device = challengedDevice(ctx, answer, pending, user);
  const { A, b, B } = pending.state;
  const proven =
    A !== undefined &&
    b !== undefined &&
    B !== undefined &&
    secretBlock === pending.state.secretBlock &&
    verifyPasswordClaim({
      realm: device.groupKey,
      userId: device.deviceKey,
      verifier: device.verifier,
      A,
      b,
      B,
      secretBlock,
      timestamp,
      signature,
    });
  if (!proven) {
    if (!ctx.store.challenges.spend(pending.session, answer.name)) throw notAuthorizedSessionUsed();
    throw notAuthorized(messages.incorrectCredentials);
  }
  return completeSignIn(ctx, answer, pending, user, () => ({}));
}
