/**
 * A minimal AWS JSON 1.1 caller over `node:http` with keep-alive: the same bytes the AWS SDK
 * sends (`POST /`, `X-Amz-Target`, `application/x-amz-json-1.1`), without the SDK's middleware
 * stack, so that the load generator spends its core on load rather than on the client.
 * No SigV4 signature: neither emulator checks one.
 */
import { Agent, request } from "node:http";

const targetPrefix = "AWSCognitoIdentityProviderService.";

/** An error answer from the service: `{"__type", "message"}` with a 4xx/5xx status. */
export class ServiceError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(`${operation}: ${status} ${type}: ${message}`);
    this.name = "ServiceError";
  }
}

export interface AwsJsonClient {
  call(operation: string, body: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  close(): void;
}

/** `endpoint` is `http://host:port`; `keepAlive: false` opens a connection per call. */
export function awsJsonClient(endpoint: string, options: { maxSockets: number; keepAlive?: boolean }): AwsJsonClient {
  const url = new URL(endpoint);
  const keepAlive = options.keepAlive ?? true;
  const agent = new Agent({ keepAlive, maxSockets: options.maxSockets });
  return {
    call(operation, body) {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method: "POST",
            path: "/",
            headers: {
              "content-type": "application/x-amz-json-1.1",
              "content-length": payload.length,
              "x-amz-target": `${targetPrefix}${operation}`,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed: unknown;
              try {
                parsed = text === "" ? {} : (JSON.parse(text) as unknown);
              } catch {
                reject(new ServiceError(operation, res.statusCode ?? 0, "UnparsableResponse", text.slice(0, 200)));
                return;
              }
              const document = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                resolve(document);
                return;
              }
              const type = typeof document.__type === "string" ? document.__type : "UnknownError";
              const message = typeof document.message === "string" ? document.message : text.slice(0, 200);
              reject(new ServiceError(operation, status, type, message));
            });
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** Reads `document[key]` as an object, or throws naming what was missing. */
export function objectField(document: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const value = document[key];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected an object at ${key}, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value as Record<string, unknown>;
}

/** Reads `document[key]` as a string, or throws naming what was missing. */
export function stringField(document: Readonly<Record<string, unknown>>, key: string): string {
  const value = document[key];
  if (typeof value !== "string") throw new Error(`expected a string at ${key}, got ${JSON.stringify(value)}`);
  return value;
}
