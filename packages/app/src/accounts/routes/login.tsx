/**
 * `/login`: sign-in by username or email address (Cognito's email alias) and password, with the
 * web client's USER_PASSWORD_AUTH flow. Every Cognito answer leads somewhere useful: wrong
 * credentials and unknown users read the same (no user enumeration), an unconfirmed account goes
 * to `/confirm` with a fresh code, a required reset to `/reset-password`, an account an
 * administrator created to `/new-password`.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Field, SubmitButton } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { CognitoFailure } from "../cognito.ts";
import { cleanLogin, failureStatus, fieldLimits, fieldOf, logFailure, type Errors } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash, safeNext } from "../session-auth.ts";
import { continueSignIn } from "../sign-in.ts";

interface LoginProps {
  readonly ctx: ViewContext;
  readonly username: string;
  readonly next: string;
  /** Offer "Email me a sign-in code" (the pool allows EMAIL_OTP as a first factor). */
  readonly emailCodeSignIn: boolean;
  /** Offer "Continue with the hosted sign-in" (HOSTED_UI). */
  readonly hostedSignIn: boolean;
  readonly errors?: Errors;
  readonly formError?: string;
}

function LoginPage({ ctx, username, next, emailCodeSignIn, hostedSignIn, errors = {}, formError }: LoginProps) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Sign in"
      subtitle="Welcome back. Use your username or your email address."
      footer={
        ctx.allowSignup ? (
          <>
            New here? <a href="/register">Create an account</a>
          </>
        ) : undefined
      }
      formError={formError}
      action="/login"
    >
      <input type="hidden" name="next" value={next} />
      <Field
        name="username"
        label="Username or email"
        value={username}
        errors={errors}
        autocomplete="username"
        autofocus={username === ""}
        maxLength={fieldLimits.login}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        errors={errors}
        autocomplete="current-password"
        autofocus={username !== ""}
        maxLength={fieldLimits.password}
      />
      <div class="d-flex justify-content-between flex-wrap gap-2 mb-4 small">
        <a href="/forgot-password">Forgot your password?</a>
        <a href="/confirm">Enter a confirmation code</a>
      </div>
      <SubmitButton>Sign in</SubmitButton>
      {hostedSignIn && (
        <div class="d-grid mt-3">
          <a class="btn btn-outline-secondary" href={`/auth/hosted?next=${encodeURIComponent(next)}`}>
            Continue with the hosted sign-in
          </a>
        </div>
      )}
      {emailCodeSignIn && (
        <p class="text-center small mt-3 mb-0">
          <a href={`/login/email-code?next=${encodeURIComponent(next)}`}>Email me a sign-in code instead</a>
        </p>
      )}
    </AuthFormPage>
  );
}

/** What the login page shows for a Cognito failure that keeps the person on it. */
const loginFailures: Partial<Record<MessageCode, { status: number; code: MessageCode }>> = {
  // An unknown user (when the client does not hide it), a name Cognito's pattern refuses, or
  // any other refusal read the same as a wrong password, so nobody learns who has an account.
  INCORRECT_CREDENTIALS: { status: 400, code: "INCORRECT_CREDENTIALS" },
  USER_NOT_FOUND: { status: 400, code: "INCORRECT_CREDENTIALS" },
  INVALID_PARAMETER: { status: 400, code: "INCORRECT_CREDENTIALS" },
  NOT_AUTHORIZED: { status: 400, code: "INCORRECT_CREDENTIALS" },
  USER_DISABLED: { status: 403, code: "USER_DISABLED" },
  TOO_MANY_ATTEMPTS: { status: 429, code: "TOO_MANY_ATTEMPTS" },
  TOO_MANY_REQUESTS: { status: 429, code: "TOO_MANY_REQUESTS" },
};

/** The query's or form's `next`, kept to paths of this site. */
export const nextOf = (source: unknown): string => safeNext(fieldOf(source, "next"));

export default async function loginRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;

  app.get("/login", async (request, reply) => {
    const next = nextOf(request.query);
    if (request.user) return reply.redirect(next, 303);
    return reply.page(
      <LoginPage
        ctx={reply.viewContext()}
        username={cleanLogin(fieldOf(request.query, "username"))}
        next={next}
        emailCodeSignIn={(await app.poolSignInOptions()).emailCodeSignIn}
        hostedSignIn={app.config.hostedUi}
      />,
    );
  });

  app.post(
    "/login",
    { preHandler: [app.csrfProtection, app.accountLimiters.guard("login")] },
    async (request, reply): Promise<FastifyReply> => {
      const username = cleanLogin(fieldOf(request.body, "username"));
      const password = fieldOf(request.body, "password");
      const next = nextOf(request.body);
      const { emailCodeSignIn } = await app.poolSignInOptions();
      const show = (status: number, errors: Errors, formError?: MessageCode) =>
        reply
          .code(status)
          .page(
            <LoginPage
              ctx={reply.viewContext()}
              username={username}
              next={next}
              emailCodeSignIn={emailCodeSignIn}
              hostedSignIn={app.config.hostedUi}
              errors={errors}
              formError={formError && t(formError)}
            />,
          );

      const errors: Errors = {};
      if (username === "") errors.username = t("FIELD_REQUIRED");
      if (password === "") errors.password = t("FIELD_REQUIRED");
      if (Object.keys(errors).length > 0) return show(400, errors);
      // Longer than any username, address or password Cognito accepts: it cannot be right.
      if ([...username].length > fieldLimits.login || [...password].length > fieldLimits.password) {
        return show(400, {}, "INCORRECT_CREDENTIALS");
      }

      let outcome;
      try {
        outcome = await gateway.signIn(username, password);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        logFailure(request, error, "sign-in");
        if (error.code === "USER_NOT_CONFIRMED") {
          // Cognito says so only after a right password, so this tells nobody anything new.
          const sent = await sendCode(request, () => gateway.resendConfirmationCode(username));
          request.session.set("pendingUsername", username);
          flash(request, "info", sent ? "USER_NOT_CONFIRMED" : "USER_NOT_CONFIRMED_CODE_PENDING");
          return reply.redirect("/confirm", 303);
        }
        if (error.code === "PASSWORD_RESET_REQUIRED") {
          const sent = await sendCode(request, () => gateway.forgotPassword(username));
          request.session.set("pendingUsername", username);
          flash(request, "warning", sent ? "PASSWORD_RESET_REQUIRED" : "PASSWORD_RESET_REQUIRED_CODE_PENDING");
          return reply.redirect("/reset-password", 303);
        }
        const shown = loginFailures[error.code];
        if (shown) return show(shown.status, {}, shown.code);
        return show(failureStatus(error), {}, error.code);
      }

      const step = await continueSignIn(request, outcome, { login: username, next });
      if (step.kind === "refused") return show(step.status, {}, step.code);
      return reply.redirect(step.to, 303);
    },
  );
}

/**
 * Sends a code on the side of another action (the sign-in of an unconfirmed or reset account),
 * within the person's code-sending budget. Returns whether a code went out; a failure to send
 * is logged, and the person can still ask again on the next page.
 */
async function sendCode(request: FastifyRequest, send: () => Promise<unknown>): Promise<boolean> {
  if (!(await request.server.accountLimiters.allowCodeSend(request))) return false;
  try {
    await send();
    return true;
  } catch (error) {
    if (!(error instanceof CognitoFailure)) throw error;
    logFailure(request, error, "sending a code");
    return false;
  }
}
