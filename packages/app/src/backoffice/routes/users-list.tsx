/**
 * `/admin/users`: the change list of users (Django's `UserAdmin.list_display` and friends):
 * username, email, staff, active and created columns, each sortable; search by username or
 * email; filters by staff, superuser and active status, group and Cognito status; pages of 50;
 * and the bulk actions form (activate, deactivate, delete — see user-actions.tsx).
 */
import type { FastifyInstance } from "fastify";
import { CognitoFailure } from "../../accounts/cognito.ts";
import type { User } from "../../accounts/users.ts";
import type { ViewContext } from "../../pages/view.ts";
import { describeSync, syncUsers } from "../../accounts/cognito-sync.ts";
import { HttpError } from "../../http-error.ts";
import { notify, notifyText, staffOfRequest, type Staff } from "../access.ts";
import { cognitoAdmin, cognitoStatuses, describeFailure, type CognitoStatusFilter } from "../cognito-admin.ts";
import { BoolIcon, DateTime, FilterPanel, Pagination, PostForm, type FilterSpec } from "../components.tsx";
import { say } from "../messages.ts";
import { fieldOf, pageOf, withQuery, yesNo } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { allGroups, isUuid, listUsers, userSortFields, type GroupRow, type UserSortField } from "../queries.ts";

export const usersPerPage = 50;

const statusLabels: Readonly<Record<CognitoStatusFilter | "LOCAL", string>> = {
  CONFIRMED: "Confirmed",
  UNCONFIRMED: "Unconfirmed",
  FORCE_CHANGE_PASSWORD: "Force change password",
  RESET_REQUIRED: "Reset required",
  DISABLED: "Disabled",
  LOCAL: "Local only (no Cognito account)",
};

const columns: readonly { field: UserSortField; label: string; short?: string; class?: string }[] = [
  { field: "username", label: "Username" },
  { field: "email", label: "Email address", class: "bo-hide-phone" },
  { field: "is_staff", label: "Staff status", short: "Staff", class: "text-center" },
  { field: "is_active", label: "Active", class: "text-center" },
  { field: "created_at", label: "Created", class: "bo-hide-phone" },
];

/** The list's state from its query string; unknown values mean "no filter", never an error. */
function listStateOf(query: unknown) {
  const raw = {
    q: fieldOf(query, "q").slice(0, 200),
    is_staff: fieldOf(query, "is_staff"),
    is_superuser: fieldOf(query, "is_superuser"),
    is_active: fieldOf(query, "is_active"),
    group: fieldOf(query, "group"),
    cognito: fieldOf(query, "cognito"),
    o: fieldOf(query, "o"),
    p: fieldOf(query, "p"),
  };
  const sortField = raw.o.replace(/^-/, "");
  const sort: UserSortField = (userSortFields as readonly string[]).includes(sortField)
    ? (sortField as UserSortField)
    : "username";
  const cognito: CognitoStatusFilter | "LOCAL" | null =
    raw.cognito === "LOCAL" || (cognitoStatuses as readonly string[]).includes(raw.cognito)
      ? (raw.cognito as CognitoStatusFilter | "LOCAL")
      : null;
  // The query kept for links: only values that mean something.
  const kept: Record<string, string> = {};
  if (raw.q.trim()) kept.q = raw.q;
  for (const name of ["is_staff", "is_superuser", "is_active"] as const) {
    if (yesNo(query, name) !== null) kept[name] = raw[name];
  }
  if (isUuid(raw.group)) kept.group = raw.group;
  if (cognito) kept.cognito = cognito;
  if (sort !== "username" || raw.o.startsWith("-")) kept.o = `${raw.o.startsWith("-") ? "-" : ""}${sort}`;
  const page = pageOf(query);
  if (page > 1) kept.p = String(page);
  return {
    search: raw.q,
    isStaff: yesNo(query, "is_staff"),
    isSuperuser: yesNo(query, "is_superuser"),
    isActive: yesNo(query, "is_active"),
    groupId: isUuid(raw.group) ? raw.group : null,
    cognito,
    sort,
    descending: raw.o.startsWith("-"),
    page,
    kept,
  };
}

