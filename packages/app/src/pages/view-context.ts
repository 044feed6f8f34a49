/** Builds the layout's ViewContext from the request: who is signed in, CSRF token, flashes. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { ViewContext } from "./view.ts";

export function viewContextOf(request: FastifyRequest, reply: FastifyReply): ViewContext {
  const { config } = request.server;
  // An error page can be rendered before the session was loaded (e.g. a body too large).
  const session = request.session as FastifyRequest["session"] | undefined;
  // Flash messages are shown once: reading them empties the list.
  const flash = session?.get("flash") ?? [];
  if (session && flash.length > 0) session.set("flash", []);
  const user = request.user ?? null;
  // Drawn when a form reads it: the secret behind it is stored in the session, so a page
  // without a form stores nothing and writes no session row.
  let csrfToken: string | undefined;
  const drawCsrfToken = (): string => {
    if (csrfToken !== undefined) return csrfToken;
    try {
      csrfToken = session ? reply.generateCsrf() : "";
    } catch {
      csrfToken = "";
    }
    return csrfToken;
  };
  return {
    user: user && { username: user.username, email: user.email, isStaff: user.isStaff },
    get csrfToken() {
      return drawCsrfToken();
    },
    flash,
    allowSignup: config.allowSignup,
    devMode: config.mode === "development",
    path: request.url.split("?")[0] ?? "/",
  };
}

/** The context of a request the router refused before sessions ran: nobody signed in, no form. */
export function viewContextForBareRequest(config: Config, url: string): ViewContext {
  return {
    user: null,
    csrfToken: "",
    flash: [],
    allowSignup: config.allowSignup,
    devMode: config.mode === "development",
    path: url.split("?")[0] ?? "/",
  };
}
