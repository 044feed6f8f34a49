/**
 * The HTTP face of the emulator: Cognito's AWS JSON 1.1 protocol on `POST /`, the per-pool JWKS
 * and OpenID discovery documents, and the outbox for people and tests.
 *
 * Protocol facts relied on (AWS JSON 1.1, as the SDKs speak it): the operation is named by
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`; success is 200 with a JSON body
 * of `application/x-amz-json-1.1`; errors are 4xx/5xx with `{"__type", "message"}` and the
 * `x-amzn-ErrorType` header, which the SDK reads first to name the exception.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context } from "./context.ts";
import { CognitoError } from "./errors.ts";
import { hostedEndpoints, hostedRoutes } from "./hosted/routes.ts";
import { importUploadRoutes } from "./import-upload.ts";
import type { OperationTable } from "./operations/operation.ts";
import { outboxPage } from "./outbox-page.ts";
import { OutboxQueryError, parseOutboxQuery } from "./outbox-query.ts";
import { countJwksRequest, keyRoutes } from "./key-rotation.ts";
import { jwksOf } from "./tokens.ts";

const targetPrefix = "AWSCognitoIdentityProviderService.";
export const maxBodyBytes = 1024 * 1024;
/**
 * How much of a refused body is still read before the 413. A client sends its whole body before
 * it reads the answer, and a server that closes with bytes unread resets the connection, which
 * can destroy the answer on the way (RFC 9112 §9.6): the client sees a network error instead.
 * Beyond this the connection is closed anyway rather than read for ever.
 */
const maxRefusedBodyBytes = 16 * 1024 * 1024;

/** Reads and drops the rest of `request`'s body; true when it ended within `limit` bytes. */
export function discardBody(request: IncomingMessage, limit: number): Promise<boolean> {
  if (request.complete) return Promise.resolve(true);
  if (Number(request.headers["content-length"]) > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const settle = (ended: boolean) => {
      request.off("data", onData).off("end", onEnd).off("close", onClose);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) settle(false);
    };
    const onEnd = () => settle(true);
    const onClose = () => settle(request.complete);
    request.on("data", onData).on("end", onEnd).on("close", onClose);
    request.resume();
  });
}

export interface ServerOptions {
  readonly operations: OperationTable;
  /** One line per request, or nothing. */
  readonly log: ((line: string) => void) | null;
}

/**
 * A header can carry only one line of Latin-1; AWS's schema messages have newlines and users'
 * input may be any Unicode. The body keeps the exact message; the header gets a safe copy, cut
 * short: a message quoting a long value (`User pool <8 KB> does not exist.`) would otherwise
 * pass Node's 16 KB limit on a response's headers, and the client would see a parse error
 * instead of the exception (issue 13's protocol fuzzing).
 */
const maxHeaderMessage = 1024;
const headerSafe = (message: string): string => {
  const safe = message
    .replace(/[\r\n]+/g, " ")
    .replace(/[^\x20-\x7e\xa0-\xff]/g, "?")
    .trim();
  return safe.length > maxHeaderMessage ? `${safe.slice(0, maxHeaderMessage - 3)}...` : safe;
};

/**
 * The region a SigV4-signed call was signed for: AWS serves each region at its own endpoint, and
 * an emulator serving all of them at one address learns the caller's region from the signature's
 * credential scope (`Credential=<key>/<yyyymmdd>/<region>/cognito-idp/aws4_request`). The
 * signature itself is not verified.
 */
const credentialScope = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]{1,32})\/cognito-idp\/aws4_request/;
export function signingRegionOf(authorization: string | undefined): string | null {
  return authorization ? (credentialScope.exec(authorization)?.[1] ?? null) : null;
}

function sendError(reply: FastifyReply, error: CognitoError): FastifyReply {
  return reply
    .code(error.statusCode)
    .header("content-type", "application/x-amz-json-1.1")
    .header("x-amzn-errortype", `${error.type}:`)
    .header("x-amzn-errormessage", headerSafe(error.message))
    .send(Buffer.from(JSON.stringify({ __type: error.type, message: error.message })));
}

