/**
 * What staff may not do to some users even with the permission (better-auth's
 * YOU_CANNOT_BAN_YOURSELF, and Django's advice that only superusers should manage superusers):
 * nobody deactivates, deletes or un-staffs their own account (they would lock themselves out
 * mid-request), and only a superuser changes a superuser or grants superuser status.
 */
import type { User } from "../accounts/users.ts";
import type { Staff } from "./access.ts";
import type { BackofficeMessage } from "./messages.ts";

export type UserOperation = "change" | "deactivate" | "delete";

export function refusalFor(staff: Staff, target: User, operation: UserOperation): BackofficeMessage | null {
  if (target.isSuperuser && !staff.user.isSuperuser) return "SUPERUSER_ONLY";
  if ((operation === "deactivate" || operation === "delete") && target.id === staff.user.id)
    return "CANNOT_CHANGE_SELF";
  return null;
}
