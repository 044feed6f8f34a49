/**
 * The change form's Cognito panel: what Cognito knows about the user (status, enabled,
 * MFA factors, attributes, groups) read live with the SDK, and the administrator actions on
 * them. Actions that take something away (disable, reset password, reset MFA, sign out
 * everywhere) go through a confirmation page; the others are one click.
 */
import type { User } from "../accounts/users.ts";
import type { CognitoAccount, CognitoMfa } from "./cognito-admin.ts";
import { BoolIcon, DateTime, PostForm } from "./components.tsx";

export type CognitoState =
  | { readonly kind: "local" }
  | { readonly kind: "found"; readonly account: CognitoAccount }
  | { readonly kind: "gone" }
  | { readonly kind: "failed"; readonly message: string };

const statusStyles: Readonly<Record<string, string>> = {
  CONFIRMED: "text-bg-success",
  UNCONFIRMED: "text-bg-warning",
  FORCE_CHANGE_PASSWORD: "text-bg-info",
  RESET_REQUIRED: "text-bg-warning",
  EXTERNAL_PROVIDER: "text-bg-secondary",
  ARCHIVED: "text-bg-secondary",
  COMPROMISED: "text-bg-danger",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge ${statusStyles[status] ?? "text-bg-secondary"}`} data-testid="cognito-status">
      {status}
    </span>
  );
}

function ActionButton({
  user,
  action,
  label,
  csrfToken,
  variant = "outline-secondary",
  confirm = false,
}: {
  user: User;
  action: string;
  label: string;
  csrfToken: string;
  variant?: string;
  confirm?: boolean;
}) {
  const url = `/admin/users/${user.id}/cognito/${action}`;
  if (confirm) {
    return (
      <a class={`btn btn-sm btn-${variant}`} href={url}>
        {label}…
      </a>
    );
  }
  return (
    <PostForm action={url} csrfToken={csrfToken}>
      <button type="submit" class={`btn btn-sm btn-${variant}`}>
        {label}
      </button>
    </PostForm>
  );
}

/** Cognito's factor names as staff read them. */
const factorLabels: Readonly<Record<string, string>> = {
  SOFTWARE_TOKEN_MFA: "Authenticator app",
  EMAIL_OTP: "Email code",
  SMS_MFA: "SMS code",
};

function MfaFactors({ mfa }: { mfa: CognitoMfa }) {
  if (mfa.factors.length === 0) return <span class="text-body-secondary">None</span>;
  return (
    <ul class="bo-mfa-factors">
      {mfa.factors.map((factor) => (
        <li data-factor={factor} data-preferred={factor === mfa.preferred ? "" : undefined} title={factor}>
          <span class="bo-yes" aria-hidden="true">
            ✓
          </span>
          {factorLabels[factor] ?? factor}
          {factor === mfa.preferred && (
            // On a line of its own under the factor: the panel's column is too narrow for both.
            <span class="badge text-bg-primary">preferred</span>
          )}
        </li>
      ))}
    </ul>
  );
}

export function CognitoPanel({
  user,
  state,
  canAct,
  csrfToken,
}: {
  user: User;
  state: CognitoState;
  canAct: boolean;
  csrfToken: string;
}) {
  return (
    <section class="bo-card bo-panel mb-3" aria-labelledby="cognito-title" data-testid="cognito-panel">
      <div class="bo-card-head">
        <h2 class="h6 mb-0 fw-semibold" id="cognito-title">
          Cognito
        </h2>
        {state.kind === "found" && <StatusBadge status={state.account.status} />}
      </div>
      <div class="bo-card-body">
        {state.kind === "local" && (
          <>
            <p class="mb-2">Not linked to a Cognito account: this user can only sign in to the back office.</p>
            {canAct && user.email && (
              <ActionButton
                user={user}
                action="create"
                label="Create in Cognito"
                csrfToken={csrfToken}
                variant="outline-primary"
              />
            )}
          </>
        )}
        {state.kind === "gone" && (
          <p class="mb-0 text-danger">
            The Cognito account this user was linked to (sub <code>{user.cognitoSub}</code>) no longer exists.
          </p>
        )}
        {state.kind === "failed" && (
          <div class="alert alert-warning py-2 mb-0 bo-message" role="alert">
            Could not read this user from Cognito. {state.message}
          </div>
        )}
        {state.kind === "found" && (
          <>
            <dl class="mb-3">
              <dt>Username</dt>
              <dd class="font-monospace">{state.account.username}</dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={state.account.status} />
              </dd>
              <dt>Enabled</dt>
              <dd data-testid="cognito-enabled">
                <BoolIcon value={state.account.enabled} /> {state.account.enabled ? "Enabled" : "Disabled"}
              </dd>
              <dt>MFA</dt>
              <dd data-testid="cognito-mfa">
                <MfaFactors mfa={state.account.mfa} />
              </dd>
              <dt>Groups</dt>
              <dd data-testid="cognito-groups">
                {state.account.groups.length === 0 ? (
                  <span class="text-body-secondary">—</span>
                ) : (
                  state.account.groups.map((g) => <span class="badge text-bg-light border me-1">{g}</span>)
                )}
              </dd>
              <dt>Created</dt>
              <dd>
                <DateTime value={state.account.createdAt} />
              </dd>
              <dt>Modified</dt>
              <dd>
                <DateTime value={state.account.modifiedAt} />
              </dd>
            </dl>
            <h3 class="h6 fw-semibold small text-uppercase text-body-secondary mb-1">Attributes</h3>
            <table class="table table-sm bo-attrs mb-3" data-testid="cognito-attributes">
              <tbody>
                {state.account.attributes.map((a) => (
                  <tr>
                    <td>{a.name}</td>
                    <td>{a.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {canAct && (
              <div class="bo-cognito-actions" data-testid="cognito-actions">
                {state.account.enabled ? (
                  <ActionButton
                    user={user}
                    action="disable"
                    label="Disable"
                    csrfToken={csrfToken}
                    variant="outline-danger"
                    confirm
                  />
                ) : (
                  <ActionButton
                    user={user}
                    action="enable"
                    label="Enable"
                    csrfToken={csrfToken}
                    variant="outline-success"
                  />
                )}
                {state.account.status === "UNCONFIRMED" && (
                  <ActionButton
                    user={user}
                    action="confirm"
                    label="Confirm sign-up"
                    csrfToken={csrfToken}
                    variant="outline-primary"
                  />
                )}
                {(state.account.status === "CONFIRMED" || state.account.status === "RESET_REQUIRED") && (
                  <ActionButton
                    user={user}
                    action="reset-password"
                    label="Reset password"
                    csrfToken={csrfToken}
                    confirm
                  />
                )}
                {state.account.status === "FORCE_CHANGE_PASSWORD" && (
                  <ActionButton
                    user={user}
                    action="resend-invitation"
                    label="Resend invitation"
                    csrfToken={csrfToken}
                  />
                )}
                {state.account.mfa.factors.length > 0 && (
                  <ActionButton user={user} action="reset-mfa" label="Reset MFA" csrfToken={csrfToken} confirm />
                )}
                <ActionButton user={user} action="sign-out" label="Sign out everywhere" csrfToken={csrfToken} confirm />
                <ActionButton user={user} action="resync" label="Resync from Cognito" csrfToken={csrfToken} />
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}
