/**
 * The hosted UI and OAuth 2.0 endpoints of every user-pool domain, served locally under the
 * domain as a path prefix: a pool with domain `my-app` answers at `<emulator>/my-app/login`,
 * `<emulator>/my-app/oauth2/token` and so on — where AWS would answer at
 * `https://my-app.auth.<region>.amazoncognito.com/login`. The paths after the prefix and their
 * parameters are AWS's:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-userpools-server-contract-reference.html
 *
 * Sign-in, sign-up, confirmation, password reset and MFA run through the emulator's own
 * operations (passwordSignIn, RespondToAuthChallenge, SignUp, …), so the pages answer with the
 * same rules and messages as the API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.ts";
import { CognitoError, type CognitoExceptionName } from "../errors.ts";
import type { Client, Pool, User } from "../model.ts";
import { findUser } from "../operations/common.ts";
import type { OperationTable } from "../operations/operation.ts";
import { codeParameter } from "../mfa.ts";
import { passwordSignIn, userForSignIn, type AuthResponse } from "../signin.ts";
import { authenticateAccessToken, hashRefreshToken, userAdminScope } from "../tokens.ts";
import { createHmac } from "node:crypto";
import { parseAuthorizeRequest, requestedClient, type AuthorizeRequest } from "./authorize.ts";
import {
  assertSameOriginForm,
  csrfToken,
  endHostedSession,
  hostedSessionUser,
  noteSignUp,
  startHostedSession,
  takeSignUpNote,
} from "./browser.ts";
import { OAuthError, PageError, RedirectError, withParameters } from "./errors.ts";
import { authenticateClient, issueCode, openOAuthSession, tokenEndpoint } from "./grants.ts";
import {
  ConfirmForgotPasswordPage,
  ConfirmUserPage,
  ForgotPasswordPage,
  LoginPage,
  MfaCodePage,
  MfaSetupPage,
  NewPasswordPage,
  SelectMfaPage,
  SignUpPage,
  errorPage,
  page,
  type ChallengeFields,
  type Notice,
  type PageFrame,
} from "./pages.tsx";
import { bootstrapStylesheet, hostedStylesheet } from "./style.ts";

/** A request's domain: the pool it belongs to and the path its pages live under. */
interface Site {
  readonly domain: string;
  readonly pool: Pool;
  /** `/<domain>`: host-relative base of links, forms and cookies. */
  readonly path: string;
}

class UnknownDomain extends Error {}

/** The OAuth endpoints of a domain reached at `origin`, as the discovery document lists them. */
export function hostedEndpoints(origin: string, domain: string): Record<string, string> {
  const base = `${origin}/${domain}`;
  return {
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/logout`,
  };
}

/**
 * Where a page's forms may lead: its own origin, and the client's callback (validated against
 * its CallbackURLs before any page is drawn). Chromium applies `form-action` to every redirect
 * that follows a form post, so with `'self'` alone the 302 to the callback after signing in or
 * confirming a sign-up was blocked and the person stayed on the page.
 */
export function formActionSources(redirectUri: string | null): string {
  if (redirectUri === null) return "'self'";
  const url = new URL(redirectUri);
  // An app's own scheme (myapp://callback) is allowed as a scheme source; its origin is "null".
  const target = url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
  return `'self' ${target}`;
}

const pageHeaders = (redirectUri: string | null) => ({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formActionSources(redirectUri)}; frame-ancestors 'none'; base-uri 'none'`,
});

const jsonHeaders = {
  "content-type": "application/json;charset=UTF-8",
  "cache-control": "no-store",
  pragma: "no-cache",
};

const queryOf = (request: FastifyRequest): URLSearchParams => new URLSearchParams(request.url.split("?")[1] ?? "");

/** The body of a form post; anything but a form is refused. */
function formOf(request: FastifyRequest): URLSearchParams {
  const type = request.headers["content-type"] ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) throw new OAuthError("invalid_request");
  return new URLSearchParams(typeof request.body === "string" ? request.body : "");
}

