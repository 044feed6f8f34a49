/**
 * The emulator's persistence: one SQLite database (WAL, synchronous=NORMAL), a file by default
 * (`var/emulator.sqlite3`) or `:memory:` for tests. Structured Cognito objects (a pool's
 * settings, a client's settings, a user's attributes) are stored as JSON documents; the columns
 * beside them are the ones we look up or enforce uniqueness on.
 *
 * better-sqlite3 is synchronous, so an operation that runs inside `db.transaction()` is atomic
 * and cannot interleave with another request: concurrent SignUps of one username leave exactly
 * one user, and no failure leaves a half-written record.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type Db = Database.Database;

const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS pools (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pool_keys (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  token_use TEXT NOT NULL CHECK (token_use IN ('id', 'access')),
  kid TEXT NOT NULL UNIQUE,
  private_jwk TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  PRIMARY KEY (pool_id, token_use)
);
-- Keys rotated out (key-rotation.ts): still published, so tokens they signed stay verifiable.
CREATE TABLE IF NOT EXISTS retired_pool_keys (
  kid TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  token_use TEXT NOT NULL CHECK (token_use IN ('id', 'access')),
  public_jwk TEXT NOT NULL,
  retired_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS retired_pool_keys_by_pool ON retired_pool_keys(pool_id, retired_at);
CREATE TABLE IF NOT EXISTS clients (
  id TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret TEXT,
  config TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS clients_by_pool ON clients(pool_id, created_at);
CREATE TABLE IF NOT EXISTS users (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL,
  sub TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  attributes TEXT NOT NULL,
  email_key TEXT,
  phone_key TEXT,
  preferred_username_key TEXT,
  password_hash TEXT,
  srp_salt TEXT,
  srp_verifier TEXT,
  mfa TEXT NOT NULL DEFAULT '{}',
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (pool_id, username_key)
);
CREATE INDEX IF NOT EXISTS users_by_email ON users(pool_id, email_key);
CREATE INDEX IF NOT EXISTS users_by_phone ON users(pool_id, phone_key);
CREATE INDEX IF NOT EXISTS users_by_preferred_username ON users(pool_id, preferred_username_key);
CREATE INDEX IF NOT EXISTS users_by_created ON users(pool_id, created_at, username_key);
CREATE TABLE IF NOT EXISTS groups (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  role_arn TEXT,
  precedence INTEGER,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (pool_id, name)
);
CREATE TABLE IF NOT EXISTS group_members (
  pool_id TEXT NOT NULL,
  group_name TEXT NOT NULL,
  username_key TEXT NOT NULL,
  PRIMARY KEY (pool_id, group_name, username_key),
  FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, name) ON DELETE CASCADE,
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS group_members_by_user ON group_members(pool_id, username_key);
CREATE TABLE IF NOT EXISTS codes (
  pool_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  expires_at REAL NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pool_id, username_key, purpose),
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS sessions (
  origin_jti TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  refresh_token_hash TEXT UNIQUE,
  auth_time INTEGER NOT NULL,
  expires_at REAL NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(pool_id, username_key);
CREATE TABLE IF NOT EXISTS auth_challenges (
  session TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  challenge TEXT NOT NULL,
  state TEXT NOT NULL,
  expires_at REAL NOT NULL,
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pool_id TEXT NOT NULL,
  username TEXT NOT NULL,
  destination TEXT NOT NULL,
  medium TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_user ON outbox(pool_id, username);
`;

export interface OpenOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
}

/** Opens (creating if needed) the emulator's database and brings its schema up to date. */
export function openDatabase({ path }: OpenOptions): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > schemaVersion) {
    db.close();
    throw new Error(
      `The emulator database ${path} was written by a newer Gatehouse (schema ${current}, this one knows ${schemaVersion}). Use a newer emulator or another --data file.`,
    );
  }
  db.exec(schema);
  db.pragma(`user_version = ${schemaVersion}`);
  return db;
}
