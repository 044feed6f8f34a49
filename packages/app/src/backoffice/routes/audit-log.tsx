/**
 * `/admin/audit-log`: every change made in the back office (Django's LogEntry admin), newest
 * first, filterable by action, kind of object, the staff member who acted, the object itself
 * (the change forms' History links) and age, and searchable by object and message. Read-only:
 * no route here writes, whatever the reader's permissions.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { asDate } from "../../db/schema.ts";
import type { ViewContext } from "../../pages/view.ts";
import { staffOfRequest, type Staff } from "../access.ts";
import { auditActions, type AuditAction } from "../audit.ts";
import { ActionBadge, DateTime, FilterPanel, Pagination, type FilterSpec } from "../components.tsx";
import { fieldOf, pageOf, withQuery } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { containsPattern, isUuid } from "../queries.ts";
import { objectHref } from "./home.tsx";

const entriesPerPage = 50;
const actions = auditActions;
const objectTypes = ["user", "group"] as const;
const ages = { today: 1, week: 7, month: 30 } as const;
type Age = keyof typeof ages;

interface Entry {
  readonly id: string;
  readonly at: Date;
  readonly actor: string | null;
  readonly actorId: string | null;
  readonly action: AuditAction;
  readonly objectType: string;
  readonly objectId: string;
  readonly objectRepr: string;
  readonly message: string;
}

function stateOf(query: unknown) {
  const action = fieldOf(query, "action");
  const type = fieldOf(query, "type");
  const actor = fieldOf(query, "actor");
  const object = fieldOf(query, "object");
  const age = fieldOf(query, "age");
  const q = fieldOf(query, "q").trim().slice(0, 200);
  const [objectType = "", objectId = ""] = object.split(":");
  const state = {
    action: (actions as readonly string[]).includes(action) ? (action as (typeof actions)[number]) : null,
    type: (objectTypes as readonly string[]).includes(type) ? type : null,
    actor: isUuid(actor) ? actor : null,
    object:
      (objectTypes as readonly string[]).includes(objectType) && isUuid(objectId) ? { objectType, objectId } : null,
    age: Object.hasOwn(ages, age) ? (age as Age) : null,
    q,
    page: pageOf(query),
  };
  const kept: Record<string, string> = {};
  if (state.action) kept.action = state.action;
  if (state.type) kept.type = state.type;
  if (state.actor) kept.actor = state.actor;
  if (state.object) kept.object = `${state.object.objectType}:${state.object.objectId}`;
  if (state.age) kept.age = state.age;
  if (state.q) kept.q = state.q;
  return { ...state, kept };
}
type State = ReturnType<typeof stateOf>;

function AuditLogPage({
  ctx,
  staff,
  state,
  entries,
  total,
  actors,
}: {
  ctx: ViewContext;
  staff: Staff;
  state: State;
  entries: readonly Entry[];
  total: number;
  actors: readonly { id: string; username: string }[];
}) {
  const href = (changes: Record<string, string | null>) => withQuery("/admin/audit-log", state.kept, changes);
  const filters: FilterSpec[] = [
    {
      title: "action",
      choices: [
        { label: "All", href: href({ action: null }), selected: !state.action },
        ...actions.map((a) => ({
          label: { add: "Addition", change: "Change", delete: "Deletion", refuse: "Refusal" }[a],
          href: href({ action: a }),
          selected: state.action === a,
        })),
      ],
    },
    {
      title: "object type",
      choices: [
        { label: "All", href: href({ type: null }), selected: !state.type },
        { label: "User", href: href({ type: "user" }), selected: state.type === "user" },
        { label: "Group", href: href({ type: "group" }), selected: state.type === "group" },
      ],
    },
    {
      title: "staff member",
      choices: [
        { label: "All", href: href({ actor: null }), selected: !state.actor },
        ...actors.map((a) => ({ label: a.username, href: href({ actor: a.id }), selected: state.actor === a.id })),
      ],
    },
    {
      title: "date",
      choices: [
        { label: "Any date", href: href({ age: null }), selected: !state.age },
        { label: "Today", href: href({ age: "today" }), selected: state.age === "today" },
        { label: "Past 7 days", href: href({ age: "week" }), selected: state.age === "week" },
        { label: "Past 30 days", href: href({ age: "month" }), selected: state.age === "month" },
      ],
    },
  ];
  const active = ["action", "type", "actor", "age"].filter((k) => state.kept[k]).length;
  return (
    <BackofficeLayout
      title="Audit log"
      ctx={ctx}
      staff={staff}
      section="audit-log"
      crumbs={[{ label: "Back office" }, { label: "Audit log" }]}
    >
      <div class="bo-title">
        <h1>Audit log</h1>
        <span class="bo-count">Read-only: every change made in the back office.</span>
      </div>
      {state.object && (
        <div class="alert alert-info py-2 bo-message">
          Showing the history of one {state.object.objectType}. <a href={href({ object: null })}>Show all entries</a>
        </div>
      )}
      <div class="d-flex flex-column flex-lg-row gap-3 align-items-stretch">
        <div class="order-first order-lg-last">
          <FilterPanel filters={filters} active={active} />
        </div>
        <div class="flex-grow-1 min-w-0">
          <div class="bo-card">
            <form method="get" action="/admin/audit-log" class="bo-toolbar" role="search">
              <label class="visually-hidden" for="searchbar">
                Search the audit log
              </label>
              <input
                class="form-control form-control-sm bo-search"
                type="search"
                id="searchbar"
                name="q"
                value={state.q}
                placeholder="Search object or message"
                maxLength={200}
              />
              {Object.entries(state.kept)
                .filter(([k]) => k !== "q")
                .map(([k, v]) => (
                  <input type="hidden" name={k} value={v} />
                ))}
              <button type="submit" class="btn btn-sm btn-outline-secondary">
                Search
              </button>
            </form>
            <div class="table-responsive">
              <table class="table bo-table bo-log" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Staff member</th>
                    <th scope="col">Action</th>
                    <th scope="col">Object</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.length === 0 && (
                    <tr>
                      <td colSpan={5} class="text-body-secondary py-3">
                        No entries match.
                      </td>
                    </tr>
                  )}
                  {entries.map((e) => {
                    const link = objectHref(e.objectType, e.objectId, e.action, staff);
                    return (
                      <tr data-testid="audit-row">
                        <td class="bo-nowrap">
                          <DateTime value={e.at} />
                        </td>
                        <td class="bo-nowrap">{e.actor ?? <span class="text-body-secondary">deleted user</span>}</td>
                        <td>
                          <ActionBadge action={e.action} />
                        </td>
                        <td class="bo-nowrap">
                          <span class="text-body-secondary">{e.objectType === "user" ? "User" : "Group"}: </span>
                          {link ? <a href={link}>{e.objectRepr}</a> : e.objectRepr}
                        </td>
                        <td>{e.message}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pagination
              page={state.page}
              pages={Math.max(1, Math.ceil(total / entriesPerPage))}
              total={total}
              noun={["entry", "entries"]}
              hrefFor={(p) => href({ p: p > 1 ? String(p) : null })}
            />
          </div>
        </div>
      </div>
    </BackofficeLayout>
  );
}

export default async function auditLogRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  app.get(
    "/admin/audit-log",
    { config: { backoffice: { anyOf: ["backoffice.view_auditlogentry"] } } },
    async (request, reply) => {
      const state = stateOf(request.query);
      let base = db.selectFrom("audit_log").leftJoin("users", "users.id", "audit_log.actor_id");
      if (state.action) base = base.where("audit_log.action", "=", state.action);
      if (state.type) base = base.where("audit_log.object_type", "=", state.type);
      if (state.actor) base = base.where("audit_log.actor_id", "=", state.actor);
      if (state.object) {
        base = base
          .where("audit_log.object_type", "=", state.object.objectType)
          .where("audit_log.object_id", "=", state.object.objectId);
      }
      if (state.age) {
        base = base.where(
          "audit_log.created_at",
          ">=",
          new Date(Date.now() - ages[state.age] * 24 * 3600_000).toISOString(),
        );
      }
      if (state.q) {
        const pattern = containsPattern(state.q.toLowerCase());
        base = base.where((eb) =>
          eb.or([
            eb(sql`lower(audit_log.object_repr)`, "like", sql`${pattern} escape '\\'`),
            eb(sql`lower(audit_log.change_message)`, "like", sql`${pattern} escape '\\'`),
          ]),
        );
      }
      const total = Number((await base.select((eb) => eb.fn.countAll().as("count")).executeTakeFirst())?.count ?? 0);
      const rows = await base
        .select([
          "audit_log.id",
          "audit_log.created_at",
          "audit_log.actor_id",
          "audit_log.action",
          "audit_log.object_type",
          "audit_log.object_id",
          "audit_log.object_repr",
          "audit_log.change_message",
          "users.username as actor",
        ])
        .orderBy("audit_log.created_at", "desc")
        .orderBy("audit_log.id", "desc")
        .limit(entriesPerPage)
        .offset((state.page - 1) * entriesPerPage)
        .execute();
      const actors = await db
        .selectFrom("audit_log")
        .innerJoin("users", "users.id", "audit_log.actor_id")
        .select(["users.id", "users.username"])
        .distinct()
        .orderBy("users.username")
        .limit(30)
        .execute();
      return reply.page(
        <AuditLogPage
          ctx={reply.viewContext()}
          staff={staffOfRequest(request)}
          state={state}
          total={total}
          actors={actors}
          entries={rows.map((r) => ({
            id: r.id,
            at: asDate(r.created_at),
            actor: r.actor,
            actorId: r.actor_id,
            action: r.action,
            objectType: r.object_type,
            objectId: r.object_id,
            objectRepr: r.object_repr,
            message: r.change_message,
          }))}
        />,
      );
    },
  );
}
