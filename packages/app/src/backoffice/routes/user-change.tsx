/**
 * `/admin/users/:id`: the seeds' change form — (username, email, password → a separate
 * change-password form), Permissions (is_active, is_staff, is_superuser, groups, user
 * permissions), Important dates (read-only) — beside the Cognito panel. Staff with
 * `view_user` but not `change_user` see it read-only, without a Save button. Also the
 * change-password form (`/password`) and the delete confirmation (`/delete`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CognitoFailure } from "../../accounts/cognito.ts";
import { emailProblem, fieldLimits, usernameProblem } from "../../accounts/forms.ts";
import { t } from "../../accounts/messages.ts";
import { isPermissionCodename } from "../../accounts/permissions.ts";
import type { User } from "../../accounts/users.ts";
import { HttpError } from "../../http-error.ts";
import type { ViewContext } from "../../pages/view.ts";
import { notify, notifyText, staffOfRequest, type Staff } from "../access.ts";
import { changeMessage, writeAudit } from "../audit.ts";
import { cognitoAdmin, describeFailure, type CognitoAdmin } from "../cognito-admin.ts";
import { CognitoPanel, type CognitoState } from "../cognito-panel.tsx";
import { ConfirmButtons } from "../confirm-page.tsx";
import { Checkbox, DateTime, Fieldset, FormErrorNote, Input, PostForm, Row } from "../components.tsx";
import { checked, fieldOf, fieldsOf } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { say, type BackofficeMessage } from "../messages.ts";
import { passwordRulesHint, passwordWeaknesses } from "../password-validation.ts";
import { hashPassword, parsePasswordHash } from "../passwords.ts";
import { GroupPicker, PermissionPicker } from "../pickers.tsx";
import {
  ensureMayManage,
  grantableGroups,
  managedUser,
  recordRefusal,
  refusalFor,
  staffGrantRefusal,
  userObject,
  withinGrant,
  type ManagedUser,
} from "../policy.ts";
import {
  allGroups,
  allPermissions,
  directPermissionsOf,
  emailTaken,
  findUser,
  groupsOfUser,
  permissionsByGroup,
  setMemberships,
  usernameTaken,
  type GroupRow,
} from "../queries.ts";
import type { TotpStatus } from "../staff-totp.ts";
import { StaffTotpPanel } from "../totp-panel.tsx";
import { deleteUserRow } from "../user-writes.ts";
import { destroyUserSessions } from "../../plugins/session-store.ts";

type Errors = Record<string, string>;

/**
 * The change form's own hidden field. A POST without it (an empty body, another form's fields)
 * would read as "every checkbox unticked" and strip the account's flags and groups; it is
 * refused whole instead.
 */
const formMarker = { name: "_form", value: "change-user" } as const;

/** The editable part of the form, as stored or as submitted. */
interface UserForm {
  readonly username: string;
  readonly email: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly groupIds: ReadonlySet<string>;
  readonly permissions: ReadonlySet<string>;
}

const crumbsFor = (user: User, last?: string) => [
  { label: "Accounts" },
  { label: "Users", href: "/admin/users" },
  ...(last ? [{ label: user.username, href: `/admin/users/${user.id}` }, { label: last }] : [{ label: user.username }]),
];

function PasswordSummary({ user }: { user: User }) {
  if (!user.passwordHash) return <span>No password set.</span>;
  const parsed = parsePasswordHash(user.passwordHash);
  if (!parsed) return <span>Invalid password format or unknown hashing algorithm.</span>;
  return (
    <span class="font-monospace small">
      <strong>algorithm</strong>: scrypt <strong>N</strong>: {parsed.params.cost} <strong>r</strong>:{" "}
      {parsed.params.blockSize} <strong>p</strong>: {parsed.params.parallelism} <strong>salt</strong>:{" "}
      {parsed.salt.toString("base64").slice(0, 6)}****** <strong>hash</strong>:{" "}
      {parsed.hash.toString("base64").slice(0, 6)}
      ******
    </span>
  );
}

