/**
 * The pre sign-up and post confirmation triggers.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-confirmation.html
 *
 * Facts relied on:
 * - PreSignUp runs before the user exists (PreSignUp_SignUp, PreSignUp_AdminCreateUser); an
 *   error refuses the sign-up and creates no user;
 * - its autoConfirmUser, autoVerifyEmail and autoVerifyPhone "are ignored … when the Pre Sign-up
 *   lambda is triggered by the AdminCreateUser API"; autoVerifyEmail needs an email and
 *   autoVerifyPhone a phone number, and a verified alias moves to the new user;
 * - an auto-confirmed user is confirmed at sign-up, so PostConfirmation_ConfirmSignUp runs then
 *   (as other emulators read the guide: floci-io/floci#859, KensioSoftware/yulin#462);
 * - PostConfirmation runs after the confirmation is stored (ConfirmSignUp, AdminConfirmSignUp:
 *   PostConfirmation_ConfirmSignUp; ConfirmForgotPassword: …_ConfirmForgotPassword). A failure
 *   is answered, and the confirmation stays: the user is confirmed and the code spent.
 */
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import type { Pool, User } from "../model.ts";
import { validationData } from "./scope.ts";
import { eventAttributes, flag, responseOf, triggerEvent, withMetadata } from "./events.ts";
import { invokeTrigger, triggerArn } from "./runtime.ts";

export type PreSignUpSource = "PreSignUp_SignUp" | "PreSignUp_AdminCreateUser";
export type PostConfirmationSource = "PostConfirmation_ConfirmSignUp" | "PostConfirmation_ConfirmForgotPassword";

/**
 * Runs PreSignUp for a user about to be created, and returns that user as the trigger's
 * answer leaves it: confirmed, and with its email or phone verified, as asked.
 */
export async function preSignUp(ctx: Context, pool: Pool, user: User, source: PreSignUpSource): Promise<User> {
  if (triggerArn(pool, "PreSignUp") === null) return user;
  const { sub: _sub, ...attributes } = user.attributes;
  const given = validationData();
  const returned = await invokeTrigger(
    ctx,
    pool,
    "PreSignUp",
    triggerEvent({
      pool,
      userName: user.username,
      triggerSource: source,
      request: withMetadata({
        userAttributes: attributes,
        validationData: Object.keys(given).length > 0 ? given : null,
      }),
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    }),
  );
  if (source === "PreSignUp_AdminCreateUser") return user;
  const response = responseOf(returned);
  const verified = { ...user.attributes };
  if (flag(response.autoVerifyEmail)) {
    if (!verified.email) throw invalidParameter("Email is required to verify/un-verify an email");
    verified.email_verified = "true";
  }
  if (flag(response.autoVerifyPhone)) {
    if (!verified.phone_number) throw invalidParameter("Phone number is required to verify/un-verify a phone number");
    verified.phone_number_verified = "true";
  }
  return { ...user, attributes: verified, status: flag(response.autoConfirmUser) ? "CONFIRMED" : user.status };
}

/**
 * The verified email/phone a PreSignUp answer gave `user` become its sign-in aliases, taken
 * from any other user who held them. Call inside the transaction that inserts `user`.
 */
export function moveVerifiedAliases(ctx: Context, pool: Pool, user: User): void {
  for (const attribute of ["email", "phone_number"] as const) {
    const value = user.attributes[attribute];
    const flagName = `${attribute}_verified`;
    if (!value || user.attributes[flagName] !== "true" || !(pool.config.AliasAttributes ?? []).includes(attribute)) {
      continue;
    }
    const holders =
      attribute === "email" ? ctx.store.users.findByEmail(pool.id, value) : ctx.store.users.findByPhone(pool.id, value);
    for (const other of holders) {
      if (other.usernameKey === user.usernameKey || other.attributes[flagName] !== "true") continue;
      ctx.store.users.update(other, { attributes: { ...other.attributes, [flagName]: "false" } }, ctx.clock.now());
    }
  }
}

/** Runs PostConfirmation for a user whose confirmation is stored. */
export async function postConfirmation(
  ctx: Context,
  pool: Pool,
  user: User,
  source: PostConfirmationSource,
): Promise<void> {
  if (triggerArn(pool, "PostConfirmation") === null) return;
  const stored = ctx.store.users.get(pool.id, user.usernameKey) ?? user;
  await invokeTrigger(
    ctx,
    pool,
    "PostConfirmation",
    triggerEvent({
      pool,
      userName: stored.username,
      triggerSource: source,
      request: withMetadata({ userAttributes: eventAttributes(stored) }),
    }),
  );
}
