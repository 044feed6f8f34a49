/**
 * The listening end of migration 0004's notifications: one connection per app node that
 * `LISTEN`s on `gatehouse_api_rows` and tells the API's kept rows which `sub` changed (or `*`:
 * all of them). https://node-postgres.com/apis/client#notification
 *
 * Rows may be kept only while this connection listens: a notification sent while it was away is
 * lost, so losing the connection empties the kept rows and turns keeping off, and each new
 * connection empties them again once its LISTEN is in place. It reconnects by itself, at most
 * every 5 s; TCP keep-alive notices a connection that died without a word.
 */
import type { FastifyBaseLogger } from "fastify";
import pg from "pg";

export const apiRowsChannel = "gatehouse_api_rows";

export interface RowChangeHandlers {
  /** A person's rows changed (`sub`), or anyone's (`*`). */
  changed(sub: string): void;
  /** Notifications may have been missed: forget everything. */
  reset(): void;
}

export interface RowChangeFeed {
  /** Whether notifications are being received now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export function listenForRowChanges(url: string, handlers: RowChangeHandlers, log?: FastifyBaseLogger): RowChangeFeed {
  let listening = false;
  let closed = false;
  let client: pg.Client | null = null;
  let attempt = 0;
  let retry: NodeJS.Timeout | null = null;

  const lost = (error?: unknown): void => {
    const was = listening;
    listening = false;
    handlers.reset();
    client?.removeAllListeners();
    client?.on("error", () => undefined);
    void client?.end().catch(() => undefined);
    client = null;
    if (closed) return;
    if (was) log?.warn({ err: error }, "API row notifications lost; rows are read fresh until they are back");
    const delay = Math.min(100 * 2 ** attempt, 5000);
    attempt += 1;
    retry = setTimeout(connect, delay);
    retry.unref();
  };

  function connect(): void {
    retry = null;
    if (closed) return;
    const next = new pg.Client({
      connectionString: url,
      application_name: "gatehouse-api-rows",
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5000,
    });
    client = next;
    next.on("error", (error) => {
      if (client === next) lost(error);
    });
    next.on("end", () => {
      if (client === next) lost();
    });
    next.on("notification", (message) => {
      if (message.channel === apiRowsChannel) handlers.changed(message.payload ?? "*");
    });
    next
      .connect()
      .then(() => next.query(`LISTEN ${apiRowsChannel}`))
      .then(() => {
        if (client !== next) return;
        if (closed) return void next.end().catch(() => undefined);
        // Whatever changed before this LISTEN was not heard.
        handlers.reset();
        listening = true;
        if (attempt > 0) log?.info("API row notifications are back");
        attempt = 0;
      })
      .catch((error: unknown) => {
        if (client === next) lost(error);
      });
  }

  connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      current?.removeAllListeners();
      current?.on("error", () => undefined);
      await current?.end().catch(() => undefined);
    },
  };
}
