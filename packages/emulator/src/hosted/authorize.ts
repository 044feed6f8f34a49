/**
 * The authorization request: the parameters of `/oauth2/authorize`, which every hosted page
 * (`/login`, `/signup`, …) carries along and checks the same way.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 *
 * Facts relied on (the endpoint's reference):
 * - until client_id and redirect_uri are known good nothing goes back to the client (an error
 *   page instead; a redirect_uri that is not one of the client's CallbackURLs is Cognito's
 *   `redirect_mismatch`);
 * - after that, errors go to the redirect_uri: `invalid_request` for a missing response_type or
 *   a code_challenge without code_challenge_method S256 (the only method supported),
 *   `unauthorized_client` for a flow the client may not use, `invalid_scope` for a scope the
 *   client does not have;
 * - without `scope` the client's scopes are granted; `phone`, `email` and `profile` need
 *   `openid`; an ID token is issued only with `openid`.
 */
import type { Context } from "../context.ts";
import type { Client, Pool } from "../model.ts";
import { allowsOAuthFlow } from "./client-settings.ts";
import { PageError, RedirectError, type AuthorizeErrorCode } from "./errors.ts";

export interface AuthorizeRequest {
  readonly pool: Pool;
  readonly client: Client;
  readonly redirectUri: string;
  readonly responseType: "code" | "token";
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly prompt?: string;
  /** The request's OAuth parameters, to be carried from page to page. */
  readonly query: string;
}

/** The parameters an authorization request is made of, in the order pages carry them. */
const carried = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "identity_provider",
  "lang",
] as const;

/** One parameter, or a PageError when it is given more than once (RFC 6749 §3.1). */
function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new PageError("invalid_request", `The parameter ${name} was given more than once.`);
  return values[0] === "" ? undefined : values[0];
}

/** The client a hosted request names, which must belong to the domain's pool. */
export function requestedClient(ctx: Context, pool: Pool, clientId: string | undefined): Client {
  if (clientId === undefined) throw new PageError("invalid_request", "The request has no client_id.");
  const client = ctx.store.clients.get(clientId);
  if (!client || client.poolId !== pool.id) throw new PageError("invalid_request", "The client_id is not valid.");
  return client;
}

/** The OAuth parameters of `params` alone, as a query string for the next page. */
export function carriedQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const name of carried) {
    const value = params.get(name);
    if (value !== null && value !== "") out.set(name, value);
  }
  return out.toString();
}

/**
 * Checks an authorization request; throws a PageError while the redirect_uri is not trusted,
 * then RedirectErrors. `params` may hold other members (a form's fields), which are ignored.
 */
export function parseAuthorizeRequest(ctx: Context, pool: Pool, params: URLSearchParams): AuthorizeRequest {
  const get = (name: string) => single(params, name);
  const client = requestedClient(ctx, pool, get("client_id"));
  const redirectUri = get("redirect_uri");
  if (redirectUri === undefined || !(client.config.CallbackURLs ?? []).includes(redirectUri)) {
    throw new PageError("redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.");
  }
  const responseType = get("response_type");
  const state = get("state");
  const fail: (code: AuthorizeErrorCode, description?: string) => never = (code, description) => {
    throw new RedirectError(code, redirectUri, state, responseType === "token", description);
  };
  if (responseType === undefined) fail("invalid_request", "response_type is required");
  if (responseType !== "code" && responseType !== "token") fail("unsupported_response_type");
  const flow = responseType === "code" ? "code" : "implicit";
  if (!allowsOAuthFlow(client, flow)) fail("unauthorized_client");
  if (!(client.config.SupportedIdentityProviders ?? []).includes("COGNITO")) fail("unauthorized_client");
  const provider = get("identity_provider");
  if (provider !== undefined && provider !== "COGNITO") fail("invalid_request", `No identity provider ${provider}`);

  const method = get("code_challenge_method");
  const challenge = get("code_challenge");
  if (method !== undefined && method !== "S256") fail("invalid_request", "code_challenge_method must be S256");
  if ((method === undefined) !== (challenge === undefined)) {
    fail("invalid_request", "code_challenge and code_challenge_method go together");
  }
  if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    fail("invalid_request", "code_challenge is not a base64url SHA-256");
  }

  const allowed = client.config.AllowedOAuthScopes ?? [];
  const requested = get("scope");
  const scopes = requested === undefined ? [...allowed] : [...new Set(requested.split(/[ +]+/).filter(Boolean))];
  if (scopes.length === 0 || scopes.some((scope) => !allowed.includes(scope))) fail("invalid_scope");
  if (!scopes.includes("openid") && scopes.some((s) => s === "email" || s === "phone" || s === "profile")) {
    fail("invalid_scope");
  }
  const prompt = get("prompt");
  return {
    pool,
    client,
    redirectUri,
    responseType: responseType === "token" ? "token" : "code",
    scopes,
    state,
    nonce: get("nonce"),
    codeChallenge: challenge,
    prompt,
    query: carriedQuery(params),
  };
}
