/** Building blocks of the back-office pages, so lists, forms and panels look and work alike. */
import type { ComponentChildren } from "preact";
import { formatDateTime } from "../pages/display.tsx";
import type { AuditAction } from "./audit.ts";

/** A ✓ or ✗ that also reads as "Yes"/"No" to screen readers and in tests. */
export function BoolIcon({ value }: { value: boolean }) {
  return value ? (
    <span class="bo-yes" title="Yes">
      <span aria-hidden="true">✓</span>
      <span class="visually-hidden">Yes</span>
    </span>
  ) : (
    <span class="bo-no" title="No">
      <span aria-hidden="true">✗</span>
      <span class="visually-hidden">No</span>
    </span>
  );
}

export function DateTime({ value, empty = "—" }: { value: Date | null; empty?: string }) {
  if (!value) return <span class="text-body-secondary">{empty}</span>;
  return <time datetime={value.toISOString()}>{formatDateTime(value)}</time>;
}

/** A titled group of rows (Django's fieldset). */
export function Fieldset({
  title,
  children,
  aside,
  id,
}: {
  title: string;
  children: ComponentChildren;
  aside?: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="bo-card bo-fieldset" id={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <div class="bo-card-head">
        <h2 class="h6 mb-0 fw-semibold" id={id ? `${id}-title` : undefined}>
          {title}
        </h2>
        {aside}
      </div>
      <div>{children}</div>
    </section>
  );
}

/** One labelled row of a fieldset, with its help and error beneath the value. */
export function Row({
  label,
  htmlFor,
  help,
  error,
  children,
}: {
  label: string;
  htmlFor?: string;
  help?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  const id = htmlFor ?? "";
  return (
    <div class="bo-row">
      {htmlFor ? (
        <label class="bo-label" for={htmlFor}>
          {label}
        </label>
      ) : (
        <div class="bo-label">{label}</div>
      )}
      <div class="bo-value">
        {children}
        {error && (
          <div class="invalid-feedback d-block" id={`${id}-error`}>
            {error}
          </div>
        )}
        {help && (
          <div class="form-text" id={`${id}-help`}>
            {help}
          </div>
        )}
      </div>
    </div>
  );
}

export interface InputProps {
  readonly name: string;
  readonly value?: string;
  readonly type?: "text" | "email" | "password" | "search";
  readonly error?: string | undefined;
  readonly disabled?: boolean;
  readonly autocomplete?: string;
  readonly maxLength?: number;
  readonly autofocus?: boolean;
  readonly required?: boolean;
  readonly hasHelp?: boolean;
}

/** A text input whose id is `id_<name>` (Django's convention), marked invalid when it has an error. */
export function Input({
  name,
  value,
  type = "text",
  error,
  disabled,
  autocomplete,
  maxLength,
  autofocus,
  required,
  hasHelp,
}: InputProps) {
  const id = `id_${name}`;
  const describedBy = [error ? `${id}-error` : null, hasHelp ? `${id}-help` : null].filter(Boolean).join(" ");
  return (
    <input
      class={`form-control form-control-sm${error ? " is-invalid" : ""}`}
      id={id}
      name={name}
      type={type}
      value={type === "password" ? undefined : value}
      disabled={disabled}
      autocomplete={autocomplete}
      maxLength={maxLength}
      autofocus={autofocus}
      required={required}
      aria-invalid={error ? "true" : undefined}
      aria-describedby={describedBy || undefined}
    />
  );
}

export function Checkbox({
  name,
  label,
  checked,
  disabled,
  value = "on",
  id,
}: {
  name: string;
  label: ComponentChildren;
  checked: boolean;
  disabled?: boolean;
  value?: string;
  id?: string;
}) {
  const inputId = id ?? `id_${name}`;
  return (
    <div class="form-check">
      <input
        class="form-check-input"
        type="checkbox"
        id={inputId}
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
      />
      <label class="form-check-label" for={inputId}>
        {label}
      </label>
    </div>
  );
}

/** A POST form with the CSRF token. */
export function PostForm({
  action,
  csrfToken,
  children,
  class: className,
  id,
}: {
  action: string;
  csrfToken: string;
  children: ComponentChildren;
  class?: string;
  id?: string;
}) {
  return (
    <form method="post" action={action} class={className} id={id} novalidate>
      <input type="hidden" name="_csrf" value={csrfToken} />
      {children}
    </form>
  );
}

export function FormErrorNote({ show, text = "Please correct the errors below." }: { show: boolean; text?: string }) {
  if (!show) return null;
  return (
    <div class="alert alert-danger py-2 bo-message" role="alert" data-testid="form-error">
      {text}
    </div>
  );
}

/** Page links that keep the rest of the query (filters, search, ordering). */
export function Pagination({
  page,
  pages,
  total,
  noun,
  hrefFor,
}: {
  page: number;
  pages: number;
  total: number;
  noun: [string, string];
  hrefFor: (page: number) => string;
}) {
  const label = `${total} ${total === 1 ? noun[0] : noun[1]}`;
  if (pages <= 1) {
    return (
      <div class="bo-pages">
        <span class="bo-count">{label}</span>
      </div>
    );
  }
  // Django's elided range: the ends and two on each side of the current page.
  const shown = [...new Set([1, 2, page - 2, page - 1, page, page + 1, page + 2, pages - 1, pages])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const items: (number | "gap")[] = [];
  shown.forEach((p, i) => {
    if (i > 0 && p - (shown[i - 1] ?? p) > 1) items.push("gap");
    items.push(p);
  });
  return (
    <div class="bo-pages">
      <span class="bo-count">{label}</span>
      <nav aria-label="Pages">
        <ul class="pagination pagination-sm">
          <li class={`page-item${page <= 1 ? " disabled" : ""}`}>
            <a class="page-link" href={page > 1 ? hrefFor(page - 1) : undefined} rel="prev">
              Previous
            </a>
          </li>
          {items.map((item) =>
            item === "gap" ? (
              <li class="page-item disabled">
                <span class="page-link">…</span>
              </li>
            ) : (
              <li class={`page-item${item === page ? " active" : ""}`}>
                <a class="page-link" href={hrefFor(item)} aria-current={item === page ? "page" : undefined}>
                  {item}
                </a>
              </li>
            ),
          )}
          <li class={`page-item${page >= pages ? " disabled" : ""}`}>
            <a class="page-link" href={page < pages ? hrefFor(page + 1) : undefined} rel="next">
              Next
            </a>
          </li>
        </ul>
      </nav>
    </div>
  );
}

export interface FilterChoice {
  readonly label: string;
  readonly href: string;
  readonly selected: boolean;
}

export interface FilterSpec {
  readonly title: string;
  readonly choices: readonly FilterChoice[];
}

/** Django's changelist filter sidebar: one list of links per filter. */
export function Filters({ filters }: { filters: readonly FilterSpec[] }) {
  return (
    <>
      {filters.map((filter) => (
        <div>
          <h3>By {filter.title}</h3>
          <ul>
            {filter.choices.map((choice) => (
              <li class={choice.selected ? "selected" : undefined}>
                <a href={choice.href} aria-current={choice.selected ? "true" : undefined}>
                  {choice.label}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </>
  );
}

/** The filter box: a sidebar on wide screens, a "Filter" disclosure above the list on narrow ones. */
export function FilterPanel({ filters, active }: { filters: readonly FilterSpec[]; active: number }) {
  return (
    <>
      <aside class="bo-card bo-filters d-none d-lg-block align-self-start" aria-label="Filters">
        <h2>Filter</h2>
        <Filters filters={filters} />
      </aside>
      <details class="bo-card bo-filter-toggle d-lg-none mb-2">
        <summary class="px-3 py-2 fw-semibold">
          Filter{active > 0 ? ` (${active} active)` : ""} <span aria-hidden="true">▾</span>
        </summary>
        <div class="border-top pb-2">
          <Filters filters={filters} />
        </div>
      </details>
    </>
  );
}

export function ActionBadge({ action }: { action: AuditAction }) {
  const label = { add: "Added", change: "Changed", delete: "Deleted", refuse: "Refused" }[action];
  return <span class={`badge bo-badge-${action}`}>{label}</span>;
}
