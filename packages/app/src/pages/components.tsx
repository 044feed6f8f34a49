/** Form building blocks that every page uses, so fields, errors and CSRF look and work alike. */
import type { ComponentChildren } from "preact";

export type FieldErrors = Readonly<Record<string, string | undefined>>;

export interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly type?: "text" | "email" | "password" | "tel" | "url";
  readonly value?: string;
  readonly errors?: FieldErrors;
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly help?: string;
  readonly autofocus?: boolean;
  readonly inputmode?: "numeric" | "text" | "email";
  readonly pattern?: string;
  readonly maxLength?: number;
}

/** A labelled Bootstrap input with its error shown beneath it (and announced to screen readers). */
export function Field({
  name,
  label,
  type = "text",
  value,
  errors = {},
  autocomplete,
  required = true,
  help,
  autofocus,
  inputmode,
  pattern,
  maxLength,
}: FieldProps) {
  const error = errors[name];
  const id = `field-${name}`;
  const describedBy = [error ? `${id}-error` : null, help ? `${id}-help` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>
        {label}
      </label>
      <input
        class={`form-control${error ? " is-invalid" : ""}`}
        id={id}
        name={name}
        type={type}
        value={type === "password" ? undefined : value}
        autocomplete={autocomplete}
        required={required}
        autofocus={autofocus}
        inputmode={inputmode}
        pattern={pattern}
        maxLength={maxLength}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {help && (
        <div class="form-text" id={`${id}-help`}>
          {help}
        </div>
      )}
      {error && (
        <div class="invalid-feedback" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

/** A POST form carrying the CSRF token. */
export function Form({
  action,
  csrfToken,
  children,
  class: className,
}: {
  action: string;
  csrfToken: string;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <form method="post" action={action} class={className} novalidate>
      <input type="hidden" name="_csrf" value={csrfToken} />
      {children}
    </form>
  );
}

/** A form-level error (what is not about one field). */
export function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert-danger" role="alert" data-testid="form-error">
      {message}
    </div>
  );
}

/** The card that holds the sign-in, sign-up and recovery forms. */
export function AuthCard({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle?: string;
  children: ComponentChildren;
  footer?: ComponentChildren;
}) {
  return (
    <div class="card shadow-sm border-0">
      <div class="card-body p-4 p-md-5">
        <h1 class="h3 mb-1">{title}</h1>
        {subtitle && <p class="text-body-secondary mb-4">{subtitle}</p>}
        {children}
      </div>
      {footer && <div class="card-footer bg-body text-center py-3 small">{footer}</div>}
    </div>
  );
}

export function SubmitButton({
  children,
  variant = "primary",
}: {
  children: ComponentChildren;
  variant?: "primary" | "danger" | "outline-secondary";
}) {
  return (
    <button type="submit" class={`btn btn-${variant} w-100 py-2`}>
      {children}
    </button>
  );
}
