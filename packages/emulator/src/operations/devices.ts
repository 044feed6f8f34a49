/**
 * Device tracking's operations: ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus and
 * ForgetDevice with the user's access token, and AdminGetDevice, AdminListDevices,
 * AdminUpdateDeviceStatus and AdminForgetDevice by pool and username. How sign-in hands out and
 * uses devices is devices.ts.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmDevice.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeviceType.html
 *
 * What the user's own operations see is narrower than the administrator's: ListDevices lists the
 * remembered devices only (amazon-cognito-identity-js#199, amplify-js#12171: "Only remembered
 * devices are listed") and GetDevice does not find a device that is not remembered (the AWS
 * Android SDK's integration test testRememberDevice expects ResourceNotFoundException there, and
 * reads the status through AdminGetDevice); the Admin* ones see every tracked device.
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, messages, notAuthorized } from "../errors.ts";
import { deviceGroupKeyOf, deviceNotFound, deviceTracking, requireUserDevice } from "../devices.ts";
import { regionOfPool } from "../ids.ts";
import type { Pool, User } from "../model.ts";
import { shape } from "../shapes.ts";
import type { Device } from "../store/devices.ts";
import { authenticateAccessToken, type Caller } from "../tokens.ts";
import { requireAdminUser } from "./admin-users.ts";
import { accessToken, epochSeconds, paginationToken, requirePool, userPoolId, username } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, isString, pageOf } from "./pagination.ts";

/** DeviceKeyType, as NewDeviceMetadataType and GetTokensFromRefreshToken also constrain it. */
const deviceKey = shape.string({ required: true, min: 1, max: 55, pattern: String.raw`[\w-]+_[0-9a-f-]+` });
/** GetDevice and ForgetDevice declare their AccessToken optional; the others require it. */
const optionalAccessToken = shape.string({ pattern: String.raw`[A-Za-z0-9-_=.]+`, sensitive: true });
const rememberedStatus = shape.string({ enum: ["remembered", "not_remembered"] });
/** 0–60, as ListDevices and AdminListDevices allow; 0 or none gives the largest page. */
const deviceLimit = shape.integer({ min: 0, max: 60 });
const verifierPart = shape.string({ max: 131072, sensitive: true });

/** The account every ARN the emulator makes names (as pools.ts's UserPool Arn). */
const accountId = "123456789012";

/**
 * DeviceType with the attributes AWS's examples show (API_AdminListDevices, the CLI's
 * get-device): device_status, device_name, dev:device_arn, dev:device_owner and
 * dev:device_remembered_status. last_ip_used and dev:device_sdk are left out: the emulator does
 * not know them. DeviceLastAuthenticatedDate is the device's latest sign-in, in whole seconds
 * (auth_time) as in AWS's examples.
 */
function describeDevice(ctx: Context, pool: Pool, user: User, device: Device) {
  const owner = `${user.username}.${pool.id}`;
  const lastSignIn = ctx.store.sessions.lastSignInWithDevice(pool.id, user.usernameKey, device.deviceKey);
  return {
    DeviceKey: device.deviceKey,
    DeviceAttributes: [
      { Name: "device_status", Value: "valid" },
      ...(device.name === null ? [] : [{ Name: "device_name", Value: device.name }]),
      {
        Name: "dev:device_arn",
        Value: `arn:aws:cognito-idp:${regionOfPool(pool.id)}:${accountId}:owner/${owner}/device/${device.deviceKey}`,
      },
      { Name: "dev:device_owner", Value: owner },
      { Name: "dev:device_remembered_status", Value: device.remembered ? "remembered" : "not_remembered" },
    ],
    DeviceCreateDate: epochSeconds(device.createdAt),
    DeviceLastModifiedDate: epochSeconds(device.updatedAt),
    DeviceLastAuthenticatedDate: lastSignIn ?? Math.floor(device.createdAt / 1000),
  };
}

function listDevices(
  ctx: Context,
  pool: Pool,
  user: User,
  request: { readonly Limit?: number; readonly PaginationToken?: string },
  rememberedOnly: boolean,
) {
  const limit = request.Limit === undefined || request.Limit === 0 ? 60 : request.Limit;
  const after = request.PaginationToken ? decodeToken(request.PaginationToken, isString) : "";
  const fetched = ctx.store.devices.ofUser(pool.id, user.usernameKey, after, limit + 1, rememberedOnly);
  const { shown, more } = pageOf(fetched, limit, (d) => d.deviceKey, "PaginationToken");
  return { Devices: shown.map((d) => describeDevice(ctx, pool, user, d)), ...more };
}

/** A token from the optional AccessToken member: without one there is nobody to act for. */
function callerOf(ctx: Context, token: string | undefined): Promise<Caller> {
  if (token === undefined) throw notAuthorized(messages.invalidAccessToken);
  return authenticateAccessToken(ctx, token);
}

/** Hex of a base64 DeviceSecretVerifierConfig member, as the client libraries send them. */
const hexOf = (base64: string | undefined): string => Buffer.from(base64 ?? "", "base64").toString("hex");

