/**
 * The frame every sign-in-side page shares (sign in, register, confirm, forgot and reset the
 * password, the first new password): a narrow page with one card holding a title, a form-level
 * error, one CSRF-protected form and a footer link.
 */
import type { ComponentChildren } from "preact";
import { AuthCard, Form, FormError } from "./components.tsx";
import { Layout } from "./layout.tsx";
import type { ViewContext } from "./view.ts";

export function AuthFormPage({
  ctx,
  title,
  subtitle,
  footer,
  formError,
  action,
  children,
}: {
  ctx: ViewContext;
  /** The page's title and the card's heading. */
  title: string;
  subtitle?: string;
  footer?: ComponentChildren;
  formError: string | undefined;
  /** Where the form posts. */
  action: string;
  /** The form's fields and buttons. */
  children: ComponentChildren;
}) {
  return (
    <Layout title={title} ctx={ctx} narrow>
      <AuthCard title={title} subtitle={subtitle} footer={footer}>
        <FormError message={formError} />
        <Form action={action} csrfToken={ctx.csrfToken}>
          {children}
        </Form>
      </AuthCard>
    </Layout>
  );
}
