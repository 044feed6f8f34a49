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
import type { CognitoTokens } from "../../plugins/session-types.ts";
import { CognitoFailure, profileFromIdToken } from "../cognito.ts";
import { cleanLogin, failureStatus, fieldLimits, fieldOf, isEmailFormat, logFailure, type Errors } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash, safeNext, startSession } from "../session-auth.ts";
import { AccountConflictError, type CognitoProfile } from "../users.ts";

interface LoginProps {
  readonly ctx: ViewContext;
  readonly username: string;
  readonly next: string;
  readonly errors?: Errors;
  readonly formError?: string;
}

function LoginPage({ ctx, username, next, errors = {}, formError }: LoginProps) {
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

/**
 * Whether Cognito reached the account named by a login typed as an email address through a
 * username that is that address, rather than through the account's verified email (the alias).
 * AWS refuses such usernames in pools with the email alias, the pool this app documents; a pool
 * without it accepts them and resolves the typed address as a username, so that anyone could
 * register another person's address as a username and be reached by it (issue 14). The app
 * never trusts that resolution.
 */
const reachedByUsername = (login: string, username: string): boolean =>
  isEmailFormat(login) && username.toLowerCase() === login.toLowerCase();

/** Whether an email-shaped `login` reached `profile` only through its verified email. */
const reachedByVerifiedEmail = (login: string, profile: CognitoProfile): boolean =>
  !isEmailFormat(login) ||
  (!reachedByUsername(login, profile.username) &&
    profile.emailVerified &&
    profile.email.toLowerCase() === login.toLowerCase());

/** Revokes tokens we will not use; a failure is logged, the refusal stands either way. */
async function revokeTokens(request: FastifyRequest, tokens: CognitoTokens, why: string): Promise<void> {
  try {
    await request.server.cognitoGateway.revokeRefreshToken(tokens.refreshToken);
  } catch (error) {
    request.log.warn({ err: error }, `could not revoke the tokens of ${why}`);
  }
}

export type SignInResult = "signed-in" | "inactive" | "conflict";

/**
 * The end of every successful sign-in (password, or a new password after a challenge): the
 * local user is created or refreshed from the ID token, an inactive one is refused (Django's
 * backend rejects `is_active=False`; the tokens just issued are revoked), and the session gets a
 * new id holding the tokens.
 */
export async function completeSignIn(request: FastifyRequest, tokens: CognitoTokens): Promise<SignInResult> {
  const { users } = request.server;
  const revoke = (why: string) => revokeTokens(request, tokens, why);
  let user;
  try {
    user = await users.syncFromCognito(profileFromIdToken(tokens.idToken), { login: true });
  } catch (error) {
    if (!(error instanceof AccountConflictError)) throw error;
    await revoke("a conflicting account");
    request.log.warn({ username: error.username }, "sign-in refused: the username belongs to another local account");
    return "conflict";
  }
  if (!user.isActive) {
    await revoke("an inactive user");
    request.log.info({ userId: user.id }, "sign-in refused: the local user is inactive");
    return "inactive";
  }
  await startSession(request, user, tokens);
  flash(request, "success", "SIGNED_IN", { username: user.username });
  return "signed-in";
}

/** The query's or form's `next`, kept to paths of this site. */
const nextOf = (source: unknown): string => safeNext(fieldOf(source, "next"));

export default async function loginRoutes(app: FastifyInstance): Promise<void> {
  const gateway = app.cognitoGateway;

  app.get("/login", async (request, reply) => {
    const next = nextOf(request.query);
    if (request.user) return reply.redirect(next, 303);
    return reply.page(
      <LoginPage ctx={reply.viewContext()} username={cleanLogin(fieldOf(request.query, "username"))} next={next} />,
    );
  });

  app.post(
    "/login",
    { preHandler: [app.csrfProtection, app.accountLimiters.guard("login")] },
    async (request, reply): Promise<FastifyReply> => {
      const username = cleanLogin(fieldOf(request.body, "username"));
      const password = fieldOf(request.body, "password");
      const next = nextOf(request.body);
      const show = (status: number, errors: Errors, formError?: MessageCode) =>
        reply
          .code(status)
          .page(
            <LoginPage
              ctx={reply.viewContext()}
              username={username}
              next={next}
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

      if (outcome.kind === "new-password-required") {
        if (reachedByUsername(username, outcome.username)) {
          request.log.warn("sign-in refused: an email address reached an account by its username, not its email");
          return show(400, {}, "INCORRECT_CREDENTIALS");
        }
        request.session.set("challenge", {
          name: "NEW_PASSWORD_REQUIRED",
          username: outcome.username,
          session: outcome.session,
          next,
        });
        flash(request, "info", "NEW_PASSWORD_NEEDED");
        return reply.redirect("/new-password", 303);
      }
      if (!reachedByVerifiedEmail(username, profileFromIdToken(outcome.tokens.idToken))) {
        await revokeTokens(request, outcome.tokens, "an account reached by a look-alike username");
        request.log.warn("sign-in refused: an email address reached an account other than by its verified email");
        return show(400, {}, "INCORRECT_CREDENTIALS");
      }
      const result = await completeSignIn(request, outcome.tokens);
      if (result === "inactive") return show(403, {}, "USER_DISABLED");
      if (result === "conflict") return show(409, {}, "ACCOUNT_CONFLICT");
      return reply.redirect(next, 303);
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
