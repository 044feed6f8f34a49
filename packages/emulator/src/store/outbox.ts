/** The messages Cognito would have e-mailed or texted, kept so people and tests can read them. */
import type { MessageKind, OutboxMessage } from "../model.ts";
import type { Db } from "./database.ts";

interface OutboxRow {
  id: number;
  pool_id: string;
  username: string;
  destination: string;
  medium: "EMAIL" | "SMS";
  kind: MessageKind;
  code: string;
  subject: string | null;
  message: string | null;
  created_at: number;
}

const toMessage = (row: OutboxRow): OutboxMessage => ({
  id: row.id,
  poolId: row.pool_id,
  username: row.username,
  destination: row.destination,
  medium: row.medium,
  kind: row.kind,
  code: row.code,
  subject: row.subject,
  message: row.message,
  createdAt: new Date(row.created_at).toISOString(),
});

export type NewMessage = Omit<OutboxMessage, "id" | "createdAt">;

export interface OutboxQuery {
  readonly poolId?: string;
  readonly username?: string;
  readonly limit?: number;
}

export function outboxRepository(db: Db) {
  // A CustomMessage trigger's subject and text; databases made before triggers lack them.
  const columns = new Set((db.pragma("table_info(outbox)") as { name: string }[]).map((c) => c.name));
  if (!columns.has("subject")) db.exec("ALTER TABLE outbox ADD COLUMN subject TEXT");
  if (!columns.has("message")) db.exec("ALTER TABLE outbox ADD COLUMN message TEXT");
  const insert = db.prepare(
    "INSERT INTO outbox (pool_id, username, destination, medium, kind, code, subject, message, created_at) VALUES (@poolId, @username, @destination, @medium, @kind, @code, @subject, @message, @createdAt)",
  );
  const byId = db.prepare<[number | bigint], OutboxRow>("SELECT * FROM outbox WHERE id = ?");
  const query = db.prepare<{ poolId: string | null; username: string | null; limit: number }, OutboxRow>(
    `SELECT * FROM outbox
     WHERE (@poolId IS NULL OR pool_id = @poolId) AND (@username IS NULL OR username = @username)
     ORDER BY id DESC LIMIT @limit`,
  );
  return {
    add(message: NewMessage, createdAt: number): OutboxMessage {
      const { lastInsertRowid } = insert.run({
        ...message,
        subject: message.subject ?? null,
        message: message.message ?? null,
        createdAt,
      });
      const row = byId.get(lastInsertRowid);
      if (!row) throw new Error("outbox insert vanished");
      return toMessage(row);
    },
    /** Newest first. */
    list({ poolId, username, limit = 100 }: OutboxQuery = {}): OutboxMessage[] {
      return query.all({ poolId: poolId ?? null, username: username ?? null, limit }).map(toMessage);
    },
  };
}
export type OutboxRepository = ReturnType<typeof outboxRepository>;
