/**
 * `/dashboard`, where a person lands after signing in: a welcome, their profile at a glance and
 * the way to their account settings. In development it also shows a ready `curl` line that
 * calls the REST API with the session's current access token, so a developer can try the API
 * without writing a client first.
 */
import type { FastifyInstance } from "fastify";
import type { ComponentChildren } from "preact";
import { HttpError } from "../http-error.ts";
import { requireLogin, tokensOf } from "../accounts/session-auth.ts";
import type { User } from "../accounts/users.ts";
import { EmailStatusBadge, fullNameOf, Time } from "./display.tsx";
import { Layout } from "./layout.tsx";
import type { ViewContext } from "./view.ts";

/** What the development panel shows; absent outside development or without Cognito tokens. */
export interface ApiPanel {
  readonly curl: string;
  readonly tokenExpiresAt: Date;
}

export interface DashboardProps {
  readonly ctx: ViewContext;
  readonly user: User;
  readonly api: ApiPanel | null;
}

function ProfileRow({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="row py-2 border-bottom border-light-subtle g-1">
      <dt class="col-sm-4 fw-normal text-body-secondary">{label}</dt>
      <dd class="col-sm-8 mb-0 text-break">{children}</dd>
    </div>
  );
}

const notSet = <span class="text-body-secondary fst-italic">not set</span>;

function ProfileSummary({ user }: { user: User }) {
  return (
    <div class="card border-0 shadow-sm h-100" data-testid="profile-summary">
      <div class="card-header bg-body d-flex justify-content-between align-items-center py-3">
        <h2 class="h5 mb-0">Your profile</h2>
        <a class="btn btn-sm btn-outline-primary" href="/account#profile">
          Edit
        </a>
      </div>
      <div class="card-body pt-1">
        <dl class="mb-0">
          <ProfileRow label="Username">
            <span class="font-monospace">{user.username}</span>
          </ProfileRow>
          <ProfileRow label="Email">
            <span class="me-2">{user.email}</span>
            <EmailStatusBadge verified={user.emailVerified} />
          </ProfileRow>
          <ProfileRow label="Given name">{user.givenName ?? notSet}</ProfileRow>
          <ProfileRow label="Family name">{user.familyName ?? notSet}</ProfileRow>
          <ProfileRow label="Member since">
            <Time value={user.createdAt} />
          </ProfileRow>
          <ProfileRow label="Last sign-in">
            {user.lastLogin ? <Time value={user.lastLogin} withTime /> : "—"}
          </ProfileRow>
        </dl>
      </div>
    </div>
  );
}

function QuickLinks() {
  const links = [
    { href: "/account#profile", title: "Edit your name", text: "How we address you." },
    { href: "/account#email", title: "Change your email address", text: "We confirm it with a code." },
    { href: "/account#password", title: "Change your password", text: "Keep your account safe." },
    { href: "/account#devices", title: "Sign out of all devices", text: "If you lost a phone or laptop." },
  ];
  return (
    <div class="card border-0 shadow-sm h-100">
      <div class="card-header bg-body py-3">
        <h2 class="h5 mb-0">Account settings</h2>
      </div>
      <div class="list-group list-group-flush">
        {links.map((link) => (
          <a class="list-group-item list-group-item-action py-3" href={link.href}>
            <div class="fw-semibold">{link.title}</div>
            <div class="small text-body-secondary">{link.text}</div>
          </a>
        ))}
      </div>
    </div>
  );
}

function ApiPanelCard({ api }: { api: ApiPanel }) {
  return (
    <div class="card border-warning-subtle shadow-sm mt-4" data-testid="api-panel">
      <div class="card-header bg-warning-subtle d-flex flex-wrap justify-content-between align-items-center gap-2 py-3">
        <h2 class="h5 mb-0">Call the API</h2>
        <span class="badge text-bg-warning">development only</span>
      </div>
      <div class="card-body">
        <p>
          Your current access token, ready to use from a terminal. It is sent as a bearer token, the way app clients
          call the REST API.
        </p>
        <pre class="token-box bg-body-tertiary border rounded p-3 mb-3" data-testid="api-curl">
          <code>{api.curl}</code>
        </pre>
        <p class="small text-body-secondary mb-2">
          The token expires at <Time value={api.tokenExpiresAt} withTime />. Your session renews it automatically;
          reload this page for the current one. Never share it: it acts as you until it expires.
        </p>
        <p class="small text-body-secondary mb-0" data-testid="api-docs">
          Every endpoint, with its request and response schemas: <a href="/api/docs">the API documentation</a>.
        </p>
      </div>
    </div>
  );
}

export function Dashboard({ ctx, user, api }: DashboardProps) {
  const name = user.givenName ?? user.username;
  return (
    <Layout title="Dashboard" ctx={ctx}>
      <div class="mb-4">
        <h1 class="h2 mb-1">Welcome, {name}</h1>
        <p class="text-body-secondary mb-0">
          {fullNameOf(user) ? `Signed in as ${user.username}.` : "Here is your account at a glance."}
        </p>
      </div>
      {!user.emailVerified && (
        <div
          class="alert alert-warning d-flex flex-wrap align-items-center justify-content-between gap-2"
          role="status"
        >
          <span>Your email address is not confirmed yet. Until it is, you cannot sign in with it.</span>
          <a class="btn btn-sm btn-warning" href="/account#email">
            Confirm it
          </a>
        </div>
      )}
      <div class="row g-4">
        <div class="col-lg-7">
          <ProfileSummary user={user} />
        </div>
        <div class="col-lg-5">
          <QuickLinks />
        </div>
      </div>
      {api && <ApiPanelCard api={api} />}
    </Layout>
  );
}

export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get("/dashboard", { preHandler: requireLogin }, async (request, reply) => {
    const user = request.user;
    // requireLogin has already sent anyone without a user to /login.
    if (!user) throw new HttpError(401);
    const tokens = tokensOf(request);
    const api =
      app.config.mode === "development" && tokens
        ? {
            curl: `curl -H "Authorization: Bearer ${tokens.accessToken}" ${new URL("/api/v1/me", app.config.publicUrl).href}`,
            tokenExpiresAt: new Date(tokens.expiresAt),
          }
        : null;
    // The page can hold a live access token: no cache may keep it.
    reply.header("cache-control", "no-store");
    return reply.page(<Dashboard ctx={reply.viewContext()} user={user} api={api} />);
  });
}
