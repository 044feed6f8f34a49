/**
 * Device authentication: a tracked device proves itself with DEVICE_SRP_AUTH and
 * DEVICE_PASSWORD_VERIFIER. First with the official client library, amazon-cognito-identity-js,
 * which confirms the device a sign-in hands out, signs in with it the next time and manages it
 * (getDevice, setDeviceStatusRemembered, forgetDevice); then through the AWS SDK with the same
 * library's AuthenticationHelper, for the answers it refuses and how the device's proof and the
 * second factor come together.
 */
import {
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  ConfirmDeviceCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  UpdateDeviceStatusCommand,
  type AuthenticationResultType,
  type CreateUserPoolCommandInput,
  type RespondToAuthChallengeCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, createConfirmedUser, createPool, errorOf, startHarness, type Harness } from "./harness.ts";
import { AuthenticationHelper, BigInteger, type LibAuthenticationHelper, type LibBigInteger } from "./srp-library.ts";

const password = "Passw0rd!";
const flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;

interface Target {
  readonly poolId: string;
  readonly clientId: string;
}

let h: Harness;
let serial = 0;
beforeAll(async () => {
  // The real clock: the library checks its tokens' expiry against it.
  h = await startHarness({ clock: { now: () => Date.now() } });
});
afterAll(async () => h.stop());

async function target(input: Partial<CreateUserPoolCommandInput>): Promise<Target> {
  const poolId = (await createPool(h, input)).Id!;
  const client = await createClient(h, poolId, { ExplicitAuthFlows: [...flows] });
  return { poolId, clientId: client.ClientId! };
}

async function newUser(where: Target, attributes: Record<string, string> = {}): Promise<string> {
  serial += 1;
  const name = `srp-device-${serial}`;
  await createConfirmedUser(h, where, name, password, attributes);
  return name;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// amazon-cognito-identity-js

/** The library's storage, one per simulated browser, so that its cached device outlives a CognitoUser. */
function memoryStorage(): ICognitoStorage {
  const items = new Map<string, string>();
  return {
    setItem: (key, value) => void items.set(key, value),
    getItem: (key) => items.get(key) ?? null,
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

/** The ChallengeName of every RespondToAuthChallenge the library sends (it calls fetch). */
const answered: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const target = new Headers(init?.headers).get("X-Amz-Target") ?? "";
  if (target.endsWith(".RespondToAuthChallenge") && typeof init?.body === "string") {
    answered.push((JSON.parse(init.body) as { ChallengeName: string }).ChallengeName);
  }
  return realFetch(input, init);
};
afterAll(() => {
  globalThis.fetch = realFetch;
});
afterEach(() => {
  answered.length = 0;
});

function libraryUser(where: Target, username: string, storage: ICognitoStorage): CognitoUser {
  const pool = new CognitoUserPool({
    UserPoolId: where.poolId,
    ClientId: where.clientId,
    endpoint: `${h.emulator.url}/`,
    Storage: storage,
  });
  return new CognitoUser({ Username: username, Pool: pool, Storage: storage });
}

/** authenticateUser (SRP) as a promise: the session and whether the device needs the user's say-so. */
function librarySignIn(user: CognitoUser, username: string) {
  return new Promise<{ session: CognitoUserSession; confirmationNecessary: boolean }>((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session, confirmationNecessary) =>
        resolve({ session, confirmationNecessary: confirmationNecessary === true }),
      onFailure: (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    });
  });
}

/** A callback-style library call as a promise. */
function libraryCall<T>(start: (callbacks: { onSuccess: (value: T) => void; onFailure: (e: Error) => void }) => void) {
  return new Promise<T>((resolve, reject) => start({ onSuccess: resolve, onFailure: reject }));
}

