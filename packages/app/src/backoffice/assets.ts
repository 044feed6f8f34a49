/**
 * The back office's stylesheet and its one small script, served from /admin/static/. They live
 * in code rather than in `static/` so the module is self-contained and the built app carries
 * them without a copy step; the CSP (self only) allows both, and no page has inline style or
 * script. Everything works without the script: it only adds "select all" to the users list.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";

export const backofficeCss = `/* Gatehouse back office: dense, Django-admin-like, on Bootstrap 5. */
.bo {
  --bo-header: #1d3b4f;
  --bo-header-accent: #8fc1dc;
  --bo-crumbs: #e6eef3;
  --bo-line: #dfe4e8;
  --bo-head: #f3f5f7;
  font-size: 0.875rem;
  background: #f7f8fa;
}
.bo a:not(.btn):not(.page-link):not(.nav-link):not(.navbar-brand) { text-decoration: none; }
.bo a:not(.btn):not(.page-link):not(.nav-link):not(.navbar-brand):hover { text-decoration: underline; }
.bo-header { background: var(--bo-header); }
.bo-header .navbar-brand { font-weight: 600; font-size: 1.05rem; }
.bo-header .navbar-brand .bo-mark { color: var(--bo-header-accent); }
.bo-header .bo-user { color: rgba(255, 255, 255, 0.75); font-size: 0.8125rem; }
.bo-header .bo-user strong { color: #fff; }
.bo-header .bo-user a, .bo-header .bo-user .btn-link { color: var(--bo-header-accent); text-decoration: none; padding: 0; font-size: 0.8125rem; vertical-align: baseline; border: 0; }
.bo-header .bo-user a:hover, .bo-header .bo-user .btn-link:hover { color: #fff; text-decoration: underline; }
.bo-crumbs { background: var(--bo-crumbs); border-bottom: 1px solid var(--bo-line); font-size: 0.8125rem; }
.bo-crumbs .breadcrumb { margin: 0; padding: 0.5rem 0; }
.bo-crumbs .breadcrumb-item + .breadcrumb-item::before { content: "›"; }
.bo-shell { display: flex; flex: 1 0 auto; min-height: 0; }
.bo-sidebar { flex: none; width: 14.5rem; background: #fff; border-right: 1px solid var(--bo-line); padding: 1rem 0; }
.bo-sidebar .bo-app { font-size: 0.6875rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; color: var(--bs-secondary-color); padding: 0.75rem 1rem 0.25rem; }
.bo-sidebar .bo-model { display: flex; align-items: center; justify-content: space-between; padding: 0.3rem 1rem; }
.bo-sidebar .bo-model > a:first-child { color: var(--bs-body-color); text-decoration: none; }
.bo-sidebar .bo-model > a:first-child:hover { color: var(--bs-link-color); }
.bo-sidebar .bo-model.active { background: #e9f1f6; box-shadow: inset 3px 0 0 #417690; }
.bo-sidebar .bo-model.active > a:first-child { font-weight: 600; }
.bo-add { font-size: 0.75rem; text-decoration: none; white-space: nowrap; }
.bo-add::before { content: "+ "; }
.bo-main { flex: 1 1 auto; min-width: 0; padding: 1.25rem 1.5rem 2rem; }
.bo-main h1 { font-size: 1.35rem; font-weight: 600; margin-bottom: 1rem; }
.bo-title { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; margin-bottom: 1rem; }
.bo-title h1 { margin: 0; }
.bo-card { background: #fff; border: 1px solid var(--bo-line); border-radius: 0.375rem; }
.bo-card > .bo-card-head { background: var(--bo-head); border-bottom: 1px solid var(--bo-line); padding: 0.5rem 0.75rem; font-weight: 600; font-size: 0.8125rem; border-radius: 0.375rem 0.375rem 0 0; display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; }
.bo-card > .bo-card-body { padding: 0.75rem; }
.bo-card-head h2, .bo-card-head .h6 { font-size: 0.875rem; }
.bo-card.bo-card-body { padding: 1rem 1.25rem; }
.bo-show-phone { display: none; }
.bo-sub { display: none; font-size: 0.75rem; color: var(--bs-secondary-color); }
.bo-table { margin: 0; font-size: 0.8125rem; }
.bo-table > thead > tr > th { background: var(--bo-head); font-size: 0.6875rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: #4b5560; white-space: nowrap; padding: 0.45rem 0.6rem; border-bottom-color: var(--bo-line); }
.bo-table > thead > tr > th a { color: inherit; text-decoration: none; }
.bo-table > thead > tr > th a:hover { color: var(--bs-link-color); }
.bo-table > thead > tr > th.sorted { background: #e6edf2; }
.bo-table > tbody > tr > td { padding: 0.4rem 0.6rem; vertical-align: middle; border-color: #edf0f2; }
.bo-table > tbody > tr:hover > td { background: #f8fafb; }
.bo-table .bo-check { width: 2rem; }
.bo-table td.bo-nowrap, .bo-table th.bo-nowrap { white-space: nowrap; }
.bo-sort { font-size: 0.65rem; margin-left: 0.2rem; }
.bo-yes { color: #198754; font-weight: 700; }
.bo-no { color: #c23b3b; font-weight: 700; }
.bo-toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--bo-line); background: #fbfcfc; }
.bo-toolbar .form-control, .bo-toolbar .form-select { font-size: 0.8125rem; }
.bo-search { flex: 1 1 14rem; max-width: 24rem; }
.bo-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.bo-actions .form-select { width: auto; }
.bo-count { color: var(--bs-secondary-color); font-size: 0.8125rem; }
.bo-filters { width: 13rem; flex: none; }
.bo-filters h2 { font-size: 0.75rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; margin: 0; padding: 0.5rem 0.75rem; background: var(--bo-head); border-bottom: 1px solid var(--bo-line); border-radius: 0.375rem 0.375rem 0 0; }
.bo-filters h3 { font-size: 0.75rem; font-weight: 600; margin: 0.6rem 0.75rem 0.2rem; color: #4b5560; }
.bo-filters ul { list-style: none; margin: 0; padding: 0 0.75rem 0.4rem; }
.bo-filters li a { display: block; padding: 0.1rem 0 0.1rem 0.5rem; text-decoration: none; color: var(--bs-secondary-color); border-left: 2px solid transparent; }
.bo-filters li a:hover { color: var(--bs-link-color); }
.bo-filters li.selected a { color: var(--bs-link-color); font-weight: 600; border-left-color: #417690; }
.bo-filter-toggle > summary { list-style: none; cursor: pointer; }
.bo-filter-toggle > summary::-webkit-details-marker { display: none; }
.bo-pages { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; padding: 0.5rem 0.75rem; border-top: 1px solid var(--bo-line); font-size: 0.8125rem; }
.bo-pages .pagination { margin: 0; }
.bo-fieldset { margin-bottom: 1rem; }
.bo-fieldset > .bo-card-head { font-size: 0.8125rem; }
.bo-row { display: grid; grid-template-columns: 11rem minmax(0, 1fr); gap: 0.25rem 1rem; padding: 0.6rem 0.75rem; border-bottom: 1px solid #eef1f3; align-items: start; }
.bo-row:last-child { border-bottom: 0; }
.bo-row > .bo-label { font-weight: 600; padding-top: 0.3rem; color: #39434c; }
.bo-row > .bo-value { min-width: 0; }
.bo-row .form-control, .bo-row .form-select { max-width: 28rem; font-size: 0.875rem; }
.bo-row .form-text { font-size: 0.75rem; margin-top: 0.2rem; }
.bo-row .bo-readonly { padding-top: 0.3rem; overflow-wrap: anywhere; }
.bo-row .form-check { margin-bottom: 0; }
.bo-submit { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; justify-content: flex-end; padding: 0.75rem; background: var(--bo-head); border: 1px solid var(--bo-line); border-radius: 0.375rem; margin-bottom: 1rem; }
.bo-submit .bo-delete { margin-right: auto; }
.bo-perms { font-size: 0.8125rem; max-width: 34rem; }
.bo-perms th, .bo-perms td { padding: 0.3rem 0.5rem; text-align: center; }
.bo-perms th:first-child, .bo-perms td:first-child { text-align: left; }
.bo-choices { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.15rem 1rem; max-width: 40rem; }
.bo-panel dl { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: 0.35rem 0.75rem; margin: 0; }
.bo-panel .badge { white-space: normal; overflow-wrap: anywhere; text-align: left; }
.bo-panel dt { font-weight: 600; color: #39434c; }
.bo-panel dd { margin: 0; overflow-wrap: anywhere; }
.bo-panel .bo-attrs { font-size: 0.75rem; }
.bo-panel .bo-attrs td:first-child { font-family: var(--bs-font-monospace); color: #4b5560; white-space: nowrap; }
.bo-panel .bo-attrs td { padding: 0.2rem 0.4rem; overflow-wrap: anywhere; }
.bo-panel form { display: inline; }
.bo-cognito-actions { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.bo-recent li { padding: 0.4rem 0; border-bottom: 1px solid #eef1f3; }
.bo-recent li:last-child { border-bottom: 0; }
.bo-recent .bo-what { font-size: 0.75rem; color: var(--bs-secondary-color); }
.bo-badge-add { background: #d7f0e0; color: #155d33; }
.bo-badge-change { background: #fff0c7; color: #6b4e00; }
.bo-badge-delete { background: #fbdcdc; color: #8a1f1f; }
.bo-badge-refuse { background: #e4e2f5; color: #3b2f80; }
.bo-models td:first-child a { font-weight: 600; }
.bo-login { max-width: 24rem; margin: 3rem auto; }
.bo-login .bo-card-head { background: var(--bo-header); color: #fff; font-size: 1rem; padding: 0.75rem 1rem; }
.bo-login .bo-card-head .bo-mark { color: var(--bo-header-accent); }
.bo-login .bo-card-body { padding: 1.25rem; }
.bo-confirm ul { margin-bottom: 0.75rem; }
.bo-login.bo-login-wide { max-width: 34rem; }
.bo-totp-setup { display: flex; gap: 1.25rem; align-items: flex-start; margin-bottom: 1rem; }
.bo-qr { flex: none; width: 11rem; height: 11rem; padding: 0.25rem; background: #fff; border: 1px solid var(--bo-line); border-radius: 0.375rem; }
.bo-qr svg { display: block; width: 100%; height: 100%; }
.bo-steps { margin: 0; padding-left: 1.1rem; }
.bo-steps li { margin-bottom: 0.6rem; }
.bo-steps li:last-child { margin-bottom: 0; }
.bo-secret { display: inline-block; margin: 0.35rem 0 0.25rem; padding: 0.3rem 0.5rem; background: var(--bo-head); border: 1px solid var(--bo-line); border-radius: 0.25rem; font-size: 0.9375rem; letter-spacing: 0.04em; user-select: all; overflow-wrap: anywhere; }
.bo-code { font-family: var(--bs-font-monospace); font-size: 1.125rem; letter-spacing: 0.2em; max-width: 11rem; }
.bo-two-step { max-width: 46rem; }
.bo-two-step .bo-code-form { max-width: 20rem; }
.bo-mfa-factors { list-style: none; margin: 0; padding: 0; }
.bo-mfa-factors li + li { margin-top: 0.35rem; }
.bo-mfa-factors .bo-yes { margin-right: 0.3rem; }
.bo-panel .bo-mfa-factors .badge { display: block; width: fit-content; margin: 0.15rem 0 0 1.05rem; font-size: 0.6875rem; font-weight: 600; }
.bo-message { font-size: 0.8125rem; }
.bo-footer { font-size: 0.75rem; color: var(--bs-secondary-color); border-top: 1px solid var(--bo-line); background: #fff; padding: 0.5rem 1.5rem; }
@media (max-width: 991.98px) {
  .bo-sidebar { display: none; }
  .bo-main { padding: 1rem 0.75rem 1.5rem; }
  .bo-filters { width: auto; }
}
@media (max-width: 575.98px) {
  .bo-row { grid-template-columns: minmax(0, 1fr); }
  .bo-row > .bo-label { padding-top: 0; }
  .bo-panel dl { grid-template-columns: 7rem minmax(0, 1fr); }
  .bo-totp-setup { flex-direction: column; align-items: center; }
  .bo-login { margin: 1.5rem auto; }
  .bo-submit { justify-content: stretch; }
  .bo-submit .btn { flex: 1 1 auto; }
  .bo-submit .bo-delete { margin-right: 0; order: 3; flex-basis: 100%; text-align: center; }
  .bo-hide-phone { display: none; }
  .bo-show-phone { display: inline; }
  .bo-sub { display: block; overflow-wrap: anywhere; white-space: normal; }
  .bo-table > thead > tr > th, .bo-table > tbody > tr > td { padding-left: 0.45rem; padding-right: 0.45rem; }
  /* The log reads as one small block per entry on a phone: what happened, then when and by whom. */
  .bo-log > thead { display: none; }
  .bo-log, .bo-log > tbody { display: block; width: 100%; }
  .bo-log > tbody > tr { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.1rem 0.5rem; padding: 0.55rem 0.75rem; border-bottom: 1px solid #edf0f2; }
  .bo-log > tbody > tr > td { display: block; border: 0; padding: 0; white-space: normal; font-size: 0.8125rem; }
  .bo-log > tbody > tr:hover > td { background: transparent; }
  .bo-log > tbody > tr > td:nth-child(3) { order: 1; }
  .bo-log > tbody > tr > td:nth-child(4) { order: 2; font-weight: 600; }
  .bo-log > tbody > tr > td:nth-child(5) { order: 3; flex-basis: 100%; }
  .bo-log > tbody > tr > td:nth-child(1) { order: 4; color: var(--bs-secondary-color); font-size: 0.75rem; }
  .bo-log > tbody > tr > td:nth-child(2) { order: 5; color: var(--bs-secondary-color); font-size: 0.75rem; }
  .bo-log > tbody > tr > td:nth-child(2)::before { content: "by "; }
  .bo-log > tbody > tr > td[colspan] { flex-basis: 100%; }
}
`;

/** "Select all" for the users list: ticks every row's checkbox and keeps the count in step. */
export const backofficeJs = `"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-bo-select-all]").forEach(function (all) {
    var form = all.closest("form");
    if (!form) return;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
    var counter = form.querySelector("[data-bo-selected]");
    var update = function () {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      if (counter) counter.textContent = ticked + " of " + boxes.length + " selected";
    };
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
});
`;

const versionOf = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 10);

/** Content-addressed URLs, so the files can be cached for long and change at once on deploy. */
export const assetUrls = {
  css: `/admin/static/backoffice.${versionOf(backofficeCss)}.css`,
  js: `/admin/static/backoffice.${versionOf(backofficeJs)}.js`,
} as const;

export async function backofficeAssets(app: FastifyInstance): Promise<void> {
  const immutable = "public, max-age=31536000, immutable";
  app.get(assetUrls.css, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", immutable).send(backofficeCss),
  );
  app.get(assetUrls.js, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", immutable).send(backofficeJs),
  );
}