interface ChangePageProps {
  readonly ctx: ViewContext;
  readonly staff: Staff;
  readonly target: ManagedUser;
  readonly form: UserForm;
  readonly groups: readonly GroupRow[];
  /** Ids of the groups the staff member may add the user to or take them out of. */
  readonly grantable: ReadonlySet<string>;
  readonly inherited: ReadonlySet<string>;
  readonly cognito: CognitoState;
  /** The user's back-office authenticator. */
  readonly twoStep: TotpStatus;
  readonly errors?: Errors;
}

function ChangeUserPage({
  ctx,
  staff,
  target,
  form,
  groups,
  grantable,
  inherited,
  cognito,
  twoStep,
  errors = {},
}: ChangePageProps) {
  const user = target.user;
  const refusal: BackofficeMessage | null = refusalFor(staff, target, "change");
  const canEdit = staff.can("accounts.change_user") && refusal === null;
  const identityEditable = canEdit && user.cognitoSub === null;
  const managed = "Kept in step with Cognito at each sign-in and by “Resync from Cognito”.";
  return (
    <BackofficeLayout title={user.username} ctx={ctx} staff={staff} section="users" crumbs={crumbsFor(user)}>
      <div class="bo-title">
        <h1>
          {canEdit ? "Change user" : "View user"}: <span class="fw-normal">{user.username}</span>
        </h1>
        <div class="d-flex gap-2">
          {staff.can("backoffice.view_auditlogentry") && (
            <a class="btn btn-sm btn-outline-secondary" href={`/admin/audit-log?object=user:${user.id}`}>
              History
            </a>
          )}
        </div>
      </div>
      <FormErrorNote show={Object.keys(errors).length > 0} text={errors.__all__} />
      {staff.can("accounts.change_user") && refusal && (
        <div class="alert alert-secondary py-2 bo-message" data-testid="read-only-reason">
          {say(refusal)}
        </div>
      )}
      <div class="row g-3">
        <div class="col-xl-8">
          <PostForm action={`/admin/users/${user.id}`} csrfToken={ctx.csrfToken} id="user-form">
            <input type="hidden" name={formMarker.name} value={formMarker.value} />
            <Fieldset title="Account">
              <Row
                label="Username"
                htmlFor="id_username"
                error={errors.username}
                help={user.cognitoSub ? managed : undefined}
              >
                {identityEditable ? (
                  <Input
                    name="username"
                    value={form.username}
                    error={errors.username}
                    maxLength={fieldLimits.username}
                  />
                ) : (
                  <div class="bo-readonly fw-semibold" data-testid="readonly-username">
                    {user.username}
                  </div>
                )}
              </Row>
              <Row
                label="Email address"
                htmlFor="id_email"
                error={errors.email}
                help={user.cognitoSub ? managed : undefined}
              >
                {identityEditable ? (
                  <Input
                    name="email"
                    type="email"
                    value={form.email}
                    error={errors.email}
                    maxLength={fieldLimits.email}
                  />
                ) : (
                  <div class="bo-readonly">
                    {user.email || "—"}{" "}
                    {user.cognitoSub && (
                      <span class={`badge ${user.emailVerified ? "text-bg-success" : "text-bg-warning"}`}>
                        {user.emailVerified ? "verified" : "not verified"}
                      </span>
                    )}
                  </div>
                )}
              </Row>
              <Row
                label="Password"
                help={
                  <>
                    Raw passwords are not stored, so there is no way to see this user’s password.{" "}
                    {canEdit && (
                      <a href={`/admin/users/${user.id}/password`}>
                        {user.hasUsablePassword ? "Reset the back-office password" : "Set a back-office password"}
                      </a>
                    )}
                  </>
                }
              >
                <div class="bo-readonly" data-testid="password-summary">
                  <PasswordSummary user={user} />
                </div>
              </Row>
            </Fieldset>
            <Fieldset title="Permissions">
              <Row
                label="Active"
                help="Designates whether this user should be treated as active. Unselect this instead of deleting accounts; their sessions end at once."
              >
                <Checkbox name="is_active" label="Active" checked={form.isActive} disabled={!canEdit} />
                {errors.is_active && <div class="invalid-feedback d-block">{errors.is_active}</div>}
              </Row>
              <Row label="Staff status" help="Designates whether the user can sign in to this back office.">
                <Checkbox
                  name="is_staff"
                  label="Staff status"
                  checked={form.isStaff}
                  disabled={!canEdit || (!user.isStaff && staffGrantRefusal(staff) !== null)}
                />
                {errors.is_staff && <div class="invalid-feedback d-block">{errors.is_staff}</div>}
              </Row>
              <Row
                label="Superuser status"
                help={
                  staff.user.isSuperuser
                    ? "Designates that this user has all permissions without explicitly assigning them."
                    : "Designates that this user has all permissions. Only a superuser can change this."
                }
              >
                <Checkbox
                  name="is_superuser"
                  label="Superuser status"
                  checked={form.isSuperuser}
                  disabled={!canEdit || !staff.user.isSuperuser}
                />
                {errors.is_superuser && <div class="invalid-feedback d-block">{errors.is_superuser}</div>}
              </Row>
              <Row
                label="Groups"
                help="The groups this user belongs to. A user gets all permissions granted to each of their groups."
              >
                <GroupPicker groups={groups} selected={form.groupIds} disabled={!canEdit} grantable={grantable} />
                {errors.groups && <div class="invalid-feedback d-block">{errors.groups}</div>}
              </Row>
              <Row
                label="User permissions"
                help="Specific permissions for this user, besides those of their groups (marked “group”)."
              >
                <PermissionPicker
                  name="user_permissions"
                  selected={form.permissions}
                  inherited={inherited}
                  disabled={!canEdit}
                  grantable={staff.permissions}
                />
                {errors.user_permissions && <div class="invalid-feedback d-block">{errors.user_permissions}</div>}
              </Row>
            </Fieldset>
            <Fieldset title="Important dates">
              <Row label="Created at">
                <div class="bo-readonly" data-testid="created-at">
                  <DateTime value={user.createdAt} />
                </div>
              </Row>
              <Row label="Updated at">
                <div class="bo-readonly">
                  <DateTime value={user.updatedAt} />
                </div>
              </Row>
              <Row label="Last login">
                <div class="bo-readonly">
                  <DateTime value={user.lastLogin} empty="Never" />
                </div>
              </Row>
              <Row label="Last synced from Cognito">
                <div class="bo-readonly">
                  <DateTime value={user.lastSyncedAt} empty="Never" />
                </div>
              </Row>
            </Fieldset>
            {(canEdit || staff.can("accounts.delete_user")) && (
              <div class="bo-submit">
                {staff.can("accounts.delete_user") && refusalFor(staff, target, "delete") === null && (
                  <a class="btn btn-sm btn-outline-danger bo-delete" href={`/admin/users/${user.id}/delete`}>
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
        </div>
        <div class="col-xl-4">
          <CognitoPanel user={user} state={cognito} canAct={canEdit} csrfToken={ctx.csrfToken} />
          {(user.isStaff || twoStep.kind !== "off") && <StaffTotpPanel staff={staff} user={user} status={twoStep} />}
        </div>
      </div>
    </BackofficeLayout>
  );
}

/** What Cognito says about `user` now, or why it cannot be said. */
export async function cognitoStateOf(
  cognito: CognitoAdmin,
  user: User,
  request: FastifyRequest,
): Promise<CognitoState> {
  if (!user.cognitoSub) return { kind: "local" };
  try {
    const account = await cognito.findBySub(user.cognitoSub);
    return account ? { kind: "found", account } : { kind: "gone" };
  } catch (error) {
    if (!(error instanceof CognitoFailure)) throw error;
    request.log.warn({ err: error }, "change user: could not read the Cognito account");
    return { kind: "failed", message: describeFailure(error) };
  }
}

/** The user named in the URL, or the 404 page. */
export async function userFromParams(app: FastifyInstance, request: FastifyRequest): Promise<User> {
  const { id } = request.params as { id?: string };
  const user = id ? await findUser(app.database.db, id) : undefined;
  if (!user) throw new HttpError(404, "No such user.");
  return user;
}

const viewAccess = { backoffice: { anyOf: ["accounts.view_user", "accounts.change_user"] } } as const;
const changeAccess = { backoffice: { anyOf: ["accounts.change_user"] } } as const;
const deleteAccess = { backoffice: { anyOf: ["accounts.delete_user"] } } as const;

export default async function userChangeRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const cognito = cognitoAdmin(app.cognito, app.config.cognito.userPoolId);

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    form?: UserForm,
    errors?: Errors,
  ): Promise<FastifyReply> => {
    const staff = staffOfRequest(request);
    const groups = await allGroups(db);
    const current: UserForm = form ?? {
      username: user.username,
      email: user.email,
      isActive: user.isActive,
      isStaff: user.isStaff,
      isSuperuser: user.isSuperuser,
      groupIds: new Set((await groupsOfUser(db, user.id)).map((g) => g.id)),
      permissions: new Set(await directPermissionsOf(db, user.id)),
    };
    const viaGroups = await db
      .selectFrom("user_groups")
      .innerJoin("group_permissions", "group_permissions.group_id", "user_groups.group_id")
      .innerJoin("permissions", "permissions.id", "group_permissions.permission_id")
      .select("permissions.codename")
      .where("user_groups.user_id", "=", user.id)
      .execute();
    return reply
      .code(errors ? 400 : 200)
      .page(
        <ChangeUserPage
          ctx={reply.viewContext()}
          staff={staff}
          target={await managedUser(db, user)}
          form={current}
          groups={groups}
          grantable={grantableGroups(staff, await permissionsByGroup(db))}
          inherited={new Set(viaGroups.map((r) => r.codename))}
          cognito={await cognitoStateOf(cognito, user, request)}
          twoStep={await app.backofficeTotp.status(user.id)}
          errors={errors}
        />,
      );
  };

  app.get("/admin/users/:id", { config: viewAccess }, async (request, reply) =>
    render(request, reply, await userFromParams(app, request)),
  );

  app.post(
    "/admin/users/:id",
    { preHandler: app.csrfProtection, config: changeAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      const user = await userFromParams(app, request);
      await ensureMayManage(db, staff, user, "change", "change the user");
      const body = request.body;
      if (fieldOf(body, formMarker.name) !== formMarker.value) {
        return render(request, reply, user, undefined, { __all__: say("FORM_INCOMPLETE") });
      }
      const identityEditable = user.cognitoSub === null;
      const beforeGroups = new Set((await groupsOfUser(db, user.id)).map((g) => g.id));
      const beforePermissions = new Set(await directPermissionsOf(db, user.id));
      const byGroup = await permissionsByGroup(db);
      const groups = withinGrant(
        beforeGroups,
        new Set(fieldsOf(body, "groups").filter((id) => byGroup.has(id))),
        grantableGroups(staff, byGroup),
      );
      const permissions = withinGrant(
        beforePermissions,
        new Set(fieldsOf(body, "user_permissions").filter(isPermissionCodename)),
        staff.permissions,
      );
      const form: UserForm = {
        username: identityEditable ? fieldOf(body, "username").trim() : user.username,
        email: identityEditable ? fieldOf(body, "email").trim() : user.email,
        isActive: checked(body, "is_active"),
        isStaff: checked(body, "is_staff"),
        // Only a superuser can grant or take superuser status; for others it stays as it is.
        isSuperuser: staff.user.isSuperuser ? checked(body, "is_superuser") : user.isSuperuser,
        groupIds: groups.value,
        permissions: permissions.value,
      };

      const errors: Errors = {};
      if (identityEditable) {
        const usernameCode = usernameProblem(form.username);
        if (usernameCode) errors.username = t(usernameCode);
        else if (await usernameTaken(db, form.username, user.id)) errors.username = say("USERNAME_TAKEN");
        const emailCode = emailProblem(form.email);
        if (emailCode) errors.email = t(emailCode);
        else if (await emailTaken(db, form.email, user.id)) errors.email = say("EMAIL_TAKEN");
      }
      const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
        a.size === b.size && [...a].every((x) => b.has(x));
      // Changes the staff member may not make: refused, and each kept in the audit log.
      const refusals: [field: string, attempt: string, reason: BackofficeMessage][] = [];
      if (user.id === staff.user.id) {
        if (!form.isActive) refusals.push(["is_active", "deactivate their own account", "CANNOT_CHANGE_SELF"]);
        if (!form.isStaff) refusals.push(["is_staff", "remove their own staff status", "CANNOT_CHANGE_SELF"]);
        // change_user must not be a way to grant oneself every other permission.
        if (!staff.user.isSuperuser && !sameSet(form.groupIds, beforeGroups)) {
          refusals.push(["groups", "change their own groups", "OWN_PERMISSIONS"]);
        }
        if (!staff.user.isSuperuser && !sameSet(form.permissions, beforePermissions)) {
          refusals.push(["user_permissions", "change their own permissions", "OWN_PERMISSIONS"]);
        }
      }
      // The checkbox is disabled for them, so only a forged form asks this.
      if (!staff.user.isSuperuser && checked(body, "is_superuser") !== user.isSuperuser) {
        refusals.push(["is_superuser", "grant superuser status", "SUPERUSER_ONLY"]);
      }
      if (form.isStaff && !user.isStaff && staffGrantRefusal(staff)) {
        refusals.push(["is_staff", "grant staff status", "STAFF_MANAGERS_ONLY"]);
      }
      if (permissions.beyond.length > 0) {
        refusals.push(["user_permissions", `grant ${permissions.beyond.join(", ")}`, "GRANT_NOT_HELD"]);
      }
      if (groups.beyond.length > 0) refusals.push(["groups", "add to a group", "GROUPS_NOT_HELD"]);
      for (const [field, attempt, reason] of refusals) {
        errors[field] ??= say(reason);
        await recordRefusal(db, staff, userObject(user), attempt, reason);
      }
      if (Object.keys(errors).length > 0) return render(request, reply, user, form, errors);

      const changed = [
        form.username !== user.username ? "username" : null,
        form.email !== user.email ? "email" : null,
        form.isActive !== user.isActive ? "is_active" : null,
        form.isStaff !== user.isStaff ? "is_staff" : null,
        form.isSuperuser !== user.isSuperuser ? "is_superuser" : null,
        sameSet(form.groupIds, beforeGroups) ? null : "groups",
        sameSet(form.permissions, beforePermissions) ? null : "user_permissions",
      ].filter((field): field is string => field !== null);

      const after = fieldOf(body, "_continue") ? `/admin/users/${user.id}` : "/admin/users";
      if (changed.length === 0) {
        notify(request, "info", "NO_FIELDS_CHANGED");
        return reply.redirect(after, 303);
      }
      const permissionIds = (await allPermissions(db)).filter((p) => form.permissions.has(p.codename)).map((p) => p.id);
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable("users")
            .set({
              username: form.username,
              username_key: form.username.toLowerCase(),
              email: form.email,
              email_key: form.email.toLowerCase(),
              is_active: form.isActive,
              is_staff: form.isStaff,
              is_superuser: form.isSuperuser,
              updated_at: new Date().toISOString(),
            })
            .where("id", "=", user.id)
            .execute();
          if (changed.includes("groups") || changed.includes("user_permissions")) {
            await setMemberships(trx, user.id, [...form.groupIds], permissionIds);
          }
          // Deactivation signs the user out everywhere on this site at once (STYLE 8).
          if (user.isActive && !form.isActive) await destroyUserSessions(trx, user.id);
          await writeAudit(trx, {
            actorId: staff.user.id,
            action: "change",
            objectType: "user",
            objectId: user.id,
            objectRepr: form.username,
            message: changeMessage(changed),
          });
        });
      } catch (error) {
        // The username was taken between the check and the update.
        if (identityEditable && (await usernameTaken(db, form.username, user.id))) {
          return render(request, reply, user, form, { username: say("USERNAME_TAKEN") });
        }
        throw error;
      }
      const ended = user.isActive && !form.isActive ? ` ${say("USER_DEACTIVATED_SESSIONS")}` : "";
      notifyText(request, "success", `${say("USER_CHANGED", { username: form.username })}${ended}`);
      return reply.redirect(after, 303);
    },
  );

  // ---- the change-password form ----

  const PasswordPage = ({
    ctx,
    staff,
    user,
    errors = {},
  }: {
    ctx: ViewContext;
    staff: Staff;
    user: User;
    errors?: Errors;
  }) => (
    <BackofficeLayout
      title="Change password"
      ctx={ctx}
      staff={staff}
      section="users"
      crumbs={crumbsFor(user, "Change password")}
    >
      <h1>
        Change password: <span class="fw-normal">{user.username}</span>
      </h1>
      <p class="text-body-secondary">
        Enter a new back-office password for <strong>{user.username}</strong>. This is the local password for /admin; a
        Cognito password is changed by the person themselves (or reset from the Cognito panel).
      </p>
      <FormErrorNote show={Object.keys(errors).length > 0} />
      <PostForm action={`/admin/users/${user.id}/password`} csrfToken={ctx.csrfToken}>
        <Fieldset title="Password">
          <Row label="Password" htmlFor="id_password1" error={errors.password1} help={passwordRulesHint}>
            <Input
              name="password1"
              type="password"
              error={errors.password1}
              autocomplete="new-password"
              autofocus
              hasHelp
            />
          </Row>
          <Row
            label="Password (again)"
            htmlFor="id_password2"
            error={errors.password2}
            help="Enter the same password as before, for verification."
          >
            <Input name="password2" type="password" error={errors.password2} autocomplete="new-password" hasHelp />
          </Row>
          {user.hasUsablePassword && (
            <Row
              label="No local password"
              help="The user can no longer sign in to the back office; their sign-in through Cognito is not affected."
            >
              <Checkbox name="unusable" label="Remove the back-office password instead" checked={false} />
            </Row>
          )}
        </Fieldset>
        <div class="bo-submit">
          <a class="btn btn-sm btn-outline-secondary me-auto" href={`/admin/users/${user.id}`}>
            Cancel
          </a>
          <button type="submit" class="btn btn-sm btn-primary">
            Change password
          </button>
        </div>
      </PostForm>
    </BackofficeLayout>
  );

  /** The user whose password `staff` may set; a refused POST is kept in the audit log. */
  const editableUser = async (request: FastifyRequest): Promise<{ staff: Staff; user: User }> => {
    const staff = staffOfRequest(request);
    const user = await userFromParams(app, request);
    const attempt = request.method === "POST" ? "change the back-office password" : undefined;
    await ensureMayManage(db, staff, user, "change", attempt);
    return { staff, user };
  };

  app.get("/admin/users/:id/password", { config: changeAccess }, async (request, reply) => {
    const { staff, user } = await editableUser(request);
    return reply.page(<PasswordPage ctx={reply.viewContext()} staff={staff} user={user} />);
  });

  app.post(
    "/admin/users/:id/password",
    { preHandler: app.csrfProtection, config: changeAccess },
    async (request, reply) => {
      const { staff, user } = await editableUser(request);
      const body = request.body;
      const unusable = checked(body, "unusable");
      let hash: string | null = null;
      if (!unusable) {
        const password1 = fieldOf(body, "password1");
        const password2 = fieldOf(body, "password2");
        const errors: Errors = {};
        const weaknesses = passwordWeaknesses(password1, { username: user.username, email: user.email });
        if (weaknesses.length > 0) errors.password1 = weaknesses.join(" ");
        else if (password2 === "") errors.password2 = say("FIELD_REQUIRED");
        else if (password1 !== password2) errors.password2 = say("PASSWORDS_DIFFER");
        if (Object.keys(errors).length > 0) {
          return reply
            .code(400)
            .page(<PasswordPage ctx={reply.viewContext()} staff={staff} user={user} errors={errors} />);
        }
        hash = await hashPassword(password1);
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ password_hash: hash, updated_at: new Date().toISOString() })
          .where("id", "=", user.id)
          .execute();
        // Whoever signed in with the old password is out (the acting staff member keeps this session).
        await destroyUserSessions(trx, user.id, user.id === staff.user.id ? request.session.id : null);
        await writeAudit(trx, {
          actorId: staff.user.id,
          action: "change",
          objectType: "user",
          objectId: user.id,
          objectRepr: user.username,
          message: unusable ? "Removed the local password." : "Changed password.",
        });
      });
      notify(request, "success", unusable ? "PASSWORD_REMOVED" : "PASSWORD_CHANGED", { username: user.username });
      return reply.redirect(`/admin/users/${user.id}`, 303);
    },
  );

  // ---- delete, with a confirmation page ----

  const DeletePage = ({
    ctx,
    staff,
    user,
    groups,
  }: {
    ctx: ViewContext;
    staff: Staff;
    user: User;
    groups: readonly GroupRow[];
  }) => (
    <BackofficeLayout title="Are you sure?" ctx={ctx} staff={staff} section="users" crumbs={crumbsFor(user, "Delete")}>
      <h1>Are you sure?</h1>
      <div class="bo-card bo-card-body bo-confirm" data-testid="confirm-page">
        <p>
          Are you sure you want to delete the user “{user.username}”? All of the following related items will be
          deleted; the audit log keeps its history. To stop someone signing in without losing their record,{" "}
          <a href={`/admin/users/${user.id}`}>deactivate them</a> instead.
        </p>
        <h2 class="h6 fw-semibold">Objects</h2>
        <ul data-testid="affected-users">
          <li>
            User: {user.username} ({user.email || "no email"})
            <ul>
              {groups.map((g) => (
                <li>Group membership: {g.name}</li>
              ))}
              <li>Their sessions on this site</li>
            </ul>
          </li>
        </ul>
        <PostForm action={`/admin/users/${user.id}/delete`} csrfToken={ctx.csrfToken}>
          {user.cognitoSub && (
            <div class="mb-3">
              <Checkbox
                name="cognito"
                checked={false}
                label="Also delete the Cognito account (AdminDeleteUser). Without this, they get a new local record at their next sign-in."
              />
            </div>
          )}
          <ConfirmButtons button="Yes, I’m sure" back={`/admin/users/${user.id}`} />
        </PostForm>
      </div>
    </BackofficeLayout>
  );

  const deletableUser = async (request: FastifyRequest): Promise<{ staff: Staff; user: User }> => {
    const staff = staffOfRequest(request);
    const user = await userFromParams(app, request);
    await ensureMayManage(db, staff, user, "delete", request.method === "POST" ? "delete the user" : undefined);
    return { staff, user };
  };

  app.get("/admin/users/:id/delete", { config: deleteAccess }, async (request, reply) => {
    const { staff, user } = await deletableUser(request);
    return reply.page(
      <DeletePage ctx={reply.viewContext()} staff={staff} user={user} groups={await groupsOfUser(db, user.id)} />,
    );
  });

  app.post(
    "/admin/users/:id/delete",
    { preHandler: app.csrfProtection, config: deleteAccess },
    async (request, reply) => {
      const { staff, user } = await deletableUser(request);
      let message = "Deleted.";
      if (checked(request.body, "cognito") && user.cognitoSub) {
        try {
          const account = await cognito.findBySub(user.cognitoSub);
          if (account) await cognito.delete(account.username);
          message = "Deleted, also from Cognito.";
        } catch (error) {
          if (!(error instanceof CognitoFailure)) throw error;
          notify(request, "danger", "COGNITO_REFUSED", { detail: describeFailure(error) });
          return reply.redirect(`/admin/users/${user.id}/delete`, 303);
        }
      }
      await db.transaction().execute((trx) => deleteUserRow(trx, user, staff.user.id, message));
      notify(request, "success", "USER_DELETED", { username: user.username });
      return reply.redirect("/admin/users", 303);
    },
  );
}
