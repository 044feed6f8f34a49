/**
 * `/account`: what a signed-in person changes about their own account, each with their own
 * access token (Cognito's self-service operations), then in our `users` row:
 * - names (UpdateUserAttributes),
 * - email (UpdateUserAttributes sends a code to the new address; VerifyUserAttribute confirms it;
 *   GetUserAttributeVerificationCode sends it again),
 * - password (ChangePassword),
 * - sign out of all devices (GlobalSignOut, and every session of ours),
 * - delete the account (DeleteUser, then our row and sessions).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html
 *
 * Every route here needs a signed-in user (one hook for the whole plugin) and every POST a CSRF
 * token. A Cognito error about the user's input is shown on the form; one that says the access
 * token or the user is gone ends the session (to /login with a message), never a 500.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { destroyUserSessions } from "../../plugins/session-store.ts";
import { CognitoFailure, type MfaSettings } from "../cognito.ts";
import {
  emailProblem,
  failureStatus,
  invalidPasswordMessage,
  newPasswordErrors,
  normalizeCode,
  passwordHint,
  type Errors,
} from "../forms.ts";
import { t } from "../messages.ts";
import { endSession, flash, requireLogin, tokensOf } from "../session-auth.ts";
import { formFailure, messageOf, sessionEnding, userOf } from "./account-common.ts";
import accountMfaRoutes from "./account-mfa.tsx";
import type { SecurityForm, SecurityState } from "./account-security-view.tsx";
import { AccountPage, DeleteAccountPage, type FormState, type SectionId } from "./account-views.tsx";

const text = Type.Optional(Type.String());
const csrf = { _csrf: text };
const profileBody = Type.Object({ ...csrf, given_name: text, family_name: text });
const emailBody = Type.Object({ ...csrf, email: text });
const codeBody = Type.Object({ ...csrf, code: text });
const passwordBody = Type.Object({ ...csrf, current_password: text, new_password: text, new_password_confirm: text });
const deleteBody = Type.Object({ ...csrf, confirm_username: text });
const emptyBody = Type.Object(csrf);

const nameMaxLength = 100;
// Cognito stores control characters in attributes, but PostgreSQL refuses NUL in text and no
// one types them: they are refused here, before either is asked.
const controlCharacter = /\p{Cc}/u;

function nameProblem(name: string): string | undefined {
  if ([...name].length > nameMaxLength) return t("NAME_TOO_LONG");
  if (controlCharacter.test(name)) return t("NAME_INVALID");
  return undefined;
}

const noErrors = (errors: Readonly<Record<string, string | undefined>>): boolean =>
  Object.values(errors).every((e) => !e);

export default async function accountRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { cognitoGateway: cognito, users } = app;
  const db = app.database.db;

  app.addHook("preHandler", requireLogin);
  app.addHook("onSend", async (_request, reply) => {
    // Account pages show personal data (and forms with it): no shared cache may keep them.
    reply.header("cache-control", "no-store");
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof CognitoFailure && sessionEnding.has(error.code)) {
      request.log.info({ err: error }, "Cognito refused the session's access token; ending the session");
      await endSession(request);
      flash(request, "warning", error.code === "USER_DISABLED" ? "USER_DISABLED" : "SESSION_ENDED");
      return reply.redirect("/login", 303);
    }
    // Everything else is the app's error handler's to show.
    throw error;
  });

  /** Code sends (email change and "send again") cost the pool's email budget: a few per user. */
  const codeSendLimit = app.rateLimit({
    max: 10,
    timeWindow: "15 minutes",
    keyGenerator: (request) => `account-code:${request.session.get("userId") ?? request.ip}`,
  });

  /** The account page, with the forms of a failed submission kept. */
  const showAccount = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    forms: Partial<Record<SectionId, FormState>> = {},
    securityForm?: SecurityForm,
  ): Promise<FastifyReply> =>
    reply
      .code(status)
      .page(
        <AccountPage
          ctx={reply.viewContext()}
          user={userOf(request)}
          canEdit={tokensOf(request) !== null}
          pendingEmail={request.session.get("pendingEmail") ?? null}
          passwordHint={passwordHint(app.passwordPolicy)}
          forms={forms}
          security={await securityStateOf(request)}
          securityForm={securityForm}
        />,
      );

  /** The two-step section's state; a failure to read the settings shows as "cannot be read". */
  const securityStateOf = async (request: FastifyRequest): Promise<SecurityState | null> => {
    const tokens = tokensOf(request);
    if (!tokens) return null;
    const pool = await app.poolSignInOptions();
    if (pool.factors.length === 0) return { pool, settings: null, emailVerified: false };
    let settings: MfaSettings | null = null;
    try {
      settings = await cognito.mfaSettings(tokens.accessToken);
    } catch (error) {
      formFailure(request, error, "reading the two-step settings");
    }
    return { pool, settings, emailVerified: userOf(request).emailVerified };
  };

  await app.register(accountMfaRoutes, { showAccount });

  /**
   * Copies Cognito's view of the email address into our row after a change Cognito accepted.
   * Reading it back (GetUser) tells "the new address, unverified" from "the old address, kept
   * until the new one is verified" (pools that keep original attributes). The change happened
   * even when that read fails, so `assumed` is stored then.
   */
  const syncEmail = async (
    request: FastifyRequest,
    userId: string,
    accessToken: string,
    assumed: { email: string; emailVerified: boolean },
  ): Promise<{ email: string; emailVerified: boolean }> => {
    let current = assumed;
    try {
      const profile = await cognito.getUser(accessToken);
      current = { email: profile.email, emailVerified: profile.emailVerified };
    } catch (error) {
      formFailure(request, error, "reading the email address back");
    }
    await users.updateProfile(userId, current);
    return current;
  };

  app.get("/account", async (request, reply) => showAccount(request, reply));

  app.post(
    "/account/profile",
    { preValidation: app.csrfProtection, schema: { body: profileBody } },
    async (request, reply) => {
      const user = userOf(request);
      const values = {
        given_name: (request.body.given_name ?? "").trim(),
        family_name: (request.body.family_name ?? "").trim(),
      };
      const errors = { given_name: nameProblem(values.given_name), family_name: nameProblem(values.family_name) };
      if (!noErrors(errors)) return showAccount(request, reply, 400, { profile: { values, errors } });
      const tokens = tokensOf(request);
      if (!tokens) return showAccount(request, reply, 400, { profile: { values, formError: t("NO_COGNITO_ACCOUNT") } });

      // Only what changed: an empty value removes the attribute in Cognito.
      const changes: Record<string, string> = {};
      if (values.given_name !== (user.givenName ?? "")) changes.given_name = values.given_name;
      if (values.family_name !== (user.familyName ?? "")) changes.family_name = values.family_name;
      if (Object.keys(changes).length === 0) {
        flash(request, "info", "NOTHING_CHANGED");
        return reply.redirect("/account", 303);
      }
      try {
        await cognito.updateAttributes(tokens.accessToken, changes);
      } catch (error) {
        const failure = formFailure(request, error, "updating names");
        return showAccount(request, reply, failureStatus(failure), {
          profile: { values, formError: messageOf(failure) },
        });
      }
      await users.updateProfile(user.id, {
        givenName: values.given_name || null,
        familyName: values.family_name || null,
      });
      flash(request, "success", "PROFILE_UPDATED");
      return reply.redirect("/account", 303);
    },
  );

  app.post(
    "/account/email",
    { preValidation: app.csrfProtection, preHandler: codeSendLimit, schema: { body: emailBody } },
    async (request, reply) => {
      const user = userOf(request);
      const email = (request.body.email ?? "").trim();
      const values = { email };
      const problem =
        emailProblem(email) ??
        (controlCharacter.test(email) ? "EMAIL_INVALID" : null) ??
        (email.toLowerCase() === user.email.toLowerCase() ? "EMAIL_UNCHANGED" : null);
      if (problem) return showAccount(request, reply, 400, { email: { values, errors: { email: t(problem) } } });
      const tokens = tokensOf(request);
      if (!tokens) return showAccount(request, reply, 400, { email: { values, formError: t("NO_COGNITO_ACCOUNT") } });

      let sentTo: string | undefined;
      try {
        const deliveries = await cognito.updateAttributes(tokens.accessToken, { email });
        sentTo = deliveries[0]?.destination;
      } catch (caught) {
        const failure = formFailure(request, caught, "changing the email address");
        const field = failure.code === "EMAIL_EXISTS" || failure.code === "INVALID_PARAMETER";
        return showAccount(request, reply, failureStatus(failure), {
          email: field ? { values, errors: { email: messageOf(failure) } } : { values, formError: messageOf(failure) },
        });
      }
      const now = await syncEmail(request, user.id, tokens.accessToken, { email, emailVerified: false });
      // A pool that verifies nothing (or trusts the address) is done already.
      if (now.emailVerified && now.email.toLowerCase() === email.toLowerCase()) {
        request.session.set("pendingEmail", undefined);
        flash(request, "success", "EMAIL_VERIFIED");
        return reply.redirect("/account", 303);
      }
      request.session.set("pendingEmail", email);
      if (sentTo) flash(request, "success", "EMAIL_CODE_SENT", { destination: email });
      else flash(request, "info", "EMAIL_CHANGED_UNVERIFIED");
      return reply.redirect("/account#email", 303);
    },
  );

  app.post(
    "/account/email/verify",
    { preValidation: app.csrfProtection, schema: { body: codeBody } },
    async (request, reply) => {
      const user = userOf(request);
      const typed = (request.body.code ?? "").trim();
      const code = normalizeCode(typed);
      const values = { code: code ?? typed };
      if (!code) return showAccount(request, reply, 400, { verify: { values, errors: { code: t("CODE_INVALID") } } });
      const tokens = tokensOf(request);
      if (!tokens) return showAccount(request, reply, 400, { verify: { values, formError: t("NO_COGNITO_ACCOUNT") } });
      try {
        await cognito.verifyEmail(tokens.accessToken, code);
      } catch (error) {
        const failure = formFailure(request, error, "confirming the email address");
        const onField = failure.code === "CODE_MISMATCH" || failure.code === "CODE_EXPIRED";
        return showAccount(request, reply, failureStatus(failure), {
          verify: onField
            ? { values, errors: { code: messageOf(failure) } }
            : { values, formError: messageOf(failure) },
        });
      }
      await syncEmail(request, user.id, tokens.accessToken, {
        email: request.session.get("pendingEmail") ?? user.email,
        emailVerified: true,
      });
      request.session.set("pendingEmail", undefined);
      flash(request, "success", "EMAIL_VERIFIED");
      return reply.redirect("/account", 303);
    },
  );

  app.post(
    "/account/email/resend",
    { preValidation: app.csrfProtection, preHandler: codeSendLimit, schema: { body: emptyBody } },
    async (request, reply) => {
      const tokens = tokensOf(request);
      if (!tokens) return showAccount(request, reply, 400, { verify: { formError: t("NO_COGNITO_ACCOUNT") } });
      try {
        const delivery = await cognito.sendEmailVerificationCode(tokens.accessToken);
        flash(request, "success", "CODE_SENT", {
          destination: request.session.get("pendingEmail") ?? delivery?.destination ?? userOf(request).email,
        });
      } catch (error) {
        const failure = formFailure(request, error, "sending the email code again");
        return showAccount(request, reply, failureStatus(failure), { verify: { formError: messageOf(failure) } });
      }
      return reply.redirect("/account#email", 303);
    },
  );

  app.post(
    "/account/password",
    { preValidation: app.csrfProtection, schema: { body: passwordBody } },
    async (request, reply) => {
      const current = request.body.current_password ?? "";
      const proposed = request.body.new_password ?? "";
      const again = request.body.new_password_confirm ?? "";
      const errors: Errors = {
        ...(current === "" ? { current_password: t("FIELD_REQUIRED") } : {}),
        ...newPasswordErrors(proposed, again, app.passwordPolicy, {
          password: "new_password",
          again: "new_password_confirm",
        }),
      };
      if (current !== "" && proposed === current && !errors.new_password) {
        errors.new_password = t("PASSWORD_UNCHANGED");
      }
      if (!noErrors(errors)) return showAccount(request, reply, 400, { password: { errors } });
      const tokens = tokensOf(request);
      if (!tokens) return showAccount(request, reply, 400, { password: { formError: t("NO_COGNITO_ACCOUNT") } });
      try {
        await cognito.changePassword(tokens.accessToken, current, proposed);
      } catch (error) {
        const failure = formFailure(request, error, "changing the password");
        const form: FormState =
          failure.code === "INCORRECT_CREDENTIALS"
            ? { errors: { current_password: t("CURRENT_PASSWORD_WRONG") } }
            : failure.code === "INVALID_PASSWORD"
              ? { errors: { new_password: invalidPasswordMessage(failure.detail) } }
              : { formError: messageOf(failure) };
        return showAccount(request, reply, failureStatus(failure), { password: form });
      }
      // Whoever else holds a session of this account (a stolen cookie, a forgotten laptop) is
      // signed out here; this browser stays in.
      await destroyUserSessions(db, userOf(request).id, request.session.id);
      flash(request, "success", "PASSWORD_CHANGED");
      return reply.redirect("/account", 303);
    },
  );

  app.post(
    "/account/sign-out-everywhere",
    { preValidation: app.csrfProtection, schema: { body: emptyBody } },
    async (request, reply) => {
      const user = userOf(request);
      const tokens = tokensOf(request);
      if (tokens) {
        try {
          // Revokes every refresh token of the user (and the access tokens issued from them).
          await cognito.globalSignOut(tokens.accessToken);
        } catch (error) {
          const failure = formFailure(request, error, "signing out everywhere");
          return showAccount(request, reply, failureStatus(failure), { devices: { formError: messageOf(failure) } });
        }
      }
      await destroyUserSessions(db, user.id);
      // A new, empty session for this browser: its old row is gone, and it must not be saved again.
      await endSession(request);
      flash(request, "success", "SIGNED_OUT_EVERYWHERE");
      return reply.redirect("/login", 303);
    },
  );

  app.get("/account/delete", async (request, reply) => {
    if (!tokensOf(request)) return reply.redirect("/account#delete", 303);
    return reply.page(<DeleteAccountPage ctx={reply.viewContext()} user={userOf(request)} />);
  });

  app.post(
    "/account/delete",
    { preValidation: app.csrfProtection, schema: { body: deleteBody } },
    async (request, reply) => {
      const user = userOf(request);
      const typed = (request.body.confirm_username ?? "").trim();
      const values = { confirm_username: typed };
      const showForm = (status: number, form: FormState) =>
        reply.code(status).page(<DeleteAccountPage ctx={reply.viewContext()} user={user} form={form} />);
      if (typed !== user.username) {
        return showForm(400, {
          values,
          errors: {
            confirm_username:
              typed === "" ? t("FIELD_REQUIRED") : t("DELETE_CONFIRMATION_MISMATCH", { username: user.username }),
          },
        });
      }
      const tokens = tokensOf(request);
      if (!tokens) return showForm(400, { values, formError: t("NO_COGNITO_ACCOUNT") });
      try {
        await cognito.deleteUser(tokens.accessToken);
      } catch (error) {
        // Already gone from Cognito (an admin deleted it): finish the job here.
        if (!(error instanceof CognitoFailure && error.code === "USER_NOT_FOUND")) {
          const failure = formFailure(request, error, "deleting the account");
          return showForm(failureStatus(failure), { values, formError: messageOf(failure) });
        }
      }
      await destroyUserSessions(db, user.id);
      await users.delete(user.id);
      await endSession(request);
      flash(request, "success", "ACCOUNT_DELETED");
      return reply.redirect("/", 303);
    },
  );
}
