/** The shared page frame: Bootstrap 5, a navbar that shows who is signed in, flash messages. */
import type { ComponentChildren } from "preact";
import type { ViewContext } from "./view.ts";

export interface LayoutProps {
  readonly title: string;
  readonly ctx: ViewContext;
  readonly children: ComponentChildren;
  /** Narrow, centred column for the sign-in and sign-up forms. */
  readonly narrow?: boolean;
}

function NavLink({ href, ctx, children }: { href: string; ctx: ViewContext; children: ComponentChildren }) {
  // A section stays marked on its sub-pages (/account/delete, a form posted to /account/email).
  const active = ctx.path === href || ctx.path.startsWith(`${href}/`);
  return (
    <li class="nav-item">
      <a
        class={`nav-link${active ? " active" : ""}`}
        href={href}
        aria-current={ctx.path === href ? "page" : active ? "true" : undefined}
      >
        {children}
      </a>
    </li>
  );
}

export function Layout({ title, ctx, children, narrow = false }: LayoutProps) {
  return (
    <html lang="en" data-bs-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Gatehouse`}</title>
        <link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/bootstrap/js/bootstrap.bundle.min.js" defer />
      </head>
      <body class="d-flex flex-column min-vh-100 bg-body-tertiary">
        <nav class="navbar navbar-expand-md bg-dark border-bottom border-body" data-bs-theme="dark">
          <div class="container">
            <a class="navbar-brand fw-semibold" href="/">
              <span class="brand-mark" aria-hidden="true">
                ◆
              </span>{" "}
              Gatehouse
            </a>
            <button
              class="navbar-toggler"
              type="button"
              data-bs-toggle="collapse"
              data-bs-target="#main-nav"
              aria-controls="main-nav"
              aria-expanded="false"
              aria-label="Toggle navigation"
            >
              <span class="navbar-toggler-icon" />
            </button>
            <div class="collapse navbar-collapse" id="main-nav">
              {ctx.user ? (
                <>
                  <ul class="navbar-nav me-auto">
                    <NavLink href="/dashboard" ctx={ctx}>
                      Dashboard
                    </NavLink>
                    <NavLink href="/account" ctx={ctx}>
                      Account
                    </NavLink>
                    {ctx.user.isStaff && (
                      <li class="nav-item">
                        <a class="nav-link" href="/admin/">
                          Back office
                        </a>
                      </li>
                    )}
                  </ul>
                  <div class="d-flex align-items-md-center flex-column flex-md-row gap-2 py-2 py-md-0">
                    <span class="navbar-text" data-testid="signed-in-as">
                      Signed in as <strong class="text-white">{ctx.user.username}</strong>
                    </span>
                    <form method="post" action="/logout" class="d-inline">
                      <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                      <button type="submit" class="btn btn-outline-light btn-sm">
                        Sign out
                      </button>
                    </form>
                  </div>
                </>
              ) : (
                <>
                  <ul class="navbar-nav me-auto" />
                  <ul class="navbar-nav align-items-md-center">
                    <NavLink href="/login" ctx={ctx}>
                      Sign in
                    </NavLink>
                    {ctx.allowSignup && (
                      <li class="nav-item">
                        <a class="btn btn-primary btn-sm ms-md-2 mt-2 mt-md-0" href="/register">
                          Create account
                        </a>
                      </li>
                    )}
                  </ul>
                </>
              )}
            </div>
          </div>
        </nav>
        <main class={`container flex-grow-1 py-4 py-md-5${narrow ? " narrow-column" : ""}`}>
          {ctx.flash.map((message) => (
            <div class={`alert alert-${message.level} alert-dismissible fade show`} role="alert">
              {message.text}
              <button type="button" class="btn-close" data-bs-dismiss="alert" aria-label="Close" />
            </div>
          ))}
          {children}
        </main>
        <footer class="border-top bg-body py-3 mt-auto">
          <div class="container small text-body-secondary d-flex justify-content-between flex-wrap gap-2">
            <span>Gatehouse — sign-in by Amazon Cognito</span>
            {ctx.devMode && <span class="badge text-bg-warning">development</span>}
          </div>
        </footer>
      </body>
    </html>
  );
}
