/**
 * `/admin/groups`: Django's Group admin — the list (name, members, permissions), add and change
 * (name and the permission picker), and delete with a confirmation that names the members who
 * lose the group's permissions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sql, type Transaction } from "kysely";
import { randomUUID } from "node:crypto";
import type { DatabaseSchema } from "../../db/schema.ts";
import { isPermissionCodename } from "../../accounts/permissions.ts";
import { HttpError } from "../../http-error.ts";
import type { ViewContext } from "../../pages/view.ts";
import { notify, staffOfRequest, type Staff } from "../access.ts";
import { changeMessage, writeAudit } from "../audit.ts";
import { Fieldset, FormErrorNote, Input, Pagination, PostForm, Row } from "../components.tsx";
import { fieldOf, fieldsOf, hasControlCharacters, pageOf, withQuery } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { say, type BackofficeMessage } from "../messages.ts";
import { PermissionPicker } from "../pickers.tsx";
import { groupChangeRefusal, groupMembers, holdsAll, recordRefusal, withinGrant } from "../policy.ts";
import { allPermissions, containsPattern, groupPermissionsOf, isUuid } from "../queries.ts";

interface Group {
  readonly id: string;
  readonly name: string;
}

const groupsPerPage = 50;
const listAccess = { backoffice: { anyOf: ["accounts.view_group", "accounts.change_group"] } } as const;
const addAccess = { backoffice: { anyOf: ["accounts.add_group"] } } as const;
const changeAccess = { backoffice: { anyOf: ["accounts.change_group"] } } as const;
const deleteAccess = { backoffice: { anyOf: ["accounts.delete_group"] } } as const;

type Errors = Record<string, string>;

function GroupList({
  ctx,
  staff,
  rows,
  total,
  page,
  search,
}: {
  ctx: ViewContext;
  staff: Staff;
  rows: readonly { id: string; name: string; members: number; permissions: number }[];
  total: number;
  page: number;
  search: string;
}) {
  const kept: Record<string, string> = search ? { q: search } : {};
  return (
    <BackofficeLayout
      title="Groups"
      ctx={ctx}
      staff={staff}
      section="groups"
      crumbs={[{ label: "Accounts" }, { label: "Groups" }]}
    >
      <div class="bo-title">
        <h1>{staff.can("accounts.change_group") ? "Select group to change" : "Select group to view"}</h1>
        {staff.can("accounts.add_group") && (
          <a class="btn btn-sm btn-primary" href="/admin/groups/add">
            Add group
          </a>
        )}
      </div>
      <div class="bo-card">
        <form method="get" action="/admin/groups" class="bo-toolbar" role="search">
          <label class="visually-hidden" for="searchbar">
            Search groups
          </label>
          <input
            class="form-control form-control-sm bo-search"
            type="search"
            id="searchbar"
            name="q"
            value={search}
            placeholder="Search name"
            maxLength={200}
          />
          <button type="submit" class="btn btn-sm btn-outline-secondary">
            Search
          </button>
        </form>
        <div class="table-responsive">
          <table class="table bo-table" data-testid="groups-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="text-end">
                  Members
                </th>
                <th scope="col" class="text-end">
                  Permissions
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={3} class="text-body-secondary py-3">
                    No groups{search ? " match" : " yet"}.
                  </td>
                </tr>
              )}
              {rows.map((g) => (
                <tr data-testid="group-row">
                  <td>
                    <a class="fw-semibold" href={`/admin/groups/${g.id}`}>
                      {g.name}
                    </a>
                  </td>
                  <td class="text-end">
                    {staff.can("accounts.view_user") || staff.can("accounts.change_user") ? (
                      <a href={`/admin/users?group=${g.id}`}>{g.members}</a>
                    ) : (
                      g.members
                    )}
                  </td>
                  <td class="text-end">{g.permissions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          page={page}
          pages={Math.max(1, Math.ceil(total / groupsPerPage))}
          total={total}
          noun={["group", "groups"]}
          hrefFor={(p) => withQuery("/admin/groups", kept, { p: p > 1 ? String(p) : null })}
        />
      </div>
    </BackofficeLayout>
  );
}

function GroupForm({
  ctx,
  staff,
  group,
  name,
  permissions,
  locked = null,
  errors = {},
}: {
  ctx: ViewContext;
  staff: Staff;
  group: Group | null;
  name: string;
  permissions: ReadonlySet<string>;
  /** Why `staff` may not change what this group grants nor delete it (its members), if so. */
  locked?: BackofficeMessage | null;
  errors?: Errors;
}) {
  const canEdit = group ? staff.can("accounts.change_group") : staff.can("accounts.add_group");
  const title = group ? (canEdit ? "Change group" : "View group") : "Add group";
  return (
    <BackofficeLayout
      title={group ? group.name : "Add group"}
      ctx={ctx}
      staff={staff}
      section="groups"
      crumbs={[
        { label: "Accounts" },
        { label: "Groups", href: "/admin/groups" },
        { label: group ? group.name : "Add group" },
      ]}
    >
      <div class="bo-title">
        <h1>
          {title}
          {group && <span class="fw-normal">: {group.name}</span>}
        </h1>
        {group && staff.can("backoffice.view_auditlogentry") && (
          <a class="btn btn-sm btn-outline-secondary" href={`/admin/audit-log?object=group:${group.id}`}>
            History
          </a>
        )}
      </div>
      <FormErrorNote show={Object.keys(errors).length > 0} />
      <PostForm action={group ? `/admin/groups/${group.id}` : "/admin/groups/add"} csrfToken={ctx.csrfToken}>
        <Fieldset title="Group">
          <Row label="Name" htmlFor="id_name" error={errors.name}>
            <Input
              name="name"
              value={name}
              error={errors.name}
              maxLength={150}
              disabled={!canEdit}
              autofocus={!group}
            />
          </Row>
          <Row
            label="Permissions"
            help={locked && canEdit ? say(locked) : "Every member of the group holds these permissions."}
            error={errors.permissions}
          >
            <PermissionPicker
              name="permissions"
              selected={permissions}
              disabled={!canEdit}
              grantable={locked ? new Set() : staff.permissions}
            />
            {errors.permissions && <div class="invalid-feedback d-block">{errors.permissions}</div>}
          </Row>
        </Fieldset>
        {(canEdit || (group && staff.can("accounts.delete_group"))) && (
          <div class="bo-submit">
            {group && staff.can("accounts.delete_group") && !locked && holdsAll(staff, permissions) && (
              <a class="btn btn-sm btn-outline-danger bo-delete" href={`/admin/groups/${group.id}/delete`}>
                Delete
              </a>
            )}
            {canEdit && (
              <>
                <button type="submit" class="btn btn-sm btn-outline-primary" name="_continue" value="1">
                  Save and continue editing
                </button>
                <button type="submit" class="btn btn-sm btn-primary" name="_save" value="1">
                  Save
                </button>
              </>
            )}
          </div>
        )}
      </PostForm>
    </BackofficeLayout>
  );
}

