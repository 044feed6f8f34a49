/**
 * The back office's permission rules (policy.ts) as a table, on SQLite and PostgreSQL: for each
 * permission that changes someone, and each kind of target — a customer, the acting user
 * themselves, staff at the same level, staff holding more, a superuser — one attempt that is
 * allowed and one that is refused (issue 14's acceptance). An allowed attempt takes effect; a
 * refused one changes nothing, and, when the actor holds the route's permission, leaves a
 * "refuse" entry in the audit log. backoffice-permissions.test.ts has the pages' side (what is
 * offered, disabled, explained).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PermissionCodename } from "../src/accounts/permissions.ts";
import { verifyPassword } from "../src/backoffice/passwords.ts";
import { directPermissionsOf, groupPermissionsOf } from "../src/backoffice/queries.ts";
import { startAppHarness, type AppHarness, type TestBrowser } from "./app-harness.ts";
import {
  adminSignIn,
  auditOf,
  groupEditorPermissions,
  groupWith,
  localUser,
  postFormOf,
  type LocalUser,
} from "./backoffice-fixtures.ts";

/** Who acts: the permissions they hold (a superuser holds them all). */
type Actor = "viewer" | "customer manager" | "staff manager" | "superuser";
/** Who is acted on, relative to the actor. */
type Kind = "customer" | "self" | "same level" | "more privileged" | "superuser";

const viewer: readonly PermissionCodename[] = ["accounts.view_user"];
const customerManager: readonly PermissionCodename[] = [
  "accounts.view_user",
  "accounts.change_user",
  "accounts.delete_user",
  "accounts.view_group",
];
const staffManager: readonly PermissionCodename[] = [...customerManager, "accounts.manage_staff"];
const heldByActors = (actor: Actor): readonly PermissionCodename[] =>
  ({ viewer, "customer manager": customerManager, "staff manager": staffManager, superuser: [] })[actor];
/** A permission no actor but a superuser holds: what makes a target "more privileged". */
const beyondActors: PermissionCodename = "backoffice.view_auditlogentry";
const newPassword = "Taken-Over-Secret-99";

/** One attempt: who tries it on whom, and whether it is allowed. */
interface Attempt {
  readonly actor: Actor;
  readonly kind: Kind;
  /** Permissions of a same-level or more privileged target: the level it is judged against. */
  readonly level?: Actor;
  /** For the grant operations: grant something the actor does not hold. */
  readonly beyond?: boolean;
}
interface Pair {
  readonly kind: Kind;
  readonly allow: Attempt | string;
  readonly deny: Attempt;
}

/** The usual pairs: route permission for a customer, manage_staff for peers, superuser above. */
const usualPairs = (self: { allow: Attempt | string; deny: Attempt }, customerDeny?: Attempt): Pair[] => [
  {
    kind: "customer",
    allow: { actor: "customer manager", kind: "customer" },
    deny: customerDeny ?? { actor: "viewer", kind: "customer" },
  },
  { kind: "self", ...self },
  {
    kind: "same level",
    allow: { actor: "staff manager", kind: "same level" },
    deny: { actor: "customer manager", kind: "same level" },
  },
  {
    kind: "more privileged",
    allow: { actor: "superuser", kind: "more privileged", level: "staff manager" },
    deny: { actor: "staff manager", kind: "more privileged" },
  },
  {
    kind: "superuser",
    allow: { actor: "superuser", kind: "superuser" },
    deny: { actor: "staff manager", kind: "superuser" },
  },
];

