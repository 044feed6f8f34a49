/** Opaque NextToken/PaginationToken values: the position encoded, so a forged one is just bad. */
import type { Context } from "../context.ts";
import { invalidParameter } from "../errors.ts";
import type { DocumentKind, StoredDocument } from "../store/documents.ts";

export const encodeToken = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), "utf8").toString("base64url");

/** Decodes a token made by encodeToken; anything else is AWS's InvalidParameterException. */
export function decodeToken<T>(token: string, isValid: (value: unknown) => value is T): T {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (isValid(value)) return value;
  } catch {
    // fall through to the AWS error
  }
  throw invalidParameter("Invalid pagination token.");
}

export const isString = (value: unknown): value is string => typeof value === "string";

/**
 * A page fetched with one item more than `limit`: the items to show, and the token of the last
 * one shown when there is more (under `tokenName`, NextToken or PaginationToken).
 */
export function pageOf<T>(
  fetched: readonly T[],
  limit: number,
  keyOf: (item: T) => unknown,
  tokenName = "NextToken",
): { shown: T[]; more: Record<string, string> } {
  const shown = fetched.slice(0, limit);
  const last = shown.at(-1);
  return { shown, more: fetched.length > limit && last !== undefined ? { [tokenName]: encodeToken(keyOf(last)) } : {} };
}

/**
 * A page of a pool's documents of `kind` for a request with MaxResults (60 when left out) and
 * NextToken, in key order.
 */
export function documentPage<T>(
  ctx: Context,
  poolId: string,
  kind: DocumentKind,
  request: { readonly MaxResults?: number; readonly NextToken?: string },
): { shown: StoredDocument<T>[]; more: Record<string, string> } {
  const limit = request.MaxResults ?? 60;
  const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
  return pageOf(ctx.store.documents.page<T>(poolId, kind, after, limit + 1), limit, (d) => d.key);
}
