/**
 * What the user pool offers at sign-in (MFA mode and factors, an emailed code instead of a
 * password), read from Cognito (GetUserPoolMfaConfig, DescribeUserPool) and kept a minute, so
 * the pages follow the pool's configuration — the seed file locally, the CDK stack on AWS —
 * without settings of their own. When Cognito cannot be asked, the last answer stands; with
 * none yet, nothing beyond the password is offered.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { PoolSignInOptions } from "./cognito.ts";

const freshForMs = 60_000;
const passwordOnly: PoolSignInOptions = { mfa: "OFF", factors: [], emailCodeSignIn: false };

declare module "fastify" {
  interface FastifyInstance {
    /** The pool's sign-in options, at most a minute old. */
    poolSignInOptions(): Promise<PoolSignInOptions>;
  }
}

async function poolOptionsPlugin(app: FastifyInstance): Promise<void> {
  let known: { options: PoolSignInOptions; at: number } | null = null;
  let asking: Promise<PoolSignInOptions> | null = null;

  const ask = async (): Promise<PoolSignInOptions> => {
    try {
      const options = await app.cognitoGateway.poolSignInOptions();
      known = { options, at: Date.now() };
      return options;
    } catch (error) {
      app.log.warn({ err: error }, "could not read the user pool's sign-in options");
      return known?.options ?? passwordOnly;
    } finally {
      asking = null;
    }
  };

  app.decorate("poolSignInOptions", async (): Promise<PoolSignInOptions> => {
    if (known && Date.now() - known.at < freshForMs) return known.options;
    // One question at a time, however many requests want the answer.
    asking ??= ask();
    return asking;
  });
}

export const poolOptions = fp(poolOptionsPlugin, { name: "pool-options" });
