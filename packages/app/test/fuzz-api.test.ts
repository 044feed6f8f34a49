/**
 * Property-based fuzzing of the REST API (issue 13): methods, paths, query strings, headers and
 * bodies drawn from the API's own route table and OpenAPI document, then spoiled. Whatever
 * arrives, the answer is never a 5xx, a refusal says why in DRF's shape, and when the answer is
 * an error no row has changed (dataSnapshot in fuzz-fixtures.ts).
 *
 * The callers' tokens are real ones from the emulator, seen once before the fuzzing starts, so
 * that a first sight (which creates the caller's row by design, before the body is read) is not
 * mistaken for a refused request that wrote something. On failure fast-check prints the seed and
 * path that replay the case (FUZZ_SEED, FUZZ_PATH).
 */
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { METHODS } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { CognitoAdmin, uniqueAddress } from "./accounts-fixtures.ts";
import { ApiClient, apiPerson, makeStaff, type ApiPerson } from "./api-fixtures.ts";
import { anyText, dataSnapshot, fuzzParameters, percentEncode, snapshotDifference, Repeated } from "./fuzz-fixtures.ts";

let h: AppHarness;
let admin: CognitoAdmin;
let person: ApiPerson;
let staff: ApiPerson;
let ids: string[];

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
}
let queryNames: string[];
let bodyMembers: string[];

beforeAll(async () => {
  h = await startAppHarness({ database: "sqlite" });
  admin = new CognitoAdmin(h);
  person = await apiPerson(h, admin, "fuzzapi");
  staff = await apiPerson(h, admin, "fuzzstaff");
  // First sight of both callers now, so the fuzzed requests meet existing rows.
  const api = new ApiClient(h);
  for (const caller of [person, staff]) {
    const res = await api.get("/api/v1/me", caller.accessToken);
    expect(res.statusCode, `first sight of ${caller.account.username}: ${res.body}`).toBe(200);
  }
  const staffId = await makeStaff(h, staff.account.username, { permissions: ["accounts.view_user"] });
  const personId = (await api.get("/api/v1/me", person.accessToken)).json<{ id: string }>().id;
  ids = [staffId, personId];
  const doc = (await api.get("/api/openapi.json")).json<OpenApi>();
  const operations = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod));
  queryNames = [
    ...new Set(operations.flatMap((op) => (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name))),
  ];
  bodyMembers = [
    ...new Set(
      operations.flatMap((op) =>
        Object.values(op.requestBody?.content ?? {}).flatMap((c) => Object.keys(c.schema?.properties ?? {})),
      ),
    ),
  ];
});
afterAll(async () => {
  admin.destroy();
  await h.stop();
});

/** A token spoiled the ways forged-token corpora do: padding, alphabet, segments, truncation. */
const spoiledToken = (token: string): fc.Arbitrary<string> =>
  fc.constantFrom(
    `${token}=`,
    token.replace(/-/g, "+").replace(/_/g, "/"),
    token.split(".").slice(0, 2).join("."),
    `${token}.`,
    token.slice(0, -3),
    `${token.split(".")[0]}.e30.${token.split(".")[2]}`,
    token.toUpperCase(),
    ` ${token} `,
    `${token}\t`,
  );

