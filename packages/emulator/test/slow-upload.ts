/**
 * A request whose body is sent in parts with a pause after each, over a raw socket, the way a
 * slow uploader (or one on a slow link) sends it: what came back, and whether sending the rest
 * failed because the server had closed or reset the connection under the client. `fetch` on
 * loopback usually reads an early answer before the reset lands, so it cannot show the fault.
 * Used by the emulator's and the app's tests; it knows nothing of either.
 */
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface SlowUpload {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The Content-Length sent, which may be more than the parts add up to. */
  readonly declaredBytes: number;
  /** Sizes of the parts of the body (spaces), each followed by `pauseMs`. */
  readonly parts: readonly number[];
  readonly pauseMs?: number;
  /** Stop before the blank line that ends the headers (a client that never finishes them). */
  readonly unfinishedHeaders?: boolean;
}

export interface SlowUploadResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Null when every part went out and the answer came in without a socket error. */
  readonly socketError: string | null;
}

export async function uploadInParts(url: string, upload: SlowUpload): Promise<SlowUploadResult> {
  const { hostname, port } = new URL(url);
  // Half-open allowed: an HTTP client keeps sending its body after the server's FIN.
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
  let received = Buffer.alloc(0);
  let socketError: string | null = null;
  socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.on("error", (error: NodeJS.ErrnoException) => (socketError ??= error.code ?? error.message));
  const head = Object.entries({ host: hostname, ...upload.headers, "content-length": String(upload.declaredBytes) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.write(`${upload.method} ${upload.path} HTTP/1.1\r\n${head}${upload.unfinishedHeaders ? "" : "\r\n"}`);
  for (const size of upload.parts) {
    if (socket.destroyed) socketError ??= "closed while the body was being sent";
    else socket.write(Buffer.alloc(size, " "));
    await sleep(upload.pauseMs ?? 200);
  }
  const headEnd = () => received.indexOf("\r\n\r\n");
  const complete = () => {
    const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, headEnd()).toString("latin1"))?.[1];
    return headEnd() !== -1 && length !== undefined && received.length >= headEnd() + 4 + Number(length);
  };
  for (let waited = 0; !complete() && !socket.destroyed && waited < 5000; waited += 20) await sleep(20);
  socket.destroy();
  const [statusLine = "", ...lines] = received.subarray(0, headEnd()).toString("latin1").split("\r\n");
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body: received.subarray(headEnd() + 4).toString(),
    socketError,
  };
}
