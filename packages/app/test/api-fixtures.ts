/**
 * What the API tests share: people with tokens issued by the running emulator (the public
 * client, USER_PASSWORD_AUTH, as an API client gets them), a JSON client over `app.inject`, and
 * tokens signed by hand — with the pool's own key read from the in-process emulator (to forge
 * claims the real issuer never would), with a stranger's key, or with none.
 */
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import type { PermissionCodename } from "../src/accounts/permissions.ts";
import type { AppHarness } from "./app-harness.ts";
import { newAccount, uniqueAddress, type Account, type CognitoAdmin } from "./accounts-fixtures.ts";
import { userRow } from "./signed-in.ts";

export interface ApiPerson {
  readonly account: Account;
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
}

/** Signs in through the public client, as a mobile app or SPA would (no secret). */
export async function publicClientTokens(
  h: AppHarness,
  account: Account,
): Promise<{ accessToken: string; idToken: string; refreshToken: string }> {
  const client = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: h.emulator.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const result = await client.send(
      new InitiateAuthCommand({
        ClientId: h.publicClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: account.username, PASSWORD: account.password },
      }),
    );
    const tokens = result.AuthenticationResult;
    if (!tokens?.AccessToken || !tokens.IdToken || !tokens.RefreshToken) throw new Error("no tokens");
    return { accessToken: tokens.AccessToken, idToken: tokens.IdToken, refreshToken: tokens.RefreshToken };
  } finally {
    client.destroy();
  }
}

/** A confirmed Cognito user (verified email) with fresh tokens from the public client. */
export async function apiPerson(h: AppHarness, admin: CognitoAdmin, prefix = "api"): Promise<ApiPerson> {
  const account = await admin.confirmed(newAccount(prefix));
  return { account, ...(await publicClientTokens(h, account)) };
}

export async function addToCognitoGroup(h: AppHarness, admin: CognitoAdmin, username: string, group: string) {
  await admin.client.send(
    new AdminAddUserToGroupCommand({ UserPoolId: h.poolId, Username: username, GroupName: group }),
  );
}

/**
 * Runs `check` until it passes: once on SQLite, where the API sees every change at the next
 * request (PRAGMA data_version), and for up to a second on PostgreSQL, where a change reaches the
 * API's kept rows by a notification a moment after its commit (migration 0004).
 */
export async function eventually(h: AppHarness, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + (h.database.kind === "postgres" ? 1000 : 0);
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((done) => setTimeout(done, 10));
    }
  }
}

/** Sends JSON to the API from its own address (so rate limits of one test never touch another). */
export class ApiClient {
  readonly #h: AppHarness;
  readonly address = uniqueAddress();

  constructor(h: AppHarness) {
    this.#h = h;
  }

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.#h.app.inject({ ...options, remoteAddress: this.address });
  }

  get(url: string, token?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request({
      method: "GET",
      url,
      headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
  }

  patch(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
    return this.request({
      method: "PATCH",
      url,
      payload: JSON.stringify(body),
      headers: {
        "content-type": "application/json",
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
    });
  }
}

/** Makes the local user of `username` staff, with `permissions` granted directly. */
export async function makeStaff(
  h: AppHarness,
  username: string,
  options: { permissions?: readonly PermissionCodename[]; superuser?: boolean; staff?: boolean } = {},
): Promise<string> {
  const db = h.database.database.db;
  const row = await userRow(h, username);
  if (!row) throw new Error(`no local user ${username}`);
  await db
    .updateTable("users")
    .set({ is_staff: options.staff ?? true, is_superuser: options.superuser ?? false })
    .where("id", "=", row.id)
    .execute();
  for (const codename of options.permissions ?? []) {
    const permission = await db
      .selectFrom("permissions")
      .select("id")
      .where("codename", "=", codename)
      .executeTakeFirstOrThrow();
    await db.insertInto("user_permissions").values({ user_id: row.id, permission_id: permission.id }).execute();
  }
  return row.id;
}

// --- tokens made by hand ---

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}
export function decodeHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** An RS256 JWT over exactly these header and claims. */
export function signRs256(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
}

/** An HS256 JWT whose HMAC secret is `secret` (the public-key confusion attack). */
export function signHs256(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** An unsigned JWT (`alg: none`). */
export const unsigned = (claims: Record<string, unknown>): string =>
  `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;

/** The pool's real signing key for access (or ID) tokens, from the in-process emulator. */
export function poolKey(
  h: AppHarness,
  use: "access" | "id" = "access",
): { kid: string; key: KeyObject; publicJwk: string } {
  const stored = h.emulator.context.store.keys.ofPool(h.poolId).find((k) => k.tokenUse === use);
  if (!stored) throw new Error(`no ${use} key in pool ${h.poolId}`);
  return {
    kid: stored.kid,
    key: createPrivateKey({ key: JSON.parse(stored.privateJwk) as JsonWebKey, format: "jwk" }),
    publicJwk: stored.publicJwk,
  };
}

/** A key nobody published. */
export const strangerKey = (): KeyObject => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

/** Access-token claims as the emulator issues them, for `sub`/`username`, valid for an hour. */
export function accessClaims(
  h: AppHarness,
  overrides: Record<string, unknown> = {},
  now = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  return {
    sub: randomUUID(),
    iss: h.config.api.issuer,
    client_id: h.publicClientId,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: randomUUID(),
    username: "someone",
    ...overrides,
  };
}