type ListState = ReturnType<typeof listStateOf>;

function filtersOf(state: ListState, groups: readonly GroupRow[]): FilterSpec[] {
  const href = (changes: Record<string, string | null>) => withQuery("/admin/users", state.kept, changes);
  const yesNoFilter = (title: string, name: "is_staff" | "is_superuser" | "is_active"): FilterSpec => ({
    title,
    choices: [
      { label: "All", href: href({ [name]: null }), selected: state.kept[name] === undefined },
      { label: "Yes", href: href({ [name]: "1" }), selected: state.kept[name] === "1" },
      { label: "No", href: href({ [name]: "0" }), selected: state.kept[name] === "0" },
    ],
  });
  return [
    yesNoFilter("staff status", "is_staff"),
    yesNoFilter("superuser status", "is_superuser"),
    yesNoFilter("active", "is_active"),
    {
      title: "group",
      choices: [
        { label: "All", href: href({ group: null }), selected: state.groupId === null },
        ...groups.map((g) => ({ label: g.name, href: href({ group: g.id }), selected: state.groupId === g.id })),
      ],
    },
    {
      title: "Cognito status",
      choices: [
        { label: "All", href: href({ cognito: null }), selected: state.cognito === null },
        ...(["CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED", "DISABLED", "LOCAL"] as const).map(
          (status) => ({
            label: statusLabels[status],
            href: href({ cognito: status }),
            selected: state.cognito === status,
          }),
        ),
      ],
    },
  ];
}

interface UsersListProps {
  readonly ctx: ViewContext;
  readonly staff: Staff;
  readonly state: ListState;
  readonly users: readonly User[];
  readonly total: number;
  readonly groups: readonly GroupRow[];
  readonly warning: string | null;
}

function SortHeader({
  state,
  field,
  label,
  short,
  class: className,
}: {
  state: ListState;
  field: UserSortField;
  label: string;
  short?: string | undefined;
  class?: string | undefined;
}) {
  const sorted = state.sort === field;
  const next = sorted && !state.descending ? `-${field}` : field;
  const ariaSort = sorted ? (state.descending ? "descending" : "ascending") : undefined;
  return (
    <th scope="col" class={`${className ?? ""}${sorted ? " sorted" : ""}`.trim() || undefined} aria-sort={ariaSort}>
      <a href={withQuery("/admin/users", state.kept, { o: next })}>
        {short ? (
          <>
            <span class="bo-hide-phone">{label}</span>
            <span class="bo-show-phone">{short}</span>
          </>
        ) : (
          label
        )}
        {sorted && (
          <span class="bo-sort" aria-hidden="true">
            {state.descending ? "▼" : "▲"}
          </span>
        )}
      </a>
    </th>
  );
}

