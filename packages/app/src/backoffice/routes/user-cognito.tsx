/**
 * `/admin/users/:id/cognito/:action`: the Cognito panel's actions, each an administrator call
 * with the SDK and then an audit entry (the call cannot share our transaction, so the entry is
 * written only once Cognito has said yes):
 *
 * - disable / enable — AdminDisableUser / AdminEnableUser (disabling also ends their sessions here)
 * - reset-password — AdminResetUserPassword (Cognito sends them a code)
 * - reset-mfa — AdminSetUserMFAPreference turning every factor off (a lost phone or authenticator)
 * - resend-invitation — AdminCreateUser with RESEND, for a FORCE_CHANGE_PASSWORD user
 * - sign-out — AdminUserGlobalSignOut (revokes their refresh tokens; their sessions here end too)
 * - confirm — AdminConfirmSignUp, for an UNCONFIRMED user
 * - resync — AdminGetUser, then our row takes Cognito's username, email and names
 * - create — AdminCreateUser for a local-only user, who is then linked by sub
 *
 * Disable, reset-password, reset-mfa and sign-out take something away, so a GET shows a
 * confirmation page and only its POST acts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CognitoFailure } from "../../accounts/cognito.ts";
import type { CognitoProfile, User } from "../../accounts/users.ts";
import { HttpError } from "../../http-error.ts";
import { destroyUserSessions } from "../../plugins/session-store.ts";
import { notify, notifyText, staffOfRequest, type Staff } from "../access.ts";
import { changeMessage, writeAudit } from "../audit.ts";
import { cognitoAdmin, describeFailure, type CognitoAccount } from "../cognito-admin.ts";
import { ConfirmUserAction, type UserConfirmation } from "../confirm-page.tsx";
import { say } from "../messages.ts";
import { ensureMayManage } from "../policy.ts";
import { usernameTaken } from "../queries.ts";
import { userFromParams } from "./user-change.tsx";

const cognitoActions = [
  "disable",
  "enable",
  "reset-password",
  "reset-mfa",
  "resend-invitation",
  "sign-out",
  "confirm",
  "resync",
  "create",
] as const;
type CognitoAction = (typeof cognitoActions)[number];
const isCognitoAction = (value: unknown): value is CognitoAction =>
  typeof value === "string" && (cognitoActions as readonly string[]).includes(value);

/** The actions that ask first, with what their confirmation page says. */
const confirmations: Partial<Record<CognitoAction, UserConfirmation>> = {
  disable: {
    title: "Disable in Cognito",
    text: "Cognito will refuse their sign-in and token refreshes (AdminDisableUser), and their sessions on this site end now. You can enable them again later.",
    button: "Yes, disable",
  },
  "reset-password": {
    title: "Reset the Cognito password",
    text: "Their current password stops working (AdminResetUserPassword) and their sessions on this site end now; Cognito emails them a code to choose a new one.",
    button: "Yes, reset the password",
  },
  "reset-mfa": {
    title: "Reset MFA in Cognito",
    text: "Every second factor of theirs is turned off in Cognito (AdminSetUserMFAPreference): their authenticator app, email or SMS codes stop being asked for. If the pool requires MFA, Cognito has them set one up at their next sign-in.",
    button: "Yes, reset MFA",
  },
  "sign-out": {
    title: "Sign out everywhere",
    text: "Cognito revokes all their refresh tokens (AdminUserGlobalSignOut), and their sessions on this site end now. They can sign in again.",
    button: "Yes, sign them out",
  },
};

const list = new Intl.ListFormat("en", { type: "conjunction" });

const changeAccess = { backoffice: { anyOf: ["accounts.change_user"] } } as const;

/** The profile fields our row keeps, compared one by one for the resync message. */
const profileFields = [
  ["username", (u: User) => u.username, (p: CognitoProfile) => p.username],
  ["email", (u: User) => u.email, (p: CognitoProfile) => p.email],
  ["email_verified", (u: User) => String(u.emailVerified), (p: CognitoProfile) => String(p.emailVerified)],
  ["given_name", (u: User) => u.givenName ?? "", (p: CognitoProfile) => p.givenName ?? ""],
  ["family_name", (u: User) => u.familyName ?? "", (p: CognitoProfile) => p.familyName ?? ""],
  ["phone_number", (u: User) => u.phoneNumber ?? "", (p: CognitoProfile) => p.phoneNumber ?? ""],
  ["picture", (u: User) => u.picture ?? "", (p: CognitoProfile) => p.picture ?? ""],
] as const;

