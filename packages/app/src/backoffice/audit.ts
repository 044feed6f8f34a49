/**
 * The audit log (Django's `LogEntry`): who did what to which object, when, with a message such
 * as "Changed is_active and groups.". Every change the back office makes writes its entry with
 * the same transaction as the change, so there is never a change without its entry or an entry
 * for a change that was rolled back (STYLE 9).
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { AuditLogTable, DatabaseSchema } from "../db/schema.ts";

/** Django's LogEntry flags, and "refuse": an attempt the policy turned down (policy.ts). */
export const auditActions = ["add", "change", "delete", "refuse"] as const satisfies readonly AuditLogTable["action"][];
export type AuditAction = (typeof auditActions)[number];
export type AuditObjectType = "user" | "group";

export interface AuditEntry {
  /** The staff member who acted, or null for the system itself (a sync from Cognito). */
  readonly actorId: string | null;
  readonly action: AuditAction;
  readonly objectType: AuditObjectType;
  readonly objectId: string;
  readonly objectRepr: string;
  readonly message: string;
}

type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export async function writeAudit(executor: Executor, entry: AuditEntry): Promise<void> {
  await executor
    .insertInto("audit_log")
    .values({
      id: randomUUID(),
      actor_id: entry.actorId,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      object_repr: entry.objectRepr.slice(0, 255),
      change_message: entry.message,
      created_at: new Date().toISOString(),
    })
    .execute();
}

const list = new Intl.ListFormat("en", { type: "conjunction" });

/**
 * "Changed is_active and groups." for the fields that changed, in form order; "" when none did.
 *
 * @example
 *   changeMessage(["is_active", "groups"]); // "Changed is_active and groups."
 */
export function changeMessage(fields: readonly string[]): string {
  return fields.length === 0 ? "" : `Changed ${list.format(fields)}.`;
}
