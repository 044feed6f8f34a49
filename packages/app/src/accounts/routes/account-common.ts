/**
 * What the account routes share: which Cognito failures end the session, how a failure shows on
 * a form, and the signed-in user of a request.
 */
import type { FastifyRequest } from "fastify";
import { HttpError } from "../../http-error.ts";
import { CognitoFailure } from "../cognito.ts";
import { logFailure } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import type { User } from "../users.ts";

/**
 * Failures that mean this session's Cognito identity is gone: the access token is invalid,
 * expired or revoked (GlobalSignOut elsewhere, an admin), or the user was disabled or deleted.
 * Wrong passwords and codes are NotAuthorized too, but carry their own codes.
 */
export const sessionEnding: ReadonlySet<MessageCode> = new Set([
  "NOT_AUTHORIZED",
  "SESSION_EXPIRED",
  "USER_DISABLED",
  "USER_NOT_FOUND",
]);

/**
 * The failure to show on a form (logged as it deserves); anything else is thrown on: a
 * session-ending failure to this plugin's error handler, a bug to the app's.
 */
export function formFailure(request: FastifyRequest, error: unknown, action: string): CognitoFailure {
  if (!(error instanceof CognitoFailure) || sessionEnding.has(error.code)) throw error;
  logFailure(request, error, action);
  return error;
}

export const messageOf = (failure: CognitoFailure): string => t(failure.code, { detail: failure.detail });

/**
 * The signed-in user; the plugin's requireLogin hook has sent everyone else to /login. (A user
 * without Cognito tokens, a local back-office account, can look but not change anything here.)
 */
export function userOf(request: FastifyRequest): User {
  if (!request.user) throw new HttpError(401);
  return request.user;
}
