/**
 * Requests refused at the HTTP level, answered so that the client can read the answer:
 * - a body over the limit (413) is read to its end, up to a cap, before the answer goes out. A
 *   client sends its whole body before it reads anything, and a server that closes with bytes
 *   unread resets the connection, which can destroy the answer on its way (RFC 9112 §9.6): the
 *   client would see a network error, not the 413;
 * - what Node's parser refuses before Fastify sees a request (a malformed request line or
 *   header, headers too large, a request slower than the request timeout) is answered like
 *   Fastify's default handler does, with the site's security headers, which every answer carries.
 */
import type { ConnectionError, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { SecurityHeaders } from "./plugins/security-headers.ts";

/** Beyond this a refused body is not read: the connection is closed after the answer. */
export const maxRefusedBodyBytes = 8 * 1024 * 1024;

/**
 * Reads and drops what is left of a refused body; once it has all been read, the connection
 * may stay open (Fastify asked for it to be closed). Resolves when the answer may be sent.
 */
export function discardRefusedBody(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = request.raw;
  const keepOpen = () => void reply.removeHeader("connection");
  if (raw.complete) return Promise.resolve(keepOpen());
  if (Number(raw.headers["content-length"]) > maxRefusedBodyBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let left = maxRefusedBodyBytes;
    const stop = (ended: boolean) => {
      raw.removeListener("data", count).removeListener("end", finished).removeListener("close", gone);
      if (ended) keepOpen();
      resolve();
    };
    const count = (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) stop(false);
    };
    const finished = () => stop(true);
    const gone = () => stop(raw.complete);
    raw.on("data", count).on("end", finished).on("close", gone).resume();
  });
}

const refusals: Readonly<Record<string, { status: number; detail: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: "The request took too long to arrive." },
  HPE_HEADER_OVERFLOW: { status: 431, detail: "The request's headers are too large." },
};

/** Fastify's `clientErrorHandler`: DRF's `{"detail"}` body and `headers` on Node's refusals. */
export function clientErrorHandler(headers: SecurityHeaders) {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return (error: ConnectionError, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    if (socket.writable) {
      const { status, detail } = refusals[error.code ?? ""] ?? { status: 400, detail: "Malformed request." };
      const body = JSON.stringify({ detail });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${lines.join("")}\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
