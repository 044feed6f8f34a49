/**
 * Running a pool's Lambda triggers locally. A pool's LambdaConfig names functions by ARN; the
 * emulator's settings map each ARN to a local handler:
 *
 * - a path to a JavaScript or TypeScript module exporting `handler(event, context, callback)`,
 *   the same file one deploys to Lambda (`.ts`/`.mts`/`.cts` are loaded through tsx, so the
 *   compiled emulator runs them too); loaded once, like a warm Lambda container;
 * - an `http://` or `https://` URL that receives the event as a JSON POST and answers with the
 *   returned event as JSON (a non-2xx answer is the function's error, `errorMessage` of a JSON
 *   body or the text);
 * - in-process only (tests, embedding), a function.
 *
 * How failures reach the caller, as Cognito reports them (each message quoted from an AWS
 * answer in a public report):
 * - the function throws, rejects or calls back an error: UserLambdaValidationException
 *   "PreSignUp failed with error <message>." (aws-amplify/amplify-ui-android#314,
 *   aws-amplify/amplify-js#9127);
 * - the function does not answer in time (5 s, as Cognito waits): UnexpectedLambdaException
 *   "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
 *   (anomalyco/sst#1815, furaiev/amazon-cognito-identity-dart-2#204);
 * - the ARN has no handler (AWS: no such function): UnexpectedLambdaException "PreSignUp
 *   invocation failed due to error ResourceNotFoundException." (the shape of the
 *   AccessDeniedException answer in amazon-archives/amazon-cognito-auth-js#223);
 * - the function answers with something that is not the event: InvalidLambdaResponseException
 *   "Unrecognizable lambda output".
 * Cognito retries a timed-out call up to three times; the emulator calls once, so a handler
 * with side effects runs once per request.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-identity-pools-working-with-aws-lambda-triggers.html
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";
import type { Context } from "../context.ts";
import { CognitoError } from "../errors.ts";
import type { Pool } from "../model.ts";

/** The LambdaConfig members the emulator invokes, named as Cognito names them in its errors. */
export type TriggerName =
  | "PreSignUp"
  | "PostConfirmation"
  | "PreAuthentication"
  | "PostAuthentication"
  | "PreTokenGeneration"
  | "CustomMessage"
  | "UserMigration"
  | "DefineAuthChallenge"
  | "CreateAuthChallenge"
  | "VerifyAuthChallengeResponse";

/** A JSON object as the trigger receives and returns it. */
export type TriggerEvent = Record<string, unknown>;

/** The parts of Lambda's context object a trigger is likely to use. */
export interface LambdaContext {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  readonly memoryLimitInMB: string;
  readonly functionVersion: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}

export type TriggerCallback = (error?: unknown, result?: unknown) => void;
export type TriggerHandler = (event: TriggerEvent, context: LambdaContext, callback: TriggerCallback) => unknown;

/** What an ARN is mapped to: a module path, an HTTP(S) URL, or (in-process) a function. */
export type TriggerTarget = string | TriggerHandler;

/** The trigger settings of an emulator: ARN → handler, and how long a handler may take. */
export interface TriggerSettings {
  readonly functions: Readonly<Record<string, TriggerTarget>>;
  readonly timeoutMs: number;
}

/** Cognito waits five seconds for a trigger ("Important considerations" in the guide above). */
export const defaultTriggerTimeoutMs = 5000;

const isUrl = (target: string): boolean => /^https?:\/\//i.test(target);

/**
 * Resolves a seed file's or the command line's mapping: a module path relative to `baseDir`
 * (the seed file's folder), or failing that to the working directory, so that one seed works
 * from the emulator's command line and from `npm run dev`; URLs as they are. Throws with a
 * message naming the bad entry.
 */
export function resolveTriggerTargets(
  mapping: Readonly<Record<string, unknown>>,
  baseDir: string,
): Record<string, TriggerTarget> {
  const out: Record<string, TriggerTarget> = {};
  for (const [arn, target] of Object.entries(mapping)) {
    if (!/^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(arn)) {
      throw new Error(
        `trigger ${arn} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>).`,
      );
    }
    if (typeof target !== "string" || target === "") {
      throw new Error(`trigger ${arn} must map to a module path or an http(s) URL.`);
    }
    const besideSeed = resolve(baseDir, target);
    out[arn] = isUrl(target) || isAbsolute(target) ? target : existsSync(besideSeed) ? besideSeed : resolve(target);
  }
  return out;
}

/** The ARN `pool` configures for `name`, or null. PreTokenGeneration also has a versioned form. */
export function triggerArn(pool: Pool, name: TriggerName): string | null {
  const config = pool.config.LambdaConfig;
  if (name === "PreTokenGeneration") {
    const versioned = config.PreTokenGenerationConfig as { LambdaArn?: unknown } | undefined;
    if (typeof versioned?.LambdaArn === "string") return versioned.LambdaArn;
  }
  const arn = config[name];
  return typeof arn === "string" && arn !== "" ? arn : null;
}

const failedWith = (name: TriggerName, message: string): CognitoError =>
  new CognitoError("UserLambdaValidationException", `${name} failed with error ${message}.`);

const invocationFailed = (name: TriggerName, reason: string): CognitoError =>
  new CognitoError("UnexpectedLambdaException", `${name} invocation failed due to error ${reason}.`);

