/**
 * Answers to sign-in challenges: RespondToAuthChallenge and AdminRespondToAuthChallenge for
 * PASSWORD_VERIFIER (the second step of USER_SRP_AUTH) and NEW_PASSWORD_REQUIRED (a user
 * created by an administrator signing in with the temporary password); the second-factor
 * challenges are answered in mfa-challenges.ts, the device ones (DEVICE_SRP_AUTH,
 * DEVICE_PASSWORD_VERIFIER) in device-challenges.ts, USER_AUTH's SELECT_CHALLENGE in user-auth.ts.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminRespondToAuthChallenge.html
 *
 * A password challenge is answered once: the pending row is consumed by the first answer that
 * gets as far as checking the proof, right or wrong, as Cognito invalidates a Session after a
 * failed answer. An answer refused before that (a missing parameter, a password the policy rejects)
 * leaves the challenge open and changes nothing.
 */
import { challengedUser, invalidSession, pendingChallenge, type ChallengeTarget } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { assertNamedDevice } from "../devices.ts";
import { messages, notAuthorized } from "../errors.ts";
import { mfaChallenge, mfaDue } from "../mfa.ts";
import { answerDevicePasswordVerifier, answerDeviceSrpAuth } from "./device-challenges.ts";
import { answerMfaCode, answerMfaSetup, answerSelectMfaType } from "./mfa-challenges.ts";
import { answerSelectChallenge } from "./user-auth.ts";
import { answerCustomChallenge } from "../triggers/custom-auth.ts";
import type { Attributes, User } from "../model.ts";
import { shape } from "../shapes.ts";
import {
  afterPasswordVerified,
  assertNotLockedOut,
  openSession,
  prepareSession,
  recordWrongPassword,
  userAttributesPrefix,
  type AuthResponse,
} from "../signin.ts";
import { poolNameOf, verifyPasswordClaim } from "../srp.ts";
import {
  assertRequiredAttributes,
  checkAttributes,
  passwordFields,
  type AttributeInput,
  type AttributeWriter,
} from "../users.ts";
import { optionalParameter, requireParameter } from "./auth.ts";
import {
  assertSecretHash,
  clientId,
  clientMetadata,
  requireClient,
  requirePool,
  requirePoolClient,
  userPoolId,
} from "./common.ts";
import { defineOperation } from "./operation.ts";

const challengeNames = [
  "SMS_MFA",
  "EMAIL_OTP",
  "SOFTWARE_TOKEN_MFA",
  "SELECT_MFA_TYPE",
  "MFA_SETUP",
  "PASSWORD_VERIFIER",
  "CUSTOM_CHALLENGE",
  "SELECT_CHALLENGE",
  "DEVICE_SRP_AUTH",
  "DEVICE_PASSWORD_VERIFIER",
  "ADMIN_NO_SRP_AUTH",
  "NEW_PASSWORD_REQUIRED",
  "SMS_OTP",
  "PASSWORD",
  "WEB_AUTHN",
  "PASSWORD_SRP",
] as const;

type Responses = Readonly<Record<string, unknown>>;

export interface Answer extends ChallengeTarget {
  readonly session: string | undefined;
  readonly responses: Responses;
  /** Who sets attributes given with NEW_PASSWORD_REQUIRED: the user, or an administrator. */
  readonly writer: AttributeWriter;
}

/**
 * PASSWORD_VERIFIER: the client's proof that it knows the password, checked against the SRP
 * state kept since InitiateAuth. The challenge is found by its SECRET_BLOCK, which AWS's
 * clients send back as PASSWORD_CLAIM_SECRET_BLOCK (the challenge came without a Session).
 */
async function answerPasswordVerifier(ctx: Context, answer: Answer): Promise<AuthResponse> {
  const { pool, client, responses } = answer;
  const name = requireParameter(responses, "USERNAME");
  const secretBlock = requireParameter(responses, "PASSWORD_CLAIM_SECRET_BLOCK");
  const signature = requireParameter(responses, "PASSWORD_CLAIM_SIGNATURE");
  const timestamp = requireParameter(responses, "TIMESTAMP");
  assertSecretHash(client, name, optionalParameter(responses, "SECRET_HASH"));
  // The simulated challenge for an unknown user (PreventUserExistenceErrors=ENABLED) is never
  // stored; its answer must fail as a wrong password does, and so must any unknown block.
  if (client.config.PreventUserExistenceErrors === "ENABLED" && !ctx.store.challenges.get(secretBlock)) {
    throw notAuthorized(messages.incorrectCredentials);
  }
  const pending = pendingChallenge(ctx, answer, secretBlock);
  assertNamedDevice(ctx, pool, pending.usernameKey);
  if (!ctx.store.challenges.consume(secretBlock)) throw invalidSession();
  const user = challengedUser(ctx, pool, pending, name);
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  assertNotLockedOut(ctx, user);
  const { A, b, B } = pending.state;
  const proven =
    user.srpVerifier !== null &&
    A !== undefined &&
    b !== undefined &&
    B !== undefined &&
    verifyPasswordClaim({
      realm: poolNameOf(pool.id),
      userId: user.username,
      verifier: user.srpVerifier,
      A,
      b,
      B,
      secretBlock,
      timestamp,
      signature,
    });
  if (!proven) {
    recordWrongPassword(ctx, user);
    throw notAuthorized(messages.incorrectCredentials);
  }
  return afterPasswordVerified(ctx, pool, client, user);
}

