/**
 * Device tracking through the AWS SDK: the device a sign-in hands out (NewDeviceMetadata, the
 * access token's device_key), ConfirmDevice, the user's and the administrator's Get/List/Update/
 * Forget operations, refreshing a device's session, and each exception they answer with.
 */
import {
  AdminDeleteUserCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminInitiateAuthCommand,
  AdminListDevicesCommand,
  AdminUpdateDeviceStatusCommand,
  AdminUserGlobalSignOutCommand,
  ConfirmDeviceCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  UpdateDeviceStatusCommand,
  type AuthenticationResultType,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createConfirmedUser, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

const password = "Passw0rd!";
const flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;
/** "Always" remember (the console's name): confirmed devices are remembered at once. */
const always = { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false };
/** "User opt-in": a confirmed device waits for UpdateDeviceStatus. */
const optIn = { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true };

interface Target {
  readonly poolId: string;
  readonly clientId: string;
}

let h: Harness;
let tracked: Target;
let optInPool: Target;
let untracked: Target;
let serial = 0;

async function target(h: Harness, input: Partial<CreateUserPoolCommandInput> = {}): Promise<Target> {
  const poolId = (await createPool(h, input)).Id!;
  const client = await createClient(h, poolId, { ExplicitAuthFlows: [...flows] });
  return { poolId, clientId: client.ClientId! };
}

beforeAll(async () => {
  h = await startHarness();
  tracked = await target(h, { DeviceConfiguration: always });
  optInPool = await target(h, { DeviceConfiguration: optIn });
  untracked = await target(h);
});
afterAll(async () => h.stop());

async function newUser(where: Target): Promise<string> {
  serial += 1;
  const name = `device-user-${serial}`;
  await createConfirmedUser(h, where, name, password);
  return name;
}

async function signIn(
  where: Target,
  username: string,
  deviceKey?: string,
  harness: Harness = h,
): Promise<AuthenticationResultType> {
  const { AuthenticationResult } = await harness.cognito.send(
    new InitiateAuthCommand({
      ClientId: where.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password, ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}) },
    }),
  );
  if (!AuthenticationResult) throw new Error("no tokens");
  return AuthenticationResult;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

/** A verifier and salt shaped as the client libraries send them (base64 of hex bytes). */
const verifierConfig = { PasswordVerifier: Buffer.from("0a1b2c", "hex").toString("base64"), Salt: "q83vEjRWeJA=" };

/**
 * Signs in and confirms the device it was handed; its key and the sign-in's tokens. Without a
 * verifier the device cannot be asked to prove itself, so signing in with it needs no SRP (the
 * device challenges are tested with amazon-cognito-identity-js in device-srp.test.ts).
 */
async function confirmedDevice(
  where: Target,
  username: string,
  name = "Test phone",
  harness: Harness = h,
  withVerifier = true,
) {
  const tokens = await signIn(where, username, undefined, harness);
  const key = tokens.NewDeviceMetadata!.DeviceKey!;
  const confirmed = await harness.cognito.send(
    new ConfirmDeviceCommand({
      AccessToken: tokens.AccessToken,
      DeviceKey: key,
      DeviceName: name,
      ...(withVerifier ? { DeviceSecretVerifierConfig: verifierConfig } : {}),
    }),
  );
  return { key, tokens, confirmed };
}

const attribute = (device: { DeviceAttributes?: { Name?: string; Value?: string }[] } | undefined, name: string) =>
  device?.DeviceAttributes?.find((a) => a.Name === name)?.Value;

