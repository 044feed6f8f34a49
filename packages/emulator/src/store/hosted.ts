/**
 * What the hosted UI and the OAuth 2.0 endpoints keep: user-pool domains, resource servers and
 * their scopes, authorization codes (stored as hashes), the scopes of sessions begun through
 * OAuth (so a refresh keeps them), and the hosted sign-in sessions behind the `cognito` cookie.
 *
 * Like `sign_in_failures`, these tables belong to this module and are created here if missing, so
 * an existing database gains them on its next start.
 */
import type { Db } from "./database.ts";

/** DomainDescriptionType's own members (the rest is derived when described). */
export interface PoolDomain {
  readonly domain: string;
  readonly poolId: string;
  /** 1: hosted UI (classic); 2: managed login. */
  readonly managedLoginVersion: number;
  /** Set for a custom domain (CustomDomainConfig.CertificateArn); null for a prefix domain. */
  readonly certificateArn: string | null;
  readonly createdAt: number;
}

export interface ResourceServerScope {
  readonly ScopeName: string;
  readonly ScopeDescription: string;
}

/** ResourceServerType, as AWS returns it. */
export interface ResourceServer {
  readonly UserPoolId: string;
  readonly Identifier: string;
  readonly Name: string;
  readonly Scopes: readonly ResourceServerScope[];
}

/** An authorization code between /oauth2/authorize and /oauth2/token. */
export interface AuthorizationCode {
  readonly codeHash: string;
  readonly poolId: string;
  readonly clientId: string;
  readonly usernameKey: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly authTime: number;
  readonly expiresAt: number;
}

