/**
 * The second step of a sign-in, and signing in with an emailed code instead of a password:
 * - `/login/code`: the code of a SOFTWARE_TOKEN_MFA, EMAIL_OTP or SMS_MFA challenge;
 * - `/login/choose`: SELECT_MFA_TYPE, when the account has several factors and prefers none;
 * - `/login/setup`: MFA_SETUP, when the pool requires MFA and the account has no factor yet:
 *   an authenticator app is set up (AssociateSoftwareToken and VerifySoftwareToken with the
 *   challenge's Session) before the dashboard;
 * - `/login/email-code`: USER_AUTH with EMAIL_OTP, where the pool allows it.
 * The challenge waits in the server-side session since the step before (sign-in.ts). Codes are
 * limited like passwords, per address and per account.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Field, SubmitButton } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import { AuthenticatorSetup, authenticatorQr } from "../../pages/authenticator-setup.tsx";
import type { ViewContext } from "../../pages/view.ts";
import type { MfaFactor, PendingChallenge } from "../../plugins/session-types.ts";
import { CognitoFailure, codeResponseKey } from "../cognito.ts";
import { cleanLogin, failureStatus, fieldLimits, fieldOf, logFailure, normalizeCode, type Errors } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash } from "../session-auth.ts";
import { continueSignIn } from "../sign-in.ts";
import { nextOf } from "./login.tsx";

type CodeChallenge = PendingChallenge & { readonly name: MfaFactor };

const factorLabels: Readonly<Record<MfaFactor, string>> = {
  SOFTWARE_TOKEN_MFA: "Authenticator app",
  EMAIL_OTP: "Code by email",
  SMS_MFA: "Code by text message",
};

/** Cognito's refusals of an answer that end the attempt: the person signs in again. */
const endsTheAttempt: ReadonlySet<MessageCode> = new Set<MessageCode>([
  "SESSION_EXPIRED",
  "NOT_AUTHORIZED",
  "CODE_EXPIRED",
  "TOO_MANY_ATTEMPTS",
  "USER_DISABLED",
]);

function CodePage({
  ctx,
  challenge,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  challenge: CodeChallenge;
  errors?: Errors;
  formError?: string;
}) {
  const where = challenge.destination ?? "your email address";
  const subtitle =
    challenge.name === "SOFTWARE_TOKEN_MFA"
      ? "Open your authenticator app and enter the 6-digit code it shows for this site."
      : challenge.passwordless
        ? `If an account can sign in with an emailed code, we have sent one to ${where}.`
        : `We have sent a 6-digit code to ${challenge.name === "SMS_MFA" ? (challenge.destination ?? "your phone") : where}.`;
  return (
    <AuthFormPage
      ctx={ctx}
      title={challenge.passwordless ? "Check your email" : "Two-step verification"}
      subtitle={subtitle}
      footer={<a href="/login">Back to sign in</a>}
      formError={formError}
      action="/login/code"
    >
      <Field
        name="code"
        label={challenge.name === "SOFTWARE_TOKEN_MFA" ? "Authenticator code" : "Code"}
        errors={errors}
        autocomplete="one-time-code"
        inputmode="numeric"
        autofocus
        maxLength={16}
      />
      <SubmitButton>{challenge.passwordless ? "Sign in" : "Verify"}</SubmitButton>
      {challenge.name !== "SOFTWARE_TOKEN_MFA" && (
        <p class="text-center small text-body-secondary mt-3 mb-0">
          No code?{" "}
          {challenge.passwordless ? (
            <button type="submit" class="btn btn-link btn-sm p-0 align-baseline" formaction="/login/code/resend">
              Send the code again
            </button>
          ) : (
            // Cognito sends an MFA code once per sign-in: a new one comes with a new sign-in.
            <a href="/login">Sign in again for a new code</a>
          )}
        </p>
      )}
    </AuthFormPage>
  );
}

function ChoosePage({
  ctx,
  factors,
  formError,
}: {
  ctx: ViewContext;
  factors: readonly MfaFactor[];
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Two-step verification"
      subtitle="How would you like to confirm it is you?"
      footer={<a href="/login">Back to sign in</a>}
      formError={formError}
      action="/login/choose"
    >
      <fieldset class="mb-4">
        <legend class="visually-hidden">Second step</legend>
        {factors.map((factor, index) => (
          <div class="form-check mb-2">
            <input
              class="form-check-input"
              type="radio"
              name="factor"
              value={factor}
              id={`factor-${factor}`}
              checked={index === 0}
            />
            <label class="form-check-label" for={`factor-${factor}`}>
              {factorLabels[factor]}
            </label>
          </div>
        ))}
      </fieldset>
      <SubmitButton>Continue</SubmitButton>
    </AuthFormPage>
  );
}

