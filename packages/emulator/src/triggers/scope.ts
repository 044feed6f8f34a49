/**
 * The request a trigger runs for. Cognito hands a trigger the ClientMetadata (and, for some,
 * the ValidationData) of the API call that caused it, and names the app client in
 * callerContext; these reach the triggers from some twenty operations through helpers that
 * know nothing of them, so the operation's validated request is kept in an AsyncLocalStorage
 * for the length of the call instead of being threaded through every sign-in helper.
 *
 * Messages a CustomMessage trigger must write are held here too: the codes are issued inside
 * synchronous SQLite transactions, where no trigger can be awaited, so their delivery waits
 * until the operation has done its work (custom-message.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context } from "../context.ts";
import type { OutboxMessage } from "../model.ts";

export type PendingMessage = Omit<OutboxMessage, "id" | "createdAt">;

interface Scope {
  readonly ctx: Context;
  readonly request: Readonly<Record<string, unknown>>;
  readonly pending: PendingMessage[];
}

const storage = new AsyncLocalStorage<Scope>();

/** What AWS puts in callerContext.clientId for calls without an app client (Admin* operations). */
export const noClientId = "CLIENT_ID_NOT_APPLICABLE";

/** Runs one operation's work with its request in scope; `finish` sees the held messages. */
export function inRequestScope<T>(
  ctx: Context,
  request: Readonly<Record<string, unknown>>,
  work: () => Promise<T>,
  finish: (ctx: Context, pending: readonly PendingMessage[]) => Promise<void>,
): Promise<T> {
  const scope: Scope = { ctx, request, pending: [] };
  return storage.run(scope, async () => {
    const result = await work();
    // An operation that failed rolled its writes back: its messages are never sent.
    await finish(ctx, scope.pending);
    return result;
  });
}

const stringMap = (value: unknown): Record<string, string> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

/** The ClientMetadata of the current call (`{}` without one). */
export const clientMetadata = (): Record<string, string> => stringMap(storage.getStore()?.request.ClientMetadata);

/** The ValidationData of the current call (SignUp, AdminCreateUser) as a name → value map. */
export function validationData(): Record<string, string> {
  const list = storage.getStore()?.request.ValidationData;
  if (!Array.isArray(list)) return {};
  const out: Record<string, string> = {};
  for (const item of list as { Name?: unknown; Value?: unknown }[]) {
    if (typeof item.Name === "string") out[item.Name] = typeof item.Value === "string" ? item.Value : "";
  }
  return out;
}

/** The app client of the current call, or AWS's stand-in for calls without one. */
export function callerClientId(): string {
  const id = storage.getStore()?.request.ClientId;
  return typeof id === "string" ? id : noClientId;
}

/** A member of the current call's request (e.g. its ChallengeName), when it is a string. */
export function requestMember(name: string): string | undefined {
  const value = storage.getStore()?.request[name];
  return typeof value === "string" ? value : undefined;
}

/** An entry of one of the current call's string maps (AuthParameters.DEVICE_KEY), when non-empty. */
export function requestMapEntry(map: string, key: string): string | undefined {
  const value = stringMap(storage.getStore()?.request[map])[key];
  return value === "" ? undefined : value;
}

/** Whether the current call's request has member `name`. */
export const requestHas = (name: string): boolean => storage.getStore()?.request[name] !== undefined;

/**
 * Holds `message` for delivery after the operation when `wanted` says so and a request is in
 * scope; false when it must be delivered now.
 */
export function holdMessage(message: PendingMessage, wanted: (ctx: Context) => boolean): boolean {
  const scope = storage.getStore();
  if (!scope || !wanted(scope.ctx)) return false;
  scope.pending.push(message);
  return true;
}