/** The SECRET_HASH a secret client's calls need: the hosted UI knows the secret. */
const secretHashOf = (client: Client, username: string): Record<string, string> =>
  client.secret === null
    ? {}
    : {
        SecretHash: createHmac("sha256", client.secret)
          .update(username + client.id)
          .digest("base64"),
      };

const field = (form: URLSearchParams, name: string): string => (form.get(name) ?? "").trim();

/** The password policy in one sentence, for the forms that set a password. */
function passwordHelp(pool: Pool): string {
  const p = pool.config.Policies.PasswordPolicy;
  const needs = [
    p.RequireUppercase && "an upper-case letter",
    p.RequireLowercase && "a lower-case letter",
    p.RequireNumbers && "a number",
    p.RequireSymbols && "a symbol",
  ].filter(Boolean);
  return `At least ${p.MinimumLength} characters${needs.length ? `, with ${needs.join(", ")}` : ""}.`;
}

const danger = (text: string): Notice => ({ kind: "danger", text });

export function hostedRoutes(ctx: Context, operations: OperationTable) {
  /** Calls one of the emulator's operations as a client of the hosted UI would. */
  const call = async (name: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const operation = operations[name];
    if (!operation) throw new Error(`operation ${name} missing`);
    return (await operation.execute(ctx, body)) as Record<string, unknown>;
  };

  function siteOf(request: FastifyRequest): Site {
    const { domain } = request.params as { domain: string };
    const found = ctx.store.hosted.domain(domain);
    const pool = found && ctx.store.pools.get(found.poolId);
    if (!pool) throw new UnknownDomain();
    return { domain, pool, path: `/${domain}` };
  }

  /** The callback of the authorization request each page answers, for its `form-action`. */
  const callbacks = new WeakMap<FastifyReply, string>();

  function frameOf(request: FastifyRequest, reply: FastifyReply, site: Site, auth: AuthorizeRequest): PageFrame {
    callbacks.set(reply, auth.redirectUri);
    return {
      base: site.path,
      appName: auth.client.name,
      csrf: csrfToken(request, reply, site.path),
      query: auth.query,
    };
  }

  const sendPage = (reply: FastifyReply, html: string, status = 200) =>
    reply
      .code(status)
      .headers(pageHeaders(callbacks.get(reply) ?? null))
      .send(html);

  /** Sends the browser back to the client with a code, or tokens in the fragment. */
  async function complete(reply: FastifyReply, auth: AuthorizeRequest, user: User, authTime: number) {
    if (auth.responseType === "code") {
      const code = issueCode(ctx, auth, user, authTime);
      return reply.redirect(withParameters(auth.redirectUri, { code, state: auth.state }, false), 302);
    }
    const tokens = await openOAuthSession(
      ctx,
      { pool: auth.pool, client: auth.client, scope: auth.scopes.join(" "), nonce: auth.nonce ?? null, authTime },
      user,
      false,
    );
    return reply.redirect(
      withParameters(
        auth.redirectUri,
        {
          id_token: tokens.id_token,
          access_token: tokens.access_token,
          token_type: tokens.token_type,
          expires_in: String(tokens.expires_in),
          state: auth.state,
        },
        true,
      ),
      302,
    );
  }

  /** A proven user: the hosted session starts, and the authorization request is answered. */
  async function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    site: Site,
    auth: AuthorizeRequest,
    user: User,
  ) {
    const authTime = startHostedSession(ctx, request, reply, site.path, user);
    return complete(reply, auth, user, authTime);
  }

  /** The session a sign-in through the API opened is not the OAuth one: it is revoked at once. */
  function discardApiSession(result: AuthResponse): void {
    const token = result.AuthenticationResult?.AccessToken;
    const payload = token?.split(".")[1];
    if (!payload) return;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { origin_jti?: unknown };
    if (typeof claims.origin_jti === "string") ctx.store.sessions.revoke(claims.origin_jti);
  }

  /** After a password or a challenge answer: signed in, or the page of the next challenge. */
  async function afterAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    site: Site,
    auth: AuthorizeRequest,
    user: User,
    result: AuthResponse,
  ) {
    if (result.AuthenticationResult) {
      discardApiSession(result);
      const current = ctx.store.users.get(user.poolId, user.usernameKey) ?? user;
      return signedIn(request, reply, site, auth, current);
    }
    const frame = frameOf(request, reply, site, auth);
    const challenge: ChallengeFields = {
      session: result.Session ?? "",
      username: user.username,
      challenge: result.ChallengeName ?? "",
      destination: result.ChallengeParameters.CODE_DELIVERY_DESTINATION,
    };
    switch (result.ChallengeName) {
      case "SOFTWARE_TOKEN_MFA":
      case "EMAIL_OTP":
      case "SMS_MFA":
        return sendPage(
          reply,
          page(MfaCodePage({ frame, challenge, destination: challenge.destination, notice: null })),
        );
      case "SELECT_MFA_TYPE": {
        const factors = JSON.parse(result.ChallengeParameters.MFAS_CAN_CHOOSE ?? "[]") as string[];
        return sendPage(reply, page(SelectMfaPage({ frame, challenge, factors, notice: null })));
      }
      case "MFA_SETUP": {
        const canSetUp = JSON.parse(result.ChallengeParameters.MFAS_CAN_SETUP ?? "[]") as string[];
        if (!canSetUp.includes("SOFTWARE_TOKEN_MFA")) {
          throw new PageError(
            "mfa_setup_unavailable",
            "This account must set up a second factor that the hosted pages cannot set up (only an authenticator app can be added here).",
          );
        }
        const associated = await call("AssociateSoftwareToken", { Session: challenge.session });
        return sendPage(
          reply,
          setupPage(
            frame,
            { ...challenge, session: String(associated.Session) },
            String(associated.SecretCode),
            site,
            null,
          ),
        );
      }
      case "NEW_PASSWORD_REQUIRED":
        return sendPage(
          reply,
          page(NewPasswordPage({ frame, challenge, notice: null, passwordHelp: passwordHelp(site.pool) })),
        );
      default:
        throw new PageError(
          "unsupported_challenge",
          `The sign-in asked for ${result.ChallengeName ?? "a step"} the hosted pages do not offer.`,
        );
    }
  }

  const setupPage = (
    frame: PageFrame,
    challenge: ChallengeFields,
    secret: string,
    site: Site,
    notice: Notice,
  ): string => {
    const label = encodeURIComponent(`${site.pool.name}:${challenge.username}`);
    const otpauth = `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(site.pool.name)}`;
    return page(MfaSetupPage({ frame, challenge, secret, otpauth, notice }));
  };

  const respond = async (
    auth: AuthorizeRequest,
    name: string,
    session: string,
    username: string,
    responses: Record<string, string>,
  ): Promise<AuthResponse> => {
    const result = await call("RespondToAuthChallenge", {
      ClientId: auth.client.id,
      ChallengeName: name,
      Session: session,
      ChallengeResponses: {
        USERNAME: username,
        ...responses,
        ...(auth.client.secret === null ? {} : { SECRET_HASH: secretHashOf(auth.client, username).SecretHash }),
      },
    });
    return result as unknown as AuthResponse;
  };

  /** A POST of one of the pages: the form, checked, and the authorization request of its URL. */
  function postOf(request: FastifyRequest, reply: FastifyReply) {
    const site = siteOf(request);
    const form = formOf(request);
    assertSameOriginForm(request, form);
    const auth = parseAuthorizeRequest(ctx, site.pool, queryOf(request));
    return { site, form, auth, frame: frameOf(request, reply, site, auth) };
  }

  function getOf(request: FastifyRequest, reply: FastifyReply) {
    const site = siteOf(request);
    const query = queryOf(request);
    const auth = parseAuthorizeRequest(ctx, site.pool, query);
    return { site, query, auth, frame: frameOf(request, reply, site, auth) };
  }

  const canSignUp = (pool: Pool) => !pool.config.AdminCreateUserConfig.AllowAdminCreateUserOnly;

  /** A challenge that can no longer be answered (expired, used): back to the sign-in form. */
  const expired = (reply: FastifyReply, frame: PageFrame, site: Site, error: CognitoError, user: User) =>
    sendPage(
      reply,
      page(
        LoginPage({
          frame,
          notice: danger(`${error.message} Sign in again.`),
          canSignUp: canSignUp(site.pool),
          username: user.username,
        }),
      ),
      400,
    );

  /** The pending challenge a challenge form posts back, and the user it is for. */
  function challengeOf(site: Site, form: URLSearchParams, name?: string): { challenge: ChallengeFields; user: User } {
    const challenge: ChallengeFields = {
      session: field(form, "session"),
      username: field(form, "username"),
      challenge: name ?? field(form, "challenge"),
      destination: field(form, "destination") || undefined,
    };
    const user = findUser(ctx, site.pool, challenge.username);
    if (!user) throw new PageError("invalid_request", "The sign-in is not known. Start again.");
    return { challenge, user };
  }

  const isError = (error: unknown, ...names: CognitoExceptionName[]): error is CognitoError =>
    error instanceof CognitoError && names.includes(error.type);

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(async (error: unknown, request, reply) => {
      if (error instanceof UnknownDomain) {
        return reply.code(404).send({ message: `No route for ${request.method} ${request.url.split("?")[0] ?? ""}` });
      }
      if (error instanceof OAuthError) {
        return reply
          .code(error.statusCode)
          .headers(jsonHeaders)
          .send(JSON.stringify({ error: error.code }));
      }
      if (error instanceof RedirectError) {
        const parameters = { error: error.code, error_description: error.description, state: error.state };
        return reply.redirect(withParameters(error.redirectUri, parameters, error.inFragment), 302);
      }
      const appName = (() => {
        try {
          return siteOf(request).pool.name;
        } catch {
          return "Sign in";
        }
      })();
      if (error instanceof PageError)
        return sendPage(reply, errorPage(appName, error.code, error.message), error.statusCode);
      if (error instanceof CognitoError && error.statusCode < 500) {
        return sendPage(reply, errorPage(appName, error.type, error.message), 400);
      }
      // Fastify's own refusals (a body too large, a malformed request) keep their status.
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === "number" && status >= 400 && status < 500) {
        return sendPage(reply, errorPage(appName, "invalid_request", "The request could not be read."), status);
      }
      console.error(error);
      return sendPage(reply, errorPage(appName, "server_error", "Something went wrong on our side. Try again."), 500);
    });

    app.get("/_hosted/bootstrap.min.css", async (_request, reply) =>
      reply
        .header("content-type", "text/css; charset=utf-8")
        .header("cache-control", "public, max-age=86400")
        .send(bootstrapStylesheet()),
    );
    app.get("/_hosted/hosted.css", async (_request, reply) =>
      reply
        .header("content-type", "text/css; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .send(hostedStylesheet),
    );

    app.get("/:domain/oauth2/authorize", async (request, reply) => {
      const site = siteOf(request);
      const auth = parseAuthorizeRequest(ctx, site.pool, queryOf(request));
      const session = auth.prompt === "login" ? null : hostedSessionUser(ctx, request, site.pool);
      if (session) return complete(reply, auth, session.user, session.authTime);
      if (auth.prompt === "none") {
        throw new RedirectError("login_required", auth.redirectUri, auth.state, auth.responseType === "token");
      }
      return reply.redirect(`${site.path}/login?${auth.query}`, 302);
    });

    app.get("/:domain/login", async (request, reply) => {
      const { site, frame, query } = getOf(request, reply);
      return sendPage(
        reply,
        page(
          LoginPage({
            frame,
            notice: null,
            canSignUp: canSignUp(site.pool),
            username: query.get("username") ?? undefined,
          }),
        ),
      );
    });

    app.post("/:domain/login", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const username = field(form, "username");
      const password = form.get("password") ?? "";
      const again = (notice: Notice) =>
        sendPage(reply, page(LoginPage({ frame, notice, canSignUp: canSignUp(site.pool), username })), 400);
      if (username === "" || password === "") return again(danger("Enter your username and password."));
      let user: User;
      let result: AuthResponse;
      try {
        user = userForSignIn(ctx, site.pool, auth.client, username);
        result = await passwordSignIn(ctx, site.pool, auth.client, user, password);
      } catch (error) {
        if (isError(error, "UserNotConfirmedException")) {
          const found = findUser(ctx, site.pool, username);
          const name = found?.username ?? username;
          const sent = await call("ResendConfirmationCode", {
            ClientId: auth.client.id,
            Username: name,
            ...secretHashOf(auth.client, name),
          }).catch((): Record<string, unknown> => ({}));
          const destination = (sent.CodeDeliveryDetails as { Destination?: string } | undefined)?.Destination;
          return reply.redirect(
            `${site.path}/confirmUser?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(auth.query)), username: name, ...(destination ? { destination } : {}) })}`,
            302,
          );
        }
        if (isError(error, "PasswordResetRequiredException")) {
          return sendPage(
            reply,
            page(
              ForgotPasswordPage({
                frame,
                username,
                notice: { kind: "info", text: "Your password has to be reset. We can send you a code." },
              }),
            ),
            400,
          );
        }
        if (error instanceof CognitoError && error.statusCode < 500) return again(danger(error.message));
        throw error;
      }
      return afterAnswer(request, reply, site, auth, user, result);
    });

    app.post("/:domain/mfa", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const { challenge, user } = challengeOf(site, form);
      try {
        if (challenge.challenge === "SELECT_MFA_TYPE") {
          const result = await respond(auth, "SELECT_MFA_TYPE", challenge.session, user.username, {
            ANSWER: field(form, "factor"),
          });
          return afterAnswer(request, reply, site, auth, user, result);
        }
        if (
          challenge.challenge !== "SOFTWARE_TOKEN_MFA" &&
          challenge.challenge !== "EMAIL_OTP" &&
          challenge.challenge !== "SMS_MFA"
        ) {
          throw new PageError("invalid_request", "The sign-in step is not known. Start again.");
        }
        const result = await respond(auth, challenge.challenge, challenge.session, user.username, {
          [codeParameter[challenge.challenge]]: field(form, "code"),
        });
        return afterAnswer(request, reply, site, auth, user, result);
      } catch (error) {
        // ExpiredCodeException: an authenticator code already used once; the user waits for the next.
        if (isError(error, "CodeMismatchException", "ExpiredCodeException", "InvalidParameterException")) {
          return sendPage(
            reply,
            page(MfaCodePage({ frame, challenge, destination: challenge.destination, notice: danger(error.message) })),
            400,
          );
        }
        if (isError(error, "NotAuthorizedException")) {
          return expired(reply, frame, site, error, user);
        }
        throw error;
      }
    });

    app.post("/:domain/mfaSetup", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const { challenge, user } = challengeOf(site, form, "MFA_SETUP");
      const secret = field(form, "secret");

      try {
        const verified = await call("VerifySoftwareToken", {
          Session: challenge.session,
          UserCode: field(form, "code"),
          FriendlyDeviceName: "Authenticator",
        });
        const result = await respond(auth, "MFA_SETUP", String(verified.Session), user.username, {});
        return afterAnswer(request, reply, site, auth, user, result);
      } catch (error) {
        if (isError(error, "EnableSoftwareTokenMFAException", "CodeMismatchException", "InvalidParameterException")) {
          return sendPage(reply, setupPage(frame, challenge, secret, site, danger(error.message)), 400);
        }
        if (isError(error, "NotAuthorizedException")) {
          return expired(reply, frame, site, error, user);
        }
        throw error;
      }
    });

    app.post("/:domain/newPassword", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const { challenge, user } = challengeOf(site, form, "NEW_PASSWORD_REQUIRED");

      const again = (text: string) =>
        sendPage(
          reply,
          page(NewPasswordPage({ frame, challenge, notice: danger(text), passwordHelp: passwordHelp(site.pool) })),
          400,
        );
      const password = form.get("password") ?? "";
      if (password !== (form.get("confirm") ?? "")) return again("The two passwords are not the same.");
      try {
        const result = await respond(auth, "NEW_PASSWORD_REQUIRED", challenge.session, user.username, {
          NEW_PASSWORD: password,
        });
        return afterAnswer(request, reply, site, auth, user, result);
      } catch (error) {
        if (isError(error, "InvalidPasswordException", "InvalidParameterException")) return again(error.message);
        if (isError(error, "NotAuthorizedException")) {
          return expired(reply, frame, site, error, user);
        }
        throw error;
      }
    });

    const usernameIsEmail = (pool: Pool) => (pool.config.UsernameAttributes ?? []).includes("email");
    const asksEmail = (pool: Pool) =>
      !usernameIsEmail(pool) &&
      (pool.config.SchemaAttributes.some((a) => a.Name === "email" && a.Required) ||
        (pool.config.AutoVerifiedAttributes ?? []).includes("email"));
    const signUpPage = (frame: PageFrame, pool: Pool, notice: Notice, values: { username?: string; email?: string }) =>
      page(
        SignUpPage({
          frame,
          notice,
          usernameIsEmail: usernameIsEmail(pool),
          askEmail: asksEmail(pool),
          values,
          passwordHelp: passwordHelp(pool),
        }),
      );

    app.get("/:domain/signup", async (request, reply) => {
      const { site, frame } = getOf(request, reply);
      if (!canSignUp(site.pool))
        throw new PageError("signup_disabled", "Accounts for this application are created by an administrator.", 403);
      return sendPage(reply, signUpPage(frame, site.pool, null, {}));
    });

    /** The confirmation page's URL for `username`, with where the code went. */
    const confirmUrl = (site: Site, auth: AuthorizeRequest, path: string, username: string, destination?: string) =>
      `${site.path}${path}?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(auth.query)), username, ...(destination ? { destination } : {}) })}`;

    app.post("/:domain/signup", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      if (!canSignUp(site.pool))
        throw new PageError("signup_disabled", "Accounts for this application are created by an administrator.", 403);
      const values = { username: field(form, "username"), email: field(form, "email") };
      const attributes = [
        ...(usernameIsEmail(site.pool) ? [{ Name: "email", Value: values.username }] : []),
        ...(asksEmail(site.pool) && values.email ? [{ Name: "email", Value: values.email }] : []),
      ];
      let result: Record<string, unknown>;
      try {
        result = await call("SignUp", {
          ClientId: auth.client.id,
          Username: values.username,
          Password: form.get("password") ?? "",
          UserAttributes: attributes,
          ...secretHashOf(auth.client, values.username),
        });
      } catch (error) {
        if (error instanceof CognitoError && error.statusCode < 500) {
          return sendPage(reply, signUpPage(frame, site.pool, danger(error.message), values), 400);
        }
        throw error;
      }
      const user = findUser(ctx, site.pool, values.username);
      if (user) noteSignUp(ctx, request, reply, site.path, user);
      const destination = (result.CodeDeliveryDetails as { Destination?: string } | undefined)?.Destination;
      return reply.redirect(
        confirmUrl(site, auth, "/confirmUser", user?.username ?? values.username, destination),
        302,
      );
    });

    app.get("/:domain/confirmUser", async (request, reply) => {
      const { frame, query } = getOf(request, reply);
      const username = query.get("username") ?? "";
      return sendPage(
        reply,
        page(ConfirmUserPage({ frame, username, destination: query.get("destination") ?? undefined, notice: null })),
      );
    });

    app.post("/:domain/confirmUser", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const username = field(form, "username");
      try {
        await call("ConfirmSignUp", {
          ClientId: auth.client.id,
          Username: username,
          ConfirmationCode: field(form, "code"),
          ...secretHashOf(auth.client, username),
        });
      } catch (error) {
        if (error instanceof CognitoError && error.statusCode < 500) {
          return sendPage(reply, page(ConfirmUserPage({ frame, username, notice: danger(error.message) })), 400);
        }
        throw error;
      }
      const user = findUser(ctx, site.pool, username);
      // The browser that chose the password signs in at once, as Cognito's hosted UI does.
      if (user && user.enabled && takeSignUpNote(ctx, request, reply, site.path, user)) {
        return signedIn(request, reply, site, auth, user);
      }
      return sendPage(
        reply,
        page(
          LoginPage({
            frame,
            notice: { kind: "success", text: "Your account is confirmed. Sign in to go on." },
            canSignUp: canSignUp(site.pool),
            username,
          }),
        ),
      );
    });

    app.post("/:domain/resendCode", async (request, reply) => {
      const { form, auth, frame } = postOf(request, reply);
      const username = field(form, "username");
      try {
        const sent = await call("ResendConfirmationCode", {
          ClientId: auth.client.id,
          Username: username,
          ...secretHashOf(auth.client, username),
        });
        const destination = (sent.CodeDeliveryDetails as { Destination?: string } | undefined)?.Destination;
        return sendPage(
          reply,
          page(
            ConfirmUserPage({
              frame,
              username,
              destination,
              notice: { kind: "info", text: "We sent you a new code." },
            }),
          ),
        );
      } catch (error) {
        if (error instanceof CognitoError && error.statusCode < 500) {
          return sendPage(reply, page(ConfirmUserPage({ frame, username, notice: danger(error.message) })), 400);
        }
        throw error;
      }
    });

    app.get("/:domain/forgotPassword", async (request, reply) => {
      const { frame } = getOf(request, reply);
      return sendPage(reply, page(ForgotPasswordPage({ frame, notice: null })));
    });

    app.post("/:domain/forgotPassword", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const username = field(form, "username");
      try {
        const sent = await call("ForgotPassword", {
          ClientId: auth.client.id,
          Username: username,
          ...secretHashOf(auth.client, username),
        });
        const destination = (sent.CodeDeliveryDetails as { Destination?: string } | undefined)?.Destination;
        return reply.redirect(confirmUrl(site, auth, "/confirmForgotPassword", username, destination), 302);
      } catch (error) {
        if (error instanceof CognitoError && error.statusCode < 500) {
          return sendPage(reply, page(ForgotPasswordPage({ frame, username, notice: danger(error.message) })), 400);
        }
        throw error;
      }
    });

    app.get("/:domain/confirmForgotPassword", async (request, reply) => {
      const { site, frame, query } = getOf(request, reply);
      const username = query.get("username") ?? "";
      return sendPage(
        reply,
        page(
          ConfirmForgotPasswordPage({
            frame,
            username,
            destination: query.get("destination") ?? undefined,
            notice: null,
            passwordHelp: passwordHelp(site.pool),
          }),
        ),
      );
    });

    app.post("/:domain/confirmForgotPassword", async (request, reply) => {
      const { site, form, auth, frame } = postOf(request, reply);
      const username = field(form, "username");
      const again = (text: string) =>
        sendPage(
          reply,
          page(
            ConfirmForgotPasswordPage({ frame, username, notice: danger(text), passwordHelp: passwordHelp(site.pool) }),
          ),
          400,
        );
      const password = form.get("password") ?? "";
      if (password !== (form.get("confirm") ?? "")) return again("The two passwords are not the same.");
      try {
        await call("ConfirmForgotPassword", {
          ClientId: auth.client.id,
          Username: username,
          ConfirmationCode: field(form, "code"),
          Password: password,
          ...secretHashOf(auth.client, username),
        });
      } catch (error) {
        if (error instanceof CognitoError && error.statusCode < 500) return again(error.message);
        throw error;
      }
      return sendPage(
        reply,
        page(
          LoginPage({
            frame,
            notice: { kind: "success", text: "Your password has been changed. Sign in with the new one." },
            canSignUp: canSignUp(site.pool),
            username,
          }),
        ),
      );
    });

    app.get("/:domain/error", async (request, reply) => {
      const site = siteOf(request);
      const query = queryOf(request);
      return sendPage(
        reply,
        errorPage(
          site.pool.name,
          query.get("error") ?? "error",
          query.get("error_description") ?? "The request could not be completed.",
        ),
        400,
      );
    });

    app.get("/:domain/logout", async (request, reply) => {
      const site = siteOf(request);
      const query = queryOf(request);
      const client = requestedClient(ctx, site.pool, query.get("client_id") || undefined);
      const logoutUri = query.get("logout_uri");
      if (logoutUri) {
        if (!(client.config.LogoutURLs ?? []).includes(logoutUri)) {
          throw new PageError("redirect_mismatch", "The logout_uri is not one of the app client's sign-out URLs.");
        }
        endHostedSession(ctx, request, reply, site.path);
        return reply.redirect(logoutUri, 302);
      }
      if (query.get("redirect_uri")) {
        // Sign out, then sign in again (as someone else): the authorize parameters go to /login.
        const auth = parseAuthorizeRequest(ctx, site.pool, query);
        endHostedSession(ctx, request, reply, site.path);
        return reply.redirect(`${site.path}/login?${auth.query}`, 302);
      }
      throw new PageError("invalid_request", "Sign-out needs a logout_uri, or the parameters of a new sign-in.");
    });

    app.post("/:domain/oauth2/token", async (request, reply) => {
      const site = siteOf(request);
      const tokens = await tokenEndpoint(ctx, site.pool, request.headers.authorization, formOf(request));
      // Browser apps may call the token endpoint across origins (public clients with PKCE).
      return reply.headers(jsonHeaders).header("access-control-allow-origin", "*").send(JSON.stringify(tokens));
    });

    const userInfo = async (request: FastifyRequest, reply: FastifyReply) => {
      const site = siteOf(request);
      const header = request.headers.authorization ?? "";
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        return reply
          .code(400)
          .header(
            "www-authenticate",
            'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"',
          )
          .headers(jsonHeaders)
          .send(
            JSON.stringify({ error: "invalid_request", error_description: "Bad OAuth2 request at UserInfo Endpoint" }),
          );
      }
      const invalid = () =>
        reply
          .code(401)
          .header(
            "www-authenticate",
            'error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."',
          )
          .headers(jsonHeaders)
          .send(
            JSON.stringify({
              error: "invalid_token",
              error_description: "Access token is expired, disabled, or deleted, or the user has globally signed out.",
            }),
          );
      let caller;
      try {
        caller = await authenticateAccessToken(ctx, match[1], null);
      } catch (error) {
        if (error instanceof CognitoError) return invalid();
        throw error;
      }
      const scopes = caller.claims.scope.split(" ");
      if (caller.pool.id !== site.pool.id || !(scopes.includes("openid") || scopes.includes(userAdminScope)))
        return invalid();
      const client = ctx.store.clients.get(caller.claims.client_id);
      const readable = client?.config.ReadAttributes ?? [];
      const { sub, ...attributes } = caller.user.attributes;
      const shown = Object.fromEntries(
        Object.entries(attributes).filter(([name]) => readable.length === 0 || readable.includes(name)),
      );
      // userInfo gives every attribute as the string Cognito stores (email_verified is "true").
      return reply
        .headers(jsonHeaders)
        .send(JSON.stringify({ sub: sub ?? caller.user.sub, ...shown, username: caller.user.username }));
    };
    app.get("/:domain/oauth2/userInfo", userInfo);
    app.post("/:domain/oauth2/userInfo", userInfo);

    app.post("/:domain/oauth2/revoke", async (request, reply) => {
      const site = siteOf(request);
      const form = formOf(request);
      const client = authenticateClient(ctx, site.pool, request.headers.authorization, form, 401);
      const token = form.get("token");
      if (!token) throw new OAuthError("invalid_request");
      if (!client.config.EnableTokenRevocation) throw new OAuthError("invalid_request");
      if (token.split(".").length === 3) throw new OAuthError("unsupported_token_type");
      const session = ctx.store.sessions.findByRefreshTokenHash(hashRefreshToken(token));
      if (session && session.clientId === client.id) ctx.store.sessions.revoke(session.originJti);
      return reply.code(200).header("cache-control", "no-store").send("");
    });
  };
}