function SetupPage({
  ctx,
  issuer,
  account,
  secret,
  qrSvg,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  issuer: string;
  account: string;
  secret: string;
  qrSvg: string;
  errors?: Errors;
  formError?: string;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Set up two-step verification"
      subtitle="Add this site to an authenticator app; from now on you sign in with your password and a code from it."
      footer={<a href="/login">Back to sign in</a>}
      formError={formError}
      action="/login/setup"
    >
      <AuthenticatorSetup secret={secret} issuer={issuer} account={account} qrSvg={qrSvg} />
      <Field
        name="code"
        label="Code from the app"
        errors={errors}
        autocomplete="one-time-code"
        inputmode="numeric"
        maxLength={16}
      />
      <SubmitButton>Turn on and sign in</SubmitButton>
    </AuthFormPage>
  );
}

function EmailCodeStartPage({
  ctx,
  login,
  next,
  errors = {},
}: {
  ctx: ViewContext;
  login: string;
  next: string;
  errors?: Errors;
}) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Sign in with an emailed code"
      subtitle="No password needed: we email you a code that signs you in once."
      footer={<a href={`/login?next=${encodeURIComponent(next)}`}>Sign in with your password instead</a>}
      formError={undefined}
      action="/login/email-code"
    >
      <input type="hidden" name="next" value={next} />
      <Field
        name="username"
        label="Username or email"
        value={login}
        errors={errors}
        autocomplete="username"
        autofocus
        maxLength={fieldLimits.login}
      />
      <SubmitButton>Email me a code</SubmitButton>
    </AuthFormPage>
  );
}

const isCodeChallenge = (challenge: PendingChallenge | undefined): challenge is CodeChallenge =>
  challenge?.name === "SOFTWARE_TOKEN_MFA" || challenge?.name === "EMAIL_OTP" || challenge?.name === "SMS_MFA";

/**
 * The session of a code challenge that was only pretended: an emailed-code sign-in for a name
 * that cannot have one (unknown, unconfirmed, no verified email) looks like one that was sent,
 * and its code is refused like a wrong one, so the page tells nobody which accounts exist.
 */
const pretendedSession = "";

