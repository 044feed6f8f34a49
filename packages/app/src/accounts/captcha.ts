/**
 * A self-hosted proof-of-work check on the forms that make Cognito send email (registration,
 * forgot-password): ALTCHA. The page carries a challenge signed with a key of ours; the
 * browser's widget finds the number behind it (SHA-256, a fraction of a second) and posts the
 * solution with the form; the server checks the signature, the answer and the expiry, and
 * takes each solution once. No third party is called, nothing is stored but the solutions
 * already used (until they expire).
 * https://altcha.org/docs/server-integration/
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { createChallenge, verifySolution } from "altcha-lib";
import { createHmac } from "node:crypto";
import type { CaptchaSettings } from "../config.ts";
import { fieldOf } from "./forms.ts";

/** How long a page's challenge can be answered. */
export const challengeLifetimeMs = 20 * 60_000;

/** The form field the widget fills. */
export const captchaField = "altcha";

export interface Captcha {
  /** A new challenge for a form, as the widget's `challengejson`; null when the check is off. */
  challenge(): Promise<string | null>;
  /** Whether the request carries a right, fresh solution not used before (always true when off). */
  solved(request: FastifyRequest): Promise<boolean>;
}

declare module "fastify" {
  interface FastifyInstance {
    readonly captcha: Captcha;
  }
}

/**
 * Solutions already taken, until their challenge expires: a solution is worth one form. In
 * memory, so per node; a second node could take one solution once more, within 20 minutes.
 */
class UsedSolutions {
  readonly #expiries = new Map<string, number>();

  /** False when `signature` was used already; else remembers it until `expiresAt`. */
  take(signature: string, expiresAt: number, now = Date.now()): boolean {
    if (this.#expiries.size > 10_000) {
      for (const [key, at] of this.#expiries) if (at <= now) this.#expiries.delete(key);
    }
    const known = this.#expiries.get(signature);
    if (known !== undefined && known > now) return false;
    this.#expiries.set(signature, expiresAt);
    return true;
  }
}

/** The payload's challenge signature and expiry, when it is a well-formed ALTCHA payload. */
function signatureAndExpiry(payload: string): { signature: string; expiresAt: number } | null {
  try {
    const decoded = JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as Record<string, unknown>;
    const expires = /(?:^|&)expires=(\d+)/.exec(String(decoded.salt ?? "").split("?")[1] ?? "")?.[1];
    if (typeof decoded.signature !== "string" || !expires) return null;
    return { signature: decoded.signature, expiresAt: Number(expires) * 1000 };
  } catch {
    return null;
  }
}

async function captchaPlugin(app: FastifyInstance): Promise<void> {
  const settings: CaptchaSettings | null = app.config.captcha;
  // Its own key, derived from the session secret, so that one secret is all there is to keep.
  const hmacKey = createHmac("sha256", app.config.sessionSecret).update("gatehouse captcha").digest("hex");
  const used = new UsedSolutions();

  app.decorate("captcha", {
    async challenge(): Promise<string | null> {
      if (!settings) return null;
      const challenge = await createChallenge({
        hmacKey,
        maxNumber: settings.maxNumber,
        expires: new Date(Date.now() + challengeLifetimeMs),
      });
      return JSON.stringify(challenge);
    },
    async solved(request: FastifyRequest): Promise<boolean> {
      if (!settings) return true;
      const payload = fieldOf(request.body, captchaField);
      if (payload === "" || payload.length > 2_000) return false;
      const parts = signatureAndExpiry(payload);
      if (!parts) return false;
      const right = await verifySolution(payload, hmacKey, true).catch(() => false);
      return right && used.take(parts.signature, parts.expiresAt);
    },
  } satisfies Captcha);
}

export const captcha = fp(captchaPlugin, { name: "captcha" });
