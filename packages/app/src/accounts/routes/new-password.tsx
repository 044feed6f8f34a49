/**
 * `/new-password`: the NEW_PASSWORD_REQUIRED challenge of a person an administrator created with
 * a temporary password. The challenge's Session (valid a few minutes) waits in the server-side
 * session since `/login`; answering it signs the person in like a password would.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { Field, SubmitButton, type FieldErrors } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { CognitoFailure } from "../cognito.ts";
import {
  failureStatus,
  fieldLimits,
  fieldOf,
  invalidPasswordMessage,
  logFailure,
  newPasswordErrors,
  passwordHint,
  type Errors,
  type PasswordPolicy,
} from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash } from "../session-auth.ts";
import { continueSignIn } from "../sign-in.ts";

/** "New password" and "New password again", with the pool's policy as the hint. */
export function NewPasswordFields({
  policy,
  errors,
  label = "New password",
}: {
  policy: PasswordPolicy;
  errors: FieldErrors;
  label?: string;
}) {
  return (
    <>
      <Field
        name="password"
        label={label}
        type="password"
        errors={errors}
        autocomplete="new-password"
        help={passwordHint(policy)}
        maxLength={fieldLimits.password}
      />
      <Field
        name="password2"
        label={`${label} again`}
        type="password"
        errors={errors}
        autocomplete="new-password"
        maxLength={fieldLimits.password}
      />
    </>
  );
}

function NewPasswordPage({
  ctx,
  username,
  policy,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  username: string;
  policy: PasswordPolicy;
  errors?: Errors;
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Choose a new password"
      subtitle={`You are signing in as ${username}. Your temporary password has done its job.`}
      footer={<a href="/login">Back to sign in</a>}
      formError={formError}
      action="/new-password"
    >
      {/* Lets the browser's password manager save the new password under the right name. */}
      <input type="hidden" name="username" value={username} autocomplete="username" />
      <NewPasswordFields policy={policy} errors={errors} />
      <SubmitButton>Set password and sign in</SubmitButton>
    </AuthFormPage>
  );
}

export default async function newPasswordRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;

  const startOver = (reply: FastifyReply, code: MessageCode): FastifyReply => {
    reply.request.session.set("challenge", undefined);
    flash(reply.request, code === "SESSION_EXPIRED" ? "warning" : "danger", code);
    return reply.redirect("/login", 303);
  };

  app.get("/new-password", async (request, reply) => {
    const challenge = request.session.get("challenge");
    if (challenge?.name !== "NEW_PASSWORD_REQUIRED") return reply.redirect("/login", 303);
    return reply.page(
      <NewPasswordPage ctx={reply.viewContext()} username={challenge.username} policy={app.passwordPolicy} />,
    );
  });

  app.post("/new-password", { preHandler: app.csrfProtection }, async (request, reply): Promise<FastifyReply> => {
    const challenge = request.session.get("challenge");
    if (challenge?.name !== "NEW_PASSWORD_REQUIRED") return startOver(reply, "SESSION_EXPIRED");
    const password = fieldOf(request.body, "password");
    const show = (status: number, errors: Errors, formError?: string) =>
      reply
        .code(status)
        .page(
          <NewPasswordPage
            ctx={reply.viewContext()}
            username={challenge.username}
            policy={app.passwordPolicy}
            errors={errors}
            formError={formError}
          />,
        );

    const errors = newPasswordErrors(password, fieldOf(request.body, "password2"), app.passwordPolicy);
    if (Object.keys(errors).length > 0) return show(400, errors);

    let outcome;
    try {
      outcome = await gateway.respond("NEW_PASSWORD_REQUIRED", challenge.username, challenge.session, {
        NEW_PASSWORD: password,
      });
    } catch (error) {
      if (!(error instanceof CognitoFailure)) throw error;
      logFailure(request, error, "new password");
      if (error.code === "INVALID_PASSWORD") return show(400, { password: invalidPasswordMessage(error.detail) });
      // The challenge's Session lasts minutes and is single-use: past that, sign in again.
      if (error.code === "SESSION_EXPIRED" || error.code === "NOT_AUTHORIZED")
        return startOver(reply, "SESSION_EXPIRED");
      if (error.code === "USER_DISABLED") return startOver(reply, "USER_DISABLED");
      return show(failureStatus(error), {}, t(error.code));
    }
    // A new password may lead on to a second step (Cognito asks for MFA after it).
    const step = await continueSignIn(request, outcome, challenge);
    if (step.kind === "refused") return startOver(reply, step.code);
    return reply.redirect(step.to, 303);
  });
}
