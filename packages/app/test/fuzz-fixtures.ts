/**
 * What the app's fuzz suites (issue 13) share: the run settings (cases scaled by FUZZ_SCALE, a
 * failure replayed with FUZZ_SEED and FUZZ_PATH — see the emulator's fuzz-settings.ts), a
 * snapshot of every table that holds what a request may change, and values that have broken
 * parsers, encoders and databases before.
 */
import fc from "fast-check";
import { sql } from "kysely";
import type { AppHarness } from "./app-harness.ts";

export { fuzzParameters } from "../../emulator/test/fuzz-settings.ts";

/**
 * Tables a refused request may still write by design: sessions (an anonymous visitor's CSRF
 * secret, a session ended), the back office's sign-in failure counts (lockout.ts counts every
 * attempt before its password is checked). The audit log's "refuse" rows are left out below
 * for the same reason: the back office records what it turned down.
 */
const writtenOnRefusal = new Set(["sessions", "backoffice_login_failures"]);

/**
 * Every row of every other table, as one comparable string. Tables are found by introspection,
 * so a table added by a later migration is covered without changing this.
 */
export async function dataSnapshot(h: AppHarness): Promise<string> {
  const db = h.database.database.db;
  const tables = (await db.introspection.getTables()).map((t) => t.name).filter((name) => !writtenOnRefusal.has(name));
  const parts: string[] = [];
  for (const table of tables.sort()) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    const kept = table === "audit_log" ? rows.filter((row) => row.action !== "refuse") : rows;
    parts.push(
      `${table}: ${kept
        .map((row) => JSON.stringify(row))
        .sort()
        .join("\n")}`,
    );
  }
  return parts.join("\n\n");
}

/** The first lines where two snapshots differ, for a failure message. */
export function snapshotDifference(before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const removed = a.filter((line) => !b.includes(line)).slice(0, 3);
  const added = b.filter((line) => !a.includes(line)).slice(0, 3);
  return [...removed.map((l) => `- ${l.slice(0, 300)}`), ...added.map((l) => `+ ${l.slice(0, 300)}`)].join("\n");
}

/**
 * A long string, written out only when used, so that a failure's report shows `"é" × 30000`
 * instead of the string itself.
 */
export class Repeated {
  constructor(
    readonly unit: string,
    readonly times: number,
  ) {}
  toString(): string {
    return this.unit.repeat(this.times);
  }
  toJSON(): string {
    return this.toString();
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.unit)} × ${this.times}`;
  }
}

export const oddStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\u202eevil",
  "\ufeff",
  "😀".repeat(40),
  "e\u0301",
  "%00",
  "%",
  "'; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "\r\nx-injected: 1",
  "__proto__",
  "constructor",
  "null",
  "[object Object]",
  "x".repeat(300),
];

/** Text of every kind: plain, Unicode, lone surrogates, known troublemakers, and long. */
export const anyText: fc.Arbitrary<string | Repeated> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(...oddStrings) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("é", "x", "😀"), fc.integer({ min: 1_000, max: 40_000 }))
      .map(([unit, times]) => new Repeated(unit, times)),
  },
);

/** `encodeURIComponent` for any string: a lone surrogate is sent as U+FFFD, as a browser does. */
export const percentEncode = (text: string): string =>
  [...Buffer.from(text, "utf8")]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