export default async function twoFactorRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;
  const loginLimit = app.accountLimiters.guard("login");
  const codeSendLimit = app.accountLimiters.guard("codeSend");

  /** Ends the attempt: back to the sign-in page with `code` said. */
  const startOver = (reply: FastifyReply, code: MessageCode): FastifyReply => {
    reply.request.session.set("challenge", undefined);
    flash(reply.request, code === "SESSION_EXPIRED" ? "warning" : "danger", code);
    return reply.redirect("/login", 303);
  };

  /** Where a failed answer leaves the person: the same page with `shown`, or signing in again. */
  const answerFailed = (
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    show: (status: number, errors: Errors, formError?: string) => FastifyReply,
  ): FastifyReply => {
    if (!(error instanceof CognitoFailure)) throw error;
    logFailure(request, error, "answering a sign-in challenge");
    if (error.code === "CODE_MISMATCH") return show(400, { code: t("MFA_CODE_WRONG") });
    if (endsTheAttempt.has(error.code))
      return startOver(reply, error.code === "CODE_EXPIRED" ? "SESSION_EXPIRED" : error.code);
    return show(failureStatus(error), {}, t(error.code));
  };

  app.get("/login/code", async (request, reply) => {
    const challenge = request.session.get("challenge");
    if (!isCodeChallenge(challenge)) return reply.redirect("/login", 303);
    return reply.page(<CodePage ctx={reply.viewContext()} challenge={challenge} />);
  });

  app.post(
    "/login/code",
    { preHandler: [app.csrfProtection, loginLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const challenge = request.session.get("challenge");
      if (!isCodeChallenge(challenge)) return startOver(reply, "SESSION_EXPIRED");
      const show = (status: number, errors: Errors, formError?: string) =>
        reply
          .code(status)
          .page(<CodePage ctx={reply.viewContext()} challenge={challenge} errors={errors} formError={formError} />);
      const typed = fieldOf(request.body, "code");
      const code = normalizeCode(typed);
      if (typed.trim() === "") return show(400, { code: t("FIELD_REQUIRED") });
      if (code === null) return show(400, { code: t("MFA_CODE_INVALID") });
      if (challenge.session === pretendedSession) return show(400, { code: t("MFA_CODE_WRONG") });

      let outcome;
      try {
        outcome = await gateway.respond(challenge.name, challenge.username, challenge.session, {
          [codeResponseKey[challenge.name]]: code,
        });
      } catch (error) {
        // Cognito answers an authenticator code of a time step already used with
        // ExpiredCodeException ("Your software token has already been used once.") and keeps the
        // challenge open: the person waits for the app's next code, as for a wrong one.
        if (
          challenge.name === "SOFTWARE_TOKEN_MFA" &&
          error instanceof CognitoFailure &&
          error.code === "CODE_EXPIRED"
        ) {
          logFailure(request, error, "answering a sign-in challenge");
          return show(400, { code: t("MFA_CODE_USED") });
        }
        return answerFailed(request, reply, error, show);
      }
      const step = await continueSignIn(request, outcome, challenge);
      if (step.kind === "refused") return startOver(reply, step.code);
      return reply.redirect(step.to, 303);
    },
  );

  app.post(
    "/login/code/resend",
    { preHandler: [app.csrfProtection, codeSendLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const challenge = request.session.get("challenge");
      if (!isCodeChallenge(challenge) || !challenge.passwordless) return startOver(reply, "SESSION_EXPIRED");
      await startEmailCodeSignIn(request, challenge.login, challenge.next);
      return reply.redirect("/login/code", 303);
    },
  );

  app.get("/login/choose", async (request, reply) => {
    const challenge = request.session.get("challenge");
    if (challenge?.name !== "SELECT_MFA_TYPE") return reply.redirect("/login", 303);
    return reply.page(<ChoosePage ctx={reply.viewContext()} factors={challenge.factors} />);
  });

  app.post("/login/choose", { preHandler: app.csrfProtection }, async (request, reply): Promise<FastifyReply> => {
    const challenge = request.session.get("challenge");
    if (challenge?.name !== "SELECT_MFA_TYPE") return startOver(reply, "SESSION_EXPIRED");
    const show = (status: number, _errors: Errors, formError?: string) =>
      reply
        .code(status)
        .page(<ChoosePage ctx={reply.viewContext()} factors={challenge.factors} formError={formError} />);
    const factor = challenge.factors.find((f) => f === fieldOf(request.body, "factor"));
    if (!factor) return show(400, {}, t("FORM_HAS_ERRORS"));
    let outcome;
    try {
      outcome = await gateway.respond("SELECT_MFA_TYPE", challenge.username, challenge.session, { ANSWER: factor });
    } catch (error) {
      return answerFailed(request, reply, error, show);
    }
    const step = await continueSignIn(request, outcome, challenge);
    if (step.kind === "refused") return startOver(reply, step.code);
    return reply.redirect(step.to, 303);
  });

  /** The setup challenge with its secret, asking Cognito for one the first time. */
  const setupChallenge = async (request: FastifyRequest): Promise<PendingChallenge & { totpSecret: string }> => {
    const challenge = request.session.get("challenge");
    if (challenge?.name !== "MFA_SETUP") throw new CognitoFailure("SESSION_EXPIRED", "NoChallenge", "", null);
    if (challenge.totpSecret) return { ...challenge, totpSecret: challenge.totpSecret };
    const { secret, session } = await gateway.associateSoftwareToken({ session: challenge.session });
    const withSecret = { ...challenge, session: session ?? challenge.session, totpSecret: secret };
    request.session.set("challenge", withSecret);
    return withSecret;
  };

  const showSetup = async (
    reply: FastifyReply,
    challenge: PendingChallenge & { totpSecret: string },
    status = 200,
    errors?: Errors,
  ): Promise<FastifyReply> => {
    const issuer = app.config.totpIssuer;
    const qrSvg = await authenticatorQr(challenge.totpSecret, issuer, challenge.username);
    return reply
      .code(status)
      .page(
        <SetupPage
          ctx={reply.viewContext()}
          issuer={issuer}
          account={challenge.username}
          secret={challenge.totpSecret}
          qrSvg={qrSvg}
          errors={errors}
        />,
      );
  };

  app.get("/login/setup", async (request, reply) => {
    if (request.session.get("challenge")?.name !== "MFA_SETUP") return reply.redirect("/login", 303);
    try {
      return await showSetup(reply, await setupChallenge(request));
    } catch (error) {
      if (!(error instanceof CognitoFailure)) throw error;
      logFailure(request, error, "setting up an authenticator at sign-in");
      return startOver(reply, endsTheAttempt.has(error.code) ? "SESSION_EXPIRED" : error.code);
    }
  });

  app.post(
    "/login/setup",
    { preHandler: [app.csrfProtection, loginLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const pending = request.session.get("challenge");
      if (pending?.name !== "MFA_SETUP" || !pending.totpSecret) return startOver(reply, "SESSION_EXPIRED");
      const challenge = { ...pending, totpSecret: pending.totpSecret };
      const code = normalizeCode(fieldOf(request.body, "code"));
      if (code === null) return showSetup(reply, challenge, 400, { code: t("MFA_CODE_INVALID") });
      let outcome;
      try {
        const verified = await gateway.verifySoftwareToken({ session: challenge.session }, code, "Authenticator app");
        outcome = await gateway.respond("MFA_SETUP", challenge.username, verified ?? challenge.session, {});
      } catch (error) {
        if (error instanceof CognitoFailure && error.code === "CODE_MISMATCH") {
          logFailure(request, error, "verifying an authenticator at sign-in");
          return showSetup(reply, challenge, 400, { code: t("MFA_CODE_WRONG") });
        }
        return answerFailed(request, reply, error, () => startOver(reply, "SESSION_EXPIRED"));
      }
      const step = await continueSignIn(request, outcome, challenge);
      if (step.kind === "refused") return startOver(reply, step.code);
      flash(request, "success", "TOTP_ENABLED");
      return reply.redirect(step.to, 303);
    },
  );

  /**
   * Starts (or starts again) a sign-in with an emailed code. Whatever Cognito says about the
   * name, the person lands on the code page with the same words; only a real code works there.
   */
  async function startEmailCodeSignIn(request: FastifyRequest, login: string, next: string): Promise<void> {
    try {
      const outcome = await gateway.startEmailCodeSignIn(login);
      const step = await continueSignIn(request, outcome, { login, next, passwordless: true });
      if (step.kind === "redirect") return;
    } catch (error) {
      if (!(error instanceof CognitoFailure)) throw error;
      logFailure(request, error, "starting a sign-in with an emailed code");
      if (error.code === "SERVICE_UNAVAILABLE" || error.code === "TOO_MANY_REQUESTS") throw error;
    }
    request.session.set("challenge", {
      name: "EMAIL_OTP",
      destination: null,
      username: login,
      session: pretendedSession,
      next,
      login,
      passwordless: true,
    });
  }

  app.get("/login/email-code", async (request, reply) => {
    const next = nextOf(request.query);
    if (request.user) return reply.redirect(next, 303);
    return reply.page(
      <EmailCodeStartPage
        ctx={reply.viewContext()}
        login={cleanLogin(fieldOf(request.query, "username"))}
        next={next}
      />,
    );
  });

  app.post(
    "/login/email-code",
    { preHandler: [app.csrfProtection, codeSendLimit] },
    async (request, reply): Promise<FastifyReply> => {
      const login = cleanLogin(fieldOf(request.body, "username"));
      const next = nextOf(request.body);
      if (login === "" || [...login].length > fieldLimits.login) {
        const error = login === "" ? t("FIELD_REQUIRED") : t("USERNAME_INVALID");
        return reply
          .code(400)
          .page(
            <EmailCodeStartPage ctx={reply.viewContext()} login={login} next={next} errors={{ username: error }} />,
          );
      }
      try {
        await startEmailCodeSignIn(request, login, next);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        return reply
          .code(failureStatus(error))
          .page(
            <EmailCodeStartPage
              ctx={reply.viewContext()}
              login={login}
              next={next}
              errors={{ username: t(error.code) }}
            />,
          );
      }
      return reply.redirect("/login/code", 303);
    },
  );
}
