/**
 * CUSTOM_AUTH: a sign-in whose steps the pool's functions decide. DefineAuthChallenge looks at
 * the challenges answered so far and says what comes next (another challenge, tokens, or
 * failure); CreateAuthChallenge makes a CUSTOM_CHALLENGE (public parameters for the client,
 * private ones kept server-side); VerifyAuthChallengeResponse judges the answer.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-challenge.html
 *
 * Facts relied on: InitiateAuth (AuthFlow CUSTOM_AUTH, AuthParameters USERNAME) runs
 * PreAuthentication then DefineAuthChallenge with an empty `session`; each session entry is
 * {challengeName, challengeResult, challengeMetadata}; the answer is RespondToAuthChallenge
 * with ChallengeName CUSTOM_CHALLENGE and ChallengeResponses {USERNAME, ANSWER}; the client sees
 * publicChallengeParameters (and USERNAME) as ChallengeParameters; `failAuthentication` ends
 * the sign-in with NotAuthorizedException "Incorrect username or password."; `issueTokens`
 * ends it with tokens (PostAuthentication and PreTokenGeneration run as for any sign-in).
 * A pool without DefineAuthChallenge refuses the flow: "Custom auth lambda trigger is not
 * configured for the user pool."
 *
 * Not modelled: starting with SRP_A (DefineAuthChallenge answering PASSWORD_VERIFIER), and
 * running the functions for an unknown user with userNotFound (the emulator refuses an unknown
 * user as the password flows do).
 */
import { challengedUser, openChallenge, pendingChallenge } from "../challenge-session.ts";
import type { Context } from "../context.ts";
import { CognitoError, messages, notAuthorized } from "../errors.ts";
import type { Client, Pool, User } from "../model.ts";
import { assertCanSignIn, assertSecretHash } from "../operations/common.ts";
import { openSession, userForSignIn, type AuthResponse } from "../signin.ts";
import { preAuthentication } from "./authentication.ts";
import { eventAttributes, flag, responseOf, triggerEvent, withMetadata } from "./events.ts";
import { invokeTrigger, triggerArn, type TriggerName } from "./runtime.ts";

interface ChallengeResult {
  readonly challengeName: string;
  readonly challengeResult: boolean;
  readonly challengeMetadata?: string;
}

/** What an open CUSTOM_CHALLENGE keeps server-side, as strings (the challenge table's state). */
interface CustomState extends Record<string, string> {
  readonly history: string;
  readonly privateParameters: string;
  readonly metadata: string;
}

type Parameters = Readonly<Record<string, unknown>>;

const stringParameter = (parameters: Parameters, name: string): string => {
  const value = parameters[name];
  if (typeof value !== "string" || value === "") {
    throw new CognitoError("InvalidParameterException", `Missing required parameter ${name}`);
  }
  return value;
};

const stringMap = (value: unknown): Record<string, string> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]))
    : {};

function invoke(
  ctx: Context,
  pool: Pool,
  user: User,
  name: TriggerName,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
) {
  return invokeTrigger(
    ctx,
    pool,
    name,
    triggerEvent({
      pool,
      userName: user.username,
      triggerSource: `${name}_Authentication`,
      request: withMetadata({ userAttributes: eventAttributes(user), ...request, userNotFound: false }),
      response,
    }),
  );
}

/** Asks DefineAuthChallenge what follows `history`, and does it. */
async function nextStep(
  ctx: Context,
  target: { pool: Pool; client: Client },
  user: User,
  history: readonly ChallengeResult[],
): Promise<AuthResponse> {
  const { pool, client } = target;
  const defined = responseOf(
    await invoke(
      ctx,
      pool,
      user,
      "DefineAuthChallenge",
      { session: history },
      { challengeName: null, issueTokens: null, failAuthentication: null },
    ),
  );
  if (flag(defined.failAuthentication)) throw notAuthorized(messages.incorrectCredentials);
  if (flag(defined.issueTokens)) return openSession(ctx, pool, client, user);
  if (defined.challengeName !== "CUSTOM_CHALLENGE") {
    throw new CognitoError(
      "InvalidLambdaResponseException",
      typeof defined.challengeName === "string"
        ? `The emulator's CUSTOM_AUTH supports CUSTOM_CHALLENGE, not ${defined.challengeName}.`
        : "Invalid lambda function output : Invalid JSON",
    );
  }
  const created = responseOf(
    await invoke(
      ctx,
      pool,
      user,
      "CreateAuthChallenge",
      { challengeName: "CUSTOM_CHALLENGE", session: history },
      { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
    ),
  );
  const state: CustomState = {
    history: JSON.stringify(history),
    privateParameters: JSON.stringify(stringMap(created.privateChallengeParameters)),
    metadata: typeof created.challengeMetadata === "string" ? created.challengeMetadata : "",
  };
  return {
    ChallengeName: "CUSTOM_CHALLENGE",
    Session: openChallenge(ctx, pool, client, user, "CUSTOM_CHALLENGE", state),
    ChallengeParameters: { ...stringMap(created.publicChallengeParameters), USERNAME: user.username },
  };
}

/** InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH. */
export async function startCustomAuth(
  ctx: Context,
  pool: Pool,
  client: Client,
  parameters: Parameters,
): Promise<AuthResponse> {
  if (triggerArn(pool, "DefineAuthChallenge") === null) {
    throw notAuthorized("Custom auth lambda trigger is not configured for the user pool.");
  }
  const name = stringParameter(parameters, "USERNAME");
  const hash = parameters.SECRET_HASH;
  assertSecretHash(client, name, typeof hash === "string" ? hash : undefined);
  const user = userForSignIn(ctx, pool, client, name);
  assertCanSignIn(user);
  await preAuthentication(ctx, pool, user);
  return nextStep(ctx, { pool, client }, user, []);
}

/** RespondToAuthChallenge / AdminRespondToAuthChallenge with ChallengeName CUSTOM_CHALLENGE. */
export async function answerCustomChallenge(
  ctx: Context,
  answer: { pool: Pool; client: Client; name: string; session: string | undefined; responses: Parameters },
): Promise<AuthResponse> {
  const { pool, client, responses } = answer;
  const pending = pendingChallenge(ctx, answer, answer.session);
  const name = stringParameter(responses, "USERNAME");
  const given = stringParameter(responses, "ANSWER");
  const hash = responses.SECRET_HASH;
  assertSecretHash(client, name, typeof hash === "string" ? hash : undefined);
  const user = challengedUser(ctx, pool, pending, name);
  if (!user.enabled) throw notAuthorized(messages.userDisabled);
  // A Session is answered once, right or wrong: the next challenge comes with a new one.
  if (!ctx.store.challenges.spend(pending.session, "CUSTOM_CHALLENGE")) throw notAuthorized(messages.invalidSession);
  const history = JSON.parse(pending.state.history ?? "[]") as ChallengeResult[];
  const verified = responseOf(
    await invoke(
      ctx,
      pool,
      user,
      "VerifyAuthChallengeResponse",
      {
        privateChallengeParameters: JSON.parse(pending.state.privateParameters ?? "{}") as Record<string, string>,
        challengeAnswer: given,
      },
      { answerCorrect: null },
    ),
  );
  const result: ChallengeResult = {
    challengeName: "CUSTOM_CHALLENGE",
    challengeResult: flag(verified.answerCorrect),
    ...(pending.state.metadata ? { challengeMetadata: pending.state.metadata } : {}),
  };
  return nextStep(ctx, { pool, client }, user, [...history, result]);
}
