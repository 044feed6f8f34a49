/**
 * The back office's changes to users, each with its audit entry on the same transaction.
 * Deactivation also deletes the user's sessions on that transaction, so they are signed out of
 * the site the moment the change commits (and the API, which reads `is_active` on every
 * request, refuses them from then on). Django's rule "disable, don't delete" is the default the
 * pages steer to; deletion is offered with a confirmation.
 */
import type { Transaction } from "kysely";
import type { User } from "../accounts/users.ts";
import type { DatabaseSchema } from "../db/schema.ts";
import { destroyUserSessions } from "../plugins/session-store.ts";
import { writeAudit } from "./audit.ts";

type Trx = Transaction<DatabaseSchema>;

/** Sets `is_active`; a no-op (and no entry) when it already has that value. */
export async function setActive(trx: Trx, user: User, active: boolean, actorId: string): Promise<boolean> {
  if (user.isActive === active) return false;
  await trx
    .updateTable("users")
    .set({ is_active: active, updated_at: new Date().toISOString() })
    .where("id", "=", user.id)
    .execute();
  if (!active) await destroyUserSessions(trx, user.id);
  await writeAudit(trx, {
    actorId,
    action: "change",
    objectType: "user",
    objectId: user.id,
    objectRepr: user.username,
    message: "Changed is_active.",
  });
  return true;
}

/** Deletes the local user (their sessions, memberships and direct permissions go with it). */
export async function deleteUserRow(trx: Trx, user: User, actorId: string, message = "Deleted."): Promise<void> {
  await writeAudit(trx, {
    actorId,
    action: "delete",
    objectType: "user",
    objectId: user.id,
    objectRepr: user.username,
    message,
  });
  await trx.deleteFrom("users").where("id", "=", user.id).execute();
}

/** Ends every session of `user` now (Cognito-side sign-out is the Cognito panel's business). */
export async function endSessionsOf(trx: Trx, userId: string): Promise<void> {
  await destroyUserSessions(trx, userId);
}
