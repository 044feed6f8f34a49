/**
 * `POST /logout`: the refresh token is revoked at Cognito (RevokeToken, which also ends the
 * access and ID tokens issued with it), then the server-side session is destroyed. A GET never
 * signs anyone out, so a link or an image on another site cannot.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html
 */
import type { FastifyInstance } from "fastify";
import { endSession, flash, tokensOf } from "../session-auth.ts";
import { isHostedFormTarget } from "./hosted-sign-in.ts";

export default async function logoutRoutes(app: FastifyInstance): Promise<void> {
  app.post("/logout", { preHandler: app.csrfProtection }, async (request, reply) => {
    const tokens = tokensOf(request);
    if (tokens) {
      try {
        await app.cognitoGateway.revokeRefreshToken(tokens.refreshToken);
      } catch (error) {
        // The session ends regardless: the person asked to leave, and the tokens die with it here.
        request.log.warn({ err: error }, "could not revoke the refresh token at sign-out");
      }
    }
    // A session begun at the hosted sign-in ends that one too, or the next one would skip the form.
    const hosted = request.session.get("hostedSignIn") === true;
    await endSession(request);
    flash(request, "success", "SIGNED_OUT");
    const hostedLogout = hosted && app.hostedLogoutUrl ? await app.hostedLogoutUrl() : null;
    if (hostedLogout !== null && !isHostedFormTarget(app.config, hostedLogout)) {
      // The site's CSP would stop the browser at this redirect (a custom domain): sign-out here
      // still ends, the hosted session lasts its hour.
      request.log.warn({ hostedLogout }, "the hosted sign-out is not on a domain the site's CSP allows");
      return reply.redirect("/", 303);
    }
    return reply.redirect(hostedLogout ?? "/", 303);
  });
}
