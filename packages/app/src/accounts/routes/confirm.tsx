/**
 * `/confirm`: the code Cognito emailed at sign-up (ConfirmSignUp), and "send the code again"
 * (ResendConfirmationCode, `POST /confirm/resend`). The username comes from the session when
 * this browser signed up or tried to sign in; otherwise the person types it.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmSignUp.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResendConfirmationCode.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Field, SubmitButton } from "../../pages/components.tsx";
import { AuthFormPage } from "../../pages/auth-form-page.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { CognitoFailure } from "../cognito.ts";
import { failureStatus, fieldLimits, fieldOf, logFailure, normalizeCode, type Errors } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash } from "../session-auth.ts";

export interface CodeFormProps {
  readonly ctx: ViewContext;
  /** The username the session remembers; null shows a field for it. */
  readonly knownUsername: string | null;
  /** What the person typed in the username field. */
  readonly typedUsername?: string;
  readonly errors?: Errors;
  readonly formError?: string;
}

/** The one-time code field, shaped for phones and password managers' one-time-code filling. */
export function CodeField({ errors }: { errors: Errors }) {
  return (
    <Field
      name="code"
      label="Confirmation code"
      errors={errors}
      autocomplete="one-time-code"
      inputmode="numeric"
      maxLength={16}
      help="The 6-digit code in the email we sent you."
    />
  );
}

/**
 * Who the code is for: the remembered username with a way to pick another, or a username field
 * (also when the remembered name is being changed, so nothing is decided behind the person).
 */
export function UsernameFor({
  knownUsername,
  typedUsername = "",
  errors = {},
  otherHref,
  label = "Username",
}: {
  knownUsername: string | null;
  typedUsername?: string;
  errors?: Errors;
  otherHref: string;
  label?: string;
}) {
  if (knownUsername !== null) {
    return (
      <p class="mb-3">
        For <strong data-testid="pending-username">{knownUsername}</strong>{" "}
        <a class="small ms-1" href={otherHref}>
          Not you?
        </a>
      </p>
    );
  }
  return (
    <Field
      name="username"
      label={label}
      value={typedUsername}
      errors={errors}
      autocomplete="username"
      maxLength={fieldLimits.login}
    />
  );
}

function ConfirmPage({ ctx, knownUsername, typedUsername, errors = {}, formError }: CodeFormProps) {
  return (
    <AuthFormPage
      ctx={ctx}
      title="Confirm your email address"
      subtitle="Enter the code we emailed you to finish creating your account."
      footer={
        <>
          Already confirmed? <a href="/login">Sign in</a>
        </>
      }
      formError={formError}
      action="/confirm"
    >
      <UsernameFor
        knownUsername={knownUsername}
        typedUsername={typedUsername}
        errors={errors}
        otherHref="/confirm?other=1"
      />
      <CodeField errors={errors} />
      <SubmitButton>Confirm</SubmitButton>
      <p class="text-center small text-body-secondary mt-3 mb-0">
        No email? {/* Same form, other action: the username (typed or remembered) goes along. */}
        <button type="submit" class="btn btn-link btn-sm p-0 align-baseline" formaction="/confirm/resend">
          Send the code again
        </button>
      </p>
    </AuthFormPage>
  );
}

/** The username typed in the form, else the one the session remembers, else "". */
export function usernameFor(request: FastifyRequest): { username: string; typed: string; known: string | null } {
  const typed = fieldOf(request.body, "username").trim();
  const known = request.session.get("pendingUsername") ?? null;
  return { username: typed !== "" ? typed : (known ?? ""), typed, known: typed !== "" ? null : known };
}

/** The username a posted confirm form is about, and how to answer with that form again. */
function confirmForm(request: FastifyRequest, reply: FastifyReply) {
  const { username, typed, known } = usernameFor(request);
  const show = (status: number, errors: Errors, formError?: string): FastifyReply =>
    reply
      .code(status)
      .page(
        <ConfirmPage
          ctx={reply.viewContext()}
          knownUsername={known}
          typedUsername={typed}
          errors={errors}
          formError={formError}
        />,
      );
  return { username, show };
}

/**
 * Cognito's answers to a code that read alike here: which one came says whether the account
 * exists (and is confirmed), which Cognito hides too when the client prevents existence errors.
 */
export const refusedCodes: ReadonlySet<MessageCode> = new Set<MessageCode>([
  "CODE_MISMATCH",
  "CODE_EXPIRED",
  // The code is void after too many wrong tries: only an existing account gets this.
  "TOO_MANY_ATTEMPTS",
  "USER_NOT_FOUND",
  "ALREADY_CONFIRMED",
]);

/** ResendConfirmationCode failures that must read like a code was sent. */
const hiddenResendFailures: ReadonlySet<MessageCode> = new Set<MessageCode>([
  "USER_NOT_FOUND",
  "ALREADY_CONFIRMED",
  // No verified address to send to.
  "INVALID_PARAMETER",
]);

export default async function confirmRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;

  app.get("/confirm", async (request, reply) => {
    const other = fieldOf(request.query, "other") !== "";
    const known = other ? null : (request.session.get("pendingUsername") ?? null);
    return reply.page(<ConfirmPage ctx={reply.viewContext()} knownUsername={known} />);
  });

  app.post(
    "/confirm",
    { preHandler: [app.csrfProtection, app.accountLimiters.guard("codeCheck")] },
    async (request, reply): Promise<FastifyReply> => {
      const { username, show } = confirmForm(request, reply);

      const errors: Errors = {};
      if (username === "") errors.username = t("FIELD_REQUIRED");
      else if ([...username].length > fieldLimits.login) errors.username = t("USERNAME_INVALID");
      const code = normalizeCode(fieldOf(request.body, "code"));
      if (fieldOf(request.body, "code").trim() === "") errors.code = t("FIELD_REQUIRED");
      else if (code === null) errors.code = t("CODE_INVALID");
      if (Object.keys(errors).length > 0 || code === null) return show(400, errors);

      try {
        await gateway.confirmSignUp(username, code);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        logFailure(request, error, "confirming a sign-up");
        if (refusedCodes.has(error.code)) return show(400, { code: t("CODE_NOT_ACCEPTED") });
        return show(failureStatus(error), {}, t(error.code));
      }
      request.session.set("pendingUsername", undefined);
      flash(request, "success", "CONFIRMED");
      return reply.redirect(`/login?username=${encodeURIComponent(username)}`, 303);
    },
  );

  app.post(
    "/confirm/resend",
    { preHandler: [app.csrfProtection, app.accountLimiters.guard("codeSend")] },
    async (request, reply): Promise<FastifyReply> => {
      const { username, show } = confirmForm(request, reply);
      if (username === "") return show(400, { username: t("FIELD_REQUIRED") });
      if ([...username].length > fieldLimits.login) return show(400, { username: t("USERNAME_INVALID") });

      try {
        await gateway.resendConfirmationCode(username);
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        logFailure(request, error, "re-sending a sign-up code");
        // Whether the name exists, or is confirmed already, is not ours to tell.
        if (!hiddenResendFailures.has(error.code)) return show(failureStatus(error), {}, t(error.code));
      }
      request.session.set("pendingUsername", username);
      flash(request, "success", "CONFIRM_CODE_SENT");
      return reply.redirect("/confirm", 303);
    },
  );
}
