/**
 * The confirmation page of an action that takes something away from one user (Django's "Are you
 * sure?"): the question, what will happen, and a form that posts to the action itself; the GET
 * shows it, only the POST acts.
 */
import type { User } from "../accounts/users.ts";
import type { ViewContext } from "../pages/view.ts";
import type { Staff } from "./access.ts";
import { PostForm } from "./components.tsx";
import { BackofficeLayout } from "./layout.tsx";

export interface UserConfirmation {
  readonly title: string;
  /** What happens, after "Are you sure?". */
  readonly text: string;
  readonly button: string;
}

/** "Yes" (submits the form around it) and "No, take me back" (to `back`). */
export function ConfirmButtons({ button, back }: { button: string; back: string }) {
  return (
    <div class="d-flex flex-wrap gap-2">
      <button type="submit" class="btn btn-sm btn-danger">
        {button}
      </button>
      <a class="btn btn-sm btn-outline-secondary" href={back}>
        No, take me back
      </a>
    </div>
  );
}

export function ConfirmUserAction({
  ctx,
  staff,
  user,
  action,
  confirmation,
}: {
  ctx: ViewContext;
  staff: Staff;
  user: User;
  /** Where the form posts. */
  action: string;
  confirmation: UserConfirmation;
}) {
  const { title, text, button } = confirmation;
  return (
    <BackofficeLayout
      title={title}
      ctx={ctx}
      staff={staff}
      section="users"
      crumbs={[
        { label: "Accounts" },
        { label: "Users", href: "/admin/users" },
        { label: user.username, href: `/admin/users/${user.id}` },
        { label: title },
      ]}
    >
      <h1>
        {title}: <span class="fw-normal">{user.username}</span>
      </h1>
      <div class="bo-card bo-card-body bo-confirm" data-testid="confirm-page">
        <p>Are you sure? {text}</p>
        <PostForm action={action} csrfToken={ctx.csrfToken}>
          <ConfirmButtons button={button} back={`/admin/users/${user.id}`} />
        </PostForm>
      </div>
    </BackofficeLayout>
  );
}