function DeleteGroupPage({
  ctx,
  staff,
  group,
  members,
}: {
  ctx: ViewContext;
  staff: Staff;
  group: Group;
  members: readonly string[];
}) {
  return (
    <BackofficeLayout
      title="Are you sure?"
      ctx={ctx}
      staff={staff}
      section="groups"
      crumbs={[
        { label: "Accounts" },
        { label: "Groups", href: "/admin/groups" },
        { label: group.name, href: `/admin/groups/${group.id}` },
        { label: "Delete" },
      ]}
    >
      <h1>Are you sure?</h1>
      <div class="bo-card bo-card-body bo-confirm" data-testid="confirm-page">
        <p>
          Are you sure you want to delete the group “{group.name}”? Its {members.length}{" "}
          {members.length === 1 ? "member loses" : "members lose"} the permissions it grants.
        </p>
        {members.length > 0 && (
          <ul>
            {members.slice(0, 50).map((m) => (
              <li>Membership of {m}</li>
            ))}
            {members.length > 50 && <li>… and {members.length - 50} more</li>}
          </ul>
        )}
        <PostForm action={`/admin/groups/${group.id}/delete`} csrfToken={ctx.csrfToken}>
          <div class="d-flex flex-wrap gap-2">
            <button type="submit" class="btn btn-sm btn-danger">
              Yes, I’m sure
            </button>
            <a class="btn btn-sm btn-outline-secondary" href={`/admin/groups/${group.id}`}>
              No, take me back
            </a>
          </div>
        </PostForm>
      </div>
    </BackofficeLayout>
  );
}

