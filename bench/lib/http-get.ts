/**
 * A small keep-alive HTTP GET client over `node:http` for probes and paced load: status and body
 * of one request, no retries, no redirects. Loopback only in practice (the benchmarks pass
 * `http://127.0.0.1:<port>`).
 */
import { Agent, request } from "node:http";

export interface GetAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HttpGetter {
  get(path: string, headers?: Readonly<Record<string, string>>): Promise<GetAnswer>;
  close(): void;
}

/** `origin` is `http://host:port`; `keepAlive: false` opens a connection per request. */
export function httpGetter(origin: string, options: { maxSockets: number; keepAlive?: boolean }): HttpGetter {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets });
  return {
    get(path, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = request({ agent, host: url.hostname, port: url.port, method: "GET", path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              headers: res.headers,
            }),
          );
        });
        req.on("error", reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
