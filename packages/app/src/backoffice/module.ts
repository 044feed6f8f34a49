/**
 * The back office (Django's `contrib.admin` site) at /admin: staff sign in with a local
 * password and manage users, groups and the audit log, and act on users in Cognito.
 *
 * Two contexts, so that "deny by default" is structural (STYLE 2): the sign-in pages and the
 * assets live in a small public one; everything else is registered in the guarded one, whose
 * hook sends whoever is not an active staff user with a usable password to the sign-in page and
 * answers 403 to a route that does not declare (or a staff member who does not hold) one of the
 * permissions it needs. `app.backofficeRoutes` lists every route with its declaration, so a test
 * can walk them all. The second step of the sign-in (an authenticator code) is in the public
 * one too: until it is done, the session opens nothing.
 */
import type { FastifyInstance, HTTPMethods } from "fastify";
import fp from "fastify-plugin";
import { permissionsOf } from "../accounts/permissions.ts";
import { HttpError } from "../http-error.ts";
import { allows, backofficeUserOf, redirectToLogin, staffOf, type Access } from "./access.ts";
import { backofficeAssets } from "./assets.ts";
import { backofficeErrorHandler } from "./errors.tsx";
import { secretBox } from "./secret-box.ts";
import { staffTotp, type StaffTotp } from "./staff-totp.ts";
import auditLogRoutes from "./routes/audit-log.tsx";
import groupRoutes from "./routes/groups.tsx";
import homeRoutes from "./routes/home.tsx";
import backofficeLoginRoutes from "./routes/login.tsx";
import backofficeSecondStepRoutes from "./routes/login-mfa.tsx";
import twoStepRoutes from "./routes/two-step.tsx";
import userActionRoutes from "./routes/user-actions.tsx";
import userAddRoutes from "./routes/user-add.tsx";
import userChangeRoutes from "./routes/user-change.tsx";
import userCognitoRoutes from "./routes/user-cognito.tsx";
import userListRoutes from "./routes/users-list.tsx";

export interface BackofficeRoute {
  readonly method: HTTPMethods;
  readonly url: string;
  /** null for the public sign-in pages and assets. */
  readonly access: Access | null;
  readonly guarded: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    readonly backofficeRoutes: readonly BackofficeRoute[];
    /** Staff members' authenticator apps (TOTP), their secrets sealed under SESSION_SECRET. */
    readonly backofficeTotp: StaffTotp;
  }
}

async function backoffice(app: FastifyInstance): Promise<void> {
  const routes: BackofficeRoute[] = [];
  app.decorate("backofficeRoutes", routes);
  app.decorateRequest("staff", null);
  const { sessionSecret, previousSessionSecrets } = app.config;
  const totp = staffTotp(app.database.db, secretBox([sessionSecret, ...previousSessionSecrets], "backoffice-totp"));
  app.decorate("backofficeTotp", totp);
  app.addHook("onReady", async () => {
    // Secrets sealed under a retired SESSION_SECRET move to the current one, so retiring it loses nothing.
    const { resealed, unreadable } = await totp.reseal();
    if (resealed > 0)
      app.log.info({ resealed }, "back office: authenticator secrets sealed under the current SESSION_SECRET");
    if (unreadable > 0) {
      app.log.error(
        { unreadable },
        "back office: authenticator secrets that neither SESSION_SECRET nor SESSION_PREVIOUS_SECRETS opens; put the old secret in SESSION_PREVIOUS_SECRETS, or have a superuser reset those staff members' two-step verification",
      );
    }
  });

  const record =
    (guarded: boolean) => (route: { method: HTTPMethods | HTTPMethods[]; url: string; config?: unknown }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const access = (route.config as { backoffice?: Access } | undefined)?.backoffice ?? null;
      for (const method of methods) if (method !== "HEAD") routes.push({ method, url: route.url, access, guarded });
    };

  await app.register(async (open) => {
    open.addHook("onRoute", record(false));
    open.setErrorHandler(backofficeErrorHandler);
    await open.register(backofficeAssets);
    await open.register(backofficeLoginRoutes);
    await open.register(backofficeSecondStepRoutes);
    open.get("/admin", async (_request, reply) => reply.redirect("/admin/", 301));
  });

  await app.register(async (guarded) => {
    guarded.addHook("onRoute", record(true));
    guarded.setErrorHandler(backofficeErrorHandler);
    guarded.addHook("preHandler", async (request, reply) => {
      const user = backofficeUserOf(request);
      if (!user) return redirectToLogin(request, reply);
      const staff = staffOf(user, await permissionsOf(app.database.db, user));
      request.staff = staff;
      if (!allows(request.routeOptions.config.backoffice, staff)) {
        throw new HttpError(403, "This staff member lacks the permission this page needs.");
      }
    });
    await guarded.register(homeRoutes);
    await guarded.register(twoStepRoutes);
    await guarded.register(userListRoutes);
    await guarded.register(userActionRoutes);
    await guarded.register(userAddRoutes);
    await guarded.register(userChangeRoutes);
    await guarded.register(userCognitoRoutes);
    await guarded.register(groupRoutes);
    await guarded.register(auditLogRoutes);
  });
}

export default fp(backoffice, { name: "backoffice", dependencies: ["session-auth", "@fastify/rate-limit"] });