function UsersList({ ctx, staff, state, users, total, groups, warning }: UsersListProps) {
  const canChange = staff.can("accounts.change_user");
  const canDelete = staff.can("accounts.delete_user");
  const hasActions = canChange || canDelete;
  const pages = Math.max(1, Math.ceil(total / usersPerPage));
  const filters = filtersOf(state, groups);
  const activeFilters = ["is_staff", "is_superuser", "is_active", "group", "cognito"].filter(
    (k) => state.kept[k],
  ).length;
  const listUrl = withQuery("/admin/users", state.kept, { p: state.page > 1 ? String(state.page) : null });
  return (
    <BackofficeLayout
      title="Users"
      ctx={ctx}
      staff={staff}
      section="users"
      crumbs={[{ label: "Accounts" }, { label: "Users" }]}
    >
      <div class="bo-title">
        <h1>{canChange ? "Select user to change" : "Select user to view"}</h1>
        <div class="d-flex flex-wrap gap-2">
          {staff.user.isSuperuser && (
            <PostForm action="/admin/users/resync-all" csrfToken={ctx.csrfToken}>
              <button
                type="submit"
                class="btn btn-sm btn-outline-secondary"
                title="Copy every Cognito user here: create, update, and deactivate the ones gone from Cognito"
              >
                Resync all from Cognito
              </button>
            </PostForm>
          )}
          {staff.can("accounts.add_user") && (
            <a class="btn btn-sm btn-primary" href="/admin/users/add">
              Add user
            </a>
          )}
        </div>
      </div>
      {warning && (
        <div class="alert alert-warning py-2 bo-message" role="alert" data-testid="list-warning">
          {warning}
        </div>
      )}
      <div class="d-flex flex-column flex-lg-row gap-3 align-items-stretch">
        <div class="order-first order-lg-last">
          <FilterPanel filters={filters} active={activeFilters} />
        </div>
        <div class="flex-grow-1 min-w-0">
          <div class="bo-card">
            <form method="get" action="/admin/users" class="bo-toolbar" role="search">
              <label class="visually-hidden" for="searchbar">
                Search by username or email
              </label>
              <input
                class="form-control form-control-sm bo-search"
                type="search"
                id="searchbar"
                name="q"
                value={state.search}
                placeholder="Search username or email"
                maxLength={200}
              />
              {Object.entries(state.kept)
                .filter(([key]) => key !== "q" && key !== "p")
                .map(([key, value]) => (
                  <input type="hidden" name={key} value={value} />
                ))}
              <button type="submit" class="btn btn-sm btn-outline-secondary">
                Search
              </button>
              {state.search.trim() && (
                <span class="bo-count">
                  {total} {total === 1 ? "result" : "results"} (
                  <a href={withQuery("/admin/users", state.kept, { q: null })}>clear search</a>)
                </span>
              )}
            </form>
            <form method="post" action="/admin/users/actions" novalidate>
              <input type="hidden" name="_csrf" value={ctx.csrfToken} />
              <input type="hidden" name="back" value={listUrl} />
              {hasActions && (
                <div class="bo-toolbar bo-actions">
                  <label class="small fw-semibold" for="id_action">
                    Action:
                  </label>
                  <select class="form-select form-select-sm" name="action" id="id_action">
                    <option value="">---------</option>
                    {canChange && <option value="activate">Activate selected users</option>}
                    {canChange && <option value="deactivate">Deactivate selected users</option>}
                    {canDelete && <option value="delete">Delete selected users</option>}
                  </select>
                  <button type="submit" class="btn btn-sm btn-outline-primary">
                    Go
                  </button>
                  <span class="bo-count" data-bo-selected aria-live="polite">
                    0 of {users.length} selected
                  </span>
                </div>
              )}
              <div class="table-responsive">
                <table class="table bo-table" data-testid="users-table">
                  <thead>
                    <tr>
                      {hasActions && (
                        <th scope="col" class="bo-check">
                          <input
                            class="form-check-input"
                            type="checkbox"
                            data-bo-select-all
                            aria-label="Select all users on this page"
                          />
                        </th>
                      )}
                      {columns.map((c) => (
                        <SortHeader state={state} field={c.field} label={c.label} short={c.short} class={c.class} />
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {users.length === 0 && (
                      <tr>
                        <td colSpan={columns.length + (hasActions ? 1 : 0)} class="text-body-secondary py-3">
                          No users match.
                        </td>
                      </tr>
                    )}
                    {users.map((user) => (
                      <tr data-testid="user-row">
                        {hasActions && (
                          <td class="bo-check">
                            <input
                              class="form-check-input"
                              type="checkbox"
                              name="ids"
                              value={user.id}
                              aria-label={`Select ${user.username}`}
                            />
                          </td>
                        )}
                        <td class="bo-nowrap">
                          <a href={`/admin/users/${user.id}`} class="fw-semibold">
                            {user.username}
                          </a>
                          {user.isSuperuser && <span class="badge text-bg-dark ms-1 fw-normal">superuser</span>}
                          {!user.cognitoSub && <span class="badge text-bg-light border ms-1 fw-normal">local</span>}
                          <span class="bo-sub">{user.email}</span>
                        </td>
                        <td class="bo-hide-phone">{user.email || <span class="text-body-secondary">—</span>}</td>
                        <td class="text-center">
                          <BoolIcon value={user.isStaff} />
                        </td>
                        <td class="text-center">
                          <BoolIcon value={user.isActive} />
                        </td>
                        <td class="bo-nowrap bo-hide-phone">
                          <DateTime value={user.createdAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </form>
            <Pagination
              page={state.page}
              pages={pages}
              total={total}
              noun={["user", "users"]}
              hrefFor={(p) => withQuery("/admin/users", state.kept, { p: p > 1 ? String(p) : null })}
            />
          </div>
        </div>
      </div>
    </BackofficeLayout>
  );
}

export default async function userListRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const cognito = cognitoAdmin(app.cognito, app.config.cognito.userPoolId);

  // The sync may deactivate any account, staff included: superusers only (the route's permission
  // lets change_user in; the check below narrows it).
  app.post(
    "/admin/users/resync-all",
    { preHandler: app.csrfProtection, config: { backoffice: { anyOf: ["accounts.change_user"] } } },
    async (request, reply) => {
      const staff = staffOfRequest(request);
      if (!staff.user.isSuperuser) throw new HttpError(403, say("SUPERUSER_ONLY"));
      try {
        const summary = await syncUsers({
          client: app.cognito,
          userPoolId: app.config.cognito.userPoolId,
          db,
          users: app.users,
          actorId: staff.user.id,
          onConflict: (username) => request.log.warn({ username }, "resync: a local account holds this username"),
        });
        notifyText(request, "success", describeSync(summary));
      } catch (error) {
        if (!(error instanceof CognitoFailure)) throw error;
        notify(request, "danger", "COGNITO_REFUSED", { detail: describeFailure(error) });
      }
      return reply.redirect("/admin/users", 303);
    },
  );

  app.get(
    "/admin/users",
    { config: { backoffice: { anyOf: ["accounts.view_user", "accounts.change_user"] } } },
    async (request, reply) => {
      const staff = staffOfRequest(request);
      const state = listStateOf(request.query);
      let subs: string[] | null = null;
      let warning: string | null = null;
      if (state.cognito && state.cognito !== "LOCAL") {
        try {
          const found = await cognito.subsWithStatus(state.cognito);
          subs = found.subs;
          if (found.truncated) {
            warning = `More than ${found.subs.length} Cognito users have this status; only the first ${found.subs.length} are considered.`;
          }
        } catch (error) {
          if (!(error instanceof CognitoFailure)) throw error;
          request.log.warn({ err: error }, "users list: the Cognito status filter failed");
          subs = [];
          warning = `The Cognito status filter could not be applied: ${describeFailure(error)}`;
        }
      }
      const { users, total } = await listUsers(db, {
        search: state.search,
        isStaff: state.isStaff,
        isActive: state.isActive,
        isSuperuser: state.isSuperuser,
        groupId: state.groupId,
        subs,
        localOnly: state.cognito === "LOCAL",
        sort: state.sort,
        descending: state.descending,
        page: state.page,
        perPage: usersPerPage,
      });
      // A page past the end (a stale link after deletions) shows the last page instead of nothing.
      const pages = Math.max(1, Math.ceil(total / usersPerPage));
      if (state.page > pages) {
        return reply.redirect(withQuery("/admin/users", state.kept, { p: pages > 1 ? String(pages) : null }), 303);
      }
      return reply.page(
        <UsersList
          ctx={reply.viewContext()}
          staff={staff}
          state={state}
          users={users}
          total={total}
          groups={await allGroups(db)}
          warning={warning}
        />,
      );
    },
  );
}
