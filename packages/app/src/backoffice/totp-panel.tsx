/**
 * The change form's "Two-step verification" panel: whether the staff member's authenticator is
 * on, being set up, or unreadable, and — for a superuser looking at someone else — the way to
 * reset it (routes/two-step.tsx).
 */
import type { User } from "../accounts/users.ts";
import type { Staff } from "./access.ts";
import { DateTime } from "./components.tsx";
import type { TotpStatus } from "./staff-totp.ts";

export function StaffTotpPanel({ staff, user, status }: { staff: Staff; user: User; status: TotpStatus }) {
  const canReset = staff.user.isSuperuser && staff.user.id !== user.id && status.kind !== "off";
  return (
    <section class="bo-card bo-panel mb-3" aria-labelledby="two-step-title" data-testid="two-step-panel">
      <div class="bo-card-head">
        <h2 class="h6 mb-0 fw-semibold" id="two-step-title">
          Back-office two-step verification
        </h2>
        <span class={`badge ${status.kind === "on" ? "text-bg-success" : "text-bg-secondary"}`}>
          {status.kind === "on"
            ? "On"
            : status.kind === "pending"
              ? "Being set up"
              : status.kind === "off"
                ? "Off"
                : "Unreadable"}
        </span>
      </div>
      <div class="bo-card-body">
        <p class="mb-2">
          {status.kind === "off" && "No authenticator app: the back-office sign-in takes the password alone."}
          {status.kind === "pending" && (
            <>
              Setting up an authenticator app since <DateTime value={status.since} />; not yet used to sign in.
            </>
          )}
          {status.kind === "on" && (
            <>
              On since <DateTime value={status.since} />: the back-office sign-in asks for a code from their
              authenticator app.
            </>
          )}
          {status.kind === "unreadable" &&
            "Their authenticator secret cannot be read with this server's SESSION_SECRET, so they cannot finish signing in until it is reset."}
        </p>
        {canReset && (
          <a class="btn btn-sm btn-outline-danger" href={`/admin/users/${user.id}/two-step/reset`}>
            Reset…
          </a>
        )}
      </div>
    </section>
  );
}
