/* @jsxRuntime automatic */
/* @jsxImportSource preact */
// The pragmas above keep the JSX working whichever tsconfig a loader applies (tsx, from the
// sources, may apply none to this package).
/**
 * The hosted UI's pages, server-rendered with Preact (escaped by default) and styled with
 * Bootstrap 5. Every form posts back with the CSRF field and the authorization request's
 * parameters, so a flow goes on from page to page without script.
 */
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";

export interface PageFrame {
  /** Host-relative base of the domain's pages, e.g. `/gatehouse-dev`. */
  readonly base: string;
  /** The app client's name, shown as who is asking. */
  readonly appName: string;
  readonly csrf: string;
  /** The authorization request's parameters, carried by every link and form. */
  readonly query: string;
}

export type Notice = { readonly kind: "danger" | "success" | "info"; readonly text: string } | null;

/** A whole page as HTML text. */
export const page = (node: preact.VNode): string => `<!doctype html>${renderToString(node)}`;

function Layout({
  title,
  frame,
  children,
}: {
  title: string;
  frame: Pick<PageFrame, "appName">;
  children: ComponentChildren;
}) {
  return (
    <html lang="en" data-bs-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${frame.appName}`}</title>
        <link rel="stylesheet" href="/_hosted/bootstrap.min.css" />
        <link rel="stylesheet" href="/_hosted/hosted.css" />
      </head>
      <body class="hosted-body">
        <main class="hosted-main">
          <div class="hosted-card card border-0 shadow-sm">
            <div class="card-body p-4 p-sm-5">
              <div class="hosted-brand mb-4">
                <span class="hosted-mark" aria-hidden="true">
                  ◆
                </span>
                <span class="fw-semibold">{frame.appName}</span>
              </div>
              {children}
            </div>
          </div>
          <p class="hosted-footer text-body-secondary small text-center mt-4 mb-0">
            Sign-in hosted by the Gatehouse Cognito emulator
          </p>
        </main>
      </body>
    </html>
  );
}

function Alert({ notice }: { notice: Notice }) {
  if (!notice) return null;
  return (
    <div class={`alert alert-${notice.kind} py-2 small`} role={notice.kind === "danger" ? "alert" : "status"}>
      {notice.text}
    </div>
  );
}

const link = (frame: PageFrame, path: string, extra: Record<string, string> = {}): string => {
  const query = new URLSearchParams(frame.query);
  for (const [k, v] of Object.entries(extra)) query.set(k, v);
  const text = query.toString();
  return `${frame.base}${path}${text ? `?${text}` : ""}`;
};

function Form({
  frame,
  action,
  hidden = {},
  children,
}: {
  frame: PageFrame;
  action: string;
  hidden?: Record<string, string>;
  children: ComponentChildren;
}) {
  return (
    <form method="post" action={link(frame, action)} novalidate={false}>
      <input type="hidden" name="_csrf" value={frame.csrf} />
      {Object.entries(hidden).map(([name, value]) => (
        <input type="hidden" name={name} value={value} key={name} />
      ))}
      {children}
    </form>
  );
}

interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly type?: string;
  readonly value?: string;
  readonly autocomplete?: string;
  readonly autofocus?: boolean;
  readonly inputmode?: string;
  readonly pattern?: string;
  readonly maxlength?: number;
  readonly help?: string;
  /** A one-time code: centred, spaced digits. */
  readonly code?: boolean;
}

function Field({
  name,
  label,
  type = "text",
  value,
  autocomplete,
  autofocus,
  inputmode,
  pattern,
  maxlength,
  help,
  code,
}: FieldProps) {
  const id = `field-${name}`;
  return (
    <div class="mb-3">
      <label class="form-label small fw-medium" for={id}>
        {label}
      </label>
      <input
        class={`form-control form-control-lg${code ? " hosted-code" : ""}`}
        id={id}
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        autofocus={autofocus}
        inputmode={inputmode as preact.JSX.HTMLAttributes["inputMode"]}
        pattern={pattern}
        maxlength={maxlength}
        required
        aria-describedby={help ? `${id}-help` : undefined}
      />
      {help && (
        <div class="form-text" id={`${id}-help`}>
          {help}
        </div>
      )}
    </div>
  );
}

const Submit = ({ children }: { children: ComponentChildren }) => (
  <button type="submit" class="btn btn-primary btn-lg w-100 mt-2">
    {children}
  </button>
);

/** A page of the flow: its heading, its notice, then its form. */
function Card(props: {
  title: string;
  /** The page's heading, when it is not its title. */
  heading?: string;
  lead?: ComponentChildren;
  frame: Pick<PageFrame, "appName">;
  notice: Notice;
  children: ComponentChildren;
}) {
  return (
    <Layout title={props.title} frame={props.frame}>
      <Heading title={props.heading ?? props.title} lead={props.lead} />
      <Alert notice={props.notice} />
      {props.children}
    </Layout>
  );
}

function Heading({ title, lead }: { title: string; lead?: ComponentChildren }) {
  return (
    <div class="mb-4">
      <h1 class="h4 mb-1">{title}</h1>
      {lead && <p class="text-body-secondary mb-0">{lead}</p>}
    </div>
  );
}

export function LoginPage(props: { frame: PageFrame; username?: string; notice: Notice; canSignUp: boolean }) {
  const { frame } = props;
  return (
    <Card
      title="Sign in"
      lead="Use your username or email address and your password."
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/login">
        <Field
          name="username"
          label="Username or email"
          value={props.username}
          autocomplete="username"
          autofocus={!props.username}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          autofocus={Boolean(props.username)}
        />
        <div class="text-end mb-3 small">
          <a href={link(frame, "/forgotPassword")}>Forgot your password?</a>
        </div>
        <Submit>Sign in</Submit>
      </Form>
      {props.canSignUp && (
        <p class="text-center small mt-4 mb-0">
          New here? <a href={link(frame, "/signup")}>Create an account</a>
        </p>
      )}
    </Card>
  );
}

export function SignUpPage(props: {
  frame: PageFrame;
  notice: Notice;
  usernameIsEmail: boolean;
  askEmail: boolean;
  values: { username?: string; email?: string };
  passwordHelp: string;
}) {
  const { frame } = props;
  return (
    <Card
      title="Create an account"
      lead="It takes a minute. We will send a code to confirm your email."
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/signup">
        {props.usernameIsEmail ? (
          <Field
            name="username"
            label="Email"
            type="email"
            value={props.values.username}
            autocomplete="email"
            autofocus
          />
        ) : (
          <Field name="username" label="Username" value={props.values.username} autocomplete="username" autofocus />
        )}
        {props.askEmail && (
          <Field name="email" label="Email" type="email" value={props.values.email} autocomplete="email" />
        )}
        <Field name="password" label="Password" type="password" autocomplete="new-password" help={props.passwordHelp} />
        <Submit>Create account</Submit>
      </Form>
      <p class="text-center small mt-4 mb-0">
        Already have an account? <a href={link(frame, "/login")}>Sign in</a>
      </p>
    </Card>
  );
}

export function ConfirmUserPage(props: { frame: PageFrame; username: string; destination?: string; notice: Notice }) {
  const { frame } = props;
  const lead = props.destination ? (
    <>
      We sent a code to <strong>{props.destination}</strong>. Enter it below to confirm your account.
    </>
  ) : (
    "Enter the code we sent you to confirm your account."
  );
  return (
    <Card title="Confirm your account" lead={lead} frame={frame} notice={props.notice}>
      <Form frame={frame} action="/confirmUser" hidden={{ username: props.username }}>
        <Field
          name="code"
          label="Verification code"
          autocomplete="one-time-code"
          code
          inputmode="numeric"
          pattern="[0-9]{6}"
          maxlength={6}
          autofocus
        />
        <Submit>Confirm account</Submit>
      </Form>
      <Form frame={frame} action="/resendCode" hidden={{ username: props.username }}>
        <p class="text-center small mt-4 mb-0">
          Didn’t get it?{" "}
          <button type="submit" class="btn btn-link btn-sm p-0 align-baseline">
            Send a new code
          </button>
        </p>
      </Form>
    </Card>
  );
}

export function ForgotPasswordPage(props: { frame: PageFrame; username?: string; notice: Notice }) {
  const { frame } = props;
  return (
    <Card
      title="Reset your password"
      lead="Enter your username or email and we will send you a code."
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/forgotPassword">
        <Field name="username" label="Username or email" value={props.username} autocomplete="username" autofocus />
        <Submit>Send code</Submit>
      </Form>
      <p class="text-center small mt-4 mb-0">
        <a href={link(frame, "/login")}>Back to sign in</a>
      </p>
    </Card>
  );
}

export function ConfirmForgotPasswordPage(props: {
  frame: PageFrame;
  username: string;
  destination?: string;
  notice: Notice;
  passwordHelp: string;
}) {
  const { frame } = props;
  return (
    <Card
      title="Choose a new password"
      lead={
        props.destination ? (
          <>
            We sent a code to <strong>{props.destination}</strong>.
          </>
        ) : (
          "Enter the code we sent you and a new password."
        )
      }
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/confirmForgotPassword" hidden={{ username: props.username }}>
        <Field name="code" label="Code" autocomplete="one-time-code" code inputmode="numeric" maxlength={6} autofocus />
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          help={props.passwordHelp}
        />
        <Field name="confirm" label="Repeat the new password" type="password" autocomplete="new-password" />
        <Submit>Change password</Submit>
      </Form>
      <p class="text-center small mt-4 mb-0">
        <a href={link(frame, "/login")}>Back to sign in</a>
      </p>
    </Card>
  );
}

/** What a pending challenge carries from form to form. */
export interface ChallengeFields {
  readonly session: string;
  readonly username: string;
  readonly challenge: string;
  /** Where a delivered code went (CODE_DELIVERY_DESTINATION), to say so again after a typo. */
  readonly destination?: string;
}

const challengeHidden = (c: ChallengeFields): Record<string, string> => ({
  session: c.session,
  username: c.username,
  challenge: c.challenge,
  ...(c.destination ? { destination: c.destination } : {}),
});

/** What every page of a pending sign-in step is given. */
interface ChallengePageProps {
  readonly frame: PageFrame;
  readonly challenge: ChallengeFields;
  readonly notice: Notice;
}

export function MfaCodePage(props: ChallengePageProps & { destination?: string }) {
  const { frame, challenge } = props;
  const totp = challenge.challenge === "SOFTWARE_TOKEN_MFA";
  return (
    <Card
      title="Two-step verification"
      lead={
        totp ? (
          "Enter the 6-digit code from your authenticator app."
        ) : (
          <>
            We sent a code to <strong>{props.destination ?? "you"}</strong>.
          </>
        )
      }
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/mfa" hidden={challengeHidden(challenge)}>
        <Field
          name="code"
          label={totp ? "Authenticator code" : "Code"}
          autocomplete="one-time-code"
          code
          inputmode="numeric"
          pattern="[0-9]{6}"
          maxlength={6}
          autofocus
        />
        <Submit>Verify</Submit>
      </Form>
      <p class="text-center small mt-4 mb-0">
        <a href={link(frame, "/login")}>Sign in as someone else</a>
      </p>
    </Card>
  );
}

const factorNames: Record<string, string> = {
  SOFTWARE_TOKEN_MFA: "Authenticator app",
  EMAIL_OTP: "Email me a code",
  SMS_MFA: "Text me a code",
};

export function SelectMfaPage(props: ChallengePageProps & { factors: string[] }) {
  const { frame, challenge } = props;
  return (
    <Card title="Two-step verification" lead="How do you want to confirm it’s you?" frame={frame} notice={props.notice}>
      <Form frame={frame} action="/mfa" hidden={challengeHidden(challenge)}>
        <div class="d-grid gap-2">
          {props.factors.map((factor) => (
            <button
              type="submit"
              name="factor"
              value={factor}
              class="btn btn-outline-primary btn-lg hosted-choice"
              key={factor}
            >
              <span>{factorNames[factor] ?? factor}</span>
              <span aria-hidden="true">›</span>
            </button>
          ))}
        </div>
      </Form>
    </Card>
  );
}

export function MfaSetupPage(props: ChallengePageProps & { secret: string; otpauth: string }) {
  const { frame, challenge } = props;
  const grouped = props.secret.match(/.{1,4}/g)?.join(" ") ?? props.secret;
  return (
    <Card
      title="Set up two-step verification"
      heading="Set up an authenticator"
      lead="Your account needs a second step at sign-in."
      frame={frame}
      notice={props.notice}
    >
      <ol class="small ps-3 mb-4">
        <li class="mb-2">Open your authenticator app and add an account.</li>
        <li class="mb-2">
          Enter this key, or <a href={props.otpauth}>open it in your app</a>:
          <code class="hosted-secret d-block mt-2 p-2 rounded bg-body-tertiary user-select-all">{grouped}</code>
        </li>
        <li>Type the 6-digit code the app shows.</li>
      </ol>
      <Form frame={frame} action="/mfaSetup" hidden={{ ...challengeHidden(challenge), secret: props.secret }}>
        <Field
          name="code"
          label="Authenticator code"
          autocomplete="one-time-code"
          code
          inputmode="numeric"
          pattern="[0-9]{6}"
          maxlength={6}
          autofocus
        />
        <Submit>Verify and sign in</Submit>
      </Form>
    </Card>
  );
}

export function NewPasswordPage(props: ChallengePageProps & { passwordHelp: string }) {
  const { frame, challenge } = props;
  return (
    <Card
      title="Choose a new password"
      lead="Your temporary password has to be replaced before you go on."
      frame={frame}
      notice={props.notice}
    >
      <Form frame={frame} action="/newPassword" hidden={challengeHidden(challenge)}>
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          autofocus
          help={props.passwordHelp}
        />
        <Field name="confirm" label="Repeat the new password" type="password" autocomplete="new-password" />
        <Submit>Save and sign in</Submit>
      </Form>
    </Card>
  );
}

export function ErrorPage(props: { appName: string; code: string; message: string }) {
  return (
    <Layout title="Something went wrong" frame={{ appName: props.appName }}>
      <Heading title="An error was encountered with the requested page." />
      <div class="alert alert-danger small" role="alert">
        <div class="fw-semibold font-monospace mb-1">{props.code}</div>
        {props.message}
      </div>
      <p class="small text-body-secondary mb-0">Go back to the application and start signing in again.</p>
    </Layout>
  );
}

/** Shown by a plain visit to /error, and when no client can be trusted. */
export const errorPage = (appName: string, code: string, message: string): string =>
  page(<ErrorPage appName={appName} code={code} message={message} />);