describe("amazon-cognito-identity-js with a pool that remembers devices", () => {
  it("confirms the device of its first sign-in and proves it with device SRP at the next", async () => {
    const where = await target({
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false },
    });
    const username = await newUser(where);
    const storage = memoryStorage();

    const first = await librarySignIn(libraryUser(where, username, storage), username);
    expect(first.confirmationNecessary).toBe(false);
    const { Devices } = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: where.poolId, Username: username }),
    );
    expect(Devices).toHaveLength(1);
    const deviceKey = Devices![0]!.DeviceKey!;
    expect(claimsOf(first.session.getAccessToken().getJwtToken()).device_key).toBe(deviceKey);

    answered.length = 0;
    const user = libraryUser(where, username, storage);
    const second = await librarySignIn(user, username);
    // The library answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER only when Cognito asks.
    expect(answered).toEqual(["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]);
    expect(claimsOf(second.session.getAccessToken().getJwtToken()).device_key).toBe(deviceKey);
    const after = await h.cognito.send(new AdminListDevicesCommand({ UserPoolId: where.poolId, Username: username }));
    expect(after.Devices?.map((d) => d.DeviceKey)).toEqual([deviceKey]);

    // The library sends the cached DEVICE_KEY with a refresh.
    const refreshed = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.refreshSession(second.session.getRefreshToken(), (error: unknown, session: CognitoUserSession) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(session),
      ),
    );
    expect(claimsOf(refreshed.getAccessToken().getJwtToken()).device_key).toBe(deviceKey);

    // The library's types say getDevice succeeds with a string; it hands over GetDevice's response.
    const device: unknown = await libraryCall<string>((callbacks) => user.getDevice(callbacks));
    expect(device).toMatchObject({ Device: { DeviceKey: deviceKey } });
    await libraryCall<string>((callbacks) => user.setDeviceStatusNotRemembered(callbacks));
    await libraryCall<string>((callbacks) => user.setDeviceStatusRemembered(callbacks));
    await libraryCall<string>((callbacks) => user.forgetDevice(callbacks));
    const forgotten = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: where.poolId, Username: username }),
    );
    expect(forgotten.Devices).toEqual([]);
  });

  it("gets a new device when the one it remembers was forgotten by an administrator", async () => {
    const where = await target({
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false },
    });
    const username = await newUser(where);
    const storage = memoryStorage();
    await librarySignIn(libraryUser(where, username, storage), username);
    const { Devices } = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: where.poolId, Username: username }),
    );
    const oldKey = Devices![0]!.DeviceKey!;
    await h.cognito.send(
      new AdminForgetDeviceCommand({ UserPoolId: where.poolId, Username: username, DeviceKey: oldKey }),
    );

    answered.length = 0;
    const again = await librarySignIn(libraryUser(where, username, storage), username);
    // PASSWORD_VERIFIER with the forgotten DEVICE_KEY is ResourceNotFoundException "Device does
    // not exist."; the library answers the same challenge again without it.
    expect(answered).toEqual(["PASSWORD_VERIFIER", "PASSWORD_VERIFIER"]);
    const newKey = claimsOf(again.session.getAccessToken().getJwtToken()).device_key;
    expect(newKey).not.toBe(oldKey);
    const now = await h.cognito.send(new AdminListDevicesCommand({ UserPoolId: where.poolId, Username: username }));
    expect(now.Devices?.map((d) => d.DeviceKey)).toEqual([newKey]);
  });

  it("tells the user to decide in an opt-in pool", async () => {
    const where = await target({
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    });
    const username = await newUser(where);
    const first = await librarySignIn(libraryUser(where, username, memoryStorage()), username);
    expect(first.confirmationNecessary).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The AWS SDK, with the library's SRP helper

/** A device registered as the library does it: a random password and its verifier, confirmed. */
interface RegisteredDevice {
  readonly key: string;
  readonly groupKey: string;
  readonly password: string;
}

async function registerDevice(tokens: AuthenticationResultType): Promise<RegisteredDevice> {
  const { DeviceKey: key, DeviceGroupKey: groupKey } = tokens.NewDeviceMetadata!;
  const helper = new AuthenticationHelper(groupKey!);
  await new Promise<void>((resolve, reject) =>
    helper.generateHashDevice(groupKey!, key!, (error) => (error ? reject(new Error(String(error))) : resolve())),
  );
  await h.cognito.send(
    new ConfirmDeviceCommand({
      AccessToken: tokens.AccessToken,
      DeviceKey: key,
      DeviceName: "SDK test",
      DeviceSecretVerifierConfig: {
        Salt: Buffer.from(helper.getSaltDevices(), "hex").toString("base64"),
        PasswordVerifier: Buffer.from(helper.getVerifierDevices(), "hex").toString("base64"),
      },
    }),
  );
  return { key: key!, groupKey: groupKey!, password: helper.getRandomPassword() };
}

async function passwordSignIn(where: Target, username: string, deviceKey?: string) {
  return h.cognito.send(
    new InitiateAuthCommand({
      ClientId: where.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password, ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}) },
    }),
  );
}

const respond = (where: Target, name: string, session: string | undefined, responses: Record<string, string>) =>
  h.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: where.clientId,
      ChallengeName: name as "DEVICE_SRP_AUTH",
      Session: session,
      ChallengeResponses: responses,
    }),
  );

