/**
 * The drills' HTTP client over `node:http` with keep-alive: any method, a body, the status,
 * headers and text of the answer; and a browser-like session that keeps cookies and the CSRF
 * token of the last page, to submit the app's forms as a person would.
 */
import { Agent, request } from "node:http";

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpClient {
  request(options: RequestOptions): Promise<Answer>;
  close(): void;
}

export function httpClient(origin: string, options: { maxSockets: number; timeoutMs?: number }): HttpClient {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  return {
    request({ method = "GET", path, headers = {}, body }) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(body);
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: { ...headers, ...(payload ? { "content-length": String(payload.length) } : {}) },
            timeout: options.timeoutMs ?? 30_000,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString("utf8"),
              }),
            );
          },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
        req.on("error", reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** A person's browser: cookies and the last page's CSRF token, from one client address. */
export class BrowserSession {
  readonly #cookies = new Map<string, string>();
  #csrf = "";

  constructor(
    private readonly client: HttpClient,
    private readonly origin: string,
    private readonly address: string,
  ) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return {
      "x-forwarded-for": this.address,
      "x-forwarded-proto": "https",
      ...(cookie ? { cookie } : {}),
      ...extra,
    };
  }

  #remember(answer: Answer): Answer {
    const setCookie = answer.headers["set-cookie"];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(answer.body)?.[1];
    if (token) this.#csrf = token;
    return answer;
  }

  async get(path: string): Promise<Answer> {
    return this.#remember(await this.client.request({ path, headers: this.#headers() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    const body = new URLSearchParams({ _csrf: this.#csrf, ...form }).toString();
    return this.#remember(
      await this.client.request({
        method: "POST",
        path,
        body,
        headers: this.#headers({ "content-type": "application/x-www-form-urlencoded", origin: this.origin }),
      }),
    );
  }
}
