/**
 * The second step of the back office's sign-in (issue 9), after a right password
 * (backoffice/sign-in.ts):
 *
 * - `/admin/login/verify` — the code of the staff member's authenticator app. Wrong and replayed
 *   codes count towards the lockout of the name typed at the password step, in the same
 *   atomic count as wrong passwords; a right one clears it and opens the back office.
 * - `/admin/login/setup` — BACKOFFICE_REQUIRE_MFA and no authenticator yet: the QR code and key
 *   of a new secret, confirmed with its first code, before the back office opens.
 *
 * Both answer only a session whose password step is under five minutes old; anything else goes
 * back to /admin/login.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { User } from "../../accounts/users.ts";
import type { ViewContext } from "../../pages/view.ts";
import { destroyUserSessions } from "../../plugins/session-store.ts";
import { isBackofficeUser, notify } from "../access.ts";
import { writeAudit } from "../audit.ts";
import { PostForm } from "../components.tsx";
import { BackofficeLayout } from "../layout.tsx";
import { loginLockout } from "../lockout.ts";
import { say } from "../messages.ts";
import { completeLogin, pendingSignIn, secondStepUrls, type PendingBackofficeSignIn } from "../sign-in.ts";
import { codeFieldOf, refusedCodeMessages } from "../totp-forms.ts";
import { AuthenticatorSetup, authenticatorSetupOf, CodeField, type AuthenticatorSetupProps } from "../totp-views.tsx";
import { loginRateLimit, refuseLocked } from "./login.tsx";

interface SecondStepPageProps {
  readonly ctx: ViewContext;
  readonly username: string;
  readonly error?: string;
  readonly formError?: string;
  /** The set-up's QR code and key; absent on the code step. */
  readonly setup?: AuthenticatorSetupProps;
}

function SecondStepPage({ ctx, username, error, formError, setup }: SecondStepPageProps) {
  return (
    <BackofficeLayout title="Two-step verification" ctx={ctx} staff={null}>
      <div class={`bo-card bo-login shadow-sm${setup ? " bo-login-wide" : ""}`} data-testid="second-step">
        <div class="bo-card-head">
          <h1 class="h6 mb-0 fw-semibold">
            <span class="bo-mark" aria-hidden="true">
              ◆
            </span>{" "}
            {setup ? "Set up two-step verification" : "Two-step verification"}
          </h1>
        </div>
        <div class="bo-card-body">
          {setup && (
            <div class="alert alert-info py-2 bo-message" role="status">
              {say("MFA_REQUIRED_SETUP")}
            </div>
          )}
          {formError && (
            <div class="alert alert-danger py-2 bo-message" role="alert" data-testid="form-error">
              {formError}
            </div>
          )}
          {setup ? (
            <AuthenticatorSetup {...setup} />
          ) : (
            <p>
              Signing in as <strong>{username}</strong>. Open your authenticator app and enter the 6-digit code it shows
              for Gatehouse.
            </p>
          )}
          <PostForm action={setup ? secondStepUrls.setup : secondStepUrls.verify} csrfToken={ctx.csrfToken}>
            <CodeField error={error} label={setup ? "Code from the app" : "Authentication code"} />
            <button type="submit" class="btn btn-primary w-100">
              {setup ? "Turn on and sign in" : "Verify"}
            </button>
          </PostForm>
          <p class="small text-body-secondary mt-3 mb-0">
            {setup ? (
              <>
                Signing in as <strong>{username}</strong>. Not you? <a href="/admin/login">Back to the sign-in page</a>.
              </>
            ) : (
              <>
                Lost your phone? Ask a superuser to reset your two-step verification, or{" "}
                <a href="/admin/login">sign in as someone else</a>.
              </>
            )}
          </p>
        </div>
      </div>
    </BackofficeLayout>
  );
}

