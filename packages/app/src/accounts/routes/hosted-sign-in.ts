/**
 * "Continue with the hosted sign-in": Cognito's managed login (the emulator's locally), through
 * `openid-client` — OAuth 2.0 authorization code with PKCE (S256), `state` and `nonce` checked —
 * with the web client. The callback ends like a password sign-in (sign-in.ts): the same local
 * user, the same session. Signing out of such a session also ends the hosted one (Cognito's
 * `/logout` with the client's LogoutURL), so the next hosted sign-in asks again.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 *
 * Off unless HOSTED_UI is set. The pool's OpenID discovery document names the endpoints, so the
 * domain needs no setting of its own; the web client needs the code grant, the scopes below, and
 * `<PUBLIC_URL>/auth/callback` and `<PUBLIC_URL>/` among its CallbackURLs and LogoutURLs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import * as oidc from "openid-client";
import { cognitoIssuer, type CognitoSettings } from "../../config.ts";
import type { CognitoTokens } from "../../plugins/session-types.ts";
import { fieldOf } from "../forms.ts";
import { profileFromIdToken } from "../cognito.ts";
import { flash, safeNext } from "../session-auth.ts";
import { continueSignIn } from "../sign-in.ts";

/** `aws.cognito.signin.user.admin` lets the account page use the access token (GetUser and the rest). */
export const hostedScopes = "openid email profile aws.cognito.signin.user.admin";

export const callbackPath = "/auth/callback";

/** What `hostedFormTargets` reads of the configuration. */
export interface HostedFormSettings {
  readonly hostedUi: boolean;
  readonly cognito: Pick<CognitoSettings, "region" | "endpoint">;
}

/**
 * Where the site's forms may lead besides itself (CSP `form-action`): signing out of a hosted
 * session posts to /logout, which redirects to Cognito's `/logout`, and Chromium checks every
 * redirect after a form post against `form-action` (with `'self'` alone the browser stopped at
 * /logout). The emulator's pages are on its own origin; AWS's managed login on
 * `<prefix>.auth.<region>.amazoncognito.com`.
 */
export function hostedFormTargets(config: HostedFormSettings): string[] {
  if (!config.hostedUi) return [];
  if (config.cognito.endpoint !== null) return [new URL(config.cognito.endpoint).origin];
  return [`https://*.auth.${config.cognito.region}.amazoncognito.com`];
}

/** Whether `url` is one of `hostedFormTargets` (a custom domain is not: the CSP would refuse it). */
export function isHostedFormTarget(config: HostedFormSettings, url: string): boolean {
  const { origin, protocol, host } = new URL(url);
  return hostedFormTargets(config).some((target) =>
    target.includes("*.")
      ? protocol === "https:" && host.endsWith(target.slice(target.indexOf("*.") + 1)) && !host.includes(":")
      : origin === target,
  );
}

declare module "../../plugins/session-types.ts" {
  interface SessionData {
    /** A hosted sign-in on its way: what the callback must find again. */
    hostedPending?: {
      readonly verifier: string;
      readonly state: string;
      readonly nonce: string;
      readonly next: string;
    };
    /** This session began at the hosted sign-in: signing out ends that one too. */
    hostedSignIn?: true;
  }
}

async function hostedSignInRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app;
  if (!config.hostedUi) return;
  const issuer = new URL(cognitoIssuer(config.cognito));
  const redirectUri = new URL(callbackPath, config.publicUrl).href;
  const logoutUri = new URL("/", config.publicUrl).href;
  // The emulator speaks plain HTTP on loopback; AWS is HTTPS, and nothing else is allowed there.
  const insecure = config.cognito.endpoint !== null;

  let discovered: Promise<oidc.Configuration> | null = null;
  /** The pool's discovery document, read once (and again after a failure). */
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        issuer,
        config.cognito.clientId,
        config.cognito.clientSecret ?? undefined,
        config.cognito.clientSecret ? oidc.ClientSecretBasic(config.cognito.clientSecret) : oidc.None(),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      });
    return discovered;
  };

  const failed = (request: FastifyRequest, reply: FastifyReply, error: unknown, why: string) => {
    request.log.warn({ err: error }, `hosted sign-in: ${why}`);
    request.session.set("hostedPending", undefined);
    flash(request, "danger", "HOSTED_SIGN_IN_FAILED");
    return reply.redirect("/login", 303);
  };

  app.get("/auth/hosted", async (request, reply) => {
    const next = safeNext(fieldOf(request.query, "next"));
    if (request.user) return reply.redirect(next, 303);
    let server: oidc.Configuration;
    try {
      server = await configuration();
    } catch (error) {
      return failed(request, reply, error, "discovery failed");
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    request.session.set("hostedPending", { verifier, state, nonce, next });
    const url = oidc.buildAuthorizationUrl(server, {
      redirect_uri: redirectUri,
      scope: hostedScopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return reply.redirect(url.href, 303);
  });

  app.get(callbackPath, async (request, reply) => {
    const pending = request.session.get("hostedPending");
    if (!pending) return failed(request, reply, null, "a callback without a sign-in on its way");
    let tokens: CognitoTokens;
    try {
      const server = await configuration();
      const current = new URL(request.url, config.publicUrl);
      const answer = await oidc.authorizationCodeGrant(server, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      if (!answer.id_token || !answer.refresh_token)
        throw new Error("the token endpoint returned no ID or refresh token");
      tokens = {
        accessToken: answer.access_token,
        idToken: answer.id_token,
        refreshToken: answer.refresh_token,
        expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000,
      };
    } catch (error) {
      return failed(request, reply, error, "the callback was refused");
    }
    request.session.set("hostedPending", undefined);
    const login = profileFromIdToken(tokens.idToken).username;
    const step = await continueSignIn(request, { kind: "signed-in", tokens }, { login, next: pending.next });
    if (step.kind === "refused") {
      flash(request, "danger", step.code);
      return reply.redirect("/login", 303);
    }
    request.session.set("hostedSignIn", true);
    return reply.redirect(step.to, 303);
  });

  /** Where sign-out sends a hosted session: Cognito's `/logout`, then back to the home page. */
  app.decorate("hostedLogoutUrl", async (): Promise<string | null> => {
    try {
      const server = await configuration();
      const authorize = server.serverMetadata().authorization_endpoint;
      if (!authorize) return null;
      const url = new URL(authorize.replace(/\/oauth2\/authorize$/, "/logout"));
      url.searchParams.set("client_id", config.cognito.clientId);
      url.searchParams.set("logout_uri", logoutUri);
      return url.href;
    } catch {
      return null;
    }
  });
}

declare module "fastify" {
  interface FastifyInstance {
    /** Cognito's logout address for this client, when the hosted sign-in is on and reachable. */
    hostedLogoutUrl?: () => Promise<string | null>;
  }
}

// A plugin without encapsulation, so that sign-out (logout.ts) sees `hostedLogoutUrl`.
export default fp(hostedSignInRoutes, { name: "hosted-sign-in" });