/** DEVICE_SRP_AUTH's answer: SRP_A from a helper in the device group's realm. */
async function openDeviceSrp(where: Target, username: string, device: RegisteredDevice, session: string | undefined) {
  const helper = new AuthenticationHelper(device.groupKey);
  const A = await new Promise<LibBigInteger>((resolve, reject) =>
    helper.getLargeAValue((error, value) => (error ? reject(new Error(String(error))) : resolve(value))),
  );
  const challenge = await respond(where, "DEVICE_SRP_AUTH", session, {
    USERNAME: username,
    DEVICE_KEY: device.key,
    SRP_A: A.toString(16),
  });
  return { helper, challenge };
}

/** DEVICE_PASSWORD_VERIFIER's answer, signed as the library's getDeviceResponse signs it. */
async function proveDevice(
  where: Target,
  device: RegisteredDevice,
  helper: LibAuthenticationHelper,
  challenge: RespondToAuthChallengeCommandOutput,
  devicePassword = device.password,
) {
  const parameters = challenge.ChallengeParameters!;
  const hkdf = await new Promise<Buffer>((resolve, reject) =>
    helper.getPasswordAuthenticationKey(
      device.key,
      devicePassword,
      new BigInteger(parameters.SRP_B!, 16),
      new BigInteger(parameters.SALT!, 16),
      (error, key) => (error ? reject(new Error(String(error))) : resolve(key)),
    ),
  );
  const timestamp = "Mon Dec 7 11:00:00 UTC 2026";
  const signature = createHmac("sha256", hkdf)
    .update(
      Buffer.concat([
        Buffer.from(device.groupKey, "utf8"),
        Buffer.from(device.key, "utf8"),
        Buffer.from(parameters.SECRET_BLOCK!, "base64"),
        Buffer.from(timestamp, "utf8"),
      ]),
    )
    .digest("base64");
  return respond(where, "DEVICE_PASSWORD_VERIFIER", challenge.Session, {
    USERNAME: parameters.USERNAME!,
    DEVICE_KEY: device.key,
    PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK!,
    PASSWORD_CLAIM_SIGNATURE: signature,
    TIMESTAMP: timestamp,
  });
}

describe("DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER through the SDK", () => {
  let where: Target;
  beforeAll(async () => {
    where = await target({
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false },
    });
  });

  it("follow USER_PASSWORD_AUTH with a tracked DEVICE_KEY, and end with tokens bound to the device", async () => {
    const username = await newUser(where);
    const device = await registerDevice((await passwordSignIn(where, username)).AuthenticationResult!);
    const start = await passwordSignIn(where, username, device.key);
    expect(start).toMatchObject({ ChallengeName: "DEVICE_SRP_AUTH" });
    expect(start.AuthenticationResult).toBeUndefined();
    const { helper, challenge } = await openDeviceSrp(where, username, device, start.Session);
    expect(challenge.ChallengeName).toBe("DEVICE_PASSWORD_VERIFIER");
    expect(challenge.ChallengeParameters).toMatchObject({ DEVICE_KEY: device.key, USERNAME: username });
    const done = await proveDevice(where, device, helper, challenge);
    expect(done.AuthenticationResult?.NewDeviceMetadata).toBeUndefined();
    expect(claimsOf(done.AuthenticationResult!.AccessToken!).device_key).toBe(device.key);
  });

  it("refuse a wrong device password, after which the Session is used up", async () => {
    const username = await newUser(where);
    const device = await registerDevice((await passwordSignIn(where, username)).AuthenticationResult!);
    const start = await passwordSignIn(where, username, device.key);
    const { helper, challenge } = await openDeviceSrp(where, username, device, start.Session);
    const wrong = await errorOf(proveDevice(where, device, helper, challenge, "not-the-device-password"));
    // As AWS answers it (aws/aws-sdk-net-extensions-cognito#73).
    expect(wrong).toMatchObject({ name: "NotAuthorizedException", message: "Incorrect username or password." });
    const again = await errorOf(proveDevice(where, device, helper, challenge));
    expect(again).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid session for the user, session can only be used once.",
    });
  });

  it("refuse an answer without the device's key or with another device's", async () => {
    const username = await newUser(where);
    const device = await registerDevice((await passwordSignIn(where, username)).AuthenticationResult!);
    const other = await registerDevice((await passwordSignIn(where, username)).AuthenticationResult!);
    const start = await passwordSignIn(where, username, device.key);
    const missing = await errorOf(
      respond(where, "DEVICE_SRP_AUTH", start.Session, { USERNAME: username, SRP_A: "ab" }),
    );
    expect(missing).toMatchObject({
      name: "InvalidParameterException",
      message: "Missing required parameter DEVICE_KEY",
    });
    const swapped = await errorOf(openDeviceSrp(where, username, other, start.Session));
    expect(swapped).toMatchObject({ name: "NotAuthorizedException", message: "Invalid session for the user." });
    const badA = await errorOf(
      respond(where, "DEVICE_SRP_AUTH", start.Session, { USERNAME: username, DEVICE_KEY: device.key, SRP_A: "00" }),
    );
    expect(badA).toMatchObject({ name: "InvalidParameterException", message: "SRP_A is not a valid SRP value." });
  });

  it("are answered through AdminRespondToAuthChallenge too", async () => {
    const username = await newUser(where);
    const device = await registerDevice((await passwordSignIn(where, username)).AuthenticationResult!);
    const start = await passwordSignIn(where, username, device.key);
    const helper = new AuthenticationHelper(device.groupKey);
    const A = await new Promise<LibBigInteger>((resolve, reject) =>
      helper.getLargeAValue((error, value) => (error ? reject(new Error(String(error))) : resolve(value))),
    );
    const challenge = await h.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: where.poolId,
        ClientId: where.clientId,
        ChallengeName: "DEVICE_SRP_AUTH",
        Session: start.Session,
        ChallengeResponses: { USERNAME: username, DEVICE_KEY: device.key, SRP_A: A.toString(16) },
      }),
    );
    expect(challenge.ChallengeName).toBe("DEVICE_PASSWORD_VERIFIER");
  });
});