export default async function backofficeSecondStepRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const totp = app.backofficeTotp;
  const lockout = loginLockout(db);
  const issuer = app.config.totpIssuer;

  /** The waiting sign-in and its user, or null after sending the person back to the password step. */
  const waiting = async (request: FastifyRequest): Promise<{ pending: PendingBackofficeSignIn; user: User } | null> => {
    const hadOne = request.session.get("backofficePending") !== undefined;
    const pending = pendingSignIn(request);
    const user = pending ? await app.users.findById(pending.userId) : undefined;
    if (pending && user && isBackofficeUser(user)) return { pending, user };
    request.session.set("backofficePending", undefined);
    if (hadOne) notify(request, "warning", "MFA_SIGN_IN_EXPIRED");
    return null;
  };
  const backToPassword = (reply: FastifyReply, pending?: PendingBackofficeSignIn) =>
    reply.redirect(pending ? `/admin/login?next=${encodeURIComponent(pending.next)}` : "/admin/login", 303);

  const setupProps = (user: User, secret: string) => authenticatorSetupOf(secret, issuer, user.username);

  /** The secret waiting to be confirmed at sign-in, made on first sight; null when one is on already. */
  const pendingSecret = async (user: User): Promise<string | null> => {
    const state = await totp.state(user.id);
    if (state.kind === "on") return null;
    if (state.kind === "pending") return state.secret;
    return totp.begin(user.id);
  };

  app.get("/admin/login/verify", async (request, reply) => {
    const found = await waiting(request);
    if (!found) return backToPassword(reply);
    if (found.pending.step !== "verify") return reply.redirect(secondStepUrls[found.pending.step], 303);
    return reply.page(<SecondStepPage ctx={reply.viewContext()} username={found.user.username} />);
  });

  app.post(
    "/admin/login/verify",
    { preHandler: [app.rateLimit(loginRateLimit), app.csrfProtection] },
    async (request, reply): Promise<FastifyReply> => {
      const found = await waiting(request);
      if (!found || found.pending.step !== "verify") return backToPassword(reply, found?.pending);
      const { pending, user } = found;
      const show = (status: number, formError?: string, error?: string) =>
        reply
          .code(status)
          .page(
            <SecondStepPage ctx={reply.viewContext()} username={user.username} formError={formError} error={error} />,
          );
      const typed = codeFieldOf(request.body);
      if ("error" in typed) return show(400, undefined, typed.error);

      const attempt = await lockout.beginAttempt(pending.lockKey);
      if (!attempt.allowed) return refuseLocked(reply, attempt.lockedUntil, show);
      const verdict = await totp.verify(user.id, typed.code);
      if (verdict === "ok") {
        await lockout.clear(pending.lockKey);
        await completeLogin(app, request, user);
        return reply.redirect(pending.next, 303);
      }
      if (verdict === "off") {
        // Reset by a superuser since the password step: start again, so the rules of now apply.
        request.session.set("backofficePending", undefined);
        notify(request, "warning", "MFA_SIGN_IN_EXPIRED");
        return backToPassword(reply, pending);
      }
      request.log.info({ userId: user.id, verdict }, "back-office second step refused");
      if (verdict === "unreadable") return show(400, say(refusedCodeMessages[verdict]));
      const until = await lockout.failed(pending.lockKey);
      if (until) return refuseLocked(reply, until, show);
      return show(400, undefined, say(refusedCodeMessages[verdict]));
    },
  );

  app.get("/admin/login/setup", async (request, reply) => {
    const found = await waiting(request);
    if (!found) return backToPassword(reply);
    if (found.pending.step !== "setup") return reply.redirect(secondStepUrls[found.pending.step], 303);
    const secret = await pendingSecret(found.user);
    if (!secret) {
      // Turned on in another window meanwhile: its code is what is asked for now.
      request.session.set("backofficePending", { ...found.pending, step: "verify" });
      return reply.redirect(secondStepUrls.verify, 303);
    }
    return reply.page(
      <SecondStepPage
        ctx={reply.viewContext()}
        username={found.user.username}
        setup={await setupProps(found.user, secret)}
      />,
    );
  });

  app.post(
    "/admin/login/setup",
    { preHandler: [app.rateLimit(loginRateLimit), app.csrfProtection] },
    async (request, reply): Promise<FastifyReply> => {
      const found = await waiting(request);
      if (!found || found.pending.step !== "setup") return backToPassword(reply, found?.pending);
      const { pending, user } = found;
      const secret = await pendingSecret(user);
      if (!secret) {
        request.session.set("backofficePending", { ...pending, step: "verify" });
        return reply.redirect(secondStepUrls.verify, 303);
      }
      const show = async (error: string) =>
        reply
          .code(400)
          .page(
            <SecondStepPage
              ctx={reply.viewContext()}
              username={user.username}
              error={error}
              setup={await setupProps(user, secret)}
            />,
          );
      const typed = codeFieldOf(request.body);
      if ("error" in typed) return show(typed.error);
      const confirmed = await db.transaction().execute(async (trx) => {
        const verdict = await totp.confirm(user.id, typed.code, trx);
        if (verdict !== "ok") return verdict;
        await writeAudit(trx, {
          actorId: user.id,
          action: "change",
          objectType: "user",
          objectId: user.id,
          objectRepr: user.username,
          message:
            "Turned on two-step verification (authenticator app) at sign-in, as BACKOFFICE_REQUIRE_MFA requires.",
        });
        // Sessions from before the second factor was required do not keep the back office open.
        await destroyUserSessions(trx, user.id);
        return verdict;
      });
      if (confirmed !== "ok") return show(say("MFA_CODE_INCORRECT"));
      await lockout.clear(pending.lockKey);
      await completeLogin(app, request, user);
      notify(request, "success", "MFA_ENABLED");
      return reply.redirect(pending.next, 303);
    },
  );
}