describe.each(["sqlite", "postgres"] as const)("back-office permission matrix (%s)", (database) => {
  let h: AppHarness;
  const db = () => h.database.database.db;
  beforeAll(async () => {
    h = await startAppHarness({ database });
  });
  afterAll(async () => {
    await h.stop();
  });

  const rowOf = (id: string) => db().selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  const groupsOf = async (userId: string) =>
    (await db().selectFrom("user_groups").select("group_id").where("user_id", "=", userId).execute())
      .map((r) => r.group_id)
      .sort();
  const refusalsOf = async (objectId: string) =>
    (await auditOf(h, objectId)).filter((e) => e.action === "refuse").length;

  /** The actor and the target of `attempt`, the actor signed in to the back office. */
  const cast = async (attempt: Attempt): Promise<{ browser: TestBrowser; actor: LocalUser; target: LocalUser }> => {
    const superuser = attempt.actor === "superuser";
    const actor = await localUser(h, { prefix: "actor", superuser, permissions: heldByActors(attempt.actor) });
    const levelOf = heldByActors(attempt.level ?? attempt.actor);
    const target =
      attempt.kind === "self"
        ? actor
        : await localUser(h, {
            prefix: "target",
            staff: attempt.kind !== "customer",
            superuser: attempt.kind === "superuser",
            permissions:
              attempt.kind === "same level"
                ? levelOf
                : attempt.kind === "more privileged"
                  ? [...levelOf, beyondActors]
                  : [],
          });
    const browser = await adminSignIn(h, actor);
    // Any back-office page gives the session's CSRF token; the target's own page is one.
    await browser.get(`/admin/users/${target.id}`);
    return { browser, actor, target };
  };

  /** The change form as the target's row stands, with `change` applied. */
  const changeForm = async (target: LocalUser, change: (form: URLSearchParams) => void) => {
    const row = await rowOf(target.id);
    const form = new URLSearchParams({ _form: "change-user", username: target.username, email: target.email });
    if (row?.is_active) form.set("is_active", "on");
    if (row?.is_staff) form.set("is_staff", "on");
    if (row?.is_superuser) form.set("is_superuser", "on");
    for (const id of await groupsOf(target.id)) form.append("groups", id);
    for (const codename of await directPermissionsOf(db(), target.id)) form.append("user_permissions", codename);
    change(form);
    return form;
  };

  interface UserOperation {
    /** Makes the attempt; its status. */
    run(browser: TestBrowser, target: LocalUser, attempt: Attempt): Promise<number>;
    /** Did it take effect? */
    took(target: LocalUser, attempt: Attempt): Promise<boolean>;
  }

  const save = async (browser: TestBrowser, target: LocalUser, change: (form: URLSearchParams) => void) =>
    (await postFormOf(h, browser, `/admin/users/${target.id}`, await changeForm(target, change))).statusCode;

  /** The group a groups attempt adds its target to: one the actor may grant, or (beyond) not. */
  const groupFor = new Map<string, string>();
  const toggled = (codenames: readonly string[], codename: string) =>
    codenames.includes(codename) ? codenames.filter((c) => c !== codename) : [...codenames, codename];
  const grantedCodename = (attempt: Attempt): PermissionCodename =>
    attempt.beyond ? beyondActors : "accounts.view_group";
  const permissionsBefore = new Map<string, string[]>();

  const userOperations: Record<string, { operation: UserOperation; pairs: Pair[] }> = {
    "change_user: flags (deactivate)": {
      operation: {
        run: (browser, target) => save(browser, target, (form) => form.delete("is_active")),
        took: async (target) => !(await rowOf(target.id))?.is_active,
      },
      pairs: usualPairs({
        allow: "nobody deactivates their own account, not even a superuser (see the refusal)",
        deny: { actor: "superuser", kind: "self" },
      }),
    },
    "change_user: groups": {
      operation: {
        async run(browser, target, attempt) {
          const group = await groupWith(h, [grantedCodename(attempt)]);
          groupFor.set(target.id, group);
          return save(browser, target, (form) => form.append("groups", group));
        },
        took: async (target) => (await groupsOf(target.id)).includes(groupFor.get(target.id) ?? ""),
      },
      pairs: usualPairs(
        { allow: { actor: "superuser", kind: "self" }, deny: { actor: "staff manager", kind: "self" } },
        { actor: "customer manager", kind: "customer", beyond: true },
      ),
    },
    "change_user: user permissions": {
      operation: {
        async run(browser, target, attempt) {
          const before = await directPermissionsOf(db(), target.id);
          permissionsBefore.set(target.id, before);
          const after = toggled(before, grantedCodename(attempt));
          return save(browser, target, (form) => {
            form.delete("user_permissions");
            for (const codename of after) form.append("user_permissions", codename);
          });
        },
        took: async (target) =>
          (await directPermissionsOf(db(), target.id)).join() !== (permissionsBefore.get(target.id) ?? []).join(),
      },
      pairs: usualPairs(
        { allow: { actor: "superuser", kind: "self" }, deny: { actor: "staff manager", kind: "self" } },
        { actor: "customer manager", kind: "customer", beyond: true },
      ),
    },
    "change_user: back-office password": {
      operation: {
        run: async (browser, target) =>
          (
            await browser.post(`/admin/users/${target.id}/password`, {
              password1: newPassword,
              password2: newPassword,
            })
          ).statusCode,
        took: async (target) => verifyPassword(newPassword, (await rowOf(target.id))?.password_hash ?? ""),
      },
      pairs: usualPairs({
        allow: { actor: "customer manager", kind: "self" },
        deny: { actor: "viewer", kind: "self" },
      }),
    },
    "change_user: Cognito account (create)": {
      operation: {
        run: async (browser, target) => (await browser.post(`/admin/users/${target.id}/cognito/create`, {})).statusCode,
        took: async (target) => Boolean((await rowOf(target.id))?.cognito_sub),
      },
      pairs: usualPairs({
        allow: { actor: "customer manager", kind: "self" },
        deny: { actor: "viewer", kind: "self" },
      }),
    },
    delete_user: {
      operation: {
        run: async (browser, target) => (await browser.post(`/admin/users/${target.id}/delete`, {})).statusCode,
        took: async (target) => (await rowOf(target.id)) === undefined,
      },
      pairs: usualPairs({
        allow: "nobody deletes their own account, not even a superuser (see the refusal)",
        deny: { actor: "superuser", kind: "self" },
      }),
    },
    "manage_staff: grant staff status": {
      operation: {
        run: (browser, target) => save(browser, target, (form) => form.set("is_staff", "on")),
        took: async (target) => Boolean((await rowOf(target.id))?.is_staff),
      },
      pairs: [
        {
          kind: "customer",
          allow: { actor: "staff manager", kind: "customer" },
          deny: { actor: "customer manager", kind: "customer" },
        },
      ],
    },
  };

  /** Holds the actor the route's permission, so that a refusal is the policy's (and audited)? */
  const holdsRoute = (attempt: Attempt) => attempt.actor !== "viewer";

  for (const [name, { operation, pairs }] of Object.entries(userOperations)) {
    describe(name, () => {
      for (const { kind, allow, deny } of pairs) {
        // An allow given as a sentence is a rule that allows nobody: the pair's refusal shows it.
        if (typeof allow !== "string") {
          it(`${kind}: a ${allow.actor} may`, async () => {
            const { browser, target } = await cast(allow);
            expect(await operation.run(browser, target, allow)).toBe(303);
            expect(await operation.took(target, allow)).toBe(true);
            expect(await refusalsOf(target.id)).toBe(0);
          });
        }
        it(`${kind}: a ${deny.actor}${deny.beyond ? " granting what it lacks" : ""} may not`, async () => {
          const { browser, target } = await cast(deny);
          expect([400, 403]).toContain(await operation.run(browser, target, deny));
          expect(await operation.took(target, deny)).toBe(false);
          expect(await refusalsOf(target.id)).toBe(holdsRoute(deny) ? 1 : 0);
        });
      }
    });
  }

  it("a forged superuser flag from a non-superuser is refused and audit-logged, on itself or anyone", async () => {
    for (const kind of ["self", "same level", "customer"] as const) {
      const { browser, target } = await cast({ actor: "staff manager", kind });
      const status = await save(browser, target, (form) => form.set("is_superuser", "on"));
      expect(status).toBe(400);
      expect((await rowOf(target.id))?.is_superuser).toBeFalsy();
      expect(await refusalsOf(target.id)).toBe(1);
    }
  });

  describe("groups: change_group, add_group and delete_group", () => {
    /**
     * Who edits groups: with the group permissions only, with manage_staff too, or a superuser.
     * Changing what a group grants changes each member, so members are judged as accounts are.
     */
    type Editor = "group editor" | "staff group editor" | "superuser";
    const editorPermissions = (editor: Editor): readonly PermissionCodename[] =>
      editor === "staff group editor" ? [...groupEditorPermissions, "accounts.manage_staff"] : groupEditorPermissions;
    /** An `editor`, and a group granting `codenames` with a member of `kind`. */
    const groupCase = async (kind: Kind, codenames: readonly PermissionCodename[], editor: Editor) => {
      const held = editorPermissions(editor);
      const actor = await localUser(h, { prefix: "editor", superuser: editor === "superuser", permissions: held });
      const member =
        kind === "self"
          ? actor
          : await localUser(h, {
              prefix: "member",
              staff: kind !== "customer",
              superuser: kind === "superuser",
              permissions: kind === "same level" ? held : kind === "more privileged" ? [...held, beyondActors] : [],
            });
      const group = await groupWith(h, codenames, [member.id]);
      const browser = await adminSignIn(h, actor);
      const page = await browser.get(`/admin/groups/${group}`);
      const name = /id="id_name"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*id="id_name"/.exec(page.body);
      return { browser, group, name: name?.[1] ?? name?.[2] ?? "" };
    };
    const groupLeft = async (id: string) =>
      (await db().selectFrom("groups").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;

    /** Per member kind: who may change what the group grants, and who is refused. */
    const groupPairs: readonly { kind: Kind; allow: Editor; deny: Editor }[] = [
      { kind: "customer", allow: "group editor", deny: "group editor" },
      { kind: "self", allow: "superuser", deny: "staff group editor" },
      { kind: "same level", allow: "staff group editor", deny: "group editor" },
      { kind: "more privileged", allow: "superuser", deny: "staff group editor" },
      { kind: "superuser", allow: "superuser", deny: "staff group editor" },
    ];
    // A customer member changes nothing about who may edit; the refusal there is a grant beyond the editor's.
    const refusedGrant = (kind: Kind) => (kind === "customer" ? beyondActors : "accounts.view_group");

    for (const { kind, allow, deny } of groupPairs) {
      it(`change_group, a group with a ${kind} member: the ${allow} adds a permission they hold`, async () => {
        const { browser, group, name } = await groupCase(kind, [], allow);
        const res = await postFormOf(
          h,
          browser,
          `/admin/groups/${group}`,
          new URLSearchParams({ name, permissions: "accounts.view_group" }),
        );
        expect(res.statusCode).toBe(303);
        expect(await groupPermissionsOf(db(), group)).toEqual(["accounts.view_group"]);
        expect(await refusalsOf(group)).toBe(0);
      });
      it(`change_group, a group with a ${kind} member: the ${deny} may not add ${refusedGrant(kind)}`, async () => {
        const { browser, group, name } = await groupCase(kind, [], deny);
        const res = await postFormOf(
          h,
          browser,
          `/admin/groups/${group}`,
          new URLSearchParams({ name, permissions: refusedGrant(kind) }),
        );
        expect(res.statusCode).toBe(400);
        expect(await groupPermissionsOf(db(), group)).toEqual([]);
        expect(await refusalsOf(group)).toBe(1);
      });
      it(`delete_group, a group with a ${kind} member: the ${allow} deletes one granting what they hold`, async () => {
        const { browser, group } = await groupCase(kind, ["accounts.view_group"], allow);
        expect((await browser.post(`/admin/groups/${group}/delete`, {})).statusCode).toBe(303);
        expect(await groupLeft(group)).toBe(false);
      });
      const denied = kind === "customer" ? "one granting more than they hold" : "it";
      it(`delete_group, a group with a ${kind} member: the ${deny} may not delete ${denied}`, async () => {
        const codenames = kind === "customer" ? [beyondActors] : (["accounts.view_group"] as const);
        const { browser, group } = await groupCase(kind, codenames, deny);
        expect((await browser.get(`/admin/groups/${group}/delete`)).statusCode).toBe(403);
        expect((await browser.post(`/admin/groups/${group}/delete`, {})).statusCode).toBe(403);
        expect(await groupLeft(group)).toBe(true);
        expect(await refusalsOf(group)).toBe(1);
      });
    }

    it("change_group: renames a group whatever its members, without touching what it grants", async () => {
      const { browser, group } = await groupCase("superuser", ["accounts.view_group"], "group editor");
      const name = `renamed-${randomUUID()}`;
      const res = await postFormOf(h, browser, `/admin/groups/${group}`, new URLSearchParams({ name }));
      expect(res.statusCode).toBe(303);
      const row = await db().selectFrom("groups").select("name").where("id", "=", group).executeTakeFirstOrThrow();
      expect(row.name).toBe(name);
      expect(await groupPermissionsOf(db(), group)).toEqual(["accounts.view_group"]);
      expect(await refusalsOf(group)).toBe(0);
    });

    it("add_group: makes a group granting what the editor holds, not one granting more", async () => {
      const { browser } = await groupCase("customer", [], "group editor");
      for (const [codename, status] of [
        ["accounts.view_group", 303],
        [beyondActors, 400],
      ] as const) {
        await browser.get("/admin/groups/add");
        const name = `grp-${randomUUID()}`;
        expect((await browser.post("/admin/groups/add", { name, permissions: codename })).statusCode).toBe(status);
        const made = await db().selectFrom("groups").select("id").where("name", "=", name).executeTakeFirst();
        expect(made !== undefined).toBe(status === 303);
      }
    });
  });
});
