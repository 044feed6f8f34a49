/**
 * Property-based fuzzing of every form of the site and the back office (issue 13). The forms are
 * found, not listed: pages are crawled as a visitor, a signed-in member and a superuser, and
 * each `<form method="post">` gives its action and field names. Each form then gets posts with
 * fields missing, repeated, oversized or full of odd Unicode, unknown fields, a missing, wrong
 * or borrowed CSRF token, another session or none, and content types other than a form's.
 * Whatever arrives, the answer is never a 5xx, and when it is an error no row of the app's
 * database and no Cognito user has changed.
 *
 * Every form gets fresh actors (member, superuser, the user and group it acts on), so that one
 * form's successful post (a deleted account, a sign-out) never starves the next. On failure
 * fast-check prints the seed and path that replay the case (FUZZ_SEED, FUZZ_PATH).
 */
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfTokenIn, startAppHarness, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { CognitoAdmin, browserAt, uniqueAddress, uniqueName } from "./accounts-fixtures.ts";
import { cognitoLinkedUser, superuserBrowser } from "./backoffice-fixtures.ts";
import { Repeated, anyText, dataSnapshot, fuzzParameters, percentEncode, snapshotDifference } from "./fuzz-fixtures.ts";
import { signedInPerson } from "./signed-in.ts";

const runsPerForm = 12;

type Role = "visitor" | "member" | "staff";

interface Form {
  readonly role: Role;
  /** The page that shows the form, with `{user}` and `{group}` for the ids it was found with. */
  readonly page: string;
  readonly action: string;
  /** Field names and the values the page gave them (hidden inputs, options, checkboxes). */
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

/** The people and objects one form's posts act on. */
interface Actors {
  readonly browsers: Readonly<Record<Role, TestBrowser>>;
  readonly ids: { readonly user: string; readonly group: string };
  /** Values a field of that name would take when filled in by someone who means it. */
  readonly proper: Readonly<Record<string, readonly string[]>>;
}

let h: AppHarness;
let admin: CognitoAdmin;
let forms: Form[] = [];
let base: Actors;

const decode = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The POST forms of a page: action and fields, from the server-rendered HTML. */
function formsIn(html: string, pagePath: string): { action: string; fields: Map<string, string[]> }[] {
  const found: { action: string; fields: Map<string, string[]> }[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, open = "", inner = ""] = match;
    if ((attribute(open, "method") ?? "get").toLowerCase() !== "post") continue;
    const action = decode(attribute(open, "action") ?? pagePath);
    const fields = new Map<string, string[]>();
    const add = (name: string | undefined, value: string | undefined) => {
      if (!name) return;
      const values = fields.get(name) ?? [];
      if (value !== undefined && value !== "" && !values.includes(value)) values.push(decode(value));
      fields.set(name, values);
    };
    for (const [tag] of inner.matchAll(/<(input|textarea|button)\b[^>]*>/g)) {
      add(attribute(tag, "name") && decode(attribute(tag, "name")!), attribute(tag, "value"));
    }
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attribute(select[1] ?? "", "name");
      for (const option of (select[2] ?? "").matchAll(/<option\b[^>]*>/g)) add(name, attribute(option[0], "value"));
      add(name, undefined);
    }
    found.push({ action, fields });
  }
  return found;
}

