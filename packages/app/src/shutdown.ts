/**
 * Graceful shutdown on SIGTERM (what orchestrators and systemd send) and SIGINT (Ctrl-C):
 * 1. /readyz answers 503 from the first moment (the `preClose` hook of operations/module.ts);
 * 2. `app.close()` stops accepting connections, closes idle kept-alive ones, answers requests
 *    still arriving on busy ones with 503 and `Connection: close` (so a proxy retries them
 *    elsewhere), and waits for requests in flight; its `onClose` hooks close Redis, the API's
 *    reader and the key-set timer;
 * 3. then the database pool and whatever else the caller owns (the dev emulator), and exit 0.
 * A shutdown that takes longer than `timeoutMs` exits 1; a second signal exits 1 at once.
 * https://fastify.dev/docs/latest/Reference/Server/#forcecloseconnections
 */
import type { FastifyInstance } from "fastify";

export interface ShutdownOptions {
  /** Closed after the app, in order (database pool, emulator). */
  readonly after: readonly (() => Promise<void>)[];
  /** Longest wait for requests in flight; default 30 s (the request timeout). */
  readonly timeoutMs?: number;
  readonly exit?: (code: number) => void;
}

export function shutDownOnSignals(app: FastifyInstance, options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      app.log.warn({ signal }, "second signal: exiting without waiting");
      exit(1);
      return;
    }
    stopping = true;
    app.log.info({ signal }, "shutting down: no new connections, finishing requests in flight");
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs }, "shutdown took too long; exiting");
      exit(1);
    }, timeoutMs);
    timer.unref();
    void (async () => {
      try {
        await app.close();
        for (const close of options.after) await close();
        app.log.info("shut down");
        exit(0);
      } catch (error) {
        app.log.error({ err: error }, "shutdown failed");
        exit(1);
      } finally {
        clearTimeout(timer);
      }
    })();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
