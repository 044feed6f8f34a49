/**
 * The custom message trigger: before a code (or an invitation's temporary password) is sent,
 * the function may write the message; the outbox keeps what it wrote.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html
 *
 * Facts relied on:
 * - sources: CustomMessage_SignUp, _ResendCode, _ForgotPassword (also AdminResetUserPassword),
 *   _UpdateUserAttribute (a changed email or phone), _VerifyUserAttribute
 *   (GetUserAttributeVerificationCode), _AdminCreateUser (the invitation), _Authentication (an
 *   MFA or sign-in code);
 * - the request's codeParameter "{####}" stands for the code, and for AdminCreateUser its
 *   usernameParameter "{username}" for the username; "the response from your function must
 *   include both" there, and every message must include the code parameter. A message that
 *   lacks them is not used: the default message goes out instead;
 * - smsMessage for SMS, emailMessage and emailSubject for email.
 *
 * Codes are issued inside synchronous transactions, so a message for a pool with this trigger
 * is held (scope.ts) and written once the operation's work is done; when the trigger fails the
 * call answers its error and nothing is sent, but what the call stored stays stored.
 */
import type { Context } from "../context.ts";
import type { MessageKind, OutboxMessage } from "../model.ts";
import type { Outbox } from "../outbox.ts";
import { usernameKeyOf } from "../operations/common.ts";
import { eventAttributes, responseOf, triggerEvent, withMetadata } from "./events.ts";
import { invokeTrigger, triggerArn } from "./runtime.ts";
import { holdMessage, requestHas, type PendingMessage } from "./scope.ts";

export const codePlaceholder = "{####}";
export const usernamePlaceholder = "{username}";

function sourceOf(kind: MessageKind): string {
  switch (kind) {
    case "SIGN_UP":
      return "CustomMessage_SignUp";
    case "RESEND_CODE":
      return "CustomMessage_ResendCode";
    case "FORGOT_PASSWORD":
      return "CustomMessage_ForgotPassword";
    case "VERIFY_ATTRIBUTE":
      // UpdateUserAttributes and AdminUpdateUserAttributes carry UserAttributes;
      // GetUserAttributeVerificationCode does not.
      return requestHas("UserAttributes") ? "CustomMessage_UpdateUserAttribute" : "CustomMessage_VerifyUserAttribute";
    case "ADMIN_CREATE_USER":
      return "CustomMessage_AdminCreateUser";
    case "AUTHENTICATION":
      return "CustomMessage_Authentication";
  }
}

const hasTrigger = (ctx: Context, poolId: string): boolean => {
  const pool = ctx.store.pools.get(poolId);
  return pool !== undefined && triggerArn(pool, "CustomMessage") !== null;
};

/**
 * The outbox the operations write to: a message for a pool with a CustomMessage trigger is
 * held until the operation is done (and then delivered by `deliverHeldMessages`).
 */
export function holdingOutbox(outbox: Outbox): Outbox {
  return {
    ...outbox,
    deliver(message) {
      // A message that already has its text is one being delivered after the trigger ran.
      if (message.message === undefined && holdMessage(message, (ctx) => hasTrigger(ctx, message.poolId))) return null;
      return outbox.deliver(message);
    },
  };
}

/** The trigger's text for `message`, or null to send the default message. */
async function customText(
  ctx: Context,
  message: PendingMessage,
): Promise<{ subject: string | null; message: string } | null> {
  const pool = ctx.store.pools.get(message.poolId);
  const user = pool && ctx.store.users.get(pool.id, usernameKeyOf(pool, message.username));
  if (!pool || !user) return null;
  const invitation = message.kind === "ADMIN_CREATE_USER";
  const returned = await invokeTrigger(
    ctx,
    pool,
    "CustomMessage",
    triggerEvent({
      pool,
      userName: user.username,
      triggerSource: sourceOf(message.kind),
      request: withMetadata({
        userAttributes: eventAttributes(user),
        codeParameter: codePlaceholder,
        linkParameter: "{##Click Here##}",
        usernameParameter: invitation ? usernamePlaceholder : null,
      }),
      response: { smsMessage: null, emailMessage: null, emailSubject: null },
    }),
  );
  const response = responseOf(returned);
  const text = message.medium === "SMS" ? response.smsMessage : response.emailMessage;
  if (typeof text !== "string" || !text.includes(codePlaceholder)) return null;
  if (invitation && !text.includes(usernamePlaceholder)) return null;
  const subject =
    message.medium === "EMAIL" && typeof response.emailSubject === "string" ? response.emailSubject : null;
  return {
    subject,
    message: text.replaceAll(codePlaceholder, message.code).replaceAll(usernamePlaceholder, user.username),
  };
}

/** Runs the CustomMessage trigger for each held message, in order, and delivers them. */
export async function deliverHeldMessages(ctx: Context, held: readonly PendingMessage[]): Promise<void> {
  const ready: Omit<OutboxMessage, "id" | "createdAt">[] = [];
  // Every trigger runs before anything is written: a failure sends none of the call's messages.
  for (const message of held) {
    const custom = await customText(ctx, message);
    ready.push({ ...message, subject: custom?.subject ?? null, message: custom?.message ?? null });
  }
  for (const message of ready) ctx.outbox.deliver(message);
}
