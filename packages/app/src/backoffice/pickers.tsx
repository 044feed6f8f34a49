/**
 * The permission picker (Django's filter_horizontal, as a grid that needs no script): one row
 * per model, one checkbox per action; and the group picker, a checkbox per group.
 */
import { permissionCatalogue, type Action } from "../accounts/permissions.ts";
import type { GroupRow } from "./queries.ts";

const actions: readonly Action[] = ["view", "add", "change", "delete"];

/** The catalogue's models in order: `accounts.user` → "Accounts · user". */
const models = [...new Set(permissionCatalogue.map((p) => p.codename.replace(/\.\w+?_/, ".")))].map((key) => {
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
}: {
  name: string;
  selected: ReadonlySet<string>;
  disabled?: boolean;
  /** Codenames the user already has through a group: shown, not editable here. */
  inherited?: ReadonlySet<string>;
}) {
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
                    <input
                      class="form-check-input"
                      type="checkbox"
                      name={name}
                      value={codename}
                      id={id}
                      checked={selected.has(codename)}
                      disabled={disabled}
                      aria-label={`Can ${action} ${(modelLabels[model] ?? model).toLowerCase()}`}
                    />
                    {inherited.has(codename) && !selected.has(codename) && (
                      <span class="ms-1 text-body-secondary small" title="Granted through a group">
                        (group)
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function GroupPicker({
  groups,
  selected,
  disabled = false,
}: {
  groups: readonly GroupRow[];
  selected: ReadonlySet<string>;
  disabled?: boolean;
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
            disabled={disabled}
          />
          <label class="form-check-label" for={`id_groups_${group.id}`}>
            {group.name}
          </label>
        </div>
      ))}
    </div>
  );
}
