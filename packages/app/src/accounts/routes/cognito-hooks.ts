/**
 * `POST /hooks/cognito/post-confirmation`: the pool's PostConfirmation trigger (triggers/ in the
 * repository) tells the app that someone confirmed their account, so that their row exists from
 * then on, not only from their first token. The request is signed: the header
 * `X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
 * GATEHOUSE_WEBHOOK_SECRET; a missing, wrong or stale (over 5 minutes) signature is a 401 and
 * changes nothing. The body: `{ "sub", "username", "email", "emailVerified", "triggerSource" }`.
 * The route answers 204 whether the row was made or refreshed, so the trigger's retries are safe.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHmac, timingSafeEqual } from "node:crypto";
import { AccountConflictError, type CognitoProfile } from "../users.ts";

/** How far a signature's time may be from ours: a captured request is worth nothing after it. */
const toleranceSeconds = 300;

/** `t=…,v1=…` → its parts, or null when the header is not of that shape. */
function parseSignature(header: unknown): { t: number; v1: string } | null {
  if (typeof header !== "string") return null;
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  return match ? { t: Number(match[1]), v1: match[2]! } : null;
}

/** Whether `signature` is the HMAC of `t.body` with `secret`, compared in constant time. */
export function signatureMatches(secret: string, t: number, body: string, signature: string): boolean {
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Confirmation {
  readonly sub: string;
  readonly username: string;
  readonly email: string;
  readonly emailVerified: boolean;
}

function confirmationOf(body: string): Confirmation | null {
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    const text = (name: string) => (typeof value[name] === "string" ? (value[name] as string) : null);
    const [sub, username, email] = [text("sub"), text("username"), text("email") ?? ""];
    if (!sub || !username || typeof value.emailVerified !== "boolean") return null;
    return { sub, username, email, emailVerified: value.emailVerified };
  } catch {
    return null;
  }
}

export default async function cognitoHookRoutes(app: FastifyInstance): Promise<void> {
  const secret = app.config.webhookSecret;
  // The signature is over the bytes sent: this route reads its body as text (this plugin only).
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: 16 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  const refuse = (reply: FastifyReply, status: number, detail: string) => reply.code(status).send({ detail });

  app.post("/hooks/cognito/post-confirmation", async (request: FastifyRequest, reply: FastifyReply) => {
    if (secret === null) return refuse(reply, 404, "Not found.");
    const body = typeof request.body === "string" ? request.body : "";
    const signature = parseSignature(request.headers["x-gatehouse-signature"]);
    const now = Math.floor(Date.now() / 1000);
    if (!signature || Math.abs(now - signature.t) > toleranceSeconds) {
      return refuse(reply, 401, "Missing or stale signature.");
    }
    if (!signatureMatches(secret, signature.t, body, signature.v1)) return refuse(reply, 401, "Bad signature.");
    const confirmation = confirmationOf(body);
    if (!confirmation) return refuse(reply, 400, "Expected sub, username, email and emailVerified.");

    // Names and the phone number stay as the row has them: the event carries the identity only.
    const existing = await app.users.findBySub(confirmation.sub);
    const profile: CognitoProfile = {
      ...confirmation,
      givenName: existing?.givenName ?? null,
      familyName: existing?.familyName ?? null,
      phoneNumber: existing?.phoneNumber ?? null,
      picture: existing?.picture ?? null,
    };
    try {
      await app.users.syncFromCognito(profile);
    } catch (error) {
      if (!(error instanceof AccountConflictError)) throw error;
      request.log.warn(
        { username: error.username },
        "post-confirmation: the username belongs to another local account",
      );
      return refuse(reply, 409, "The username belongs to another local account.");
    }
    return reply.code(204).send();
  });
}