const sameSiteLinks = (html: string): string[] =>
  [...html.matchAll(/href="(\/[^"#]*)"/g)].map((m) => decode(m[1]!)).filter((href) => !href.startsWith("//"));

/** What a form's posts act on, made fresh for each form where a post could use it up. */
async function actors(role: Role | "all", base?: Actors): Promise<Actors> {
  // A member or superuser whose last form signed them out (or deleted them) is replaced.
  const stillIn = async (browser: TestBrowser, page: string) => (await browser.get(page)).statusCode === 200;
  const member =
    role === "all" || (role === "member" && !(await stillIn(base!.browsers.member, "/account")))
      ? await signedInPerson(h, admin, "fuzzmember")
      : null;
  const staff =
    role === "all" || (role === "staff" && !(await stillIn(base!.browsers.staff, "/admin/")))
      ? await superuserBrowser(h)
      : null;
  const target =
    role === "all" || role === "staff" ? await cognitoLinkedUser(h, admin, "confirmed", "fuzztarget") : null;
  const groupName = uniqueName("fuzzgroup");
  const groupId = randomUUID();
  if (target) {
    const now = new Date().toISOString();
    await h.database.database.db
      .insertInto("groups")
      .values({ id: groupId, name: groupName, created_at: now, updated_at: now })
      .execute();
  }
  const browsers = {
    visitor: browserAt(h),
    member: member?.browser ?? base!.browsers.member,
    staff: staff?.browser ?? base!.browsers.staff,
  };
  const ids = target ? { user: target.id, group: groupId } : base!.ids;
  if (role !== "all" || !member || !staff || !target) return { ...base!, browsers, ids };
  const passwords = [member.account.password, staff.user.password, "Another-Passw0rd!", "short"];
  const usernames = [member.account.username, staff.user.username, target.account.username, uniqueName("fuzznew")];
  return {
    browsers,
    ids,
    proper: {
      username: usernames,
      login: [...usernames, member.account.email],
      confirm_username: [member.account.username],
      email: [member.account.email, target.account.email, `${uniqueName("fuzznew")}@example.com`],
      password: passwords,
      password1: passwords,
      password2: passwords,
      current_password: passwords,
      new_password: passwords,
      new_password_confirm: passwords,
      code: ["123456", "000000"],
      name: [groupName, uniqueName("fuzzgroup")],
      ids: [target.id, member.userId, staff.user.id],
      given_name: ["Ada", ""],
      family_name: ["Lovelace", ""],
    },
  };
}

const placeholders = (path: string, ids: Actors["ids"]): string =>
  path.replaceAll(ids.user, "{user}").replaceAll(ids.group, "{group}");
const concrete = (path: string, ids: Actors["ids"]): string =>
  path.replaceAll("{user}", ids.user).replaceAll("{group}", ids.group);

/** Crawls what each role can see (one level of links below the start pages) for POST forms. */
async function discoverForms(who: Actors): Promise<Form[]> {
  const starts: Record<Role, string[]> = {
    visitor: ["/", "/login", "/register", "/confirm", "/forgot-password", "/reset-password", "/admin/login"],
    member: ["/", "/dashboard", "/account", "/account/delete"],
    staff: [
      "/admin/",
      "/admin/users",
      "/admin/groups",
      "/admin/audit-log",
      `/admin/users/${who.ids.user}`,
      `/admin/groups/${who.ids.group}`,
    ],
  };
  const found = new Map<string, Form>();
  for (const role of ["visitor", "member", "staff"] as const) {
    const browser = who.browsers[role];
    const seen = new Set<string>();
    const queue = [...starts[role]];
    const prefix = role === "staff" ? "/admin" : "/";
    for (let depth = 0; depth < 2; depth++) {
      const next: string[] = [];
      for (const page of queue.splice(0)) {
        const key = placeholders(page, who.ids);
        if (seen.has(key) || seen.size >= 60) continue;
        seen.add(key);
        const res = await browser.get(page);
        if (res.statusCode !== 200 || !String(res.headers["content-type"]).startsWith("text/html")) continue;
        for (const form of formsIn(res.body, page.split("?")[0]!)) {
          const action = placeholders(form.action, who.ids);
          // Forms that repeat on many pages (sign-out) count once; ids of other rows are not ours.
          if (/[0-9a-f]{8}-[0-9a-f]{4}-/.test(action) || found.has(`${role} ${action}`)) continue;
          found.set(`${role} ${action}`, { role, page: key, action, fields: form.fields });
        }
        for (const link of sameSiteLinks(res.body)) {
          if (link.startsWith(prefix) && !link.includes("/static/") && !link.startsWith("/api/")) next.push(link);
        }
      }
      queue.push(...next);
    }
  }
  return [...found.values()];
}

beforeAll(async () => {
  h = await startAppHarness({ database: "sqlite" });
  admin = new CognitoAdmin(h);
  base = await actors("all");
  forms = await discoverForms(base);
}, 60_000);
afterAll(async () => {
  admin.destroy();
  await h.stop();
});

/**
 * Every Cognito user of the pool, whole (attributes, state, password hash, MFA settings), read
 * from the in-process emulator's store: what a half-done form would leave changed.
 */
function cognitoSnapshot(): string {
  return h.emulator.context.store.users
    .search(h.poolId, null, null, 100_000)
    .map((user) => JSON.stringify(user))
    .sort()
    .join("\n");
}

type FieldValue = string | Repeated | readonly (string | Repeated)[];

function fieldValue(form: Form, name: string, who: Actors): fc.Arbitrary<FieldValue | undefined> {
  const own = form.fields.get(name) ?? [];
  const proper = [...own, ...(Object.hasOwn(who.proper, name) ? who.proper[name]! : [])];
  const text = anyText as fc.Arbitrary<string | Repeated>;
  return fc.oneof(
    { weight: 6, arbitrary: proper.length ? fc.constantFrom(...proper) : text },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: text },
    {
      weight: 1,
      arbitrary: fc.array(proper.length ? fc.constantFrom(...proper) : text, { minLength: 2, maxLength: 3 }),
    },
    { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((n) => new Repeated("é", n)) },
  );
}

interface Post {
  readonly fields: [string, FieldValue][];
  readonly csrf: "own" | "missing" | "wrong" | "other session's" | "twice";
  readonly session: "own" | "none" | "visitor's" | "forged";
  readonly contentType: string | null;
  readonly origin: string | null;
  readonly sameAddress: boolean;
}

function postOf(form: Form, who: Actors): fc.Arbitrary<Post> {
  const names = [...form.fields.keys()].filter((name) => name !== "_csrf");
  const extra = fc.tuple(
    fc.oneof(
      fc.constantFrom("is_superuser", "is_staff", "user_permissions", "next", "_method", "__proto__", "_csrf_"),
      fc.string({ maxLength: 10 }),
    ),
    anyText,
  );
  const fields = fc
    .tuple(
      fc.tuple(...names.map((name) => fieldValue(form, name, who).map((value) => [name, value] as const))),
      fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(extra, { maxLength: 3 }) }),
    )
    .map(([known, extras]) =>
      [...known, ...extras].filter((entry): entry is [string, FieldValue] => entry[1] !== undefined),
    );
  return fc.record({
    fields,
    csrf: fc.oneof(
      { weight: 6, arbitrary: fc.constant("own" as const) },
      { weight: 1, arbitrary: fc.constantFrom("missing", "wrong", "other session's", "twice") },
    ),
    session: fc.oneof(
      { weight: 8, arbitrary: fc.constant("own" as const) },
      { weight: 1, arbitrary: fc.constantFrom("none", "visitor's", "forged") },
    ),
    contentType: fc.oneof(
      { weight: 10, arbitrary: fc.constant("application/x-www-form-urlencoded") },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "multipart/form-data; boundary=fuzzboundary",
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded; charset=utf-16",
          "application/xml",
          null,
        ),
      },
    ),
    origin: fc.oneof(
      { weight: 8, arbitrary: fc.constant("same") },
      { weight: 1, arbitrary: fc.constantFrom(null, "https://evil.example", "null") },
    ),
    sameAddress: fc.boolean(),
  });
}

