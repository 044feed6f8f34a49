/** Narrowing of untrusted form bodies and query strings for the back office's pages. */
import { fieldOf } from "../accounts/forms.ts";

export { fieldOf };

/** Every string value of a repeated field (checkbox lists), in order, without duplicates. */
export function fieldsOf(body: unknown, name: string): string[] {
  if (typeof body !== "object" || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : [value];
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v !== ""))];
}

/** A checkbox: present (any value) is on, absent is off. */
export const checked = (body: unknown, name: string): boolean => fieldOf(body, name) !== "";

/** A yes/no filter from the query: "1" → true, "0" → false, anything else → no filter. */
export function yesNo(query: unknown, name: string): boolean | null {
  const value = fieldOf(query, name);
  return value === "1" ? true : value === "0" ? false : null;
}

/** A 1-based page number; anything unusable is page 1. */
export function pageOf(query: unknown): number {
  const value = Number.parseInt(fieldOf(query, "p"), 10);
  return Number.isSafeInteger(value) && value >= 1 && value <= 1_000_000 ? value : 1;
}

/** Text without control characters (PostgreSQL cannot store NUL; none belong in a name). */
// eslint-disable-next-line no-control-regex
export const hasControlCharacters = (text: string): boolean => /[\u0000-\u001f\u007f]/u.test(text);

/**
 * The URL of a list page with `changes` applied to its current query (null removes a
 * parameter); the page number goes back to 1 unless it is one of the changes.
 */
export function withQuery(
  path: string,
  current: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string | null>>,
): string {
  const params = new URLSearchParams();
  const merged: Record<string, string | null> = { ...current, ...("p" in changes ? {} : { p: null }), ...changes };
  for (const [key, value] of Object.entries(merged)) {
    if (value !== null && value !== "") params.set(key, value);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
