/**
 * Staff members' authenticator apps (issue 9): the repository over `backoffice_totp`
 * (migration 0005) and the checks the sign-in and the two-step page share. Secrets are sealed
 * at rest (secret-box.ts) with the row's user id as context. A code is accepted once: the step
 * it belongs to must be later than the last step accepted, and moving `last_used_step` forward
 * is one conditional UPDATE, so two requests carrying the same code cannot both pass.
 */
import type { ColumnType } from "kysely";
import type { Db } from "../db/database.ts";
import { asDate, type NullableTimestamp, type Timestamp } from "../db/schema.ts";
import type { SecretBox } from "./secret-box.ts";
import { matchTotp, newTotpSecret } from "./totp.ts";

export interface BackofficeTotpTable {
  user_id: string;
  secret: string;
  confirmed_at: NullableTimestamp;
  /** bigint: PostgreSQL hands it back as text. */
  last_used_step: ColumnType<string | number | null, number | null, number | null>;
  created_at: Timestamp;
}

/** What a staff member's row says, secret included (only the routes that check codes see it). */
export type TotpState =
  | { readonly kind: "off" }
  | { readonly kind: "pending"; readonly secret: string; readonly since: Date }
  | { readonly kind: "on"; readonly secret: string; readonly since: Date }
  /** Sealed under a key this server no longer has (SESSION_SECRET changed without being kept). */
  | { readonly kind: "unreadable"; readonly confirmed: boolean; readonly since: Date };

/** The same without the secret, for pages that only show the state. */
export type TotpStatus =
  | { readonly kind: "off" }
  | { readonly kind: "pending" | "on"; readonly since: Date }
  | { readonly kind: "unreadable"; readonly confirmed: boolean; readonly since: Date };

/** How a submitted code fared. */
export type CodeVerdict = "ok" | "wrong" | "used" | "unreadable" | "off";

/** The database, or a transaction on it (a Transaction is a Kysely). */
type Executor = Db;

export function staffTotp(db: Db, box: SecretBox, now: () => number = Date.now) {
  const tableOf = (executor: Executor) => executor.withTables<{ backoffice_totp: BackofficeTotpTable }>();
  const table = tableOf(db);

  // Inside a transaction every query must go through it: SQLite has one connection, which the
  // transaction holds until it ends.
  const rowOf = (userId: string, executor: Executor = db) =>
    tableOf(executor).selectFrom("backoffice_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();

  async function state(userId: string): Promise<TotpState> {
    const row = await rowOf(userId);
    if (!row) return { kind: "off" };
    const opened = box.open(row.secret, userId);
    const confirmed = row.confirmed_at !== null;
    const since = asDate(row.confirmed_at ?? row.created_at);
    if (!opened) return { kind: "unreadable", confirmed, since };
    return { kind: confirmed ? "on" : "pending", secret: opened.plaintext, since };
  }

  return {
    state,

    async status(userId: string): Promise<TotpStatus> {
      const current = await state(userId);
      if (current.kind === "off" || current.kind === "unreadable") return current;
      return { kind: current.kind, since: current.since };
    },

    /**
     * A new secret waiting to be confirmed with a code (replacing one already waiting, or one no
     * key opens any more); null when an authenticator is already on.
     */
    async begin(userId: string): Promise<string | null> {
      const secret = newTotpSecret();
      const values = {
        secret: box.seal(secret, userId),
        confirmed_at: null,
        last_used_step: null,
        created_at: new Date(now()).toISOString(),
      };
      const current = await state(userId);
      if (current.kind === "on") return null;
      if (current.kind === "off") {
        const inserted = await table
          .insertInto("backoffice_totp")
          .values({ user_id: userId, ...values })
          .onConflict((oc) => oc.column("user_id").doNothing())
          .executeTakeFirst();
        // Another request made a row in between: whatever it made stands.
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? secret : null;
      }
      const replaceable = current.kind === "pending" || !current.confirmed;
      if (!replaceable) return null;
      const updated = await table
        .updateTable("backoffice_totp")
        .set(values)
        .where("user_id", "=", userId)
        .where("confirmed_at", "is", null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? secret : null;
    },

    /**
     * Turns the waiting secret on when `code` is right for it: "off" when nothing is waiting.
     * The step of the code counts as used. `executor` lets the audit entry share the transaction.
     */
    async confirm(userId: string, code: string, executor: Executor = db): Promise<CodeVerdict> {
      const row = await rowOf(userId, executor);
      if (!row || row.confirmed_at !== null) return "off";
      const opened = box.open(row.secret, userId);
      if (!opened) return "unreadable";
      const step = matchTotp(opened.plaintext, code, now());
      if (step === null) return "wrong";
      const updated = await tableOf(executor)
        .updateTable("backoffice_totp")
        .set({ confirmed_at: new Date(now()).toISOString(), last_used_step: step })
        .where("user_id", "=", userId)
        .where("confirmed_at", "is", null)
        // The secret the code was checked against, not one a parallel set-up put there since.
        .where("secret", "=", row.secret)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? "ok" : "off";
    },

    /** Checks a code against the authenticator that is on, and spends its step when it is right. */
    async verify(userId: string, code: string): Promise<CodeVerdict> {
      const current = await state(userId);
      if (current.kind === "unreadable" && current.confirmed) return "unreadable";
      if (current.kind !== "on") return "off";
      const step = matchTotp(current.secret, code, now());
      if (step === null) return "wrong";
      const spent = await table
        .updateTable("backoffice_totp")
        .set({ last_used_step: step })
        .where("user_id", "=", userId)
        .where("confirmed_at", "is not", null)
        .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
        .executeTakeFirst();
      return Number(spent.numUpdatedRows) === 1 ? "ok" : "used";
    },

    /** Forgets the authenticator (on, waiting or unreadable); true when there was one. */
    async remove(userId: string, executor: Executor = db): Promise<boolean> {
      const deleted = await tableOf(executor)
        .deleteFrom("backoffice_totp")
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    },

    /** Forgets a secret still waiting for its first code (the set-up was cancelled). */
    async cancel(userId: string): Promise<void> {
      await table
        .deleteFrom("backoffice_totp")
        .where("user_id", "=", userId)
        .where("confirmed_at", "is", null)
        .execute();
    },

    /**
     * Seals again, under the current key, every secret sealed under a retired one (a rotated
     * SESSION_SECRET kept in SESSION_PREVIOUS_SECRETS), so retiring that secret later loses
     * nothing. Returns how many were resealed and how many no key opens.
     */
    async reseal(): Promise<{ resealed: number; unreadable: number }> {
      const rows = await table.selectFrom("backoffice_totp").select(["user_id", "secret"]).execute();
      let resealed = 0;
      let unreadable = 0;
      for (const row of rows) {
        const opened = box.open(row.secret, row.user_id);
        if (!opened) unreadable++;
        else if (!opened.current) {
          await table
            .updateTable("backoffice_totp")
            .set({ secret: box.seal(opened.plaintext, row.user_id) })
            .where("user_id", "=", row.user_id)
            .where("secret", "=", row.secret)
            .execute();
          resealed++;
        }
      }
      return { resealed, unreadable };
    },
  };
}

export type StaffTotp = ReturnType<typeof staffTotp>;