const asStrings = (value: FieldValue): string[] => (Array.isArray(value) ? value : [value]).map(String);

function encode(fields: readonly [string, FieldValue][], contentType: string | null): string {
  const pairs = fields.flatMap(([name, value]) => asStrings(value).map((v) => [name, v] as const));
  if (contentType?.startsWith("multipart/")) {
    return `${pairs
      .map(
        ([n, v]) => `--fuzzboundary\r\nContent-Disposition: form-data; name="${n.replace(/"/g, "")}"\r\n\r\n${v}\r\n`,
      )
      .join("")}--fuzzboundary--\r\n`;
  }
  if (contentType === "application/json") return JSON.stringify(Object.fromEntries(pairs));
  return pairs.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join("&");
}

describe("every form of the site and the back office", () => {
  it("finds the forms of every module", () => {
    const actions = forms.map((f) => `${f.role} ${f.action}`);
    for (const expected of [
      "visitor /login",
      "visitor /register",
      "visitor /admin/login",
      "member /account/profile",
      "staff /admin/users/{user}",
      "staff /admin/groups/{group}",
    ]) {
      expect(actions).toContain(expected);
    }
  });

  // Registered after discovery: vitest collects `it`s before beforeAll runs, so one test walks
  // the list, each form its own property (and its own seed in a failure's report).
  it("never answers 5xx, and changes no row or Cognito user when it refuses", { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const form of forms) {
      const started = performance.now();
      const who = await actors(form.role, base);
      // The next form reuses whoever is still signed in.
      base = { ...base, browsers: { ...base.browsers, member: who.browsers.member, staff: who.browsers.staff } };
      const ready = performance.now();
      const browser = who.browsers[form.role];
      const page = await browser.get(concrete(form.page, who.ids));
      const ownToken = csrfTokenIn(page.body) ?? "";
      const visitorToken = csrfTokenIn((await who.browsers.visitor.get("/login")).body) ?? "";
      const fixedAddress = uniqueAddress();
      const statuses = new Map<number, number>();
      try {
        await fc.assert(
          fc.asyncProperty(postOf(form, who), async (post) => {
            const before = await dataSnapshot(h);
            const cognitoBefore = cognitoSnapshot();
            const token = {
              own: [ownToken],
              missing: [],
              wrong: ["forged-token"],
              "other session's": [visitorToken],
              twice: [ownToken, "forged-token"],
            }[post.csrf];
            const cookie = {
              own: browser.cookieHeader,
              none: "",
              "visitor's": who.browsers.visitor.cookieHeader,
              forged: "gatehouse=forged.value",
            }[post.session];
            const fields: [string, FieldValue][] = [
              ...token.map((t) => ["_csrf", t] as [string, string]),
              ...post.fields,
            ];
            const options: InjectOptions = {
              method: "POST",
              url: concrete(form.action, who.ids),
              payload: encode(fields, post.contentType),
              remoteAddress: post.sameAddress ? fixedAddress : uniqueAddress(),
              headers: {
                ...(post.contentType === null ? {} : { "content-type": post.contentType }),
                ...(cookie ? { cookie } : {}),
                ...(post.origin === null ? {} : { origin: post.origin === "same" ? h.url : post.origin }),
              },
            };
            const res = await h.app.inject(options);
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            const where = `${form.role} POST ${form.action} → ${res.statusCode} ${res.body.slice(0, 200)}`;
            expect(res.statusCode, where).toBeLessThan(500);
            if (res.statusCode < 400) return;
            const after = await dataSnapshot(h);
            expect(after === before, `${where}\nrows changed:\n${snapshotDifference(before, after)}`).toBe(true);
            const cognitoAfter = cognitoSnapshot();
            expect(
              cognitoAfter === cognitoBefore,
              `${where}\nCognito users changed:\n${snapshotDifference(cognitoBefore, cognitoAfter)}`,
            ).toBe(true);
          }),
          fuzzParameters(runsPerForm),
        );
      } catch (error) {
        failures.push(`${form.role} ${form.action}: ${(error as Error).message.slice(0, 3000)}`);
      }
      if (process.env.FUZZ_STATS) {
        const [setUp, posts] = [ready - started, performance.now() - ready].map((ms) => ms.toFixed(0));
        const answers = [...statuses].map(([status, n]) => `${status}×${n}`).join(" ");
        console.log(
          `${form.role} ${form.action} [${[...form.fields.keys()].join(" ")}]: ${setUp} + ${posts} ms, ${answers}`,
        );
      }
    }
    expect(failures, failures.join("\n\n")).toEqual([]);
  });
});
