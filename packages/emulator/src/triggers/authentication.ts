/**
 * The pre and post authentication triggers.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-authentication.html
 *
 * PreAuthentication runs when a sign-in starts, before the password (or anything else) is
 * checked, and an error refuses the sign-in. Its validationData is the sign-in's ClientMetadata
 * ("use the ClientMetadata parameter in the InitiateAuth and AdminInitiateAuth API actions").
 * PostAuthentication runs once the user has proven who they are and before tokens are issued;
 * an error refuses the sign-in and no session is kept. Its clientMetadata comes only from
 * (Admin)RespondToAuthChallenge: "Amazon Cognito doesn't include data from the ClientMetadata
 * parameter in AdminInitiateAuth and InitiateAuth".
 */
import type { Context } from "../context.ts";
import type { Pool, User } from "../model.ts";
import { clientMetadata, requestMember } from "./scope.ts";
import { eventAttributes, triggerEvent, withMetadata } from "./events.ts";
import { invokeTrigger, triggerArn } from "./runtime.ts";

export async function preAuthentication(ctx: Context, pool: Pool, user: User): Promise<void> {
  if (triggerArn(pool, "PreAuthentication") === null) return;
  const metadata = clientMetadata();
  await invokeTrigger(
    ctx,
    pool,
    "PreAuthentication",
    triggerEvent({
      pool,
      userName: user.username,
      triggerSource: "PreAuthentication_Authentication",
      request: {
        userAttributes: eventAttributes(user),
        validationData: Object.keys(metadata).length > 0 ? metadata : null,
        userNotFound: false,
      },
    }),
  );
}

export async function postAuthentication(ctx: Context, pool: Pool, user: User): Promise<void> {
  if (triggerArn(pool, "PostAuthentication") === null) return;
  const request = { userAttributes: eventAttributes(user), newDeviceUsed: false };
  const answeringChallenge = requestMember("ChallengeName") !== undefined;
  await invokeTrigger(
    ctx,
    pool,
    "PostAuthentication",
    triggerEvent({
      pool,
      userName: user.username,
      triggerSource: "PostAuthentication_Authentication",
      request: answeringChallenge ? withMetadata(request) : request,
    }),
  );
}
