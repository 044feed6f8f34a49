/**
 * The views of `/account` and `/account/delete`. Every section is its own form posting to its own
 * route; when one comes back with errors, the page is shown again with that section's input
 * kept (never a password), its field errors inline, and a summary at the top that links to it.
 */
import type { ComponentChildren } from "preact";
import { Field, Form, FormError, type FieldErrors } from "../../pages/components.tsx";
import { EmailStatusBadge, fullNameOf, Time } from "../../pages/display.tsx";
import { Layout } from "../../pages/layout.tsx";
import type { ViewContext } from "../../pages/view.ts";
import { t } from "../messages.ts";
import type { User } from "../users.ts";
import { SecuritySection, type SecurityForm, type SecurityState } from "./account-security-view.tsx";

export type SectionId = "profile" | "email" | "verify" | "password" | "devices";

/** What a submitted form needs to be shown again. */
export interface FormState {
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: FieldErrors;
  readonly formError?: string;
}

export interface AccountPageProps {
  readonly ctx: ViewContext;
  readonly user: User;
  /** False for a local-only user (no Cognito tokens in the session): nothing can be changed here. */
  readonly canEdit: boolean;
  /** The new address a code was sent to, when Cognito may still report the old one. */
  readonly pendingEmail: string | null;
  /** The pool's password policy in one sentence, under the new-password field. */
  readonly passwordHint: string;
  readonly forms?: Partial<Record<SectionId, FormState>>;
  /** The two-step section: the pool's offer and the person's settings. */
  readonly security: SecurityState | null;
  readonly securityForm?: SecurityForm;
}

const sectionTitles: Record<SectionId, { title: string; anchor: string }> = {
  profile: { title: "Profile", anchor: "profile" },
  email: { title: "Email address", anchor: "email" },
  verify: { title: "Confirm your email address", anchor: "email" },
  password: { title: "Password", anchor: "password" },
  devices: { title: "Signed-in devices", anchor: "devices" },
};

const navItems = [
  { href: "#profile", label: "Profile" },
  { href: "#email", label: "Email address" },
  { href: "#password", label: "Password" },
  { href: "#security", label: "Two-step verification" },
  { href: "#devices", label: "Signed-in devices" },
  { href: "#delete", label: "Delete account" },
];

function Section({
  id,
  title,
  subtitle,
  danger = false,
  invalid = false,
  children,
}: {
  id: string;
  title: string;
  subtitle?: string;
  danger?: boolean;
  invalid?: boolean;
  children: ComponentChildren;
}) {
  const border = danger ? " border-danger-subtle" : invalid ? " border-danger" : " border-0";
  return (
    <section id={id} class={`card shadow-sm mb-4${border}`} aria-labelledby={`${id}-title`}>
      <div class="card-body p-4">
        <h2 id={`${id}-title`} class={`h5 mb-1${danger ? " text-danger" : ""}`}>
          {title}
        </h2>
        {subtitle && <p class="text-body-secondary small mb-3">{subtitle}</p>}
        {children}
      </div>
    </section>
  );
}

function ErrorSummary({ forms }: { forms: Partial<Record<SectionId, FormState>> }) {
  const failed = (Object.keys(forms) as SectionId[]).filter((id) => {
    const form = forms[id];
    return form && (form.formError || Object.values(form.errors ?? {}).some(Boolean));
  });
  if (failed.length === 0) return null;
  return (
    <div class="alert alert-danger" role="alert" data-testid="error-summary">
      {failed.map((id) => (
        <div>
          <a class="alert-link" href={`#${sectionTitles[id].anchor}`}>
            {sectionTitles[id].title}
          </a>
          : {t("FORM_HAS_ERRORS")}
        </div>
      ))}
    </div>
  );
}

function Sidebar({ user }: { user: User }) {
  const name = fullNameOf(user);
  return (
    <div class="sticky-lg-top account-sidebar">
      <div class="card border-0 shadow-sm mb-lg-4">
        <div class="card-body p-4 d-flex align-items-center gap-3">
          <div class="avatar" aria-hidden="true">
            {(user.givenName ?? user.username).charAt(0).toUpperCase()}
          </div>
          <div class="min-w-0">
            <div class="fw-semibold text-truncate">{name ?? user.username}</div>
            <div class="small text-body-secondary text-truncate">{user.email}</div>
            <div class="small text-body-secondary">
              Member since <Time value={user.createdAt} />
            </div>
          </div>
        </div>
      </div>
      <nav class="list-group shadow-sm d-none d-lg-flex" aria-label="Account sections">
        {navItems.map((item) => (
          <a
            class={`list-group-item list-group-item-action${item.href === "#delete" ? " text-danger" : ""}`}
            href={item.href}
          >
            {item.label}
          </a>
        ))}
      </nav>
    </div>
  );
}

