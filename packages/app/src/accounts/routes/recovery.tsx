/**
 * Password recovery: `/forgot-password` asks Cognito to email a code (ForgotPassword), and
 * `/reset-password` takes the code and the new password (ConfirmForgotPassword). Neither page
 * tells whether an account exists: an unknown name gets the same "if an account exists" answer
 * and, later, the same "wrong code" as a real one (the web client also has
 * PreventUserExistenceErrors=ENABLED, so Cognito answers alike).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmForgotPassword.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Field, SubmitButton } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import { CaptchaField } from "../../pages/captcha-field.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { CognitoFailure } from "../cognito.ts";
import {
  cleanLogin,
  failureStatus,
  fieldLimits,
  fieldOf,
  invalidPasswordMessage,
  logFailure,
  newPasswordErrors,
  normalizeCode,
  type Errors,
  type PasswordPolicy,
} from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { destroyUserSessions } from "../../plugins/session-store.ts";
import { flash } from "../session-auth.ts";
import { CodeField, refusedCodes, UsernameFor, usernameFor } from "./confirm.tsx";
import { NewPasswordFields } from "./new-password.tsx";

function ForgotPasswordPage({
  ctx,
  username,
  captcha,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  username: string;
  /** The proof-of-work challenge (captcha.ts), or null when the check is off. */
  captcha: string | null;
  errors?: Errors;
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Forgot your password?"
      subtitle="Tell us your username or email address and we will email you a code to choose a new one."
      footer={
        <>
          Remembered it? <a href="/login">Sign in</a>
        </>
      }
      formError={formError}
      action="/forgot-password"
    >
      <Field
        name="username"
        label="Username or email"
        value={username}
        errors={errors}
        autocomplete="username"
        autofocus
        maxLength={fieldLimits.login}
      />
      <CaptchaField challenge={captcha} errors={errors} />
      <SubmitButton>Email me a code</SubmitButton>
    </AuthFormPage>
  );
}

function ResetPasswordPage({
  ctx,
  knownUsername,
  typedUsername,
  policy,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  knownUsername: string | null;
  typedUsername?: string;
  policy: PasswordPolicy;
  errors?: Errors;
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Choose a new password"
      subtitle="Enter the code we emailed you and your new password."
      footer={
        <>
          No code yet? <a href="/forgot-password">Ask for one</a>
        </>
      }
      formError={formError}
      action="/reset-password"
    >
      <UsernameFor
        knownUsername={knownUsername}
        typedUsername={typedUsername}
        errors={errors}
        otherHref="/reset-password?other=1"
        label="Username or email"
      />
      <CodeField errors={errors} />
      <NewPasswordFields policy={policy} errors={errors} />
      <SubmitButton>Change password</SubmitButton>
      <p class="text-center small text-body-secondary mt-3 mb-0">
        No email?{" "}
        <button type="submit" class="btn btn-link btn-sm p-0 align-baseline" formaction="/reset-password/resend">
          Send the code again
        </button>
      </p>
    </AuthFormPage>
  );
}

/** Failures of ForgotPassword that must read like a code was sent, so no account is revealed. */
const hiddenForgotFailures: ReadonlySet<MessageCode> = new Set<MessageCode>([
  "USER_NOT_FOUND",
  // No verified address to send to (when the client does not hide it).
  "INVALID_PARAMETER",
  "USER_DISABLED",
  // "User password cannot be reset in the current state" (still on a temporary password).
  "NOT_AUTHORIZED",
]);

/**
 * Asks Cognito to email a reset code; null when the code went out (or must look as if it did),
 * else the failure to show.
 */
async function sendResetCode(request: FastifyRequest, username: string): Promise<CognitoFailure | null> {
  try {
    await request.server.cognitoGateway.forgotPassword(username);
    return null;
  } catch (error) {
    if (!(error instanceof CognitoFailure)) throw error;
    logFailure(request, error, "sending a reset code");
    return hiddenForgotFailures.has(error.code) ? null : error;
  }
}

/**
 * Ends every session of the account a reset was for: whoever was signed in with the old
 * password is out. `login` is what the person typed: the username, or (in a pool where email
 * is an alias, which then has no email-shaped usernames) the verified email address.
 */
async function endSessionsOfLogin(app: FastifyInstance, login: string): Promise<void> {
  const db = app.database.db;
  const user =
    (await app.users.findByUsername(login)) ??
    (await db
      .selectFrom("users")
      .select("id")
      .where("email_key", "=", login.toLowerCase())
      .where("email_verified", "=", true)
      .executeTakeFirst());
  if (user) await destroyUserSessions(db, user.id);
}

