/**
 * Machine clients on the API (issue 10), on SQLite and PostgreSQL: a real client_credentials
 * token from the emulator's `/oauth2/token` is accepted on the routes that declare its scope
 * (`gatehouse/users.read` on the user list) and nowhere else (403), without a user row read or
 * made for it; a wrong scope is 403, a machine client the app was not told about 401, forged
 * machine claims 401; a person's token still works and is never judged by its scopes; the
 * OpenAPI document describes the OAuth 2.0 clientCredentials scheme where it applies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, devSeed, type AppHarness } from "./app-harness.ts";
import { CognitoAdmin } from "./accounts-fixtures.ts";
import {
  ApiClient,
  accessClaims,
  apiPerson,
  decodeClaims,
  makeStaff,
  poolKey,
  signRs256,
  type ApiPerson,
} from "./api-fixtures.ts";
import { databaseKinds } from "./databases.ts";

const machine = { id: "gatehousemachineclient0001", secret: "gatehousedevmachineclientsecret00000000000000000001" };
/** A machine client of the same pool that the app was not configured with. */
const stranger = { id: "gatehousestrangermachine01", secret: "gatehousestrangermachineclientsecret0000000000000001" };
const usersRead = "gatehouse/users.read";
/** A scope of the same resource server that no route of the API declares. */
const auditRead = "gatehouse/audit.read";

/** The dev seed's pool with a second scope on the resource server and a second machine client. */
function poolWithTwoMachines(): Record<string, unknown> {
  const pool = devSeed().pools[0]!;
  const clients = pool.Clients.map((client) =>
    client.ClientId === machine.id ? { ...client, AllowedOAuthScopes: [usersRead, auditRead] } : client,
  );
  return {
    ResourceServers: [
      {
        Identifier: "gatehouse",
        Name: "Gatehouse API",
        Scopes: [
          { ScopeName: "users.read", ScopeDescription: "Read the user list" },
          { ScopeName: "audit.read", ScopeDescription: "Read the audit log" },
        ],
      },
    ],
    Clients: [
      ...clients,
      {
        ClientId: stranger.id,
        ClientName: "someone-elses-machine",
        ClientSecret: stranger.secret,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: [usersRead],
      },
    ],
  };
}

