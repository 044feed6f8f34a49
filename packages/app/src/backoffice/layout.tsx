/**
 * The back office's own frame (Django admin's `base_site.html`): a dark header with who is signed
 * in, breadcrumbs, a sidebar listing the models this staff member may see (a collapsible menu
 * on narrow screens), and the flash messages. Dense by design: staff read tables here.
 */
import type { ComponentChildren } from "preact";
import type { ViewContext } from "../pages/view.ts";
import { canView, canViewAuditLog, type Staff } from "./access.ts";
import { assetUrls } from "./assets.ts";

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export type Section = "home" | "users" | "groups" | "audit-log";

export interface BackofficeLayoutProps {
  readonly title: string;
  readonly ctx: ViewContext;
  /** null on the sign-in page. */
  readonly staff: Staff | null;
  readonly crumbs?: readonly Crumb[];
  readonly section?: Section;
  readonly children: ComponentChildren;
}

interface ModelLink {
  readonly section: Section;
  readonly label: string;
  readonly href: string;
  readonly addHref?: string;
}

/** The models `staff` may open, grouped as Django groups them by app. */
export function modelsOf(staff: Staff): { app: string; models: ModelLink[] }[] {
  const accounts: ModelLink[] = [];
  if (canView(staff, "user") || staff.can("accounts.add_user")) {
    accounts.push({
      section: "users",
      label: "Users",
      href: canView(staff, "user") ? "/admin/users" : "/admin/users/add",
      ...(staff.can("accounts.add_user") ? { addHref: "/admin/users/add" } : {}),
    });
  }
  if (canView(staff, "group") || staff.can("accounts.add_group")) {
    accounts.push({
      section: "groups",
      label: "Groups",
      href: canView(staff, "group") ? "/admin/groups" : "/admin/groups/add",
      ...(staff.can("accounts.add_group") ? { addHref: "/admin/groups/add" } : {}),
    });
  }
  const backoffice: ModelLink[] = canViewAuditLog(staff)
    ? [{ section: "audit-log", label: "Audit log", href: "/admin/audit-log" }]
    : [];
  return [
    { app: "Accounts", models: accounts },
    { app: "Back office", models: backoffice },
  ].filter((group) => group.models.length > 0);
}

function Sidebar({ staff, section }: { staff: Staff; section: Section | undefined }) {
  return (
    <nav class="bo-sidebar" aria-label="Models">
      {modelsOf(staff).map(({ app, models }) => (
        <div>
          <div class="bo-app">{app}</div>
          {models.map((m) => (
            <div class={`bo-model${m.section === section ? " active" : ""}`}>
              <a href={m.href} aria-current={m.section === section ? "page" : undefined}>
                {m.label}
              </a>
              {m.addHref && (
                <a class="bo-add" href={m.addHref} aria-label={`Add ${m.label.toLowerCase().replace(/s$/, "")}`}>
                  Add
                </a>
              )}
            </div>
          ))}
        </div>
      ))}
    </nav>
  );
}

export function BackofficeLayout({ title, ctx, staff, crumbs = [], section, children }: BackofficeLayoutProps) {
  return (
    <html lang="en" data-bs-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${title} · Gatehouse administration`}</title>
        <link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css" />
        <link rel="stylesheet" href={assetUrls.css} />
        <script src="/static/bootstrap/js/bootstrap.bundle.min.js" defer />
        <script src={assetUrls.js} defer />
      </head>
      <body class="bo d-flex flex-column min-vh-100">
        <header class="navbar navbar-expand-lg bo-header" data-bs-theme="dark">
          <div class="container-fluid px-3 px-lg-4">
            <a class="navbar-brand" href={staff ? "/admin/" : "/admin/login"}>
              <span class="bo-mark" aria-hidden="true">
                ◆
              </span>{" "}
              Gatehouse administration
            </a>
            {staff && (
              <>
                <button
                  class="navbar-toggler"
                  type="button"
                  data-bs-toggle="collapse"
                  data-bs-target="#bo-menu"
                  aria-controls="bo-menu"
                  aria-expanded="false"
                  aria-label="Menu"
                >
                  <span class="navbar-toggler-icon" />
                </button>
                <div class="collapse navbar-collapse" id="bo-menu">
                  <ul class="navbar-nav d-lg-none mt-2">
                    <li class="nav-item">
                      <a class={`nav-link${section === "home" ? " active" : ""}`} href="/admin/">
                        Home
                      </a>
                    </li>
                    {modelsOf(staff).flatMap(({ models }) =>
                      models.map((m) => (
                        <li class="nav-item">
                          <a class={`nav-link${m.section === section ? " active" : ""}`} href={m.href}>
                            {m.label}
                          </a>
                        </li>
                      )),
                    )}
                  </ul>
                  <div class="bo-user ms-lg-auto py-2 py-lg-0" data-testid="signed-in-as">
                    Welcome, <strong>{staff.user.username}</strong>.{" "}
                    <a href="/" class="ms-1">
                      View site
                    </a>
                    <span aria-hidden="true"> / </span>
                    <a href="/admin/two-step">Two-step verification</a>
                    <span aria-hidden="true"> / </span>
                    <form method="post" action="/admin/logout" class="d-inline">
                      <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                      <button type="submit" class="btn btn-link">
                        Sign out
                      </button>
                    </form>
                  </div>
                </div>
              </>
            )}
          </div>
        </header>
        {staff && (
          <div class="bo-crumbs">
            <div class="container-fluid px-3 px-lg-4">
              <nav aria-label="breadcrumb">
                <ol class="breadcrumb">
                  <li class={`breadcrumb-item${crumbs.length === 0 ? " active" : ""}`}>
                    {crumbs.length === 0 ? "Home" : <a href="/admin/">Home</a>}
                  </li>
                  {crumbs.map((crumb, i) =>
                    crumb.href && i < crumbs.length - 1 ? (
                      <li class="breadcrumb-item">
                        <a href={crumb.href}>{crumb.label}</a>
                      </li>
                    ) : (
                      <li class="breadcrumb-item active" aria-current="page">
                        {crumb.label}
                      </li>
                    ),
                  )}
                </ol>
              </nav>
            </div>
          </div>
        )}
        <div class="bo-shell">
          {staff && <Sidebar staff={staff} section={section} />}
          <main class="bo-main">
            {ctx.flash.map((message) => (
              <div class={`alert alert-${message.level} py-2 bo-message`} role="alert">
                {message.text}
              </div>
            ))}
            {children}
          </main>
        </div>
        <footer class="bo-footer d-flex justify-content-between flex-wrap gap-2">
          <span>Gatehouse back office · times in UTC</span>
          {ctx.devMode && <span class="badge text-bg-warning">development</span>}
        </footer>
      </body>
    </html>
  );
}