describe("the device a sign-in hands out", () => {
  it("comes as NewDeviceMetadata with a <region>_<uuid> key that the access token carries as device_key", async () => {
    const tokens = await signIn(tracked, await newUser(tracked));
    // NewDeviceMetadataType: DeviceKey matches [\w-]+_[0-9a-f-]+; AWS's are the region and a uuid.
    expect(tokens.NewDeviceMetadata?.DeviceKey).toMatch(
      /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(tokens.NewDeviceMetadata?.DeviceGroupKey).toBeTruthy();
    expect(claimsOf(tokens.AccessToken!).device_key).toBe(tokens.NewDeviceMetadata?.DeviceKey);
    expect(claimsOf(tokens.IdToken!).device_key).toBeUndefined();
  });

  it("is a new one at each sign-in that names none, with the user's one device group", async () => {
    const username = await newUser(tracked);
    const first = await signIn(tracked, username);
    const second = await signIn(tracked, username);
    expect(second.NewDeviceMetadata?.DeviceKey).not.toBe(first.NewDeviceMetadata?.DeviceKey);
    expect(second.NewDeviceMetadata?.DeviceGroupKey).toBe(first.NewDeviceMetadata?.DeviceGroupKey);
  });

  it("is not handed out by a pool without DeviceConfiguration", async () => {
    const tokens = await signIn(untracked, await newUser(untracked));
    expect(tokens.NewDeviceMetadata).toBeUndefined();
    expect(claimsOf(tokens.AccessToken!).device_key).toBeUndefined();
  });

  it("comes with ADMIN_USER_PASSWORD_AUTH too", async () => {
    const username = await newUser(tracked);
    const { AuthenticationResult } = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: tracked.poolId,
        ClientId: tracked.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    expect(AuthenticationResult?.NewDeviceMetadata?.DeviceKey).toBeTruthy();
  });
});

describe("ConfirmDevice", () => {
  it("tracks the device, remembered at once when the pool always remembers, and GetDevice describes it", async () => {
    const username = await newUser(tracked);
    const { key, tokens, confirmed } = await confirmedDevice(tracked, username);
    expect(confirmed.UserConfirmationNecessary).toBe(false);
    const { Device } = await h.cognito.send(new GetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: key }));
    expect(Device?.DeviceKey).toBe(key);
    // AWS's examples (API_AdminListDevices, the CLI's get-device) show these attributes.
    expect(attribute(Device, "device_status")).toBe("valid");
    expect(attribute(Device, "device_name")).toBe("Test phone");
    expect(attribute(Device, "dev:device_remembered_status")).toBe("remembered");
    expect(attribute(Device, "dev:device_owner")).toBe(`${username}.${tracked.poolId}`);
    expect(attribute(Device, "dev:device_arn")).toBe(
      `arn:aws:cognito-idp:us-east-1:123456789012:owner/${username}.${tracked.poolId}/device/${key}`,
    );
    expect(Device?.DeviceCreateDate).toBeInstanceOf(Date);
    expect(Device?.DeviceLastModifiedDate).toBeInstanceOf(Date);
    expect(Device?.DeviceLastAuthenticatedDate).toBeInstanceOf(Date);
    const { Devices } = await h.cognito.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    expect(Devices?.map((d) => d.DeviceKey)).toEqual([key]);
  });

  it("asks for the user's confirmation in an opt-in pool, where the device is not remembered until then", async () => {
    const username = await newUser(optInPool);
    const { key, tokens, confirmed } = await confirmedDevice(optInPool, username);
    // DeviceConfigurationType: with DeviceOnlyRememberedOnUserPrompt, ConfirmDevice is followed
    // by UpdateDeviceStatus.
    expect(confirmed.UserConfirmationNecessary).toBe(true);
    const listed = await h.cognito.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    expect(listed.Devices).toEqual([]);
    const hidden = await errorOf(
      h.cognito.send(new GetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: key })),
    );
    expect(hidden).toMatchObject({ name: "ResourceNotFoundException", message: "Device does not exist." });
    const admin = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: optInPool.poolId, Username: username }),
    );
    expect(admin.Devices?.map((d) => attribute(d, "dev:device_remembered_status"))).toEqual(["not_remembered"]);

    await h.cognito.send(
      new UpdateDeviceStatusCommand({
        AccessToken: tokens.AccessToken,
        DeviceKey: key,
        DeviceRememberedStatus: "remembered",
      }),
    );
    const remembered = await h.cognito.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    expect(remembered.Devices?.map((d) => d.DeviceKey)).toEqual([key]);
  });

  it("refuses a key that is not the access token's device", async () => {
    const username = await newUser(tracked);
    const tokens = await signIn(tracked, username);
    const other = await signIn(tracked, username);
    const error = await errorOf(
      h.cognito.send(
        new ConfirmDeviceCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: other.NewDeviceMetadata!.DeviceKey,
          DeviceSecretVerifierConfig: verifierConfig,
        }),
      ),
    );
    // The message AWS answers with for a key the sign-in did not hand out (boto3#4059).
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid device key given.",
      status: 400,
    });
  });

  it("refuses to confirm a device twice", async () => {
    const { key, tokens } = await confirmedDevice(tracked, await newUser(tracked));
    const error = await errorOf(
      h.cognito.send(
        new ConfirmDeviceCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: key,
          DeviceSecretVerifierConfig: verifierConfig,
        }),
      ),
    );
    expect(error.name).toBe("DeviceKeyExistsException");
  });

  it("refuses an access token that is not one and a key of the wrong shape", async () => {
    const bad = await errorOf(
      h.cognito.send(new ConfirmDeviceCommand({ AccessToken: "not.a.token", DeviceKey: "us-east-1_0a1b" })),
    );
    expect(bad).toMatchObject({ name: "NotAuthorizedException", message: "Invalid Access Token" });
    const tokens = await signIn(tracked, await newUser(tracked));
    const shape = await errorOf(
      h.cognito.send(new ConfirmDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: "no-underscore" })),
    );
    expect(shape.name).toBe("InvalidParameterException");
    expect(shape.message).toContain("Value 'no-underscore' at 'deviceKey' failed to satisfy constraint");
  });

  it("has nothing to confirm in a pool that does not track devices", async () => {
    const tokens = await signIn(untracked, await newUser(untracked));
    const error = await errorOf(
      h.cognito.send(
        new ConfirmDeviceCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: "us-east-1_0a1b2c3d-0000-4000-8000-000000000000",
        }),
      ),
    );
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Invalid device key given." });
  });
});