function forget(ctx: Context, pool: Pool, user: User, key: string): void {
  const device = requireUserDevice(ctx, user, key);
  ctx.store.transaction(() => {
    ctx.store.devices.delete(pool.id, device.deviceKey);
    ctx.store.sessions.dropRefreshOfDevice(pool.id, device.deviceKey);
  });
}

function updateStatus(ctx: Context, user: User, key: string, status: string | undefined): void {
  const device = requireUserDevice(ctx, user, key);
  if (status !== undefined) {
    ctx.store.devices.setRemembered(device.poolId, device.deviceKey, status === "remembered", ctx.clock.now());
  }
}

export const deviceOperations = {
  /**
   * Starts tracking the device a sign-in handed out: the key must be the one the access token was
   * issued with (its device_key), else "Invalid device key given." (what AWS answers for a key
   * that is not the token's, boto3#4059); confirming it twice is DeviceKeyExistsException.
   * UserConfirmationNecessary when the pool remembers devices only on the user's say-so; the
   * device is then not remembered until UpdateDeviceStatus.
   */
  ConfirmDevice: defineOperation(
    shape.structure({
      AccessToken: accessToken,
      DeviceKey: deviceKey,
      DeviceSecretVerifierConfig: shape.structure({ PasswordVerifier: verifierPart, Salt: verifierPart }),
      DeviceName: shape.string({ min: 1, max: 1024 }),
    }),
    async (ctx, request) => {
      const { pool, user, session } = await authenticateAccessToken(ctx, request.AccessToken);
      const tracking = deviceTracking(pool);
      if (!tracking || session.deviceKey !== request.DeviceKey) throw invalidParameter("Invalid device key given.");
      const now = ctx.clock.now();
      const remembered = !tracking.onlyRememberedOnUserPrompt;
      ctx.store.transaction(() => {
        if (ctx.store.devices.get(pool.id, request.DeviceKey)) {
          throw new CognitoError("DeviceKeyExistsException", "Device key already exists.");
        }
        ctx.store.devices.insert({
          poolId: pool.id,
          usernameKey: user.usernameKey,
          deviceKey: request.DeviceKey,
          groupKey: deviceGroupKeyOf(user),
          name: request.DeviceName ?? null,
          salt: hexOf(request.DeviceSecretVerifierConfig?.Salt),
          verifier: hexOf(request.DeviceSecretVerifierConfig?.PasswordVerifier),
          remembered,
          createdAt: now,
          updatedAt: now,
        });
      });
      return { UserConfirmationNecessary: !remembered };
    },
  ),

  GetDevice: defineOperation(
    shape.structure({ DeviceKey: deviceKey, AccessToken: optionalAccessToken }),
    async (ctx, request) => {
      const { pool, user } = await callerOf(ctx, request.AccessToken);
      const device = requireUserDevice(ctx, user, request.DeviceKey);
      if (!device.remembered) throw deviceNotFound();
      return { Device: describeDevice(ctx, pool, user, device) };
    },
  ),

  ListDevices: defineOperation(
    shape.structure({ AccessToken: accessToken, Limit: deviceLimit, PaginationToken: paginationToken }),
    async (ctx, request) => {
      const { pool, user } = await authenticateAccessToken(ctx, request.AccessToken);
      return listDevices(ctx, pool, user, request, true);
    },
  ),

  UpdateDeviceStatus: defineOperation(
    shape.structure({ AccessToken: accessToken, DeviceKey: deviceKey, DeviceRememberedStatus: rememberedStatus }),
    async (ctx, request) => {
      const { user } = await authenticateAccessToken(ctx, request.AccessToken);
      updateStatus(ctx, user, request.DeviceKey, request.DeviceRememberedStatus);
      return {};
    },
  ),

  ForgetDevice: defineOperation(
    shape.structure({ AccessToken: optionalAccessToken, DeviceKey: deviceKey }),
    async (ctx, request) => {
      const { pool, user } = await callerOf(ctx, request.AccessToken);
      forget(ctx, pool, user, request.DeviceKey);
      return {};
    },
  ),

  AdminGetDevice: defineOperation(
    shape.structure({ DeviceKey: deviceKey, UserPoolId: userPoolId, Username: username }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      return { Device: describeDevice(ctx, pool, user, requireUserDevice(ctx, user, request.DeviceKey)) };
    },
  ),

  AdminListDevices: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      Limit: deviceLimit,
      PaginationToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      return listDevices(ctx, pool, requireAdminUser(ctx, pool, request.Username), request, false);
    },
  ),

  AdminUpdateDeviceStatus: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      DeviceKey: deviceKey,
      DeviceRememberedStatus: rememberedStatus,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      updateStatus(
        ctx,
        requireAdminUser(ctx, pool, request.Username),
        request.DeviceKey,
        request.DeviceRememberedStatus,
      );
      return {};
    },
  ),

  AdminForgetDevice: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, DeviceKey: deviceKey }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      forget(ctx, pool, requireAdminUser(ctx, pool, request.Username), request.DeviceKey);
      return {};
    },
  ),
};