describe("the device's proof and the second factor", () => {
  let where: Target;
  beforeAll(async () => {
    where = await target({
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    });
    await h.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: where.poolId,
        MfaConfiguration: "OPTIONAL",
        EmailMfaConfiguration: { Message: "Your code is {####}", Subject: "Sign-in code" },
      }),
    );
  });

  /** A user with email MFA on, signed in once through it; their device, confirmed. */
  async function mfaUserWithDevice() {
    serial += 1;
    const username = `mfa-device-${serial}`;
    await createConfirmedUser(h, where, username, password, { email: `${username}@example.com` });
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: where.poolId,
        Username: username,
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenge = await passwordSignIn(where, username);
    expect(challenge.ChallengeName).toBe("EMAIL_OTP");
    const done = await respond(where, "EMAIL_OTP", challenge.Session, {
      USERNAME: username,
      EMAIL_OTP_CODE: h.emulator.outbox.latest(username, "AUTHENTICATION")!.code,
    });
    return { username, device: await registerDevice(done.AuthenticationResult!) };
  }

  it("is the second factor that a device not remembered must still give, and the tokens are the device's", async () => {
    const { username, device } = await mfaUserWithDevice();
    const challenge = await passwordSignIn(where, username, device.key);
    // DeviceConfigurationType: "users who sign in with devices that have not been confirmed or
    // remembered must still provide a second factor in a user pool that requires MFA".
    expect(challenge.ChallengeName).toBe("EMAIL_OTP");
    const done = await respond(where, "EMAIL_OTP", challenge.Session, {
      USERNAME: username,
      DEVICE_KEY: device.key,
      EMAIL_OTP_CODE: h.emulator.outbox.latest(username, "AUTHENTICATION")!.code,
    });
    expect(claimsOf(done.AuthenticationResult!.AccessToken!).device_key).toBe(device.key);
  });

  it("stands in for the second factor once the device is remembered (ChallengeRequiredOnNewDevice)", async () => {
    const { username, device } = await mfaUserWithDevice();
    const signedIn = await passwordSignIn(where, username);
    const code = h.emulator.outbox.latest(username, "AUTHENTICATION")!.code;
    const tokens = await respond(where, "EMAIL_OTP", signedIn.Session, { USERNAME: username, EMAIL_OTP_CODE: code });
    await h.cognito.send(
      new UpdateDeviceStatusCommand({
        AccessToken: tokens.AuthenticationResult!.AccessToken,
        DeviceKey: device.key,
        DeviceRememberedStatus: "remembered",
      }),
    );
    const sentBefore = h.emulator.outbox.latest(username, "AUTHENTICATION");
    const start = await passwordSignIn(where, username, device.key);
    expect(start.ChallengeName).toBe("DEVICE_SRP_AUTH");
    const { helper, challenge } = await openDeviceSrp(where, username, device, start.Session);
    const done = await proveDevice(where, device, helper, challenge);
    expect(claimsOf(done.AuthenticationResult!.AccessToken!).device_key).toBe(device.key);
    // No code was sent for this sign-in.
    expect(h.emulator.outbox.latest(username, "AUTHENTICATION")).toEqual(sentBefore);
  });
});
