/**
 * `/admin/login` and `/admin/logout`: staff sign in with their local password (Django's
 * `AdminAuthenticationForm`). A person may try only when the name is not locked; a right
 * password for an active staff user with a usable password starts a new session (new id, so a
 * fixed pre-login id is worthless) and goes on to a same-site `next` — or, when they have an
 * authenticator on or BACKOFFICE_REQUIRE_MFA is set, to the second step first
 * (routes/login-mfa.tsx, backoffice/sign-in.ts). Wrong passwords count towards the lockout;
 * unknown names spend the same time as known ones.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fieldLimits } from "../../accounts/forms.ts";
import { safeNext } from "../../accounts/session-auth.ts";
import { formatDateTime } from "../../pages/display.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { backofficeUserOf, isBackofficeUser, notify } from "../access.ts";
import { Input, PostForm } from "../components.tsx";
import { fieldOf } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { loginLockout } from "../lockout.ts";
import { say } from "../messages.ts";
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "../passwords.ts";
import { awaitSecondStep, completeLogin, secondStepFor } from "../sign-in.ts";

interface LoginPageProps {
  readonly ctx: ViewContext;
  readonly username: string;
  readonly next: string;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
  readonly notice?: string;
}

function LoginPage({ ctx, username, next, errors = {}, formError, notice }: LoginPageProps) {
  return (
    <BackofficeLayout title="Sign in" ctx={ctx} staff={null}>
      <div class="bo-card bo-login shadow-sm">
        <div class="bo-card-head">
          <h1 class="h6 mb-0 fw-semibold">
            <span class="bo-mark" aria-hidden="true">
              ◆
            </span>{" "}
            Back-office sign-in
          </h1>
        </div>
        <div class="bo-card-body">
          {notice && (
            <div class="alert alert-warning py-2 bo-message" role="alert">
              {notice}
            </div>
          )}
          {formError && (
            <div class="alert alert-danger py-2 bo-message" role="alert" data-testid="form-error">
              {formError}
            </div>
          )}
          <PostForm action="/admin/login" csrfToken={ctx.csrfToken}>
            <input type="hidden" name="next" value={next} />
            <div class="mb-3">
              <label class="form-label fw-semibold" for="id_username">
                Username
              </label>
              <Input
                name="username"
                value={username}
                error={errors.username}
                autocomplete="username"
                autofocus={username === ""}
                maxLength={fieldLimits.login}
              />
              {errors.username && <div class="invalid-feedback">{errors.username}</div>}
            </div>
            <div class="mb-3">
              <label class="form-label fw-semibold" for="id_password">
                Password
              </label>
              <Input
                name="password"
                type="password"
                error={errors.password}
                autocomplete="current-password"
                autofocus={username !== ""}
              />
              {errors.password && <div class="invalid-feedback">{errors.password}</div>}
            </div>
            <button type="submit" class="btn btn-primary w-100">
              Sign in
            </button>
          </PostForm>
          <p class="small text-body-secondary mt-3 mb-0">
            For staff with a back-office password. Customers sign in on the <a href="/login">main site</a>.
          </p>
        </div>
      </div>
    </BackofficeLayout>
  );
}

const nextOf = (source: unknown): string => safeNext(fieldOf(source, "next"), "/admin/");

/** Per client address: a person retrying is far below this, a guessing script is not. */
export const loginRateLimit = { max: 30, timeWindow: 60_000 };

export default async function backofficeLoginRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const lockout = loginLockout(db);
  // Made now, so that not even the first attempt for an unknown name answers faster.
  void verifyAgainstNothing("");

  /** Why someone signed in on the site is asked to sign in here. */
  const notAuthorizedNotice = (request: FastifyRequest): string | undefined => {
    const user = request.user;
    if (!user || backofficeUserOf(request)) return undefined;
    const code = isBackofficeUser(user) ? "BACKOFFICE_SIGN_IN_REQUIRED" : "LOGIN_NOT_AUTHORIZED";
    return say(code, { username: user.username });
  };

  app.get("/admin/login", async (request, reply) => {
    const next = nextOf(request.query);
    if (backofficeUserOf(request)) return reply.redirect(next, 303);
    return reply.page(
      <LoginPage ctx={reply.viewContext()} username="" next={next} notice={notAuthorizedNotice(request)} />,
    );
  });

  app.post(
    "/admin/login",
    { preHandler: [app.rateLimit(loginRateLimit), app.csrfProtection] },
    async (request, reply): Promise<FastifyReply> => {
      const username = fieldOf(request.body, "username").trim();
      const password = fieldOf(request.body, "password");
      const next = nextOf(request.body);
      const show = (status: number, formError?: string, errors: Record<string, string> = {}) =>
        reply
          .code(status)
          .page(
            <LoginPage
              ctx={reply.viewContext()}
              username={username}
              next={next}
              errors={errors}
              formError={formError}
            />,
          );

      const errors: Record<string, string> = {};
      if (username === "") errors.username = say("FIELD_REQUIRED");
      if (password === "") errors.password = say("FIELD_REQUIRED");
      if (Object.keys(errors).length > 0) return show(400, undefined, errors);

      const attempt = await lockout.beginAttempt(username);
      if (!attempt.allowed) return refuseLocked(reply, attempt.lockedUntil, show);

      const tooLong = [...username].length > fieldLimits.login || [...password].length > fieldLimits.password;
      const user = tooLong ? undefined : await app.users.findByUsername(username);
      const passwordRight =
        user?.passwordHash && !tooLong
          ? await verifyPassword(password, user.passwordHash)
          : await verifyAgainstNothing(tooLong ? "" : password);

      if (!user || !passwordRight || !isBackofficeUser(user)) {
        const until = await lockout.failed(username);
        request.log.info({ username: username.slice(0, 64), known: Boolean(user) }, "back-office sign-in refused");
        if (until) return refuseLocked(reply, until, show);
        return show(400, say("LOGIN_INCORRECT"));
      }

      if (needsRehash(user.passwordHash)) {
        // Renewed now, while the password is at hand: the second step does not have it.
        await db
          .updateTable("users")
          .set({ password_hash: await hashPassword(password) })
          .where("id", "=", user.id)
          .execute();
      }
      const second = await secondStepFor(app.backofficeTotp, user, app.config.backoffice.requireMfa);
      if (second) return reply.redirect(await awaitSecondStep(request, user, username, next, second), 303);
      await lockout.clear(username);
      await completeLogin(app, request, user);
      return reply.redirect(next, 303);
    },
  );

  app.post("/admin/logout", { preHandler: app.csrfProtection }, async (request, reply) => {
    const tokens = request.session.get("cognito");
    await request.session.regenerate();
    request.user = null;
    if (tokens) {
      // A session that also holds the public site's Cognito tokens ends there too.
      try {
        await app.cognitoGateway.revokeRefreshToken(tokens.refreshToken);
      } catch (error) {
        request.log.warn({ err: error }, "could not revoke the refresh token at back-office sign-out");
      }
    }
    notify(request, "success", "SIGNED_OUT");
    return reply.redirect("/admin/login", 303);
  });
}

export function refuseLocked(
  reply: FastifyReply,
  until: Date,
  show: (status: number, formError?: string) => FastifyReply,
): FastifyReply {
  reply.header("retry-after", String(Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000))));
  return show(429, say("LOGIN_LOCKED", { until: formatDateTime(until) }));
}
