/**
 * Who may call an API route, declared as data on the route (`config: { permission }`) like
 * DRF's `permission_classes`, and composable: `allOf(staff, hasPermission("accounts.view_user"))`.
 *
 * Deny by default: the API's authorisation hook refuses a route that declares nothing with 403
 * (the seeds' `DenyAny`), whoever calls it. As in DRF, a permission that says no to an anonymous
 * caller is a 401 (credentials were not provided), to a signed-in one a 403.
 *
 * Machine clients (issue 10) are deny-by-default too: a machine is asked with no user and its
 * token's scopes, so every permission about users says no to it, and only `hasScope` (like
 * django-oauth-toolkit's `TokenHasScope`) can say yes. A person's token is never judged by its
 * scopes, whatever it carries: a hosted-UI token with `gatehouse/users.read` is still only
 * what its user may do.
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
  /** The machine scopes this permission names (for the OpenAPI document); empty: no machine gets in. */
  readonly scopes: readonly string[];
  /**
   * `user` is null for an anonymous caller and for a machine; `scopes` are a machine client's
   * (null for everyone else).
   */
  allows(user: User | null, db: Db, scopes: ReadonlySet<string> | null): boolean | Promise<boolean>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call this route. Absent: nobody (403). */
    permission?: Permission;
  }
}

/** Anyone, signed in or not (health, the OpenAPI document, the docs page). */
export const publicAccess: Permission = { description: "public", isPublic: true, scopes: [], allows: () => true };

/** Any active, authenticated user. */
export const authenticated: Permission = {
  description: "authenticated",
  isPublic: false,
  scopes: [],
  allows: (user) => user !== null,
};

/** Back-office staff (Django's `is_staff`). */
export const staff: Permission = {
  description: "staff",
  isPublic: false,
  scopes: [],
  allows: (user) => user !== null && user.isStaff,
};

/** Django's `user.has_perm(codename)`: granted directly or through a group, or a superuser. */
export function hasPermission(codename: PermissionCodename): Permission {
  return {
    description: `has ${codename}`,
    isPublic: false,
    scopes: [],
    allows: (user, db) => user !== null && userHasPermission(db, user, codename),
  };
}

/**
 * A machine client whose token holds `scope` (`<resource server>/<scope>`, e.g.
 * `gatehouse/users.read`). Never a person, whatever their token's `scope` says.
 */
export function hasScope(scope: string): Permission {
  return {
    description: `machine with scope ${scope}`,
    isPublic: false,
    scopes: [scope],
    allows: (user, _db, scopes) => user === null && scopes !== null && scopes.has(scope),
  };
}

const scopesOf = (permissions: readonly Permission[]): string[] => [...new Set(permissions.flatMap((p) => p.scopes))];

/** Every one of `permissions` (checked in order; the first refusal stops). */
export function allOf(...permissions: readonly Permission[]): Permission {
  return {
    description: permissions.map((p) => p.description).join(" and "),
    isPublic: permissions.every((p) => p.isPublic),
    scopes: scopesOf(permissions),
    async allows(user, db, scopes) {
      for (const permission of permissions) if (!(await permission.allows(user, db, scopes))) return false;
      return true;
    },
  };
}

/** At least one of `permissions`. */
export function anyOf(...permissions: readonly Permission[]): Permission {
  return {
    description: permissions.map((p) => p.description).join(" or "),
    isPublic: permissions.some((p) => p.isPublic),
    scopes: scopesOf(permissions),
    async allows(user, db, scopes) {
      for (const permission of permissions) if (await permission.allows(user, db, scopes)) return true;
      return false;
    },
  };
}