describe("signing in with a tracked device", () => {
  it("binds the tokens to the device named and hands out no new one", async () => {
    const username = await newUser(tracked);
    const { key } = await confirmedDevice(tracked, username, "No verifier", h, false);
    h.clock.advance(60_000);
    const again = await signIn(tracked, username, key);
    expect(again.NewDeviceMetadata).toBeUndefined();
    expect(claimsOf(again.AccessToken!).device_key).toBe(key);
    const { Device } = await h.cognito.send(
      new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: username, DeviceKey: key }),
    );
    // The last authentication is the latest sign-in with the device, a minute after it was confirmed.
    expect(Device!.DeviceLastAuthenticatedDate!.getTime()).toBeGreaterThanOrEqual(
      Device!.DeviceCreateDate!.getTime() + 59_000,
    );
  });

  it("refuses a device the user does not have", async () => {
    const owner = await newUser(tracked);
    const { key } = await confirmedDevice(tracked, owner);
    const error = await errorOf(signIn(tracked, await newUser(tracked), key));
    // amazon-cognito-identity-js retries without DEVICE_KEY on this ResourceNotFoundException.
    expect(error).toMatchObject({ name: "ResourceNotFoundException", message: "Device does not exist." });
  });
});

describe("refreshing a session bound to a device", () => {
  it("needs the device's key: without it, or with another, the refresh token is refused", async () => {
    const username = await newUser(tracked);
    const { key, tokens } = await confirmedDevice(tracked, username);
    const refresh = (deviceKey?: string) =>
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: tracked.clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken!, ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}) },
        }),
      );
    // "With device tracking, these tokens are linked to a single device. If a refresh token is
    // used on any other device, the call fails." (AWS Mobile blog on device tracking)
    expect(await errorOf(refresh())).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Refresh Token",
    });
    expect(await errorOf(refresh("us-east-1_00000000-0000-4000-8000-000000000000"))).toMatchObject({
      name: "NotAuthorizedException",
    });
    const refreshed = await refresh(key);
    expect(claimsOf(refreshed.AuthenticationResult!.AccessToken!).device_key).toBe(key);
    const viaGetTokens = await h.cognito.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: tracked.clientId,
        RefreshToken: tokens.RefreshToken,
        DeviceKey: key,
      }),
    );
    expect(claimsOf(viaGetTokens.AuthenticationResult!.AccessToken!).device_key).toBe(key);
  });
});

