/**
 * Who may use the back office, and what each staff member may do there (Django's
 * `AdminSite.has_permission` and `ModelAdmin.has_*_permission`).
 *
 * - The site: an active staff user with a usable local password (the seeds' `is_django_user`),
 *   signed in through /admin/login itself, checked on every request, so removing any of the
 *   three takes effect at once. Everyone else (also staff signed in on the public site) is sent
 *   to /admin/login.
 * - Each route declares the permissions that let a staff member use it in its route config
 *   (`config.backoffice`); a route that declares nothing answers 403 (deny by default, the
 *   seeds' `DenyAny`). Superusers hold every permission.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { PermissionCodename } from "../accounts/permissions.ts";
import { safeNext } from "../accounts/session-auth.ts";
import type { User } from "../accounts/users.ts";
import type { FlashLevel } from "../plugins/session-types.ts";
import { say, type BackofficeMessage } from "./messages.ts";

/**
 * A route's declaration: the staff member needs at least one of these permissions, or (for the
 * home page only) just to be staff.
 */
export type Access = { readonly anyOf: readonly PermissionCodename[] } | { readonly anyStaff: true };

/** Does `staff` meet `access`? Undeclared is never met. */
export const allows = (access: Access | undefined, staff: Staff): boolean =>
  access !== undefined && ("anyStaff" in access || access.anyOf.some((codename) => staff.can(codename)));

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may use a back-office route; a route without it answers 403. */
    backoffice?: Access;
  }
  interface FastifyRequest {
    /** The staff member using the back office (set by its guard), or null outside it. */
    staff: Staff | null;
  }
}

export interface Staff {
  readonly user: User;
  readonly permissions: ReadonlySet<string>;
  can(codename: PermissionCodename): boolean;
}

export type BackofficeUser = User & { readonly isActive: true; readonly isStaff: true; readonly passwordHash: string };

/** Django's `is_django_user` plus `is_staff` and `is_active`: who may sign in here. */
export const isBackofficeUser = (user: User | null | undefined): user is BackofficeUser =>
  Boolean(user && user.isActive && user.isStaff && user.hasUsablePassword);

/**
 * The back-office user of this request: a back-office user (above) whose session began at the
 * back office's own sign-in. Someone signed in on the public site through Cognito is not one,
 * even if their account is staff: resetting that account's Cognito password by email must not
 * open the back office.
 */
export function backofficeUserOf(request: FastifyRequest): BackofficeUser | null {
  const user = request.user;
  return isBackofficeUser(user) && request.session.get("backofficeSignIn") !== undefined ? user : null;
}

export function staffOf(user: User, permissions: ReadonlySet<string>): Staff {
  return { user, permissions, can: (codename) => permissions.has(codename) };
}

/** Django's has_view_permission: view or change. */
export const canView = (staff: Staff, model: "user" | "group"): boolean =>
  staff.can(`accounts.view_${model}`) || staff.can(`accounts.change_${model}`);

export const canViewAuditLog = (staff: Staff): boolean => staff.can("backoffice.view_auditlogentry");

/** The staff member of a guarded route; the guard has set it before any handler runs. */
export function staffOfRequest(request: FastifyRequest): Staff {
  if (!request.staff) throw new Error("back-office route reached without its guard");
  return request.staff;
}

/** Shows `code` once on the next page. */
export function notify(
  request: FastifyRequest,
  level: FlashLevel,
  code: BackofficeMessage,
  params: Readonly<Record<string, string | number>> = {},
): void {
  const current = request.session.get("flash") ?? [];
  request.session.set("flash", [...current, { level, text: say(code, params) }]);
}

/** Shows a text already worded once on the next page. */
export function notifyText(request: FastifyRequest, level: FlashLevel, text: string): void {
  const current = request.session.get("flash") ?? [];
  request.session.set("flash", [...current, { level, text }]);
}

/** Sends a visitor who may not use the back office to its sign-in page, keeping where they were going. */
export async function redirectToLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // A form posted after the session ended returns to its page, not to the form's action.
  const target = request.method === "GET" ? safeNext(request.url, "/admin/") : "/admin/";
  if (!request.user && (request.session.get("flash") ?? []).length === 0) notify(request, "info", "LOGIN_REQUIRED");
  return reply.redirect(`/admin/login?next=${encodeURIComponent(target)}`, 303);
}
