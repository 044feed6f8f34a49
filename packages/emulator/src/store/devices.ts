/**
 * Users' tracked devices: what ConfirmDevice registers (the device's SRP salt and verifier, its
 * name) and UpdateDeviceStatus changes (remembered or not). A device belongs to one user and goes
 * with them (ON DELETE CASCADE). The sessions a device signed in are bound to it by their own
 * `device_key` column (sessions.ts).
 *
 * Like `sign_in_failures`, the table belongs to this module and is created here if missing, so
 * an existing database gains it on its next start.
 */
import type { Db } from "./database.ts";

export interface Device {
  readonly poolId: string;
  readonly usernameKey: string;
  /** `<region>_<uuid>`, as NewDeviceMetadata handed it out. */
  readonly deviceKey: string;
  /** The SRP realm of the device's verifier (DEVICE_PASSWORD_VERIFIER signs with it). */
  readonly groupKey: string;
  readonly name: string | null;
  /** Hex of the salt and of v = g^x mod N, from DeviceSecretVerifierConfig (base64 on the wire). */
  readonly salt: string;
  readonly verifier: string;
  readonly remembered: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS devices (
  pool_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  device_key TEXT NOT NULL,
  group_key TEXT NOT NULL,
  name TEXT,
  salt TEXT NOT NULL,
  verifier TEXT NOT NULL,
  remembered INTEGER NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (pool_id, device_key),
  FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS devices_by_user ON devices(pool_id, username_key, device_key);
`;

interface Row {
  pool_id: string;
  username_key: string;
  device_key: string;
  group_key: string;
  name: string | null;
  salt: string;
  verifier: string;
  remembered: number;
  created_at: number;
  updated_at: number;
}

const toDevice = (row: Row): Device => ({
  poolId: row.pool_id,
  usernameKey: row.username_key,
  deviceKey: row.device_key,
  groupKey: row.group_key,
  name: row.name,
  salt: row.salt,
  verifier: row.verifier,
  remembered: row.remembered === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function deviceRepository(db: Db) {
  db.exec(schema);
  const insert = db.prepare(
    `INSERT INTO devices VALUES (@poolId, @usernameKey, @deviceKey, @groupKey, @name, @salt, @verifier,
       @remembered, @createdAt, @updatedAt)`,
  );
  const get = db.prepare<[string, string], Row>("SELECT * FROM devices WHERE pool_id = ? AND device_key = ?");
  const page = db.prepare<[string, string, string, number, number], Row>(
    `SELECT * FROM devices WHERE pool_id = ? AND username_key = ? AND device_key > ? AND remembered >= ?
     ORDER BY device_key LIMIT ?`,
  );
  const remember = db.prepare<[number, number, string, string]>(
    "UPDATE devices SET remembered = ?, updated_at = ? WHERE pool_id = ? AND device_key = ?",
  );
  const remove = db.prepare<[string, string]>("DELETE FROM devices WHERE pool_id = ? AND device_key = ?");
  return {
    insert(device: Device): void {
      insert.run({ ...device, remembered: device.remembered ? 1 : 0 });
    },
    get(poolId: string, deviceKey: string): Device | undefined {
      const row = get.get(poolId, deviceKey);
      return row && toDevice(row);
    },
    /** Up to `limit` of the user's devices after key `after`, in key order; remembered ones only if asked. */
    ofUser(poolId: string, usernameKey: string, after: string, limit: number, rememberedOnly: boolean): Device[] {
      return page.all(poolId, usernameKey, after, rememberedOnly ? 1 : 0, limit).map(toDevice);
    },
    setRemembered(poolId: string, deviceKey: string, remembered: boolean, now: number): void {
      remember.run(remembered ? 1 : 0, now, poolId, deviceKey);
    },
    /** True when there was one to delete. */
    delete(poolId: string, deviceKey: string): boolean {
      return remove.run(poolId, deviceKey).changes > 0;
    },
  };
}
export type DeviceRepository = ReturnType<typeof deviceRepository>;
