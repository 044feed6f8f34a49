/**
 * The legacy MFA switch: SetUserSettings (a signed-in user, by access token) and
 * AdminSetUserSettings. "This action is no longer supported. You can use it to configure only
 * SMS MFA." MFAOptions `[{DeliveryMedium: "SMS", AttributeName: "phone_number"}]` turns SMS MFA
 * on, an empty list turns it off.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserSettings.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserSettings.html
 *
 * On is the user's `smsOption` (model.ts): sign-ins are challenged by SMS where the pool offers
 * it, and GetUser / AdminGetUser show MFAOptions, but UserMFASettingList stays as
 * SetUserMFAPreference left it, as AWS answers (aws/aws-sdk-java-v2#4869). Off clears SMS from
 * both, so that MFAOptions, which shows SMS whichever API turned it on, reads off afterwards.
 */
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import { mfaFactors, userHasFactor } from "../mfa.ts";
import type { MfaSettings, User } from "../model.ts";
import { shape, type Infer } from "../shapes.ts";
import { callerOf } from "./account.ts";
import { requireAdminUser } from "./admin-users.ts";
import { accessToken, requirePool, userPoolId, username } from "./common.ts";
import { mfaMessages } from "./mfa.ts";
import { defineOperation } from "./operation.ts";

const mfaOptions = shape.list(
  shape.structure({
    DeliveryMedium: shape.string({ enum: ["SMS", "EMAIL"] }),
    AttributeName: shape.string({ min: 1, max: 32, pattern: String.raw`[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+` }),
  }),
  { required: true },
);
type MfaOptions = Infer<typeof mfaOptions>;

/** The emulator's wording: AWS documents the rule ("only the SMS delivery medium value"). */
export const settingsMessages = {
  smsOnly: "MFAOptions can set only the SMS delivery medium.",
  phoneOnly: "MFAOptions can name only the phone_number attribute.",
} as const;

/** The user's MFA settings after MFAOptions `options`. */
function withMfaOptions(user: User, options: MfaOptions): MfaSettings {
  for (const option of options) {
    // MFAOptionType: "You can use this parameter to set only the SMS delivery medium value";
    // AttributeName: "The only valid value is phone_number."
    if (option.DeliveryMedium !== undefined && option.DeliveryMedium !== "SMS") {
      throw invalidParameter(settingsMessages.smsOnly);
    }
    if (option.AttributeName !== undefined && option.AttributeName !== "phone_number") {
      throw invalidParameter(settingsMessages.phoneOnly);
    }
  }
  const { smsOption: _was, enabled, preferred, ...rest } = user.mfa;
  if (options.length > 0) {
    if (!userHasFactor(user, "SMS_MFA")) throw invalidParameter(mfaMessages.noDeliveryConfig("SMS_MFA"));
    return { ...user.mfa, smsOption: true };
  }
  const kept = mfaFactors.filter((f) => f !== "SMS_MFA" && (enabled ?? []).includes(f));
  return {
    ...rest,
    ...(kept.length > 0 ? { enabled: kept } : {}),
    ...(preferred && preferred !== "SMS_MFA" ? { preferred } : {}),
  };
}

function applyMfaOptions(ctx: Context, user: User, options: MfaOptions): void {
  ctx.store.users.update(user, { mfa: withMfaOptions(user, options) }, ctx.clock.now());
}

export const userSettingOperations = {
  SetUserSettings: defineOperation(
    shape.structure({ AccessToken: accessToken, MFAOptions: mfaOptions }),
    async (ctx, request) => {
      const { user } = await callerOf(ctx, request.AccessToken);
      applyMfaOptions(ctx, user, request.MFAOptions);
      return {};
    },
  ),

  AdminSetUserSettings: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, MFAOptions: mfaOptions }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      applyMfaOptions(ctx, requireAdminUser(ctx, pool, request.Username), request.MFAOptions);
      return {};
    },
  ),
};
