/**
 * Input no database of ours can store: a NUL character. PostgreSQL's text type refuses it with
 * an error (SQLite keeps it), so a NUL in any form field or query parameter would reach a query
 * as a 500 on one database and pass on the other. Every request is checked once, before its
 * route validates anything, and refused with a 400 that names the problem.
 */
import type { preValidationHookHandler } from "fastify";
import { HttpError } from "./http-error.ts";

export const unstorableTextMessage = "The request contains a NUL character, which no field accepts.";

/** Deeper than any form or API body we take; beyond it a value counts as unstorable. */
const maxDepth = 16;

/** Does `value` (a parsed body or query: strings, arrays, plain objects) hold a NUL anywhere? */
export function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (typeof value !== "object" || value === null) return false;
  if (depth > maxDepth) return true;
  const items = Array.isArray(value) ? value : [...Object.keys(value), ...Object.values(value)];
  return items.some((item) => holdsNul(item, depth + 1));
}

export const refuseUnstorableText: preValidationHookHandler = (request, _reply, done) => {
  // The API validates its JSON bodies field by field and answers each bad field in DRF's shape
  // (a NUL in a name is "cannot be part of a name"); its query strings are checked here.
  const body = request.url.startsWith("/api/") ? undefined : request.body;
  done(holdsNul(body) || holdsNul(request.query) ? new HttpError(400, unstorableTextMessage) : undefined);
};
