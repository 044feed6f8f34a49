/**
 * The permission picker (Django's filter_horizontal, as a grid that needs no script): one row
 * per model, one checkbox per action, then a row per special permission; and the group picker,
 * a checkbox per group. What the staff member may not grant (policy.ts) is shown disabled.
 */
import { modelPermissions, specialPermissions, type Action } from "../accounts/permissions.ts";
import type { GroupRow } from "./queries.ts";

const actions: readonly Action[] = ["view", "add", "change", "delete"];

/** The catalogue's models in order: `accounts.user` → "Accounts · user". */
const models = [...new Set(modelPermissions.map((p) => p.codename.replace(/\.\w+?_/, ".")))].map((key) => {
  const [module = "", model = ""] = key.split(".");
  return { module, model };
});

const modelLabels: Readonly<Record<string, string>> = {
  user: "User",
  group: "Group",
  auditlogentry: "Audit log entry",
};
const moduleLabels: Readonly<Record<string, string>> = { accounts: "Accounts", backoffice: "Back office" };

export function PermissionPicker({
  name,
  selected,
  disabled = false,
  inherited = new Set<string>(),
  grantable,
}: {
  name: string;
  selected: ReadonlySet<string>;
  disabled?: boolean;
  /** Codenames the user already has through a group: shown, not editable here. */
  inherited?: ReadonlySet<string>;
  /** Codenames the staff member may tick or untick (those they hold); all when absent. */
  grantable?: ReadonlySet<string>;
}) {
  const locked = (codename: string) => disabled || (grantable !== undefined && !grantable.has(codename));
  const box = (codename: string, id: string, label?: string) => (
    <input
      class="form-check-input"
      type="checkbox"
      name={name}
      value={codename}
      id={id}
      checked={selected.has(codename)}
      disabled={locked(codename)}
      title={
        !disabled && locked(codename) ? "You do not hold this permission, so you cannot grant or remove it." : undefined
      }
      aria-label={label}
    />
  );
  const groupNote = (codename: string) =>
    inherited.has(codename) &&
    !selected.has(codename) && (
      <span class="ms-1 text-body-secondary small" title="Granted through a group">
        (group)
      </span>
    );
  return (
    <div class="table-responsive">
      <table class="table table-sm table-bordered bo-perms mb-1" data-testid={`picker-${name}`}>
        <thead class="table-light">
          <tr>
            <th scope="col">Model</th>
            {actions.map((action) => (
              <th scope="col" class="text-capitalize">
                {action}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {models.map(({ module, model }) => (
            <tr>
              <th scope="row" class="fw-normal">
                <span class="text-body-secondary">{moduleLabels[module] ?? module} · </span>
                {modelLabels[model] ?? model}
              </th>
              {actions.map((action) => {
                const codename = `${module}.${action}_${model}`;
                const id = `id_${name}_${module}_${action}_${model}`;
                return (
                  <td>
                    {box(codename, id, `Can ${action} ${(modelLabels[model] ?? model).toLowerCase()}`)}
                    {groupNote(codename)}
                  </td>
                );
              })}
            </tr>
          ))}
          {specialPermissions.map(({ codename, name: label }) => {
            const id = `id_${name}_${codename.replace(".", "_")}`;
            const [module = ""] = codename.split(".");
            return (
              <tr>
                <th scope="row" class="fw-normal">
                  <span class="text-body-secondary">{moduleLabels[module] ?? module} · </span>
                  Special
                </th>
                <td colspan={actions.length}>
                  <div class="form-check mb-0">
                    {box(codename, id)}
                    <label class="form-check-label" for={id}>
                      {label}
                    </label>
                    {groupNote(codename)}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function GroupPicker({
  groups,
  selected,
  disabled = false,
  grantable,
}: {
  groups: readonly GroupRow[];
  selected: ReadonlySet<string>;
  disabled?: boolean;
  /** Ids of the groups the staff member may add someone to or take them out of; all when absent. */
  grantable?: ReadonlySet<string>;
}) {
  if (groups.length === 0) return <div class="bo-readonly text-body-secondary">No groups yet.</div>;
  return (
    <div class="bo-choices" role="group" aria-label="Groups">
      {groups.map((group) => (
        <div class="form-check">
          <input
            class="form-check-input"
            type="checkbox"
            name="groups"
            value={group.id}
            id={`id_groups_${group.id}`}
            checked={selected.has(group.id)}
            disabled={disabled || (grantable !== undefined && !grantable.has(group.id))}
          />
          <label class="form-check-label" for={`id_groups_${group.id}`}>
            {group.name}
          </label>
        </div>
      ))}
    </div>
  );
}