/** The `userAttributes.<name>` members of a NEW_PASSWORD_REQUIRED answer. */
function attributesGiven(responses: Responses): AttributeInput[] {
  return Object.entries(responses)
    .filter(([key]) => key.startsWith(userAttributesPrefix))
    .map(([key, value]) => ({
      Name: key.slice(userAttributesPrefix.length),
      Value: typeof value === "string" ? value : "",
    }));
}

/** The user's attributes after the answer's changes; a changed email or phone is unverified. */
function mergeAttributes(current: Attributes, changes: Attributes): Attributes {
  const merged: Attributes = { ...current, ...changes };
  for (const name of ["email", "phone_number"]) {
    const flag = `${name}_verified`;
    if (name in changes && changes[name] !== current[name] && !(flag in changes)) merged[flag] = "false";
  }
  return merged;
}

/**
 * NEW_PASSWORD_REQUIRED: sets the user's own password (checked against the policy), any
 * attributes given as `userAttributes.<name>`, status CONFIRMED, and signs the user in. The
 * user, the consumed challenge and the new session are written in one transaction.
 */
async function answerNewPassword(ctx: Context, answer: Answer): Promise<AuthResponse> {
  const { pool, client, responses } = answer;
  const pending = pendingChallenge(ctx, answer, answer.session);
  const name = requireParameter(responses, "USERNAME");
  const newPassword = requireParameter(responses, "NEW_PASSWORD");
  assertSecretHash(client, name, optionalParameter(responses, "SECRET_HASH"));
  const user = challengedUser(ctx, pool, pending, name);
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  const changes = checkAttributes(pool, attributesGiven(responses), answer.writer, false);
  const attributes = mergeAttributes(user.attributes, changes);
  assertRequiredAttributes(pool, attributes);
  const secrets = await passwordFields(ctx, pool, user.username, newPassword);
  const now = ctx.clock.now();
  const confirmed: User = { ...user, ...secrets, attributes, status: "CONFIRMED", updatedAt: now };
  const confirm = (): User => {
    // Hashing and signing took time: another answer may have used the challenge meanwhile.
    const current = ctx.store.users.get(pool.id, user.usernameKey);
    if (!current || !ctx.store.challenges.consume(pending.session)) throw invalidSession();
    return ctx.store.users.update(current, { ...secrets, attributes, status: "CONFIRMED" }, now);
  };
  // With a second factor due, the new password is kept and the sign-in goes on to it.
  if (mfaDue(pool, confirmed)) {
    const stored = ctx.store.transaction(confirm);
    return mfaChallenge(ctx, pool, client, stored) ?? openSession(ctx, pool, client, stored);
  }
  const { row, response } = await prepareSession(ctx, pool, client, confirmed);
  ctx.store.transaction(() => {
    confirm();
    ctx.store.sessions.insert(row);
  });
  return response;
}

function answerChallenge(ctx: Context, answer: Answer): Promise<AuthResponse> {
  switch (answer.name) {
    case "PASSWORD_VERIFIER":
      return answerPasswordVerifier(ctx, answer);
    case "NEW_PASSWORD_REQUIRED":
      return answerNewPassword(ctx, answer);
    case "SOFTWARE_TOKEN_MFA":
    case "SMS_MFA":
    case "EMAIL_OTP":
    case "SMS_OTP":
      return answerMfaCode(ctx, answer, answer.name);
    case "SELECT_CHALLENGE":
    case "PASSWORD":
    case "PASSWORD_SRP":
      return answerSelectChallenge(ctx, answer);
    case "SELECT_MFA_TYPE":
      return Promise.resolve(answerSelectMfaType(ctx, answer));
    case "MFA_SETUP":
      return answerMfaSetup(ctx, answer);
    case "CUSTOM_CHALLENGE":
      return answerCustomChallenge(ctx, answer);
    case "DEVICE_SRP_AUTH":
      return Promise.resolve(answerDeviceSrpAuth(ctx, answer));
    case "DEVICE_PASSWORD_VERIFIER":
      return answerDevicePasswordVerifier(ctx, answer);
    default:
      // The emulator never issues the others (ADMIN_NO_SRP_AUTH, WEB_AUTHN), so no Session can be
      // waiting for them.
      throw invalidSession();
  }
}

const challengeResponses = shape.map(shape.string({ sensitive: true }));
const session = shape.string({ min: 20, max: 2048 });

export const challengeOperations = {
  RespondToAuthChallenge: defineOperation(
    shape.structure({
      ClientId: clientId,
      ChallengeName: shape.string({ required: true, enum: challengeNames }),
      Session: session,
      ChallengeResponses: challengeResponses,
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      return answerChallenge(ctx, {
        pool,
        client,
        name: request.ChallengeName,
        session: request.Session,
        responses: request.ChallengeResponses ?? {},
        writer: { kind: "user", client },
      });
    },
  ),

  AdminRespondToAuthChallenge: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      ClientId: clientId,
      ChallengeName: shape.string({ required: true, enum: challengeNames }),
      Session: session,
      ChallengeResponses: challengeResponses,
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const client = requirePoolClient(ctx, pool, request.ClientId);
      return answerChallenge(ctx, {
        pool,
        client,
        name: request.ChallengeName,
        session: request.Session,
        responses: request.ChallengeResponses ?? {},
        writer: { kind: "admin" },
      });
    },
  ),
};