describe("ListDevices and AdminListDevices", () => {
  it("page with Limit and PaginationToken, and refuse a token they did not make", async () => {
    const username = await newUser(tracked);
    const keys: string[] = [];
    let accessToken = "";
    for (let i = 0; i < 3; i += 1) {
      const { key, tokens } = await confirmedDevice(tracked, username, `device ${i}`);
      keys.push(key);
      accessToken = tokens.AccessToken!;
    }
    const first = await h.cognito.send(new ListDevicesCommand({ AccessToken: accessToken, Limit: 2 }));
    expect(first.Devices).toHaveLength(2);
    expect(first.PaginationToken).toBeTruthy();
    const second = await h.cognito.send(
      new ListDevicesCommand({ AccessToken: accessToken, Limit: 2, PaginationToken: first.PaginationToken }),
    );
    expect(second.PaginationToken).toBeUndefined();
    expect([...first.Devices!, ...second.Devices!].map((d) => d.DeviceKey).sort()).toEqual([...keys].sort());
    const admin = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username, Limit: 1 }),
    );
    expect(admin.Devices).toHaveLength(1);
    expect(admin.PaginationToken).toBeTruthy();
    const forged = await errorOf(
      h.cognito.send(new ListDevicesCommand({ AccessToken: accessToken, PaginationToken: "forged" })),
    );
    expect(forged).toMatchObject({ name: "InvalidParameterException" });
    const tooMany = await errorOf(h.cognito.send(new ListDevicesCommand({ AccessToken: accessToken, Limit: 61 })));
    expect(tooMany.message).toContain("Member must have value less than or equal to 60");
  });
});

describe("UpdateDeviceStatus and AdminUpdateDeviceStatus", () => {
  it("set the remembered status the administrator and the user see", async () => {
    const username = await newUser(tracked);
    const { key, tokens } = await confirmedDevice(tracked, username);
    await h.cognito.send(
      new AdminUpdateDeviceStatusCommand({
        UserPoolId: tracked.poolId,
        Username: username,
        DeviceKey: key,
        DeviceRememberedStatus: "not_remembered",
      }),
    );
    const { Devices } = await h.cognito.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    expect(Devices).toEqual([]);
    const { Device } = await h.cognito.send(
      new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: username, DeviceKey: key }),
    );
    expect(attribute(Device, "dev:device_remembered_status")).toBe("not_remembered");
  });

  it("refuse an unknown status and a device the user does not have", async () => {
    const username = await newUser(tracked);
    const { tokens } = await confirmedDevice(tracked, username);
    const status = await errorOf(
      h.cognito.send(
        new UpdateDeviceStatusCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: tokens.NewDeviceMetadata!.DeviceKey,
          DeviceRememberedStatus: "forever" as "remembered",
        }),
      ),
    );
    expect(status.message).toContain("Member must satisfy enum value set: [remembered, not_remembered]");
    const { key: othersKey } = await confirmedDevice(tracked, await newUser(tracked));
    const foreign = await errorOf(
      h.cognito.send(
        new UpdateDeviceStatusCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: othersKey,
          DeviceRememberedStatus: "remembered",
        }),
      ),
    );
    expect(foreign).toMatchObject({ name: "ResourceNotFoundException", message: "Device does not exist." });
  });
});

describe("ForgetDevice and AdminForgetDevice", () => {
  it("stop tracking the device; forgetting it again, or using it, is ResourceNotFoundException", async () => {
    const username = await newUser(tracked);
    const { key, tokens } = await confirmedDevice(tracked, username);
    await h.cognito.send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: key }));
    const notFound = { name: "ResourceNotFoundException", message: "Device does not exist." };
    expect(
      await errorOf(h.cognito.send(new GetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: key }))),
    ).toMatchObject(notFound);
    expect(
      await errorOf(h.cognito.send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: key }))),
    ).toMatchObject(notFound);
    // The AWS Android SDK's testForgetDevice: after forget, UpdateDeviceStatus is
    // "ResourceNotFoundException: Device does not exist."
    expect(
      await errorOf(
        h.cognito.send(
          new UpdateDeviceStatusCommand({
            AccessToken: tokens.AccessToken,
            DeviceKey: key,
            DeviceRememberedStatus: "remembered",
          }),
        ),
      ),
    ).toMatchObject(notFound);
    expect(await errorOf(signIn(tracked, username, key))).toMatchObject(notFound);
  });

  it("end the device's refresh tokens, and leave its access tokens their hour", async () => {
    const username = await newUser(tracked);
    const { key, tokens } = await confirmedDevice(tracked, username);
    await h.cognito.send(
      new AdminForgetDeviceCommand({ UserPoolId: tracked.poolId, Username: username, DeviceKey: key }),
    );
    const refresh = await errorOf(
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: tracked.clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken!, DEVICE_KEY: key },
        }),
      ),
    );
    expect(refresh).toMatchObject({ name: "NotAuthorizedException", message: "Invalid Refresh Token" });
    const { Devices } = await h.cognito.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    expect(Devices).toEqual([]);
  });
});