describe.each(databaseKinds)("machine clients on the API (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let api: ApiClient;
  let viewer: ApiPerson;
  let person: ApiPerson;

  /** A real token from the emulator's token endpoint: client id and secret by HTTP Basic. */
  async function machineToken(client: { id: string; secret: string }, scope: string): Promise<string> {
    const res = await fetch(`${h.emulator.url}/gatehouse-dev/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope }),
    });
    const body = (await res.json()) as { access_token?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token ?? "";
  }

  const countUsers = async (): Promise<number> =>
    Number(
      (
        await h.database.database.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("count"))
          .executeTakeFirstOrThrow()
      ).count,
    );

  beforeAll(async () => {
    h = await startAppHarness({ database, api: { machineClientIds: [machine.id] }, pool: poolWithTwoMachines() });
    admin = new CognitoAdmin(h);
    api = new ApiClient(h);
    viewer = await apiPerson(h, admin, "mviewer");
    person = await apiPerson(h, admin, "mperson");
    for (const someone of [viewer, person]) {
      expect((await api.get("/api/v1/me", someone.accessToken)).statusCode).toBe(200);
    }
    await makeStaff(h, viewer.account.username, { permissions: ["accounts.view_user"] });
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("accepts a client_credentials token with gatehouse/users.read on the user list, reading and making no user for it", async () => {
    const token = await machineToken(machine, usersRead);
    const claims = decodeClaims(token);
    expect(claims).toMatchObject({ sub: machine.id, client_id: machine.id, token_use: "access", scope: usersRead });
    expect(claims.username).toBeUndefined();
    const before = await countUsers();

    const list = await api.get(`/api/v1/users?search=${encodeURIComponent(person.account.username)}`, token);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.headers["cache-control"]).toBe("no-store");
    const page = list.json<{ count: number; results: { id: string; username: string }[] }>();
    expect(page.results.map((u) => u.username)).toEqual([person.account.username]);
    const one = await api.get(`/api/v1/users/${page.results[0]?.id ?? ""}`, token);
    expect([one.statusCode, one.json<{ username: string }>().username]).toEqual([200, person.account.username]);
    // Again, now from the verified-token cache.
    expect((await api.get("/api/v1/users", token)).statusCode).toBe(200);

    expect(await countUsers()).toBe(before);
    const machineRow = await h.database.database.db
      .selectFrom("users")
      .select("id")
      .where((eb) => eb.or([eb("username_key", "=", machine.id), eb("email_key", "like", `%${machine.id}%`)]))
      .execute();
    expect(machineRow).toEqual([]);
  });

  it("refuses the same token on every other route with 403: a machine is nobody's account", async () => {
    const token = await machineToken(machine, usersRead);
    const scoped = new Set(["/api/v1/users", "/api/v1/users/:id"]);
    const checked: string[] = [];
    for (const route of h.app.apiRoutes) {
      if (route.permission?.isPublic || scoped.has(route.url)) continue;
      const res = await api.request({
        method: route.method as "GET",
        url: route.url,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(route.method === "PATCH" ? { payload: JSON.stringify({ given_name: "Robot" }) } : {}),
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      if (route.method !== "HEAD") {
        expect(res.json()).toEqual({ detail: "You do not have permission to perform this action." });
      }
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked).toEqual(expect.arrayContaining(["GET /api/v1/me", "PATCH /api/v1/me"]));
  });

  it("refuses a token whose scopes do not include the route's (403)", async () => {
    const token = await machineToken(machine, auditRead);
    expect(decodeClaims(token).scope).toBe(auditRead);
    for (const url of ["/api/v1/users", `/api/v1/users/${crypto.randomUUID()}`, "/api/v1/me"]) {
      const res = await api.get(url, token);
      expect([url, res.statusCode, res.json()]).toEqual([
        url,
        403,
        { detail: "You do not have permission to perform this action." },
      ]);
    }
    // Both scopes at once: the one the route needs is among them.
    expect((await api.get("/api/v1/users", await machineToken(machine, `${auditRead} ${usersRead}`))).statusCode).toBe(
      200,
    );
  });

  it("refuses with 401 a machine token of a client the app was not configured with", async () => {
    const token = await machineToken(stranger, usersRead);
    const res = await api.get("/api/v1/users", token);
    expect([res.statusCode, res.json()]).toEqual([401, { detail: "Invalid token." }]);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
  });

  it("refuses with 401 a token of the machine client that is not what client_credentials issues", async () => {
    const { kid, key } = poolKey(h);
    const forged = (overrides: Record<string, unknown>): string =>
      signRs256(
        { kid, alg: "RS256" },
        accessClaims(h, {
          sub: machine.id,
          client_id: machine.id,
          scope: usersRead,
          username: undefined,
          ...overrides,
        }),
        key,
      );
    // The control: the same claims, as the emulator would sign them, pass.
    expect((await api.get("/api/v1/users", forged({}))).statusCode).toBe(200);
    for (const [why, overrides] of [
      ["a username (someone signed in through it)", { username: person.account.username }],
      ["a sub that is not the client", { sub: crypto.randomUUID() }],
      ["no scope", { scope: undefined }],
      ["a scope that is not a string", { scope: [usersRead] }],
      ["an ID token", { token_use: "id", aud: machine.id, client_id: undefined }],
    ] as const) {
      const res = await api.get("/api/v1/users", forged(overrides));
      expect([why, res.statusCode, res.json()]).toEqual([why, 401, { detail: "Invalid token." }]);
    }
  });

  it("still serves people by their token: the user list to staff with accounts.view_user, /me to anyone", async () => {
    const list = await api.get("/api/v1/users", viewer.accessToken);
    expect(list.statusCode).toBe(200);
    const me = await api.get("/api/v1/me", person.accessToken);
    expect([me.statusCode, me.json<{ username: string }>().username]).toEqual([200, person.account.username]);
    expect((await api.get("/api/v1/users", person.accessToken)).statusCode).toBe(403);
  });

  it("never judges a person by the scopes in their token", async () => {
    const { kid, key } = poolKey(h);
    const sub = decodeClaims(person.accessToken).sub;
    const scoped = signRs256(
      { kid, alg: "RS256" },
      accessClaims(h, { sub, username: person.account.username, scope: `aws.cognito.signin.user.admin ${usersRead}` }),
      key,
    );
    expect((await api.get("/api/v1/me", scoped)).statusCode).toBe(200);
    expect((await api.get("/api/v1/users", scoped)).statusCode).toBe(403);
  });

  it("describes the machine clients' OAuth 2.0 scheme, and the operations that accept it, in the OpenAPI document", async () => {
    const doc = (await api.get("/api/openapi.json")).json<{
      components: { securitySchemes: Record<string, unknown> };
      security: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.machineClient).toMatchObject({
      type: "oauth2",
      flows: {
        clientCredentials: {
          tokenUrl: `${h.emulator.url}/gatehouse-dev/oauth2/token`,
          scopes: { [usersRead]: expect.any(String) },
        },
      },
    });
    const withMachines = [{ bearerAuth: [] }, { sessionCookie: [] }, { machineClient: [usersRead] }];
    expect(doc.paths["/api/v1/users"]?.get?.security).toEqual(withMachines);
    expect(doc.paths["/api/v1/users/{id}"]?.get?.security).toEqual(withMachines);
    // The rest are people's only: the document's own security.
    expect(doc.paths["/api/v1/me"]?.get?.security).toBeUndefined();
    expect(doc.paths["/api/v1/me"]?.patch?.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  });
});