function ReadOnlyNote() {
  return <div class="alert alert-secondary mb-0">{t("NO_COGNITO_ACCOUNT")}</div>;
}

function ProfileSection({
  user,
  canEdit,
  form = {},
  csrfToken,
}: {
  user: User;
  canEdit: boolean;
  form?: FormState;
  csrfToken: string;
}) {
  const values = form.values ?? { given_name: user.givenName ?? "", family_name: user.familyName ?? "" };
  const invalid = Boolean(form.formError || Object.values(form.errors ?? {}).some(Boolean));
  return (
    <Section id="profile" title="Profile" subtitle="How we address you." invalid={invalid}>
      <div class="mb-3">
        <div class="form-label mb-1">Username</div>
        <div class="fw-semibold font-monospace text-break">{user.username}</div>
        <div class="form-text">You sign in with it; it cannot be changed.</div>
      </div>
      {canEdit ? (
        <Form action="/account/profile" csrfToken={csrfToken} class="account-form">
          <FormError message={form.formError} />
          <div class="row g-md-3">
            <div class="col-md-6">
              <Field
                name="given_name"
                label="Given name"
                value={values.given_name}
                errors={form.errors}
                autocomplete="given-name"
                required={false}
                maxLength={100}
              />
            </div>
            <div class="col-md-6">
              <Field
                name="family_name"
                label="Family name"
                value={values.family_name}
                errors={form.errors}
                autocomplete="family-name"
                required={false}
                maxLength={100}
              />
            </div>
          </div>
          <button type="submit" class="btn btn-primary">
            Save names
          </button>
        </Form>
      ) : (
        <ReadOnlyNote />
      )}
    </Section>
  );
}

function VerifyBox({
  user,
  pendingEmail,
  form = {},
  csrfToken,
}: {
  user: User;
  pendingEmail: string | null;
  form?: FormState;
  csrfToken: string;
}) {
  return (
    <div class="rounded border border-warning-subtle bg-warning-subtle p-3 mb-4" data-testid="verify-email">
      <h3 class="h6">{sectionTitles.verify.title}</h3>
      <p class="small mb-3">
        {pendingEmail ? (
          <>
            We have sent a 6-digit code to <strong>{pendingEmail}</strong>. Enter it here to confirm your new address.
          </>
        ) : (
          <>
            <strong>{user.email}</strong> is not confirmed yet. Ask for a code, then enter it here.
          </>
        )}
      </p>
      <Form action="/account/email/verify" csrfToken={csrfToken} class="account-form">
        <FormError message={form.formError} />
        <Field
          name="code"
          label="Confirmation code"
          value={form.values?.code ?? ""}
          errors={form.errors}
          autocomplete="one-time-code"
          inputmode="numeric"
          maxLength={12}
        />
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary">
            Confirm email address
          </button>
        </div>
      </Form>
      <Form action="/account/email/resend" csrfToken={csrfToken} class="mt-2">
        <button type="submit" class="btn btn-link btn-sm px-0">
          {pendingEmail ? "Send the code again" : "Send me a code"}
        </button>
      </Form>
    </div>
  );
}

function EmailSection({
  user,
  canEdit,
  pendingEmail,
  form = {},
  verifyForm,
  csrfToken,
}: {
  user: User;
  canEdit: boolean;
  pendingEmail: string | null;
  form?: FormState;
  verifyForm?: FormState;
  csrfToken: string;
}) {
  const invalid = Boolean(form.formError || Object.values(form.errors ?? {}).some(Boolean));
  const awaitingCode = canEdit && (pendingEmail !== null || !user.emailVerified);
  return (
    <Section
      id="email"
      title="Email address"
      subtitle="Where we send codes and notices. Once confirmed, you can also sign in with it."
      invalid={invalid}
    >
      <p class="mb-3">
        <span class="me-2 text-break">{user.email}</span>
        <EmailStatusBadge verified={user.emailVerified} />
      </p>
      {awaitingCode && <VerifyBox user={user} pendingEmail={pendingEmail} form={verifyForm} csrfToken={csrfToken} />}
      {canEdit ? (
        <Form action="/account/email" csrfToken={csrfToken} class="account-form">
          <FormError message={form.formError} />
          <Field
            name="email"
            label="New email address"
            type="email"
            value={form.values?.email ?? ""}
            errors={form.errors}
            autocomplete="email"
            inputmode="email"
            maxLength={254}
            help="We will send a code to the new address. Until you confirm it, sign in with your username."
          />
          <button type="submit" class="btn btn-primary">
            Change email address
          </button>
        </Form>
      ) : (
        <ReadOnlyNote />
      )}
    </Section>
  );
}

