/**
 * Abuse controls on the pages before sign-in (STYLE 15): every POST that checks a password or
 * makes Cognito send an email is limited per client address and per submitted username, so
 * neither one address trying many accounts nor many addresses trying one account (or flooding
 * one person's inbox) gets far. Cognito's own lockout and quotas stay behind these.
 *
 * Two counters per action, so @fastify/rate-limit's `createRateLimit` (a counter we consult),
 * not its route hook, which runs at most one limiter per request. Over the limit, the request
 * ends in the styled 429 page with Retry-After.
 *
 * Each counter has a name (`groupId`, e.g. `accounts.login.address`): with REDIS_URL the counts
 * live in Redis under it, shared by every node (shared-state/rate-limit-store.ts).
 */
import type { CreateRateLimitOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { HttpError } from "../http-error.ts";
import { fieldOf } from "./forms.ts";

export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

const minute = 60_000;

/**
 * The budgets. Sign-in allows a busy office behind one address; the email-sending actions
 * allow a person a few tries, not a script a mailbomb.
 */
export const accountLimits = {
  login: { perAddress: { max: 60, windowMs: minute }, perUsername: { max: 10, windowMs: 5 * minute } },
  register: { perAddress: { max: 10, windowMs: 10 * minute }, perUsername: { max: 5, windowMs: 10 * minute } },
  /** ForgotPassword and the "send the code again" buttons share one budget per person. */
  codeSend: { perAddress: { max: 10, windowMs: 10 * minute }, perUsername: { max: 5, windowMs: 10 * minute } },
  /**
   * Typing a code (ConfirmSignUp, ConfirmForgotPassword): a person gets it right within a few
   * tries; a script guessing six digits gets nowhere. Counted whether or not the account exists.
   */
  codeCheck: { perAddress: { max: 30, windowMs: 10 * minute }, perUsername: { max: 10, windowMs: 15 * minute } },
} as const satisfies Record<string, { perAddress: Limit; perUsername: Limit }>;

export type LimitedAction = keyof typeof accountLimits;

/**
 * The username a request is about: the submitted one, else the one the session remembers (a
 * pending code, or the sign-in a second-step code answers).
 */
export function submittedUsername(request: FastifyRequest): string {
  const typed = fieldOf(request.body, "username").trim();
  const remembered = request.session.get("pendingUsername") ?? request.session.get("challenge")?.username ?? "";
  const name = typed !== "" ? typed : remembered;
  // Cognito usernames and email aliases are case-insensitive in our pools.
  return name.toLowerCase();
}

type Counter = ReturnType<FastifyInstance["createRateLimit"]>;

export interface AccountLimiters {
  /** preHandler: 429 when the address or the submitted username has used up `action`'s budget. */
  guard(action: LimitedAction): preHandlerAsyncHookHandler;
  /**
   * Counts an email that another action sends on the side (sign-in of an unconfirmed user) to
   * the request's username; false when the budget is spent and the email should not be sent.
   */
  allowCodeSend(request: FastifyRequest): Promise<boolean>;
}

declare module "fastify" {
  interface FastifyInstance {
    readonly accountLimiters: AccountLimiters;
  }
}

async function accountLimitersPlugin(app: FastifyInstance): Promise<void> {
  const counters = {} as Record<LimitedAction, { perAddress: Counter; perUsername: Counter }>;
  for (const action of Object.keys(accountLimits) as LimitedAction[]) {
    const { perAddress, perUsername } = accountLimits[action];
    // `groupId` is not in createRateLimit's declared options, but the store sees it.
    const named = (groupId: string, options: CreateRateLimitOptions): Counter =>
      app.createRateLimit({ ...options, groupId } as CreateRateLimitOptions);
    counters[action] = {
      // The default key is the client address (an IPv6 /64 counts as one address).
      perAddress: named(`accounts.${action}.address`, { max: perAddress.max, timeWindow: perAddress.windowMs }),
      perUsername: named(`accounts.${action}.username`, {
        max: perUsername.max,
        timeWindow: perUsername.windowMs,
        keyGenerator: submittedUsername,
      }),
    };
  }

  const refuse = (retryAfterSeconds: number, reply: { header(name: string, value: string): unknown }): never => {
    reply.header("retry-after", String(Math.max(1, retryAfterSeconds)));
    throw new HttpError(429, "Too many requests");
  };

  app.decorate("accountLimiters", {
    guard(action: LimitedAction): preHandlerAsyncHookHandler {
      const { perAddress, perUsername } = counters[action];
      return async function limit(request, reply) {
        const byAddress = await perAddress(request);
        if (!byAddress.isAllowed && byAddress.isExceeded) refuse(byAddress.ttlInSeconds, reply);
        // An empty username is a validation error for the form; it shares no budget with others.
        if (submittedUsername(request) === "") return;
        const byUsername = await perUsername(request);
        if (!byUsername.isAllowed && byUsername.isExceeded) refuse(byUsername.ttlInSeconds, reply);
      };
    },
    async allowCodeSend(request: FastifyRequest): Promise<boolean> {
      if (submittedUsername(request) === "") return false;
      const result = await counters.codeSend.perUsername(request);
      return result.isAllowed || !result.isExceeded;
    },
  });
}

export const accountLimiters = fp(accountLimitersPlugin, {
  name: "account-limiters",
  dependencies: ["@fastify/rate-limit"],
});
