/**
 * Settings Cognito stores and returns that the emulator keeps without acting on them: the
 * hosted UI's classic customization (SetUICustomization, GetUICustomization), log delivery
 * (SetLogDeliveryConfiguration, GetLogDeliveryConfiguration), threat protection's risk
 * configuration (SetRiskConfiguration, DescribeRiskConfiguration), and threat protection's
 * sign-in events (AdminListUserAuthEvents, UpdateAuthEventFeedback,
 * AdminUpdateAuthEventFeedback), of which the emulator records none.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUICustomization.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetRiskConfiguration.html
 *
 * Member constraints are the API reference's, as are the exceptions; the wording of the
 * messages is the emulator's reading.
 */
import type { Context } from "../context.ts";
import { CognitoError } from "../errors.ts";
import type { Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import {
  epochSeconds,
  paginationToken,
  requirePool,
  requirePoolClient,
  requireUser,
  userPoolId,
  username,
} from "./common.ts";
import { defineOperation } from "./operation.ts";

const optionalClientId = shape.string({ min: 1, max: 128, pattern: String.raw`[\w+]+`, sensitive: true });
const arn = shape.string({
  min: 20,
  max: 2048,
  pattern: String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`,
});
const notifyEmail = shape.structure({
  Subject: shape.string({ required: true, min: 1, max: 140 }),
  HtmlBody: shape.string({ min: 6, max: 20000 }),
  TextBody: shape.string({ min: 6, max: 20000 }),
});
const riskAction = (actions: readonly string[]) =>
  shape.structure(
    { Notify: shape.boolean({ required: true }), EventAction: shape.string({ required: true, enum: actions }) },
    { required: false },
  );
const takeoverActions = ["BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION"] as const;

/** The key of a setting made for one client, or for the whole pool ("ALL"). */
const scopeKey = (clientId: string | undefined): string => clientId ?? "ALL";

/** Threat protection's operations need it on: UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED. */
function requireThreatProtection(pool: Pool): void {
  const mode = (pool.config.UserPoolAddOns as { AdvancedSecurityMode?: string } | undefined)?.AdvancedSecurityMode;
  if (mode !== "AUDIT" && mode !== "ENFORCED") {
    throw new CognitoError(
      "UserPoolAddOnNotEnabledException",
      "Threat protection (UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED) is not enabled for this user pool.",
    );
  }
}

/** Reads `clientId`'s own setting, else the pool's, after checking the client belongs to the pool. */
function scoped<T>(ctx: Context, pool: Pool, kind: "ui-customization" | "risk", clientId: string | undefined) {
  if (clientId !== undefined) requirePoolClient(ctx, pool, clientId);
  return (
    (clientId !== undefined ? ctx.store.documents.get<T>(pool.id, kind, clientId) : undefined) ??
    ctx.store.documents.get<T>(pool.id, kind, "ALL")
  );
}

interface UiCustomization {
  readonly CSS?: string;
  readonly ImageFile?: string;
  readonly UpdatedAt: number;
}

function describeUi(pool: Pool, clientId: string, stored: { body: UiCustomization; createdAt: number } | undefined) {
  if (!stored) return { UserPoolId: pool.id, ClientId: clientId };
  return {
    UserPoolId: pool.id,
    ClientId: clientId,
    ...(stored.body.CSS !== undefined ? { CSS: stored.body.CSS, CSSVersion: String(stored.body.UpdatedAt) } : {}),
    ...(stored.body.ImageFile !== undefined ? { ImageUrl: `data:image/png;base64,${stored.body.ImageFile}` } : {}),
    LastModifiedDate: epochSeconds(stored.body.UpdatedAt),
    CreationDate: epochSeconds(stored.createdAt),
  };
}

const logConfiguration = shape.structure(
  {
    LogLevel: shape.string({ required: true, enum: ["ERROR", "INFO"] }),
    EventSource: shape.string({ required: true, enum: ["userNotification", "userAuthEvents"] }),
    CloudWatchLogsConfiguration: shape.structure({ LogGroupArn: arn }),
    S3Configuration: shape.structure({ BucketArn: shape.string({ min: 3, max: 1024 }) }),
    FirehoseConfiguration: shape.structure({ StreamArn: arn }),
  },
  { required: true },
);

const eventId = shape.string({ required: true, min: 1, max: 50, pattern: "[\\w+-]+" });
const feedbackValue = shape.string({ required: true, enum: ["Valid", "Invalid"] });

/** No sign-in events are recorded, so none can be found; after the checks AWS makes first. */
function requireAuthEvent(ctx: Context, poolId: string, name: string, id: string): never {
  const pool = requirePool(ctx, poolId);
  requireUser(ctx, pool, name);
  requireThreatProtection(pool);
  throw new CognitoError("ResourceNotFoundException", `Auth event ${id} does not exist.`);
}

export const poolSettingOperations = {
  SetUICustomization: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: optionalClientId,
      CSS: shape.string({ max: 131072 }),
      ImageFile: shape.string({ max: 2_000_000 }),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      if (request.ClientId !== undefined) requirePoolClient(ctx, pool, request.ClientId);
      const key = scopeKey(request.ClientId);
      const now = ctx.clock.now();
      const body: UiCustomization = { CSS: request.CSS, ImageFile: request.ImageFile, UpdatedAt: now };
      ctx.store.documents.put(pool.id, "ui-customization", key, body, now);
      return { UICustomization: describeUi(pool, key, ctx.store.documents.get(pool.id, "ui-customization", key)) };
    },
  ),

  GetUICustomization: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: optionalClientId }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const stored = scoped<UiCustomization>(ctx, pool, "ui-customization", request.ClientId);
      return { UICustomization: describeUi(pool, stored?.key ?? scopeKey(request.ClientId), stored) };
    },
  ),

  SetLogDeliveryConfiguration: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      LogConfigurations: shape.list(logConfiguration, { required: true, max: 2 }),
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const configuration = { UserPoolId: pool.id, LogConfigurations: request.LogConfigurations };
      ctx.store.documents.put(pool.id, "log-delivery", "ALL", configuration, ctx.clock.now());
      return { LogDeliveryConfiguration: configuration };
    },
  ),

  GetLogDeliveryConfiguration: defineOperation(shape.structure({ UserPoolId: userPoolId }), (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    const stored = ctx.store.documents.get<{ LogConfigurations: unknown[] }>(pool.id, "log-delivery", "ALL");
    return {
      LogDeliveryConfiguration: { UserPoolId: pool.id, LogConfigurations: stored?.body.LogConfigurations ?? [] },
    };
  }),

  SetRiskConfiguration: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: optionalClientId,
      CompromisedCredentialsRiskConfiguration: shape.structure({
        EventFilter: shape.list(shape.string({ required: true, enum: ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"] })),
        Actions: shape.structure(
          { EventAction: shape.string({ required: true, enum: ["BLOCK", "NO_ACTION"] }) },
          { required: true },
        ),
      }),
      AccountTakeoverRiskConfiguration: shape.structure({
        NotifyConfiguration: shape.structure({
          From: shape.string(),
          ReplyTo: shape.string(),
          SourceArn: { ...arn, required: true },
          BlockEmail: notifyEmail,
          NoActionEmail: notifyEmail,
          MfaEmail: notifyEmail,
        }),
        Actions: shape.structure(
          {
            LowAction: riskAction(takeoverActions),
            MediumAction: riskAction(takeoverActions),
            HighAction: riskAction(takeoverActions),
          },
          { required: true },
        ),
      }),
      RiskExceptionConfiguration: shape.structure({
        BlockedIPRangeList: shape.list(shape.string({ required: true }), { max: 200 }),
        SkippedIPRangeList: shape.list(shape.string({ required: true }), { max: 200 }),
      }),
    }),
    (ctx, { UserPoolId, ClientId, ...settings }) => {
      const pool = requirePool(ctx, UserPoolId);
      if (ClientId !== undefined) requirePoolClient(ctx, pool, ClientId);
      requireThreatProtection(pool);
      const now = ctx.clock.now();
      const body = { ...settings, UpdatedAt: now };
      ctx.store.documents.put(pool.id, "risk", scopeKey(ClientId), body, now);
      return { RiskConfiguration: describeRisk(pool, ClientId, body) };
    },
  ),

  DescribeRiskConfiguration: defineOperation(
    shape.structure({ UserPoolId: userPoolId, ClientId: optionalClientId }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      requireThreatProtection(pool);
      const stored = scoped<RiskSettings>(ctx, pool, "risk", request.ClientId);
      return {
        RiskConfiguration: describeRisk(pool, stored && stored.key !== "ALL" ? stored.key : undefined, stored?.body),
      };
    },
  ),

  AdminListUserAuthEvents: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      MaxResults: shape.integer({ min: 0, max: 60 }),
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      requireUser(ctx, pool, request.Username);
      requireThreatProtection(pool);
      return { AuthEvents: [] };
    },
  ),

  UpdateAuthEventFeedback: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      Username: username,
      EventId: eventId,
      FeedbackToken: shape.string({ required: true, pattern: "[A-Za-z0-9-_=.]+", sensitive: true }),
      FeedbackValue: feedbackValue,
    }),
    (ctx, request) => requireAuthEvent(ctx, request.UserPoolId, request.Username, request.EventId),
  ),

  AdminUpdateAuthEventFeedback: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, EventId: eventId, FeedbackValue: feedbackValue }),
    (ctx, request) => requireAuthEvent(ctx, request.UserPoolId, request.Username, request.EventId),
  ),
};

type RiskSettings = Record<string, unknown> & { UpdatedAt: number };

function describeRisk(pool: Pool, clientId: string | undefined, stored: RiskSettings | undefined) {
  const { UpdatedAt, ...settings } = stored ?? { UpdatedAt: undefined };
  return {
    UserPoolId: pool.id,
    ...(clientId !== undefined ? { ClientId: clientId } : {}),
    ...settings,
    ...(UpdatedAt !== undefined ? { LastModifiedDate: epochSeconds(UpdatedAt) } : {}),
  };
}
