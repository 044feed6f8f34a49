/**
 * `/register`: self-service sign-up (Cognito SignUp with the web client's SECRET_HASH), then
 * `/confirm` for the emailed code — or, with AUTO_CONFIRM_SIGNUPS, AdminConfirmSignUp at once
 * and `/login` (the seeds' optional `admin_confirm_sign_up`). With ALLOW_SIGNUP=false the page
 * does not exist (404), for invite-only products. The pool's PreSignUp trigger may refuse the
 * sign-up (UserLambdaValidationException, mapped in cognito.ts): an email address that another
 * account has is an error on that field.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { HttpError } from "../../http-error.ts";
import { Field, SubmitButton } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import { CaptchaField } from "../../pages/captcha-field.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { CognitoFailure } from "../cognito.ts";
import {
  emailProblem,
  failureStatus,
  fieldLimits,
  fieldOf,
  invalidPasswordMessage,
  logFailure,
  newPasswordErrors,
  usernameProblem,
  type Errors,
  type PasswordPolicy,
} from "../forms.ts";
import { t } from "../messages.ts";
import { flash } from "../session-auth.ts";
import { NewPasswordFields } from "./new-password.tsx";

interface RegisterForm {
  readonly username: string;
  readonly email: string;
}

function RegisterPage({
  ctx,
  form,
  policy,
  captcha,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  form: RegisterForm;
  policy: PasswordPolicy;
  /** The proof-of-work challenge (captcha.ts), or null when the check is off. */
  captcha: string | null;
  errors?: Errors;
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Create an account"
      subtitle="It takes a minute. We will email you a code to confirm your address."
      footer={
        <>
          Already have an account? <a href="/login">Sign in</a>
        </>
      }
      formError={formError}
      action="/register"
    >
      <Field
        name="username"
        label="Username"
        value={form.username}
        errors={errors}
        autocomplete="username"
        autofocus
        help="Letters, digits and symbols, no spaces. You can also sign in with your email address."
        maxLength={fieldLimits.username}
      />
      <Field
        name="email"
        label="Email address"
        type="email"
        value={form.email}
        errors={errors}
        autocomplete="email"
        inputmode="email"
        maxLength={fieldLimits.email}
      />
      <NewPasswordFields policy={policy} errors={errors} label="Password" />
      <CaptchaField challenge={captcha} errors={errors} />
      <SubmitButton>Create account</SubmitButton>
    </AuthFormPage>
  );
}

export default async function registerRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;
  const { allowSignup, autoConfirmSignups } = app.config;

  // Closed sign-up: the address answers like one that never existed.
  const signupOpen = async (): Promise<void> => {
    if (!allowSignup) throw new HttpError(404, "Sign-up is closed");
  };

  app.get("/register", { onRequest: signupOpen }, async (request, reply) => {
    if (request.user) return reply.redirect("/dashboard", 303);
    return reply.page(
      <RegisterPage
        ctx={reply.viewContext()}
        form={{ username: "", email: "" }}
        policy={app.passwordPolicy}
        captcha={await app.captcha.challenge()}
      />,
    );
  });

  app.post(
    "/register",
    { onRequest: signupOpen, preHandler: [app.csrfProtection, app.accountLimiters.guard("register")] },
    async (request, reply): Promise<FastifyReply> => {
      const form: RegisterForm = {
        username: fieldOf(request.body, "username").trim(),
        email: fieldOf(request.body, "email").trim(),
      };
      const password = fieldOf(request.body, "password");
      const show = async (status: number, errors: Errors, formError?: string) =>
        reply
          .code(status)
          .page(
            <RegisterPage
              ctx={reply.viewContext()}
              form={form}
              policy={app.passwordPolicy}
              captcha={await app.captcha.challenge()}
              errors={errors}
              formError={formError}
            />,
          );

      const errors: Errors = {
        ...newPasswordErrors(password, fieldOf(request.body, "password2"), app.passwordPolicy),
      };
      const usernameCode = usernameProblem(form.username);
      if (usernameCode) errors.username = t(usernameCode);
      const emailCode = emailProblem(form.email);
      if (emailCode) errors.email = t(emailCode);
      // Checked with the fields, so the person sees everything at once; Cognito is not asked.
      if (!(await app.captcha.solved(request))) errors.altcha = t("CAPTCHA_REQUIRED");
      if (Object.keys(errors).length > 0) return show(400, errors);

      let result;
      try {
        result = await gateway.signUp({ username: form.username, email: form.email, password });
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        logFailure(request, error, "sign-up");
        switch (error.code) {
          case "USERNAME_EXISTS":
            return show(400, { username: t("USERNAME_EXISTS") });
          case "EMAIL_EXISTS":
            // The pool's PreSignUp trigger (triggers/pre-signup.ts) refuses an address another
            // account has, in any letter case. Said like a taken username (PreventUserExistenceErrors
            // does not cover SignUp), naming no account, and as bounded: the captcha and the
            // per-address limit come first.
            return show(400, { email: t("EMAIL_EXISTS") });
          case "INVALID_PASSWORD":
            return show(400, { password: invalidPasswordMessage(error.detail) });
          default:
            return show(failureStatus(error), {}, t(error.code));
        }
      }

      if (result.confirmed) {
        flash(request, "success", "SIGNED_UP_CONFIRMED");
        return reply.redirect("/login", 303);
      }
      if (autoConfirmSignups) {
        try {
          await gateway.adminConfirmSignUp(form.username);
          flash(request, "success", "SIGNED_UP_CONFIRMED");
          return reply.redirect("/login", 303);
        } catch (error) {
          if (!(error instanceof CognitoFailure)) throw error;
          // Without IAM credentials for AdminConfirmSignUp the emailed code still works.
          logFailure(request, error, "auto-confirming a sign-up");
        }
      }
      request.session.set("pendingUsername", form.username);
      flash(request, "success", "SIGNED_UP", { destination: result.delivery?.destination ?? form.email });
      return reply.redirect("/confirm", 303);
    },
  );
}
