/**
 * The query string of the outbox routes (`/_outbox`, `/_outbox.html`), read strictly: each of
 * `poolId` and `username` at most once, with a value. A repeated parameter used to reach SQLite
 * as an array and answer 500 (issue 14); a misspelt one silently listed every message.
 */
import type { OutboxQuery } from "./store/outbox.ts";

/** A query string the outbox refuses; the server answers 400 with `message`. */
export class OutboxQueryError extends Error {
  override readonly name = "OutboxQueryError";
}

const parameters = ["poolId", "username"] as const;
type Parameter = (typeof parameters)[number];
const isParameter = (name: string): name is Parameter => (parameters as readonly string[]).includes(name);

/** Form-style decoding (`+` is a space), or null for a malformed escape such as `%zz`. */
function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** The filters in `url`'s query string, or OutboxQueryError saying what is wrong with it. */
export function parseOutboxQuery(url: string): OutboxQuery {
  const start = url.indexOf("?");
  const query = start === -1 ? "" : url.slice(start + 1);
  const found: Partial<Record<Parameter, string>> = {};
  for (const segment of query.split("&")) {
    if (segment === "") continue;
    const equals = segment.indexOf("=");
    const name = decode(equals === -1 ? segment : segment.slice(0, equals));
    if (name === null) throw new OutboxQueryError("A query parameter name is not valid percent-encoding.");
    if (!isParameter(name)) {
      throw new OutboxQueryError(`Unknown query parameter ${name}; the outbox takes poolId and username.`);
    }
    if (found[name] !== undefined) throw new OutboxQueryError(`Query parameter ${name} is given more than once.`);
    const value = decode(equals === -1 ? "" : segment.slice(equals + 1));
    if (value === null) throw new OutboxQueryError(`Query parameter ${name} is not valid percent-encoding.`);
    if (value === "") throw new OutboxQueryError(`Query parameter ${name} has no value.`);
    if (/\p{Cc}/u.test(value)) throw new OutboxQueryError(`Query parameter ${name} contains control characters.`);
    found[name] = value;
  }
  return found;
}