/** The username a posted reset form is about, and how to answer with that form again. */
function resetPasswordForm(request: FastifyRequest, reply: FastifyReply) {
  const { username, typed, known } = usernameFor(request);
  const show = (status: number, errors: Errors, formError?: string): FastifyReply =>
    reply
      .code(status)
      .page(
        <ResetPasswordPage
          ctx={reply.viewContext()}
          knownUsername={known}
          typedUsername={typed}
          policy={request.server.passwordPolicy}
          errors={errors}
          formError={formError}
        />,
      );
  return { username, show };
}

export default async function recoveryRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;
  const codeSendLimit = app.accountLimiters.guard("codeSend");

  app.get("/forgot-password", async (request, reply) =>
    reply.page(
      <ForgotPasswordPage
        ctx={reply.viewContext()}
        username={cleanLogin(fieldOf(request.query, "username"))}
        captcha={await app.captcha.challenge()}
      />,
    ),
  );

  app.post(
    "/forgot-password",
    { preHandler: [app.csrfProtection, codeSendLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const username = cleanLogin(fieldOf(request.body, "username"));
      const show = async (status: number, errors: Errors, formError?: string) =>
        reply
          .code(status)
          .page(
            <ForgotPasswordPage
              ctx={reply.viewContext()}
              username={username}
              captcha={await app.captcha.challenge()}
              errors={errors}
              formError={formError}
            />,
          );
      const errors: Errors = {};
      if (username === "") errors.username = t("FIELD_REQUIRED");
      if (!(await app.captcha.solved(request))) errors.altcha = t("CAPTCHA_REQUIRED");
      if (Object.keys(errors).length > 0) return show(400, errors);
      // Longer than any username or address Cognito accepts: nothing to send, nothing to reveal.
      if ([...username].length <= fieldLimits.login) {
        const failure = await sendResetCode(request, username);
        if (failure) return show(failureStatus(failure), {}, t(failure.code));
      }
      request.session.set("pendingUsername", username);
      flash(request, "info", "RESET_CODE_SENT");
      return reply.redirect("/reset-password", 303);
    },
  );

  app.get("/reset-password", async (request, reply) => {
    const other = fieldOf(request.query, "other") !== "";
    const known = other ? null : (request.session.get("pendingUsername") ?? null);
    return reply.page(
      <ResetPasswordPage ctx={reply.viewContext()} knownUsername={known} policy={app.passwordPolicy} />,
    );
  });

  app.post(
    "/reset-password",
    { preHandler: [app.csrfProtection, app.accountLimiters.guard("codeCheck")] },
    async (request, reply): Promise<FastifyReply> => {
      const { username, show } = resetPasswordForm(request, reply);
      const password = fieldOf(request.body, "password");

      const errors: Errors = newPasswordErrors(password, fieldOf(request.body, "password2"), app.passwordPolicy);
      if (username === "") errors.username = t("FIELD_REQUIRED");
      else if ([...username].length > fieldLimits.login) errors.username = t("USERNAME_INVALID");
      const rawCode = fieldOf(request.body, "code");
      const code = normalizeCode(rawCode);
      if (rawCode.trim() === "") errors.code = t("FIELD_REQUIRED");
      else if (code === null) errors.code = t("CODE_INVALID");
      if (Object.keys(errors).length > 0 || code === null) return show(400, errors);

      try {
        await gateway.confirmForgotPassword(username, code, password);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        logFailure(request, error, "resetting a password");
        // Unknown and disabled users read as a wrong code, as Cognito answers when it hides them.
        if (refusedCodes.has(error.code) || error.code === "USER_DISABLED") {
          return show(400, { code: t("CODE_NOT_ACCEPTED") });
        }
        if (error.code === "INVALID_PASSWORD") return show(400, { password: invalidPasswordMessage(error.detail) });
        return show(failureStatus(error), {}, t(error.code));
      }
      await endSessionsOfLogin(request.server, username);
      request.session.set("pendingUsername", undefined);
      flash(request, "success", "PASSWORD_RESET");
      return reply.redirect(`/login?username=${encodeURIComponent(username)}`, 303);
    },
  );

  app.post(
    "/reset-password/resend",
    { preHandler: [app.csrfProtection, codeSendLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const { username, show } = resetPasswordForm(request, reply);
      if (username === "") return show(400, { username: t("FIELD_REQUIRED") });
      if ([...username].length <= fieldLimits.login) {
        const failure = await sendResetCode(request, username);
        if (failure) return show(failureStatus(failure), {}, t(failure.code));
      }
      request.session.set("pendingUsername", username);
      flash(request, "info", "RESET_CODE_SENT");
      return reply.redirect("/reset-password", 303);
    },
  );
}