describe("the administrator's device operations", () => {
  it("answer an unknown pool, user or device as AWS does", async () => {
    const username = await newUser(tracked);
    const { key } = await confirmedDevice(tracked, username);
    const pool = await errorOf(
      h.cognito.send(
        new AdminGetDeviceCommand({ UserPoolId: "us-east-1_Nonexist0", Username: username, DeviceKey: key }),
      ),
    );
    expect(pool).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_Nonexist0 does not exist.",
    });
    const user = await errorOf(
      h.cognito.send(new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: "nobody-here" })),
    );
    expect(user).toMatchObject({ name: "UserNotFoundException", message: "User does not exist." });
    const someoneElse = await newUser(tracked);
    const foreign = await errorOf(
      h.cognito.send(new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: someoneElse, DeviceKey: key })),
    );
    expect(foreign).toMatchObject({ name: "ResourceNotFoundException", message: "Device does not exist." });
    const forget = await errorOf(
      h.cognito.send(
        new AdminForgetDeviceCommand({ UserPoolId: tracked.poolId, Username: someoneElse, DeviceKey: key }),
      ),
    );
    expect(forget.name).toBe("ResourceNotFoundException");
  });

  it("find the user by alias-free username or sub, like the other Admin* operations", async () => {
    const username = await newUser(tracked);
    const { key, tokens } = await confirmedDevice(tracked, username);
    const sub = claimsOf(tokens.AccessToken!).sub as string;
    const { Device } = await h.cognito.send(
      new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: sub, DeviceKey: key }),
    );
    expect(Device?.DeviceKey).toBe(key);
  });
});

describe("a device's lifetime", () => {
  it("outlasts a global sign-out and ends with its user", async () => {
    const username = await newUser(tracked);
    const { key } = await confirmedDevice(tracked, username);
    await h.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: tracked.poolId, Username: username }));
    const after = await h.cognito.send(new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username }));
    expect(after.Devices?.map((d) => d.DeviceKey)).toEqual([key]);

    await h.cognito.send(new AdminDeleteUserCommand({ UserPoolId: tracked.poolId, Username: username }));
    await createConfirmedUser(h, tracked, username, password);
    const reborn = await h.cognito.send(
      new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username }),
    );
    expect(reborn.Devices).toEqual([]);
  });

  it("survives a restart of the emulator with --data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-devices-"));
    const dataPath = join(dir, "emulator.sqlite3");
    try {
      const first = await startHarness({ inMemory: false, dataPath, clock: { now: () => Date.now() } });
      let where: Target;
      let key: string;
      let refreshToken: string;
      try {
        where = await target(first, { DeviceConfiguration: always });
        await createConfirmedUser(first, where, "keeper", password);
        const device = await confirmedDevice(where, "keeper", "Kept phone", first);
        key = device.key;
        refreshToken = device.tokens.RefreshToken!;
      } finally {
        await first.stop();
      }
      const second = await startHarness({ inMemory: false, dataPath, clock: { now: () => Date.now() } });
      try {
        const { Device } = await second.cognito.send(
          new AdminGetDeviceCommand({ UserPoolId: where.poolId, Username: "keeper", DeviceKey: key }),
        );
        expect(attribute(Device, "device_name")).toBe("Kept phone");
        const refreshed = await second.cognito.send(
          new InitiateAuthCommand({
            ClientId: where.clientId,
            AuthFlow: "REFRESH_TOKEN_AUTH",
            AuthParameters: { REFRESH_TOKEN: refreshToken, DEVICE_KEY: key },
          }),
        );
        expect(claimsOf(refreshed.AuthenticationResult!.AccessToken!).device_key).toBe(key);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