export const unrecognizableOutput = (): CognitoError =>
  new CognitoError("InvalidLambdaResponseException", "Unrecognizable lambda output");

/** Lambda reports a thrown value by its message; anything else by its string form. */
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));

/** A handler failed (threw, rejected, called back an error, answered an HTTP error). */
class FunctionError extends Error {}
/** The handler could not be reached, or did not answer in time. */
class InvocationError extends Error {}

const loaded = new WeakMap<Context, Map<string, Promise<TriggerHandler>>>();

async function importHandler(path: string): Promise<TriggerHandler> {
  let module: Record<string, unknown>;
  try {
    if (/\.[cm]?ts$/.test(path)) {
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
  } catch (error) {
    // Lambda's Runtime.ImportModuleError is the function's own failure.
    throw new FunctionError(`Cannot load ${path}: ${messageOf(error)}`);
  }
  const fromDefault = (module.default as Record<string, unknown> | undefined)?.handler;
  const handler = typeof module.handler === "function" ? module.handler : fromDefault;
  if (typeof handler !== "function") throw new FunctionError(`${path}: handler is undefined or not exported`);
  return handler as TriggerHandler;
}

function moduleHandler(ctx: Context, path: string): Promise<TriggerHandler> {
  let cache = loaded.get(ctx);
  if (!cache) {
    cache = new Map();
    loaded.set(ctx, cache);
  }
  let handler = cache.get(path);
  if (!handler) {
    handler = importHandler(path);
    // A module that failed to load is tried again next time (it may have been fixed).
    handler.catch(() => cache.delete(path));
    cache.set(path, handler);
  }
  return handler;
}

/** Calls a handler as Lambda's Node.js runtime does: the promise it returns, or its callback. */
function callHandler(handler: TriggerHandler, event: TriggerEvent, arn: string, deadline: number): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const settle = (error: unknown, result: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(new FunctionError(messageOf(error)));
      else resolvePromise(result);
    };
    const context: LambdaContext = {
      functionName: arn.split(":")[6] ?? arn,
      invokedFunctionArn: arn,
      awsRequestId: randomUUID(),
      memoryLimitInMB: "128",
      functionVersion: "$LATEST",
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: (error, result) => settle(error, result),
      succeed: (result) => settle(null, result),
      fail: (error) => settle(error ?? "Error", undefined),
    };
    try {
      const returned = handler(event, context, (error, result) => settle(error, result));
      if (returned && typeof (returned as Promise<unknown>).then === "function") {
        (returned as Promise<unknown>).then(
          (result) => settle(null, result),
          (error: unknown) => settle(error ?? "Error", undefined),
        );
      } else if (handler.length < 3) {
        // Neither async nor callback-style: what it returned is the result.
        settle(null, returned);
      }
    } catch (error) {
      settle(error ?? "Error", undefined);
    }
  });
}

async function postEvent(url: string, event: TriggerEvent, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") throw new TimeoutReached();
    const cause = (error as { cause?: { code?: unknown } }).cause;
    throw new InvocationError(typeof cause?.code === "string" ? cause.code : messageOf(error));
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    if (!response.ok) throw new FunctionError(text);
    throw unrecognizableOutput();
  }
  if (!response.ok) {
    const errorMessage = (body as { errorMessage?: unknown } | null)?.errorMessage;
    throw new FunctionError(typeof errorMessage === "string" ? errorMessage : text);
  }
  return body;
}

class TimeoutReached extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutReached()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The event as the function returned it, checked to be a JSON object. */
function returnedEvent(result: unknown): TriggerEvent {
  if (typeof result !== "object" || result === null || Array.isArray(result)) throw unrecognizableOutput();
  try {
    // Lambda hands back JSON: what does not survive serialisation never reaches Cognito.
    return JSON.parse(JSON.stringify(result)) as TriggerEvent;
  } catch {
    throw unrecognizableOutput();
  }
}

/**
 * Invokes `pool`'s `name` trigger with `event`, or answers null when the pool has none. The
 * returned event is a fresh copy; a failure is the CognitoError Cognito answers with.
 */
export async function invokeTrigger(
  ctx: Context,
  pool: Pool,
  name: TriggerName,
  event: TriggerEvent,
): Promise<TriggerEvent | null> {
  const arn = triggerArn(pool, name);
  if (arn === null) return null;
  const settings = ctx.settings.triggers;
  const target = settings?.functions[arn];
  if (target === undefined) throw invocationFailed(name, "ResourceNotFoundException");
  const timeoutMs = settings?.timeoutMs ?? defaultTriggerTimeoutMs;
  const sent = JSON.parse(JSON.stringify(event)) as TriggerEvent;
  try {
    if (typeof target === "string" && isUrl(target)) return returnedEvent(await postEvent(target, sent, timeoutMs));
    const deadline = Date.now() + timeoutMs;
    const work = (async () => {
      const handler = typeof target === "string" ? await moduleHandler(ctx, target) : target;
      return callHandler(handler, sent, arn, deadline);
    })();
    return returnedEvent(await withTimeout(work, timeoutMs));
  } catch (error) {
    if (error instanceof CognitoError) throw error;
    if (error instanceof TimeoutReached) throw invocationFailed(name, "Socket timeout while invoking Lambda function");
    if (error instanceof InvocationError) throw invocationFailed(name, error.message);
    if (error instanceof FunctionError) throw failedWith(name, error.message);
    throw failedWith(name, messageOf(error));
  }
}
