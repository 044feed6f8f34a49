/**
 * `POST /admin/users/actions`: the users list's bulk actions (Django's admin actions). Activate
 * applies at once; deactivate and delete first show a confirmation page listing every user they
 * will touch, and act only when that page is submitted. Each user's change and its audit entry
 * share a transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CognitoFailure } from "../../accounts/cognito.ts";
import { HttpError } from "../../http-error.ts";
import { safeNext } from "../../accounts/session-auth.ts";
import type { User } from "../../accounts/users.ts";
import type { ViewContext } from "../../pages/view.ts";
import { notify, notifyText, staffOfRequest, type Staff } from "../access.ts";
import { cognitoAdmin, describeFailure } from "../cognito-admin.ts";
import { BoolIcon, Checkbox, PostForm } from "../components.tsx";
import { checked, fieldOf, fieldsOf } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { managedUser, recordRefusal, refusalFor, userObject } from "../policy.ts";
import { findUser, isUuid } from "../queries.ts";
import { deleteUserRow, setActive } from "../user-writes.ts";

const bulkActions = {
  activate: { permission: "accounts.change_user", confirm: false },
  deactivate: { permission: "accounts.change_user", confirm: true },
  delete: { permission: "accounts.delete_user", confirm: true },
} as const;
type BulkAction = keyof typeof bulkActions;

const isBulkAction = (value: string): value is BulkAction => Object.hasOwn(bulkActions, value);

const plural = (count: number): string => (count === 1 ? "user" : "users");

function ConfirmBulk({
  ctx,
  staff,
  action,
  users,
  back,
}: {
  ctx: ViewContext;
  staff: Staff;
  action: "deactivate" | "delete";
  users: readonly User[];
  back: string;
}) {
  const linked = users.filter((u) => u.cognitoSub !== null).length;
  const verb = action === "delete" ? "delete" : "deactivate";
  return (
    <BackofficeLayout
      title="Are you sure?"
      ctx={ctx}
      staff={staff}
      section="users"
      crumbs={[
        { label: "Accounts" },
        { label: "Users", href: "/admin/users" },
        { label: `${verb[0]!.toUpperCase()}${verb.slice(1)} multiple users` },
      ]}
    >
      <h1>Are you sure?</h1>
      <div class="bo-card bo-card-body bo-confirm" data-testid="confirm-page">
        {action === "delete" ? (
          <p>
            Are you sure you want to delete the selected {plural(users.length)}? These users, their sessions, group
            memberships and permissions will be deleted; their audit-log history stays.
          </p>
        ) : (
          <p>
            Are you sure you want to deactivate the selected {plural(users.length)}? They will be signed out at once and
            can no longer sign in here or use the API until reactivated.
          </p>
        )}
        <h2 class="h6 fw-semibold">Summary</h2>
        <ul data-testid="affected-users">
          {users.map((u) => (
            <li>
              User: <a href={`/admin/users/${u.id}`}>{u.username}</a>{" "}
              <span class="text-body-secondary">
                ({u.email || "no email"}; active <BoolIcon value={u.isActive} />
                {u.cognitoSub ? "; has a Cognito account" : "; local only"})
              </span>
            </li>
          ))}
        </ul>
        <PostForm action="/admin/users/actions" csrfToken={ctx.csrfToken}>
          <input type="hidden" name="action" value={action} />
          <input type="hidden" name="back" value={back} />
          <input type="hidden" name="confirm" value="yes" />
          {users.map((u) => (
            <input type="hidden" name="ids" value={u.id} />
          ))}
          {action === "delete" && linked > 0 && (
            <div class="mb-3">
              <Checkbox
                name="cognito"
                checked={false}
                label={`Also delete ${linked === 1 ? "the Cognito account" : `the ${linked} Cognito accounts`} (AdminDeleteUser). Without this, a person who still has a Cognito account gets a new local record at their next sign-in.`}
              />
            </div>
          )}
          <div class="d-flex flex-wrap gap-2">
            <button type="submit" class="btn btn-sm btn-danger">
              Yes, I’m sure
            </button>
            <a class="btn btn-sm btn-outline-secondary" href={back}>
              No, take me back
            </a>
          </div>
        </PostForm>
      </div>
    </BackofficeLayout>
  );
}

export default async function userActionRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const cognito = cognitoAdmin(app.cognito, app.config.cognito.userPoolId);

  app.post(
    "/admin/users/actions",
    {
      preHandler: app.csrfProtection,
      config: { backoffice: { anyOf: ["accounts.change_user", "accounts.delete_user"] } },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = staffOfRequest(request);
      const body = request.body;
      const back = safeNext(fieldOf(body, "back"), "/admin/users");
      const backToList = back.startsWith("/admin/users") ? back : "/admin/users";
      const action = fieldOf(body, "action");
      const ids = fieldsOf(body, "ids").filter(isUuid).slice(0, 500);

      if (!isBulkAction(action)) {
        notify(request, "warning", "BULK_NO_ACTION");
        return reply.redirect(backToList, 303);
      }
      if (!staff.can(bulkActions[action].permission)) {
        throw new HttpError(403, `The ${action} action needs ${bulkActions[action].permission}.`);
      }
      const users: User[] = [];
      for (const id of ids) {
        const user = await findUser(db, id);
        if (user) users.push(user);
      }
      if (users.length === 0) {
        notify(request, "warning", "BULK_NONE_SELECTED");
        return reply.redirect(backToList, 303);
      }
      const operation = action === "activate" ? "change" : action;
      for (const user of users) {
        const refusal = refusalFor(staff, await managedUser(db, user), operation);
        if (refusal) {
          await recordRefusal(db, staff, userObject(user), `${action} (bulk action)`, refusal);
          notify(request, "danger", refusal);
          return reply.redirect(backToList, 303);
        }
      }
      if (action !== "activate" && fieldOf(body, "confirm") !== "yes") {
        return reply.page(
          <ConfirmBulk ctx={reply.viewContext()} staff={staff} action={action} users={users} back={backToList} />,
        );
      }

      if (action === "activate" || action === "deactivate") {
        const active = action === "activate";
        let changed = 0;
        await db.transaction().execute(async (trx) => {
          for (const user of users) if (await setActive(trx, user, active, staff.user.id)) changed += 1;
        });
        notify(request, "success", active ? "BULK_ACTIVATED" : "BULK_DEACTIVATED", {
          count: changed,
          users: plural(changed),
        });
        return reply.redirect(backToList, 303);
      }

      // Delete: Cognito first (when asked), so a refusal there leaves the local user in place.
      const alsoCognito = checked(body, "cognito");
      let deleted = 0;
      const problems: string[] = [];
      for (const user of users) {
        let message = "Deleted.";
        if (alsoCognito && user.cognitoSub) {
          try {
            const account = await cognito.findBySub(user.cognitoSub);
            if (account) await cognito.delete(account.username);
            message = "Deleted, also from Cognito.";
          } catch (error) {
            if (!(error instanceof CognitoFailure)) throw error;
            problems.push(`${user.username}: ${describeFailure(error)}`);
            continue;
          }
        }
        await db.transaction().execute((trx) => deleteUserRow(trx, user, staff.user.id, message));
        deleted += 1;
      }
      notify(request, "success", "BULK_DELETED", { count: deleted, users: plural(deleted) });
      if (problems.length > 0) notifyText(request, "danger", `Not deleted, Cognito refused: ${problems.join("; ")}`);
      return reply.redirect(backToList, 303);
    },
  );
}