export function buildServer(ctx: Context, { operations, log }: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes, return503OnClosing: false });

  // Cognito's body is JSON under its own media type; parse it ourselves so a bad body is
  // AWS's SerializationException rather than Fastify's error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });

  app.addHook("onRequest", async (_request, reply) => {
    reply.header("x-amzn-requestid", randomUUID());
  });
  if (log) {
    app.addHook("onResponse", async (request, reply) => {
      const target = request.headers["x-amz-target"];
      const op = typeof target === "string" ? target.replace(targetPrefix, "") : "";
      log(
        `${request.method} ${request.url}${op ? ` ${op}` : ""} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`,
      );
    });
  }

  app.setErrorHandler(async (error: unknown, request, reply) => {
    if (error instanceof CognitoError) return sendError(reply, error);
    // The helper routes are not Cognito's protocol: their errors are plain JSON, like their 404s.
    if (error instanceof OutboxQueryError) return reply.code(400).send({ message: error.message });
    const code = (error as { code?: unknown }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      // Fastify asks for the connection to be closed; once the body is read it can stay open.
      if (await discardBody(request.raw, maxRefusedBodyBytes)) reply.removeHeader("connection");
      return sendError(
        reply,
        new CognitoError("RequestTooLargeException", `Request body is larger than ${maxBodyBytes} bytes.`, 413),
      );
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return sendError(reply, new CognitoError("SerializationException", "The request could not be read.", status));
    }
    // A real fault: say so without leaking internals, and keep the details on the console.
    console.error(error);
    return sendError(reply, new CognitoError("InternalErrorException", "An internal error occurred.", 500));
  });

  app.post("/", async (request, reply) => {
    const target = request.headers["x-amz-target"];
    const name =
      typeof target === "string" && target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : null;
    const operation = name === null ? undefined : Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) {
      throw new CognitoError(
        "UnknownOperationException",
        name ? `Operation ${name} is not supported.` : "Missing or malformed X-Amz-Target header.",
      );
    }
    let body: unknown = {};
    const raw = typeof request.body === "string" ? request.body : "";
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        throw new CognitoError("SerializationException", "Unable to parse the request body as JSON.");
      }
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new CognitoError("SerializationException", "Start of structure or map expected.");
    }
    const result = await operation.execute(ctx, body, {
      signingRegion: signingRegionOf(request.headers.authorization),
      origin: `${request.protocol}://${request.host}`,
    });
    // A Buffer, so that Fastify does not append "; charset=utf-8" to AWS's media type.
    return reply.header("content-type", "application/x-amz-json-1.1").send(Buffer.from(JSON.stringify(result)));
  });

  app.get<{ Params: { poolId: string } }>("/:poolId/.well-known/jwks.json", async (request, reply) => {
    const pool = ctx.store.pools.get(request.params.poolId);
    if (!pool) return reply.code(404).send({ message: `User pool ${request.params.poolId} does not exist.` });
    countJwksRequest(ctx, pool.id);
    return reply.header("cache-control", "public, max-age=300").send(await jwksOf(ctx, pool.id));
  });

  app.get<{ Params: { poolId: string } }>("/:poolId/.well-known/openid-configuration", async (request, reply) => {
    const pool = ctx.store.pools.get(request.params.poolId);
    if (!pool) return reply.code(404).send({ message: `User pool ${request.params.poolId} does not exist.` });
    const origin = `${request.protocol}://${request.host}`;
    // With a domain, the pool's authorization server: its endpoints live under the domain.
    const domains = ctx.store.hosted.domainsOfPool(pool.id);
    const domain = domains.find((d) => d.certificateArn === null) ?? domains[0];
    return reply.send({
      ...(domain ? hostedEndpoints(origin, domain.domain) : {}),
      issuer: ctx.issuerOf(pool.id),
      jwks_uri: `${origin}/${pool.id}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["public"],
      response_types_supported: ["code", "token"],
      scopes_supported: ["openid", "email", "phone", "profile"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
  });

  void app.register(hostedRoutes(ctx, operations));

  app.get("/_outbox", async (request) => ({ messages: ctx.outbox.list(parseOutboxQuery(request.url)) }));
  app.get("/_outbox.html", async (request, reply) =>
    reply.type("text/html; charset=utf-8").send(outboxPage(ctx.outbox.list(parseOutboxQuery(request.url)))),
  );
  app.get("/_health", async () => ({ status: "ok" }));
  void app.register(keyRoutes(ctx));
  void app.register(importUploadRoutes(ctx));

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route for ${request.method} ${request.url.split("?")[0] ?? ""}` }),
  );
  return app;
}