function authorization(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(`Bearer ${person.accessToken}`, `Bearer ${staff.accessToken}`) },
    { weight: 1, arbitrary: fc.constantFrom(`Bearer ${person.idToken}`, `Bearer ${person.refreshToken}`) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(person.accessToken, staff.accessToken)
        .chain(spoiledToken)
        .map((t) => `Bearer ${t}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "Bearer",
        "Bearer ",
        "bearer " + "a".repeat(6000),
        "Basic dXNlcjpwYXNz",
        `Bearer ${person.accessToken} ${staff.accessToken}`,
        `JWT ${person.accessToken}`,
        "Bearer e30.e30.e30",
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((t) => `Bearer ${t}`) },
  );
}

/** Path parameters: real ids, strangers' ids, and what should never reach a query. */
const pathParameter = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...ids).map((id) => id.toUpperCase()) },
    { weight: 2, arbitrary: anyText.map((text) => percentEncode(String(text)).slice(0, 3000) || "x") },
    { weight: 1, arbitrary: fc.constantFrom("%00", "..%2f..%2f", "%", "%ZZ", "%C0%AF", "null", "1e999") },
  );

const fill = (pattern: string, value: string): string =>
  pattern.replace(/:[a-zA-Z]+/g, value).replace(/\*$/, "swagger-ui.css");

/** A registered route and its own method, parameters filled in: the cases that reach handlers. */
function route(): fc.Arbitrary<{ method: string; path: string }> {
  // Routes that take a body are where most can go wrong: they come up as often as all the rest.
  const routes = h.app.apiRoutes;
  const unsafe = routes.filter((r) => !["GET", "HEAD"].includes(r.method));
  const chosen = fc.oneof(fc.constantFrom(...routes), fc.constantFrom(...(unsafe.length ? unsafe : routes)));
  return fc.tuple(chosen, pathParameter()).map(([r, value]) => ({ method: r.method, path: fill(r.url, value) }));
}

function path(): fc.Arbitrary<string> {
  const patterns = [...new Set(h.app.apiRoutes.map((r) => r.url))];
  const filled = fc
    .tuple(fc.constantFrom(...patterns), pathParameter())
    .map(([pattern, value]) => fill(pattern, value));
  return fc.oneof(
    { weight: 8, arbitrary: filled },
    {
      weight: 2,
      arbitrary: fc
        .tuple(filled, fc.constantFrom("/", "//", "/.", "/..", "%2F", ";x", "/%2e%2e/me", ".json"))
        .map(([p, suffix]) => p + suffix),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(filled, fc.constantFrom("//api/", "/API/", "/api//"))
        .map(([p, prefix]) => p.replace("/api/", prefix)),
    },
  );
}

function query(): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom("1", "0", "-1", "20", "101", "1000001", "99999999999999999999", "username", "-email", "x"),
    anyText.map((text) => String(text)),
  );
  const pair = fc
    .tuple(fc.oneof(fc.constantFrom(...queryNames, "search[]", "__proto__"), fc.string({ maxLength: 8 })), value)
    .chain(([name, v]) =>
      fc.boolean().map((raw) => `${percentEncode(name)}=${raw ? v.replace(/[#\s]/g, "") : percentEncode(v)}`),
    );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant("") },
    { weight: 3, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.join("&")}`) },
  );
}

function jsonBody(): fc.Arbitrary<unknown> {
  const value = fc.oneof(
    { weight: 4, arbitrary: anyText },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const member = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...bodyMembers) },
    { weight: 1, arbitrary: fc.constantFrom("is_staff", "is_superuser", "username", "email", "id", "__proto__") },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.tuple(member, value), { maxLength: 4 }).map((e) => Object.fromEntries(e)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A body as sent: JSON mostly, sometimes not JSON at all, now and then too large. */
const rawBody = (): fc.Arbitrary<string | Repeated> =>
  fc.oneof(
    { weight: 8, arbitrary: jsonBody().map((body) => JSON.stringify(body) ?? "") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "",
        "{",
        '{"given_name": "a", "given_name": "b"}',
        "[".repeat(5000),
        '{"given_name": "\\ud800"}',
        "1e999999",
        "given_name=x",
        "\ufeff{}",
        "null",
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((mb) => new Repeated("x", mb * 1024 * 1024)) },
  );

const headerValue = fc
  .string({ unit: "grapheme-ascii", maxLength: 40 })
  .map((text) => text.replace(/[^\x20-\x7e]/g, ""));

function headers(): fc.Arbitrary<Record<string, string>> {
  const optional = (name: string, values: fc.Arbitrary<string>) =>
    fc.option(
      values.map((v) => [name, v] as const),
      { nil: undefined, freq: 2 },
    );
  return fc
    .tuple(
      authorization(),
      optional(
        "content-type",
        fc.oneof(
          { weight: 4, arbitrary: fc.constant("application/json") },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              "application/json",
              "application/json; charset=utf-8",
              "application/json; charset=utf-16",
              "application/x-www-form-urlencoded",
              "text/plain",
              "multipart/form-data; boundary=x",
              "application/merge-patch+json",
              "application/json;;",
              "",
            ),
          },
        ),
      ),
      optional("accept", fc.constantFrom("application/json", "text/html", "*/*", "application/xml", "")),
      optional("origin", fc.constantFrom(h.url, "https://evil.example", "null")),
      optional("x-csrf-token", headerValue),
      optional("cookie", fc.constantFrom("gatehouse=forged", "gatehouse=; x=1", "__Host-gatehouse=a.b")),
      optional("x-forwarded-for", fc.constantFrom("127.0.0.1", "::1", "1.2.3.4, 5.6.7.8", "garbage")),
      fc.option(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,12}$/), headerValue), { nil: undefined, freq: 3 }),
    )
    .map(([auth, ...rest]) =>
      Object.fromEntries([
        ...(auth === undefined ? [] : [["authorization", auth] as const]),
        ...rest.filter((entry) => entry !== undefined),
      ]),
    );
}

const methodOf = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("GET", "HEAD", "PATCH") },
  { weight: 2, arbitrary: fc.constantFrom("POST", "PUT", "DELETE", "OPTIONS") },
  { weight: 1, arbitrary: fc.constantFrom(...METHODS.filter((m) => m !== "CONNECT")) },
);

it("never answers 5xx, says why it refuses, and changes no row when it refuses", { timeout: 60_000 }, async () => {
  const target = fc.oneof(
    { weight: 3, arbitrary: route() },
    { weight: 2, arbitrary: fc.record({ method: methodOf, path: path() }) },
  );
  const request = fc.record({
    target,
    query: query(),
    headers: headers(),
    body: fc.option(rawBody(), { nil: undefined, freq: 3 }),
    sameAddress: fc.boolean(),
  });
  const fixedAddress = uniqueAddress();
  const statuses = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(request, async ({ target: { method, path }, ...r }) => {
      const before = await dataSnapshot(h);
      const options: InjectOptions = {
        method: method as InjectOptions["method"],
        url: `${path}${r.query}`,
        headers: r.headers,
        remoteAddress: r.sameAddress ? fixedAddress : uniqueAddress(),
        ...(r.body !== undefined && method !== "GET" && method !== "HEAD" ? { payload: String(r.body) } : {}),
      };
      const res = await h.app.inject(options);
      const key = `${method} ${res.statusCode}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const where = `${method} ${options.url?.toString().slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, where).toBeLessThan(500);
      if (res.statusCode < 400) return;
      const after = await dataSnapshot(h);
      expect(after === before, `${where}\nrows changed:\n${snapshotDifference(before, after)}`).toBe(true);
      if (method !== "HEAD" && String(res.headers["content-type"]).startsWith("application/json")) {
        const body = res.json<Record<string, unknown>>();
        expect(Object.keys(body).length, where).toBeGreaterThan(0);
      }
    }),
    fuzzParameters(300),
  );
  // FUZZ_STATS=1 shows what the answers were, to check the cases reach past the first refusal.
  if (process.env.FUZZ_STATS)
    console.log(
      [...statuses]
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join("\n"),
    );
});
