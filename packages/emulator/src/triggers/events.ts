/**
 * The parts every trigger event shares ("User pool Lambda trigger common parameters"):
 * version, triggerSource, region, userPoolId, userName, callerContext {awsSdkVersion, clientId},
 * request {userAttributes, …} and response.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-identity-pools-working-with-aws-lambda-triggers.html
 */
import { regionOfPool } from "../ids.ts";
import type { Attributes, Pool, User } from "../model.ts";
import { callerClientId, clientMetadata } from "./scope.ts";
import type { TriggerEvent } from "./runtime.ts";

/** What AWS sends when it cannot tell the caller's SDK. */
export const unknownSdkVersion = "aws-sdk-unknown-unknown";

export interface EventBase {
  readonly pool: Pool;
  readonly userName: string;
  readonly triggerSource: string;
  readonly request: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
  /** "1" for all triggers but PreTokenGeneration V2_0 ("2"). */
  readonly version?: string;
  /** Defaults to the app client of the current call. */
  readonly clientId?: string;
}

export function triggerEvent(base: EventBase): TriggerEvent {
  return {
    version: base.version ?? "1",
    triggerSource: base.triggerSource,
    region: regionOfPool(base.pool.id),
    userPoolId: base.pool.id,
    userName: base.userName,
    callerContext: { awsSdkVersion: unknownSdkVersion, clientId: base.clientId ?? callerClientId() },
    request: base.request,
    response: base.response ?? {},
  };
}

/**
 * A stored user's attributes as triggers after sign-up see them: Cognito adds the user's status
 * as `cognito:user_status` (reported from AWS in floci-io/floci#3850).
 */
export const eventAttributes = (user: User): Attributes => ({
  ...user.attributes,
  "cognito:user_status": user.status,
});

/** The `response` member of a returned event, as an object. */
export function responseOf(event: TriggerEvent | null): Record<string, unknown> {
  const response = event?.response;
  return typeof response === "object" && response !== null && !Array.isArray(response)
    ? (response as Record<string, unknown>)
    : {};
}

/** AWS reads the response flags leniently: `true` or `"true"`. */
export const flag = (value: unknown): boolean => value === true || value === "true";

/** ClientMetadata goes into `request` only when the call had some. */
export function withMetadata(request: Record<string, unknown>): Record<string, unknown> {
  const metadata = clientMetadata();
  return Object.keys(metadata).length > 0 ? { ...request, clientMetadata: metadata } : request;
}