/** A hosted sign-in session: who signed in through this domain's pages, and when. */
export interface HostedSession {
  readonly idHash: string;
  readonly poolId: string;
  readonly usernameKey: string;
  readonly authTime: number;
  readonly expiresAt: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS pool_domains (
  domain TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  managed_login_version INTEGER NOT NULL,
  certificate_arn TEXT,
  created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pool_domains_by_pool ON pool_domains(pool_id);
CREATE TABLE IF NOT EXISTS resource_servers (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  identifier TEXT NOT NULL,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  PRIMARY KEY (pool_id, identifier)
);
CREATE TABLE IF NOT EXISTS authorization_codes (
  code_hash TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  auth_time INTEGER NOT NULL,
  expires_at REAL NOT NULL,
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS authorization_codes_by_expiry ON authorization_codes(expires_at);
CREATE TABLE IF NOT EXISTS oauth_grants (
  origin_jti TEXT PRIMARY KEY REFERENCES sessions(origin_jti) ON DELETE CASCADE,
  scope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hosted_sessions (
  id_hash TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  expires_at REAL NOT NULL,
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS hosted_sessions_by_expiry ON hosted_sessions(expires_at);
`;

interface DomainRow {
  domain: string;
  pool_id: string;
  managed_login_version: number;
  certificate_arn: string | null;
  created_at: number;
}
const toDomain = (row: DomainRow): PoolDomain => ({
  domain: row.domain,
  poolId: row.pool_id,
  managedLoginVersion: row.managed_login_version,
  certificateArn: row.certificate_arn,
  createdAt: row.created_at,
});

interface ServerRow {
  pool_id: string;
  identifier: string;
  name: string;
  scopes: string;
}
const toServer = (row: ServerRow): ResourceServer => ({
  UserPoolId: row.pool_id,
  Identifier: row.identifier,
  Name: row.name,
  Scopes: JSON.parse(row.scopes) as ResourceServerScope[],
});

/** A row whose columns are the snake_case names of `T`'s members, read as `T`. */
function fromRow<T>(row: Record<string, unknown> | undefined): T | undefined {
  if (!row) return undefined;
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
      value,
    ]),
  ) as T;
}

export function hostedRepository(db: Db) {
  db.exec(schema);
  const domainByName = db.prepare<[string], DomainRow>("SELECT * FROM pool_domains WHERE domain = ?");
  const domainsOfPool = db.prepare<[string], DomainRow>(
    "SELECT * FROM pool_domains WHERE pool_id = ? ORDER BY created_at, domain",
  );
  const allDomains = db.prepare<[], DomainRow>("SELECT * FROM pool_domains ORDER BY domain");
  const insertDomain = db.prepare(
    `INSERT INTO pool_domains (domain, pool_id, managed_login_version, certificate_arn, created_at)
     VALUES (@domain, @poolId, @managedLoginVersion, @certificateArn, @createdAt)`,
  );
  const updateDomain = db.prepare(
    "UPDATE pool_domains SET managed_login_version = @managedLoginVersion, certificate_arn = @certificateArn WHERE domain = @domain",
  );
  const deleteDomain = db.prepare<[string]>("DELETE FROM pool_domains WHERE domain = ?");

  const serverById = db.prepare<[string, string], ServerRow>(
    "SELECT * FROM resource_servers WHERE pool_id = ? AND identifier = ?",
  );
  const serversPage = db.prepare<[string, string, number], ServerRow>(
    "SELECT * FROM resource_servers WHERE pool_id = ? AND identifier > ? ORDER BY identifier LIMIT ?",
  );
  const allServers = db.prepare<[string], ServerRow>(
    "SELECT * FROM resource_servers WHERE pool_id = ? ORDER BY identifier",
  );
  const putServer = db.prepare(
    `INSERT INTO resource_servers (pool_id, identifier, name, scopes) VALUES (@UserPoolId, @Identifier, @Name, @scopes)
     ON CONFLICT (pool_id, identifier) DO UPDATE SET name = excluded.name, scopes = excluded.scopes`,
  );
  const deleteServer = db.prepare<[string, string]>(
    "DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?",
  );

  const insertCode = db.prepare(
    `INSERT INTO authorization_codes VALUES (@codeHash, @poolId, @clientId, @usernameKey, @redirectUri, @scope,
     @nonce, @codeChallenge, @authTime, @expiresAt)`,
  );
  const takeCode = db.prepare<[string], Record<string, unknown>>(
    "DELETE FROM authorization_codes WHERE code_hash = ? RETURNING *",
  );
  const purgeCodes = db.prepare<[number]>("DELETE FROM authorization_codes WHERE expires_at < ?");

  const insertGrant = db.prepare<[string, string]>("INSERT INTO oauth_grants (origin_jti, scope) VALUES (?, ?)");
  const grantOf = db.prepare<[string], { scope: string }>("SELECT scope FROM oauth_grants WHERE origin_jti = ?");

  const insertHosted = db.prepare(
    "INSERT INTO hosted_sessions VALUES (@idHash, @poolId, @usernameKey, @authTime, @expiresAt)",
  );
  const hostedById = db.prepare<[string], Record<string, unknown>>("SELECT * FROM hosted_sessions WHERE id_hash = ?");
  const deleteHosted = db.prepare<[string]>("DELETE FROM hosted_sessions WHERE id_hash = ?");
  const purgeHosted = db.prepare<[number]>("DELETE FROM hosted_sessions WHERE expires_at < ?");

  return {
    domain(name: string): PoolDomain | undefined {
      const row = domainByName.get(name);
      return row && toDomain(row);
    },
    domainsOfPool(poolId: string): PoolDomain[] {
      return domainsOfPool.all(poolId).map(toDomain);
    },
    allDomains(): PoolDomain[] {
      return allDomains.all().map(toDomain);
    },
    insertDomain(domain: PoolDomain): void {
      insertDomain.run(domain);
    },
    updateDomain(domain: Pick<PoolDomain, "domain" | "managedLoginVersion" | "certificateArn">): void {
      updateDomain.run(domain);
    },
    deleteDomain(name: string): void {
      deleteDomain.run(name);
    },

    resourceServer(poolId: string, identifier: string): ResourceServer | undefined {
      const row = serverById.get(poolId, identifier);
      return row && toServer(row);
    },
    resourceServers(poolId: string): ResourceServer[] {
      return allServers.all(poolId).map(toServer);
    },
    /** Resource servers in identifier order after `afterIdentifier` (exclusive). */
    resourceServerPage(poolId: string, afterIdentifier: string, limit: number): ResourceServer[] {
      return serversPage.all(poolId, afterIdentifier, limit).map(toServer);
    },
    putResourceServer(server: ResourceServer): void {
      putServer.run({ ...server, scopes: JSON.stringify(server.Scopes) });
    },
    deleteResourceServer(poolId: string, identifier: string): void {
      deleteServer.run(poolId, identifier);
    },

    insertCode(code: AuthorizationCode): void {
      insertCode.run(code);
    },
    /** Removes and returns the code: a code is redeemed at most once, right or wrong. */
    takeCode(codeHash: string): AuthorizationCode | undefined {
      return fromRow<AuthorizationCode>(takeCode.get(codeHash));
    },
    purgeCodes(now: number): void {
      purgeCodes.run(now);
    },

    /** Records the scopes of a session begun through OAuth; call once its session row exists. */
    insertGrant(originJti: string, scope: string): void {
      insertGrant.run(originJti, scope);
    },
    grantOf(originJti: string): string | undefined {
      return grantOf.get(originJti)?.scope;
    },

    insertHostedSession(session: HostedSession): void {
      insertHosted.run(session);
    },
    hostedSession(idHash: string): HostedSession | undefined {
      return fromRow<HostedSession>(hostedById.get(idHash));
    },
    deleteHostedSession(idHash: string): void {
      deleteHosted.run(idHash);
    },
    purgeHostedSessions(now: number): void {
      purgeHosted.run(now);
    },
  };
}
export type HostedRepository = ReturnType<typeof hostedRepository>;
