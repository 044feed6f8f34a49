/**
 * The account page's "Two-step verification" section and the page that sets up an
 * authenticator app. What it offers follows the pool (pool-options.ts): the factors the pool
 * has, whether it requires one, and the person's own settings from Cognito (GetUser).
 */
import type { ComponentChildren } from "preact";
import { Field, Form, FormError, type FieldErrors } from "../../pages/components.tsx";
import { AuthenticatorSetup, type AuthenticatorSetupProps } from "../../pages/authenticator-setup.tsx";
import { Layout } from "../../pages/layout.tsx";
import type { ViewContext } from "../../pages/view.ts";
import type { MfaFactor } from "../../plugins/session-types.ts";
import type { MfaSettings, PoolSignInOptions } from "../cognito.ts";

/** What the section shows: the pool's offer and the person's settings (null when Cognito could not say). */
export interface SecurityState {
  readonly pool: PoolSignInOptions;
  readonly settings: MfaSettings | null;
  readonly emailVerified: boolean;
}

/** A submitted form of the section, to show again: which one, and its errors. */
export interface SecurityForm {
  readonly form: "totp-off" | "email-on" | "email-off" | "preferred";
  readonly errors?: FieldErrors;
  readonly formError?: string;
}

export const factorNames: Readonly<Record<MfaFactor, string>> = {
  SOFTWARE_TOKEN_MFA: "Authenticator app",
  EMAIL_OTP: "Codes by email",
  SMS_MFA: "Codes by text message",
};

function StatusBadge({ on }: { on: boolean }) {
  return <span class={`badge ${on ? "text-bg-success" : "text-bg-secondary"}`}>{on ? "On" : "Off"}</span>;
}

function FactorRow({
  factor,
  on,
  preferred,
  description,
  children,
}: {
  factor: MfaFactor;
  on: boolean;
  preferred: boolean;
  description: string;
  children: ComponentChildren;
}) {
  return (
    <div class="border rounded p-3 mb-3" data-testid={`factor-${factor}`}>
      <div class="d-flex flex-wrap align-items-center gap-2 mb-1">
        <h3 class="h6 mb-0">{factorNames[factor]}</h3>
        <StatusBadge on={on} />
        {preferred && <span class="badge text-bg-primary">Preferred</span>}
      </div>
      <p class="small text-body-secondary mb-2">{description}</p>
      {children}
    </div>
  );
}

/** "Turn off", behind a disclosure: it asks for the password (and a code) first. */
function TurnOff({
  action,
  label,
  withCode,
  form,
  csrfToken,
}: {
  action: string;
  label: string;
  withCode: boolean;
  form: SecurityForm | undefined;
  csrfToken: string;
}) {
  return (
    <details open={form !== undefined}>
      <summary class="btn btn-sm btn-outline-danger">{label}</summary>
      <Form action={action} csrfToken={csrfToken} class="account-form mt-3">
        <FormError message={form?.formError} />
        <Field
          name="current_password"
          label="Your password"
          type="password"
          errors={form?.errors}
          autocomplete="current-password"
        />
        {withCode && (
          <Field
            name="code"
            label="A current code from the app"
            errors={form?.errors}
            autocomplete="one-time-code"
            inputmode="numeric"
            maxLength={16}
          />
        )}
        <button type="submit" class="btn btn-danger btn-sm">
          {label}
        </button>
      </Form>
    </details>
  );
}