export default async function groupRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;

  const groupFromParams = async (request: FastifyRequest): Promise<Group> => {
    const { id } = request.params as { id?: string };
    const group = isUuid(id)
      ? await db.selectFrom("groups").select(["id", "name"]).where("id", "=", id).executeTakeFirst()
      : undefined;
    if (!group) throw new HttpError(404, "No such group.");
    return group;
  };

  const nameTaken = async (name: string, exceptId?: string): Promise<boolean> => {
    let query = db
      .selectFrom("groups")
      .select("id")
      .where(sql<string>`lower(name)`, "=", name.toLowerCase());
    if (exceptId) query = query.where("id", "!=", exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  };

  /** Why `staff` may not change what `group` grants nor delete it, because of its members. */
  const lockOf = async (staff: Staff, group: Group): Promise<BackofficeMessage | null> =>
    groupChangeRefusal(staff, await groupMembers(db, group.id, staff));

  /**
   * The submitted name and permissions, and what is wrong with them. Permissions the staff
   * member lacks stay as they were (`before`), and all of them do while the group is `locked`;
   * asking for a change to one of those is refused and recorded.
   */
  const readForm = async (
    staff: Staff,
    body: unknown,
    group: Group | null,
    before: ReadonlySet<string>,
    locked: BackofficeMessage | null = null,
  ) => {
    const name = fieldOf(body, "name").trim();
    const submitted = new Set(fieldsOf(body, "permissions").filter(isPermissionCodename));
    const grantable = locked ? new Set<string>() : staff.permissions;
    const { value: permissions, beyond } = withinGrant(before, submitted, grantable);
    const errors: Errors = {};
    if (name === "") errors.name = say("FIELD_REQUIRED");
    else if ([...name].length > 150 || hasControlCharacters(name)) errors.name = say("GROUP_NAME_INVALID");
    else if (await nameTaken(name, group?.id)) errors.name = say("GROUP_NAME_TAKEN");
    if (beyond.length > 0) {
      const reason = locked ?? "GRANT_NOT_HELD";
      errors.permissions = say(reason);
      // A refused addition has no group yet: its entry gets an id of its own.
      const object = { type: "group", id: group?.id ?? randomUUID(), repr: group?.name ?? name } as const;
      await recordRefusal(db, staff, object, `grant ${beyond.join(", ")}`, reason);
    }
    return { name, permissions, errors };
  };

  const savePermissions = async (trx: Transaction<DatabaseSchema>, groupId: string, codenames: ReadonlySet<string>) => {
    const ids = (await allPermissions(trx)).filter((p) => codenames.has(p.codename)).map((p) => p.id);
    await trx.deleteFrom("group_permissions").where("group_id", "=", groupId).execute();
    if (ids.length > 0) {
      await trx
        .insertInto("group_permissions")
        .values(ids.map((permission_id) => ({ group_id: groupId, permission_id })))
        .execute();
    }
  };

  app.get("/admin/groups", { config: listAccess }, async (request, reply) => {
    const search = fieldOf(request.query, "q").trim().slice(0, 200);
    const page = pageOf(request.query);
    let base = db.selectFrom("groups");
    if (search)
      base = base.where(
        sql<string>`lower(name)`,
        "like",
        sql<string>`${containsPattern(search.toLowerCase())} escape '\\'`,
      );
    const total = Number((await base.select((eb) => eb.fn.countAll().as("count")).executeTakeFirst())?.count ?? 0);
    const rows = await base
      .select((eb) => [
        "groups.id",
        "groups.name",
        eb
          .selectFrom("user_groups")
          .select(eb.fn.countAll().as("n"))
          .whereRef("user_groups.group_id", "=", "groups.id")
          .as("members"),
        eb
          .selectFrom("group_permissions")
          .select(eb.fn.countAll().as("n"))
          .whereRef("group_permissions.group_id", "=", "groups.id")
          .as("permissions"),
      ])
      .orderBy("groups.name")
      .limit(groupsPerPage)
      .offset((page - 1) * groupsPerPage)
      .execute();
    return reply.page(
      <GroupList
        ctx={reply.viewContext()}
        staff={staffOfRequest(request)}
        rows={rows.map((r) => ({
          id: r.id,
          name: r.name,
          members: Number(r.members ?? 0),
          permissions: Number(r.permissions ?? 0),
        }))}
        total={total}
        page={page}
        search={search}
      />,
    );
  });

  app.get("/admin/groups/add", { config: addAccess }, async (request, reply) =>
    reply.page(
      <GroupForm
        ctx={reply.viewContext()}
        staff={staffOfRequest(request)}
        group={null}
        name=""
        permissions={new Set()}
      />,
    ),
  );

  app.post(
    "/admin/groups/add",
    { preHandler: app.csrfProtection, config: addAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      const { name, permissions, errors } = await readForm(staff, request.body, null, new Set());
      if (Object.keys(errors).length > 0) {
        return reply
          .code(400)
          .page(
            <GroupForm
              ctx={reply.viewContext()}
              staff={staff}
              group={null}
              name={name}
              permissions={permissions}
              errors={errors}
            />,
          );
      }
      const id = randomUUID();
      const now = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("groups").values({ id, name, created_at: now, updated_at: now }).execute();
        await savePermissions(trx, id, permissions);
        await writeAudit(trx, {
          actorId: staff.user.id,
          action: "add",
          objectType: "group",
          objectId: id,
          objectRepr: name,
          message: "Added.",
        });
      });
      notify(request, "success", "GROUP_ADDED", { name });
      return reply.redirect(fieldOf(request.body, "_continue") ? `/admin/groups/${id}` : "/admin/groups", 303);
    },
  );

  app.get("/admin/groups/:id", { config: listAccess }, async (request, reply) => {
    const staff = staffOfRequest(request);
    const group = await groupFromParams(request);
    const mayChange = staff.can("accounts.change_group") || staff.can("accounts.delete_group");
    return reply.page(
      <GroupForm
        ctx={reply.viewContext()}
        staff={staff}
        group={group}
        name={group.name}
        permissions={new Set(await groupPermissionsOf(db, group.id))}
        locked={mayChange ? await lockOf(staff, group) : null}
      />,
    );
  });

  app.post(
    "/admin/groups/:id",
    { preHandler: app.csrfProtection, config: changeAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      const group = await groupFromParams(request);
      const before = new Set(await groupPermissionsOf(db, group.id));
      const locked = await lockOf(staff, group);
      const { name, permissions, errors } = await readForm(staff, request.body, group, before, locked);
      if (Object.keys(errors).length > 0) {
        return reply
          .code(400)
          .page(
            <GroupForm
              ctx={reply.viewContext()}
              staff={staff}
              group={group}
              name={name}
              permissions={permissions}
              locked={locked}
              errors={errors}
            />,
          );
      }
      const changed = [
        name !== group.name ? "name" : null,
        before.size === permissions.size && [...before].every((c) => permissions.has(c)) ? null : "permissions",
      ].filter((f): f is string => f !== null);
      const after = fieldOf(request.body, "_continue") ? `/admin/groups/${group.id}` : "/admin/groups";
      if (changed.length === 0) {
        notify(request, "info", "NO_FIELDS_CHANGED");
        return reply.redirect(after, 303);
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("groups")
          .set({ name, updated_at: new Date().toISOString() })
          .where("id", "=", group.id)
          .execute();
        if (changed.includes("permissions")) await savePermissions(trx, group.id, permissions);
        await writeAudit(trx, {
          actorId: staff.user.id,
          action: "change",
          objectType: "group",
          objectId: group.id,
          objectRepr: name,
          message: changeMessage(changed),
        });
      });
      notify(request, "success", "GROUP_CHANGED", { name });
      return reply.redirect(after, 303);
    },
  );

  const membersOf = async (groupId: string): Promise<string[]> =>
    (
      await db
        .selectFrom("user_groups")
        .innerJoin("users", "users.id", "user_groups.user_id")
        .select("users.username")
        .where("user_groups.group_id", "=", groupId)
        .orderBy("users.username_key")
        .execute()
    ).map((r) => r.username);

  /**
   * A group `staff` may delete: one that grants nothing they lack, among members they may all
   * change (deleting takes what it grants from every member).
   */
  const deletableGroup = async (request: FastifyRequest): Promise<Group> => {
    const staff = staffOfRequest(request);
    const group = await groupFromParams(request);
    const refusal = holdsAll(staff, await groupPermissionsOf(db, group.id))
      ? await lockOf(staff, group)
      : "GROUP_MORE_PRIVILEGED";
    if (refusal === null) return group;
    if (request.method === "POST") {
      await recordRefusal(db, staff, { type: "group", id: group.id, repr: group.name }, "delete the group", refusal);
    }
    throw new HttpError(403, say(refusal));
  };

  app.get("/admin/groups/:id/delete", { config: deleteAccess }, async (request, reply) => {
    const group = await deletableGroup(request);
    return reply.page(
      <DeleteGroupPage
        ctx={reply.viewContext()}
        staff={staffOfRequest(request)}
        group={group}
        members={await membersOf(group.id)}
      />,
    );
  });

  app.post(
    "/admin/groups/:id/delete",
    { preHandler: app.csrfProtection, config: deleteAccess },
    async (request, reply) => {
      const staff = staffOfRequest(request);
      const group = await deletableGroup(request);
      await db.transaction().execute(async (trx) => {
        await writeAudit(trx, {
          actorId: staff.user.id,
          action: "delete",
          objectType: "group",
          objectId: group.id,
          objectRepr: group.name,
          message: "Deleted.",
        });
        await trx.deleteFrom("groups").where("id", "=", group.id).execute();
      });
      notify(request, "success", "GROUP_DELETED", { name: group.name });
      return reply.redirect("/admin/groups", 303);
    },
  );
}
