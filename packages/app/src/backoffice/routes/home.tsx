/**
 * `/admin/`: the models this staff member may see, with how many there are and links to add or
 * browse them, and their own recent actions (Django admin's index and "My actions").
 */
import type { FastifyInstance } from "fastify";
import { asDate } from "../../db/schema.ts";
import type { ViewContext } from "../../pages/view.ts";
import { staffOfRequest, type Staff } from "../access.ts";
import type { AuditAction } from "../audit.ts";
import { ActionBadge, DateTime } from "../components.tsx";
import { BackofficeLayout, modelsOf } from "../layout.tsx";
import { countOf } from "../queries.ts";

interface RecentAction {
  readonly id: string;
  readonly action: AuditAction;
  readonly objectType: string;
  readonly objectId: string;
  readonly objectRepr: string;
  readonly message: string;
  readonly at: Date;
}

const countTables = { users: "users", groups: "groups", "audit-log": "audit_log" } as const;

/** Where an entry's object can be opened, if it still may exist and the reader may open it. */
export function objectHref(type: string, id: string, action: string, staff: Staff): string | null {
  if (action === "delete") return null;
  if (type === "user" && (staff.can("accounts.view_user") || staff.can("accounts.change_user")))
    return `/admin/users/${id}`;
  if (type === "group" && (staff.can("accounts.view_group") || staff.can("accounts.change_group")))
    return `/admin/groups/${id}`;
  return null;
}

function Home({
  ctx,
  staff,
  counts,
  recent,
}: {
  ctx: ViewContext;
  staff: Staff;
  counts: Readonly<Record<string, number>>;
  recent: readonly RecentAction[];
}) {
  const groups = modelsOf(staff);
  return (
    <BackofficeLayout title="Site administration" ctx={ctx} staff={staff} section="home">
      <h1>Site administration</h1>
      <div class="row g-3">
        <div class="col-xl-7">
          {groups.length === 0 && (
            <div class="bo-card p-3 text-body-secondary">You don’t have permission to view or edit anything.</div>
          )}
          {groups.map(({ app, models }) => (
            <section class="bo-card mb-3">
              <div class="bo-card-head">
                <h2 class="h6 mb-0 fw-semibold">{app}</h2>
              </div>
              <table class="table bo-table bo-models">
                <tbody>
                  {models.map((model) => (
                    <tr>
                      <td>
                        <a href={model.href}>{model.label}</a>
                      </td>
                      <td class="text-end text-body-secondary" data-testid={`count-${model.section}`}>
                        {counts[model.section] ?? 0}
                      </td>
                      <td class="text-end bo-nowrap">
                        {model.addHref && (
                          <a class="bo-add" href={model.addHref}>
                            Add
                          </a>
                        )}
                      </td>
                      <td class="text-end bo-nowrap">
                        <a class="small" href={model.href}>
                          {model.section === "audit-log" ? "View" : "Browse"}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
        <div class="col-xl-5">
          <section class="bo-card" aria-labelledby="recent-title">
            <div class="bo-card-head">
              <h2 class="h6 mb-0 fw-semibold" id="recent-title">
                My recent actions
              </h2>
              {staff.can("backoffice.view_auditlogentry") && (
                <a class="small fw-normal" href={`/admin/audit-log?actor=${staff.user.id}`}>
                  All of mine
                </a>
              )}
            </div>
            <div class="bo-card-body py-1">
              {recent.length === 0 ? (
                <p class="text-body-secondary my-2">None available.</p>
              ) : (
                <ul class="list-unstyled mb-0 bo-recent" data-testid="recent-actions">
                  {recent.map((entry) => {
                    const href = objectHref(entry.objectType, entry.objectId, entry.action, staff);
                    return (
                      <li>
                        <div class="d-flex gap-2 align-items-baseline">
                          <ActionBadge action={entry.action} />
                          {href ? <a href={href}>{entry.objectRepr}</a> : <span>{entry.objectRepr}</span>}
                        </div>
                        <div class="bo-what">
                          {entry.objectType === "user" ? "User" : "Group"} · {entry.message} ·{" "}
                          <DateTime value={entry.at} />
                        </div>
                      </li>
                    );
                  })}
                </ul>
              )}
            </div>
          </section>
        </div>
      </div>
    </BackofficeLayout>
  );
}

export default async function homeRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  app.get("/admin/", { config: { backoffice: { anyStaff: true } } }, async (request, reply) => {
    const staff = staffOfRequest(request);
    const counts: Record<string, number> = {};
    for (const { models } of modelsOf(staff)) {
      for (const model of models)
        counts[model.section] = await countOf(db, countTables[model.section as keyof typeof countTables]);
    }
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("actor_id", "=", staff.user.id)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(10)
      .execute();
    const recent = rows.map((r) => ({
      id: r.id,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      objectRepr: r.object_repr,
      message: r.change_message,
      at: asDate(r.created_at),
    }));
    return reply.page(<Home ctx={reply.viewContext()} staff={staff} counts={counts} recent={recent} />);
  });
}