export function SecuritySection({
  state,
  canEdit,
  form,
  csrfToken,
}: {
  state: SecurityState | null;
  canEdit: boolean;
  form?: SecurityForm;
  csrfToken: string;
}) {
  const offered: readonly MfaFactor[] = state?.pool.factors.filter((f) => f !== "SMS_MFA") ?? [];
  const body = (() => {
    if (!canEdit)
      return <div class="alert alert-secondary mb-0">Two-step verification is managed through Cognito.</div>;
    if (!state || offered.length === 0) {
      return <p class="small mb-0">Two-step verification is not turned on for this site.</p>;
    }
    if (!state.settings) {
      return (
        <div class="alert alert-warning mb-0">Your two-step settings cannot be read right now. Please try again.</div>
      );
    }
    const { enabled, preferred } = state.settings;
    const totpOn = enabled.includes("SOFTWARE_TOKEN_MFA");
    const emailOn = enabled.includes("EMAIL_OTP");
    const onCount = enabled.filter((f) => offered.includes(f)).length;
    return (
      <>
        {state.pool.mfa === "ON" && (
          <p class="small">This site asks every account for a second step when signing in.</p>
        )}
        {offered.includes("SOFTWARE_TOKEN_MFA") && (
          <FactorRow
            factor="SOFTWARE_TOKEN_MFA"
            on={totpOn}
            preferred={preferred === "SOFTWARE_TOKEN_MFA" && onCount > 1}
            description="A 6-digit code from an app on your phone. Works offline."
          >
            {totpOn ? (
              <TurnOff
                action="/account/mfa/totp/disable"
                label="Turn off the authenticator app"
                withCode
                form={form?.form === "totp-off" ? form : undefined}
                csrfToken={csrfToken}
              />
            ) : (
              <a class="btn btn-sm btn-primary" href="/account/mfa/totp">
                Set up an authenticator app
              </a>
            )}
          </FactorRow>
        )}
        {offered.includes("EMAIL_OTP") && (
          <FactorRow
            factor="EMAIL_OTP"
            on={emailOn}
            preferred={preferred === "EMAIL_OTP" && onCount > 1}
            description="A 6-digit code sent to your email address each time you sign in."
          >
            {emailOn ? (
              <TurnOff
                action="/account/mfa/email/disable"
                label="Turn off email codes"
                withCode={false}
                form={form?.form === "email-off" ? form : undefined}
                csrfToken={csrfToken}
              />
            ) : (
              <Form action="/account/mfa/email/enable" csrfToken={csrfToken}>
                <FormError message={form?.form === "email-on" ? form.formError : undefined} />
                <button type="submit" class="btn btn-sm btn-primary" disabled={!state.emailVerified}>
                  Turn on email codes
                </button>
                {!state.emailVerified && (
                  <div class="form-text">Confirm your email address first: codes go only to a confirmed address.</div>
                )}
              </Form>
            )}
          </FactorRow>
        )}
        {onCount > 1 && (
          <Form action="/account/mfa/preferred" csrfToken={csrfToken} class="account-form">
            <FormError message={form?.form === "preferred" ? form.formError : undefined} />
            <fieldset class="mb-2">
              <legend class="form-label fs-6">Ask me first for</legend>
              {enabled
                .filter((f) => offered.includes(f))
                .map((factor) => (
                  <div class="form-check">
                    <input
                      class="form-check-input"
                      type="radio"
                      name="factor"
                      value={factor}
                      id={`preferred-${factor}`}
                      checked={preferred === factor}
                    />
                    <label class="form-check-label" for={`preferred-${factor}`}>
                      {factorNames[factor]}
                    </label>
                  </div>
                ))}
            </fieldset>
            <button type="submit" class="btn btn-sm btn-outline-primary">
              Save preference
            </button>
          </Form>
        )}
      </>
    );
  })();
  const invalid = Boolean(form?.formError || Object.values(form?.errors ?? {}).some(Boolean));
  return (
    <section
      id="security"
      class={`card shadow-sm mb-4${invalid ? " border-danger" : " border-0"}`}
      aria-labelledby="security-title"
    >
      <div class="card-body p-4">
        <h2 id="security-title" class="h5 mb-1">
          Two-step verification
        </h2>
        <p class="text-body-secondary small mb-3">
          A second step after your password, so that a stolen password alone does not open your account.
        </p>
        {body}
      </div>
    </section>
  );
}

/** `/account/mfa/totp`: the QR code and key of a new authenticator, and its first code. */
export function TotpSetupPage({
  ctx,
  setup,
  errors,
  formError,
}: {
  ctx: ViewContext;
  setup: AuthenticatorSetupProps;
  errors?: FieldErrors;
  formError?: string;
}) {
  return (
    <Layout title="Set up an authenticator app" ctx={ctx} narrow>
      <div class="card shadow-sm border-0">
        <div class="card-body p-4 p-md-5">
          <h1 class="h3 mb-1">Set up an authenticator app</h1>
          <p class="text-body-secondary mb-4">From now on you sign in with your password and a code from the app.</p>
          <AuthenticatorSetup {...setup} />
          <Form action="/account/mfa/totp" csrfToken={ctx.csrfToken}>
            <FormError message={formError} />
            <Field
              name="code"
              label="Code from the app"
              errors={errors}
              autocomplete="one-time-code"
              inputmode="numeric"
              autofocus
              maxLength={16}
            />
            <div class="d-grid gap-2">
              <button type="submit" class="btn btn-primary">
                Turn on
              </button>
              <a class="btn btn-outline-secondary" href="/account#security">
                Cancel
              </a>
            </div>
          </Form>
        </div>
      </div>
    </Layout>
  );
}
