/**
 * Who may call an API route, declared as data on the route (`config: { permission }`) like
 * DRF's `permission_classes`, and composable: `allOf(staff, hasPermission("accounts.view_user"))`.
 *
 * Deny by default: the API's authorisation hook refuses a route that declares nothing with 403
 * (the seeds' `DenyAny`), whoever calls it. As in DRF, a permission that says no to an anonymous
 * caller is a 401 (credentials were not provided), to a signed-in one a 403.
 * https://www.django-rest-framework.org/api-guide/permissions/
 */
import type { Db } from "../db/database.ts";
import { hasPermission as userHasPermission, type PermissionCodename } from "../accounts/permissions.ts";
import type { User } from "../accounts/users.ts";

export interface Permission {
  /** For the OpenAPI description and test names: "staff and has accounts.view_user". */
  readonly description: string;
  /** Only for `publicAccess` and compositions that contain it in a way that lets anyone in. */
  readonly isPublic: boolean;
  allows(user: User | null, db: Db): boolean | Promise<boolean>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call this route. Absent: nobody (403). */
    permission?: Permission;
  }
}

/** Anyone, signed in or not (health, the OpenAPI document, the docs page). */
export const publicAccess: Permission = { description: "public", isPublic: true, allows: () => true };

/** Any active, authenticated user. */
export const authenticated: Permission = {
  description: "authenticated",
  isPublic: false,
  allows: (user) => user !== null,
};

/** Back-office staff (Django's `is_staff`). */
export const staff: Permission = {
  description: "staff",
  isPublic: false,
  allows: (user) => user !== null && user.isStaff,
};

/** Django's `user.has_perm(codename)`: granted directly or through a group, or a superuser. */
export function hasPermission(codename: PermissionCodename): Permission {
  return {
    description: `has ${codename}`,
    isPublic: false,
    allows: (user, db) => user !== null && userHasPermission(db, user, codename),
  };
}

/** Every one of `permissions` (checked in order; the first refusal stops). */
export function allOf(...permissions: readonly Permission[]): Permission {
  return {
    description: permissions.map((p) => p.description).join(" and "),
    isPublic: permissions.every((p) => p.isPublic),
    async allows(user, db) {
      for (const permission of permissions) if (!(await permission.allows(user, db))) return false;
      return true;
    },
  };
}

/** At least one of `permissions`. */
export function anyOf(...permissions: readonly Permission[]): Permission {
  return {
    description: permissions.map((p) => p.description).join(" or "),
    isPublic: permissions.some((p) => p.isPublic),
    async allows(user, db) {
      for (const permission of permissions) if (await permission.allows(user, db)) return true;
      return false;
    },
  };
}
