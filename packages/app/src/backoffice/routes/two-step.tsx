/**
 * Two-step verification of staff accounts (issue 9):
 *
 * - `/admin/two-step` — a staff member's own authenticator app: set it up (QR code and key,
 *   confirmed with a first code; their other sessions end), cancel a set-up, or turn it off
 *   with a current code (wrong codes count towards their sign-in lockout; refused while
 *   BACKOFFICE_REQUIRE_MFA is set).
 * - `/admin/users/:id/two-step/reset` — a superuser resets another staff member's authenticator
 *   (a lost phone): a confirmation page, then the secret is forgotten and that person's
 *   sessions end. Anyone else is refused, in the audit log.
 *
 * Every change writes its audit entry in the same transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { User } from "../../accounts/users.ts";
import { HttpError } from "../../http-error.ts";
import type { ViewContext } from "../../pages/view.ts";
import { destroyUserSessions } from "../../plugins/session-store.ts";
import { notify, staffOfRequest, type Staff } from "../access.ts";
import { writeAudit } from "../audit.ts";
import { DateTime, PostForm } from "../components.tsx";
import { ConfirmUserAction, type UserConfirmation } from "../confirm-page.tsx";
import { BackofficeLayout } from "../layout.tsx";
import { loginLockout } from "../lockout.ts";
import { say, type BackofficeMessage } from "../messages.ts";
import { recordRefusal, userObject } from "../policy.ts";
import type { TotpState } from "../staff-totp.ts";
import { codeFieldOf, refusedCodeMessages } from "../totp-forms.ts";
import { AuthenticatorSetup, authenticatorSetupOf, CodeField, type AuthenticatorSetupProps } from "../totp-views.tsx";
import { formatDateTime } from "../../pages/display.tsx";
import { loginRateLimit } from "./login.tsx";
import { userFromParams } from "./user-change.tsx";

const ownAccess = { backoffice: { anyStaff: true } } as const;
const resetAccess = { backoffice: { anyOf: ["accounts.change_user"] } } as const;
const base = "/admin/two-step";
const lockedMessage = (until: Date): string => say("LOGIN_LOCKED", { until: formatDateTime(until) });

interface TwoStepPageProps {
  readonly ctx: ViewContext;
  readonly staff: Staff;
  readonly state: TotpState;
  readonly required: boolean;
  readonly setup?: AuthenticatorSetupProps;
  readonly error?: string;
}

function TwoStepPage({ ctx, staff, state, required, setup, error }: TwoStepPageProps) {
  return (
    <BackofficeLayout
      title="Two-step verification"
      ctx={ctx}
      staff={staff}
      crumbs={[{ label: "Two-step verification" }]}
    >
      <div class="bo-title">
        <h1>Two-step verification</h1>
        <span
          class={`badge ${state.kind === "on" ? "text-bg-success" : "text-bg-secondary"}`}
          data-testid="two-step-status"
        >
          {state.kind === "on" ? "On" : state.kind === "pending" ? "Being set up" : "Off"}
        </span>
      </div>
      <section class="bo-card bo-two-step mb-3" data-testid="two-step">
        <div class="bo-card-head">
          <h2 class="h6 mb-0 fw-semibold">Authenticator app</h2>
          {state.kind === "on" && (
            <span class="small text-body-secondary fw-normal">
              on since <DateTime value={state.since} />
            </span>
          )}
        </div>
        <div class="bo-card-body">
          {state.kind === "off" && (
            <>
              <p>
                After your password, the back office will also ask for a 6-digit code from an app on your phone, so a
                stolen password alone does not open it.
                {required && " This back office requires it for every staff account."}
              </p>
              <PostForm action={`${base}/setup`} csrfToken={ctx.csrfToken}>
                <button type="submit" class="btn btn-sm btn-primary">
                  Set up an authenticator app
                </button>
              </PostForm>
            </>
          )}
          {state.kind === "pending" && setup && (
            <>
              <AuthenticatorSetup {...setup} />
              <PostForm action={`${base}/confirm`} csrfToken={ctx.csrfToken} class="bo-code-form">
                <CodeField error={error} label="Code from the app" />
                <div class="d-flex flex-wrap gap-2">
                  <button type="submit" class="btn btn-sm btn-primary">
                    Turn on two-step verification
                  </button>
                </div>
              </PostForm>
              <PostForm action={`${base}/cancel`} csrfToken={ctx.csrfToken} class="mt-2">
                <button type="submit" class="btn btn-sm btn-link px-0">
                  Cancel the set-up
                </button>
              </PostForm>
            </>
          )}
          {state.kind === "on" && (
            <>
              <p>
                Signing in here takes your password and then a code from your authenticator app. Each code works once.
              </p>
              {required ? (
                <p class="text-body-secondary mb-0" data-testid="two-step-required">
                  {say("MFA_REQUIRED_CANNOT_DISABLE")}
                </p>
              ) : (
                <PostForm action={`${base}/disable`} csrfToken={ctx.csrfToken} class="bo-code-form">
                  <CodeField error={error} label="A current code, to turn it off" autofocus={false} />
                  <button type="submit" class="btn btn-sm btn-outline-danger">
                    Turn off two-step verification
                  </button>
                </PostForm>
              )}
            </>
          )}
          {state.kind === "unreadable" && (
            <div class="alert alert-warning py-2 mb-0 bo-message" role="alert">
              {say("MFA_UNREADABLE")}
            </div>
          )}
        </div>
      </section>
    </BackofficeLayout>
  );
}

const resetConfirmation: UserConfirmation = {
  title: "Reset two-step verification",
  text: "Their authenticator app stops working here and their sessions end now. They sign in with their password alone, or set up a new authenticator at their next sign-in when two-step verification is required.",
  button: "Yes, reset it",
};

export default async function twoStepRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const totp = app.backofficeTotp;
  const lockout = loginLockout(db);
  const issuer = app.config.totpIssuer;
  const required = app.config.backoffice.requireMfa;

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    error?: string,
  ): Promise<FastifyReply> => {
    const staff = staffOfRequest(request);
    const state = await totp.state(staff.user.id);
    const account = staff.user.username;
    const setup = state.kind === "pending" ? await authenticatorSetupOf(state.secret, issuer, account) : undefined;
    return reply
      .code(status)
      .page(
        <TwoStepPage
          ctx={reply.viewContext()}
          staff={staff}
          state={state}
          required={required}
          setup={setup}
          error={error}
        />,
      );
  };

  const audit = (staff: Staff, user: User, message: string) => ({
    actorId: staff.user.id,
    action: "change" as const,
    objectType: "user" as const,
    objectId: user.id,
    objectRepr: user.username,
    message,
  });

  const back = (reply: FastifyReply) => reply.redirect(base, 303);

  app.get(base, { config: ownAccess }, async (request, reply) => render(request, reply));

  app.post(`${base}/setup`, { preHandler: app.csrfProtection, config: ownAccess }, async (request, reply) => {
    const staff = staffOfRequest(request);
    if ((await totp.begin(staff.user.id)) === null) notify(request, "info", "MFA_ALREADY_ON");
    return back(reply);
  });

  app.post(`${base}/cancel`, { preHandler: app.csrfProtection, config: ownAccess }, async (request, reply) => {
    const staff = staffOfRequest(request);
    await totp.cancel(staff.user.id);
    notify(request, "info", "MFA_SETUP_CANCELLED");
    return back(reply);
  });

  app.post(
    `${base}/confirm`,
    { preHandler: [app.rateLimit(loginRateLimit), app.csrfProtection], config: ownAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      const typed = codeFieldOf(request.body);
      if ("error" in typed) return render(request, reply, 400, typed.error);
      const verdict = await db.transaction().execute(async (trx) => {
        const result = await totp.confirm(staff.user.id, typed.code, trx);
        if (result !== "ok") return result;
        await writeAudit(trx, audit(staff, staff.user, "Turned on two-step verification (authenticator app)."));
        // Sessions opened before the second factor keep nothing open.
        await destroyUserSessions(trx, staff.user.id, request.session.id);
        return result;
      });
      if (verdict === "off") {
        notify(request, "warning", "MFA_NOT_PENDING");
        return back(reply);
      }
      if (verdict !== "ok") return render(request, reply, 400, say("MFA_CODE_INCORRECT"));
      notify(request, "success", "MFA_ENABLED");
      return back(reply);
    },
  );

  app.post(
    `${base}/disable`,
    { preHandler: [app.rateLimit(loginRateLimit), app.csrfProtection], config: ownAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      if (required) return render(request, reply, 400, say("MFA_REQUIRED_CANNOT_DISABLE"));
      const typed = codeFieldOf(request.body);
      if ("error" in typed) return render(request, reply, 400, typed.error);
      // A session left open must not become a way to guess the code: the guesses count as sign-in failures.
      const attempt = await lockout.beginAttempt(staff.user.username);
      if (!attempt.allowed) return render(request, reply, 429, lockedMessage(attempt.lockedUntil));
      const verdict = await totp.verify(staff.user.id, typed.code);
      if (verdict === "off") return back(reply);
      if (verdict !== "ok") {
        const until = await lockout.failed(staff.user.username);
        if (until) return render(request, reply, 429, lockedMessage(until));
        return render(request, reply, 400, say(refusedCodeMessages[verdict]));
      }
      await lockout.clear(staff.user.username);
      await db.transaction().execute(async (trx) => {
        await totp.remove(staff.user.id, trx);
        await writeAudit(trx, audit(staff, staff.user, "Turned off two-step verification."));
      });
      notify(request, "success", "MFA_DISABLED");
      return back(reply);
    },
  );

  /** The account a superuser resets, or the refusal (written to the log when a form was sent). */
  const resetTarget = async (request: FastifyRequest): Promise<{ staff: Staff; user: User }> => {
    const staff = staffOfRequest(request);
    const user = await userFromParams(app, request);
    const refusal: BackofficeMessage | null = !staff.user.isSuperuser
      ? "MFA_RESET_SUPERUSER_ONLY"
      : user.id === staff.user.id
        ? "MFA_RESET_SELF"
        : null;
    if (refusal) {
      if (request.method === "POST") {
        await recordRefusal(db, staff, userObject(user), "reset two-step verification", refusal);
      }
      throw new HttpError(403, say(refusal));
    }
    return { staff, user };
  };

  app.get("/admin/users/:id/two-step/reset", { config: resetAccess }, async (request, reply) => {
    const { staff, user } = await resetTarget(request);
    if ((await totp.status(user.id)).kind === "off") {
      notify(request, "info", "MFA_NOTHING_TO_RESET", { username: user.username });
      return reply.redirect(`/admin/users/${user.id}`, 303);
    }
    return reply.page(
      <ConfirmUserAction
        ctx={reply.viewContext()}
        staff={staff}
        user={user}
        action={`/admin/users/${user.id}/two-step/reset`}
        confirmation={resetConfirmation}
      />,
    );
  });

  app.post(
    "/admin/users/:id/two-step/reset",
    { preHandler: app.csrfProtection, config: resetAccess },
    async (request, reply): Promise<FastifyReply> => {
      const { staff, user } = await resetTarget(request);
      const reset = await db.transaction().execute(async (trx) => {
        if (!(await totp.remove(user.id, trx))) return false;
        await destroyUserSessions(trx, user.id);
        await writeAudit(trx, audit(staff, user, "Reset two-step verification (authenticator app); sessions ended."));
        return true;
      });
      if (reset) notify(request, "success", "MFA_RESET", { username: user.username });
      else notify(request, "info", "MFA_NOTHING_TO_RESET", { username: user.username });
      return reply.redirect(`/admin/users/${user.id}`, 303);
    },
  );
}