function PasswordSection({
  canEdit,
  form = {},
  csrfToken,
  hint,
}: {
  canEdit: boolean;
  form?: FormState;
  csrfToken: string;
  hint: string;
}) {
  const invalid = Boolean(form.formError || Object.values(form.errors ?? {}).some(Boolean));
  return (
    <Section
      id="password"
      title="Password"
      subtitle="Choose a password you do not use anywhere else."
      invalid={invalid}
    >
      {canEdit ? (
        <Form action="/account/password" csrfToken={csrfToken} class="account-form">
          <FormError message={form.formError} />
          <Field
            name="current_password"
            label="Current password"
            type="password"
            errors={form.errors}
            autocomplete="current-password"
          />
          <Field
            name="new_password"
            label="New password"
            type="password"
            errors={form.errors}
            autocomplete="new-password"
            help={hint}
          />
          <Field
            name="new_password_confirm"
            label="New password again"
            type="password"
            errors={form.errors}
            autocomplete="new-password"
          />
          <button type="submit" class="btn btn-primary">
            Change password
          </button>
        </Form>
      ) : (
        <ReadOnlyNote />
      )}
    </Section>
  );
}

function DevicesSection({ canEdit, form = {}, csrfToken }: { canEdit: boolean; form?: FormState; csrfToken: string }) {
  return (
    <Section
      id="devices"
      title="Signed-in devices"
      subtitle="Lost a phone, or signed in on a shared computer? End every session at once."
      invalid={Boolean(form.formError)}
    >
      {canEdit ? (
        <Form action="/account/sign-out-everywhere" csrfToken={csrfToken}>
          <FormError message={form.formError} />
          <p class="small">
            This signs you out here, in every other browser, and in every app that uses your account. You will need to
            sign in again.
          </p>
          <button type="submit" class="btn btn-outline-danger">
            Sign out of all devices
          </button>
        </Form>
      ) : (
        <ReadOnlyNote />
      )}
    </Section>
  );
}

function DeleteSection({ canEdit }: { canEdit: boolean }) {
  return (
    <Section id="delete" title="Delete account" danger>
      <p class="small">Deleting your account removes your sign-in and your profile for good. It cannot be undone.</p>
      {canEdit ? (
        <a class="btn btn-outline-danger" href="/account/delete">
          Delete my account…
        </a>
      ) : (
        <ReadOnlyNote />
      )}
    </Section>
  );
}

export function AccountPage({
  ctx,
  user,
  canEdit,
  pendingEmail,
  passwordHint,
  forms = {},
  security,
  securityForm,
}: AccountPageProps) {
  const csrf = ctx.csrfToken;
  return (
    <Layout title="Your account" ctx={ctx}>
      <div class="mb-4">
        <h1 class="h2 mb-1">Your account</h1>
        <p class="text-body-secondary mb-0">Your profile, sign-in details and devices.</p>
      </div>
      <ErrorSummary forms={forms} />
      <div class="row g-4">
        <div class="col-lg-4">
          <Sidebar user={user} />
        </div>
        <div class="col-lg-8">
          <ProfileSection user={user} canEdit={canEdit} form={forms.profile} csrfToken={csrf} />
          <EmailSection
            user={user}
            canEdit={canEdit}
            pendingEmail={pendingEmail}
            form={forms.email}
            verifyForm={forms.verify}
            csrfToken={csrf}
          />
          <PasswordSection canEdit={canEdit} form={forms.password} csrfToken={csrf} hint={passwordHint} />
          <SecuritySection state={security} canEdit={canEdit} form={securityForm} csrfToken={csrf} />
          <DevicesSection canEdit={canEdit} form={forms.devices} csrfToken={csrf} />
          <DeleteSection canEdit={canEdit} />
        </div>
      </div>
    </Layout>
  );
}

export interface DeleteAccountPageProps {
  readonly ctx: ViewContext;
  readonly user: User;
  readonly form?: FormState;
}

export function DeleteAccountPage({ ctx, user, form = {} }: DeleteAccountPageProps) {
  return (
    <Layout title="Delete your account" ctx={ctx} narrow>
      <div class="card shadow-sm border-danger-subtle">
        <div class="card-body p-4 p-md-5">
          <h1 class="h3 text-danger mb-3">Delete your account</h1>
          <p>This is permanent. When you delete your account:</p>
          <ul class="mb-4">
            <li>you can no longer sign in as {user.username}, here or in any app;</li>
            <li>your profile is removed from this site;</li>
            <li>every device you are signed in on is signed out.</li>
          </ul>
          <Form action="/account/delete" csrfToken={ctx.csrfToken}>
            <FormError message={form.formError} />
            <Field
              name="confirm_username"
              label="To confirm, type your username"
              value={form.values?.confirm_username ?? ""}
              errors={form.errors}
              autocomplete="off"
              help={`Your username is ${user.username}.`}
            />
            <div class="d-grid gap-2">
              <button type="submit" class="btn btn-danger">
                Delete my account permanently
              </button>
              <a class="btn btn-outline-secondary" href="/account">
                Keep my account
              </a>
            </div>
          </Form>
        </div>
      </div>
    </Layout>
  );
}