export default async function userCognitoRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const cognito = cognitoAdmin(app.cognito, app.config.cognito.userPoolId);

  const target = async (request: FastifyRequest): Promise<{ staff: Staff; user: User; action: CognitoAction }> => {
    const { action } = request.params as { action?: string };
    if (!isCognitoAction(action)) throw new HttpError(404, "No such Cognito action.");
    const staff = staffOfRequest(request);
    const user = await userFromParams(app, request);
    const attempt = request.method === "POST" ? `Cognito action “${action}”` : undefined;
    await ensureMayManage(db, staff, user, "change", attempt);
    return { staff, user, action };
  };

  app.get("/admin/users/:id/cognito/:action", { config: changeAccess }, async (request, reply) => {
    const { staff, user, action } = await target(request);
    const confirmation = confirmations[action];
    if (!confirmation) throw new HttpError(404, "This action needs no confirmation page.");
    return reply.page(
      <ConfirmUserAction
        ctx={reply.viewContext()}
        staff={staff}
        user={user}
        action={`/admin/users/${user.id}/cognito/${action}`}
        confirmation={confirmation}
      />,
    );
  });

  app.post(
    "/admin/users/:id/cognito/:action",
    { preHandler: app.csrfProtection, config: changeAccess },
    async (request, reply): Promise<FastifyReply> => {
      const { staff, user, action } = await target(request);
      const back = `/admin/users/${user.id}`;
      const audit = (message: string, endSessions = false) =>
        db.transaction().execute(async (trx) => {
          if (endSessions) await destroyUserSessions(trx, user.id);
          await writeAudit(trx, {
            actorId: staff.user.id,
            action: "change",
            objectType: "user",
            objectId: user.id,
            objectRepr: user.username,
            message,
          });
        });

      try {
        if (action === "create") {
          if (user.cognitoSub) {
            notifyText(request, "warning", "This user already has a Cognito account.");
            return reply.redirect(back, 303);
          }
          const created = await cognito.create(user.username, user.email);
          await db.transaction().execute(async (trx) => {
            await trx
              .updateTable("users")
              .set({
                cognito_sub: created.sub,
                email_verified: true,
                last_synced_at: new Date().toISOString(),
                updated_at: new Date().toISOString(),
              })
              .where("id", "=", user.id)
              .execute();
            await writeAudit(trx, {
              actorId: staff.user.id,
              action: "change",
              objectType: "user",
              objectId: user.id,
              objectRepr: user.username,
              message: "Created in Cognito (AdminCreateUser).",
            });
          });
          notify(request, "success", "COGNITO_CREATED", { username: user.username, email: user.email });
          return reply.redirect(back, 303);
        }

        if (!user.cognitoSub) {
          notify(request, "warning", "COGNITO_NOT_LINKED");
          return reply.redirect(back, 303);
        }
        const account: CognitoAccount | null = await cognito.findBySub(user.cognitoSub);
        if (!account) {
          notify(request, "warning", "COGNITO_GONE");
          return reply.redirect(back, 303);
        }
        const name = { username: user.username };
        switch (action) {
          case "disable":
            await cognito.disable(account.username);
            await audit("Disabled in Cognito (AdminDisableUser).", true);
            notify(request, "success", "COGNITO_DISABLED", name);
            break;
          case "enable":
            await cognito.enable(account.username);
            await audit("Enabled in Cognito (AdminEnableUser).");
            notify(request, "success", "COGNITO_ENABLED", name);
            break;
          case "reset-password":
            await cognito.resetPassword(account.username);
            // A reset ends the sessions the old password opened, as the person's own reset does.
            await audit("Reset the Cognito password (AdminResetUserPassword).", true);
            notify(request, "success", "COGNITO_PASSWORD_RESET", name);
            break;
          case "reset-mfa": {
            const factors = account.mfa.factors;
            await cognito.resetMfa(account.username);
            await audit(
              `Reset MFA in Cognito (AdminSetUserMFAPreference): turned off ${factors.length > 0 ? list.format(factors) : "no factor (none was on)"}.`,
            );
            notify(request, "success", "COGNITO_MFA_RESET", name);
            break;
          }
          case "resend-invitation":
            await cognito.resendInvitation(account.username);
            await audit("Resent the invitation (AdminCreateUser RESEND).");
            notify(request, "success", "COGNITO_INVITATION_RESENT", name);
            break;
          case "sign-out":
            await cognito.globalSignOut(account.username);
            await audit("Signed out everywhere (AdminUserGlobalSignOut).", true);
            notify(request, "success", "COGNITO_SIGNED_OUT", name);
            break;
          case "confirm":
            await cognito.confirm(account.username);
            await audit("Confirmed the sign-up in Cognito (AdminConfirmSignUp).");
            notify(request, "success", "COGNITO_CONFIRMED", name);
            break;
          case "resync":
            return await resync(request, reply, staff, user, await cognito.profileOf(account.username));
        }
        return reply.redirect(back, 303);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        request.log.info({ exception: error.exception, action }, "Cognito refused a back-office action");
        notify(request, "danger", error.code === "SERVICE_UNAVAILABLE" ? "COGNITO_UNAVAILABLE" : "COGNITO_REFUSED", {
          detail: describeFailure(error),
        });
        return reply.redirect(back, 303);
      }
    },
  );

  /** Our row takes Cognito's profile; the entry names the fields that changed. */
  async function resync(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    user: User,
    profile: CognitoProfile,
  ): Promise<FastifyReply> {
    const back = `/admin/users/${user.id}`;
    const changed = profileFields.filter(([, ours, theirs]) => ours(user) !== theirs(profile)).map(([field]) => field);
    if (changed.includes("username") && (await usernameTaken(db, profile.username, user.id))) {
      notifyText(
        request,
        "danger",
        `Cannot resync: another local user already has the username "${profile.username}".`,
      );
      return reply.redirect(back, 303);
    }
    const now = new Date().toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("users")
        .set({
          username: profile.username,
          username_key: profile.username.toLowerCase(),
          email: profile.email,
          email_key: profile.email.toLowerCase(),
          email_verified: profile.emailVerified,
          given_name: profile.givenName ?? null,
          family_name: profile.familyName ?? null,
          phone_number: profile.phoneNumber ?? null,
          picture: profile.picture ?? null,
          last_synced_at: now,
          ...(changed.length > 0 ? { updated_at: now } : {}),
        })
        .where("id", "=", user.id)
        .execute();
      await writeAudit(trx, {
        actorId: staff.user.id,
        action: "change",
        objectType: "user",
        objectId: user.id,
        objectRepr: profile.username,
        message: `Resynced from Cognito${changed.length > 0 ? `: ${changeMessage(changed)}` : "; no fields changed."}`,
      });
    });
    notify(request, "success", "COGNITO_RESYNCED", {
      username: profile.username,
      changes: changed.length > 0 ? changeMessage(changed) : say("NO_FIELDS_CHANGED"),
    });
    return reply.redirect(back, 303);
  }
}
