/**
 * An app client's OAuth 2.0 settings as Create/UpdateUserPoolClient check them, and what the
 * OAuth endpoints read from them.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html
 *
 * AWS's answers relied on, as reported against AWS:
 * - "client_credentials flow can not be selected along with code flow or implicit flow."
 *   and "…if client does not have a client secret." (InvalidOAuthFlowException);
 * - "CallbackUrls can not be empty when code flow or implicit flow is selected"
 *   (InvalidOAuthFlowException);
 * - a scope that is neither a standard one nor a resource server's: ScopeDoesNotExistException
 *   "Invalid scope requested: <scope>";
 * - redirect URIs are absolute, without a fragment, and HTTPS except for http://localhost (and,
 *   since 2025, the loopback literals 127.0.0.1 and [::1]); app schemes like myapp:// are
 *   allowed. The wording of those refusals, and of an unknown identity provider, is ours.
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter } from "../errors.ts";
import type { Client, Pool } from "../model.ts";
import { customScopesOf } from "../operations/resource-servers.ts";

/** The scopes Cognito itself defines (the authorization endpoint's "system-reserved scopes"). */
export const standardScopes: readonly string[] = [
  "openid",
  "email",
  "phone",
  "profile",
  "aws.cognito.signin.user.admin",
];

/** The scope of an access token that Cognito's own user operations (GetUser, …) accept. */
export const userAdminScope = "aws.cognito.signin.user.admin";

export interface OAuthSettings {
  readonly AllowedOAuthFlows?: readonly string[];
  readonly AllowedOAuthScopes?: readonly string[];
  readonly AllowedOAuthFlowsUserPoolClient?: boolean;
  readonly CallbackURLs?: readonly string[];
  readonly LogoutURLs?: readonly string[];
  readonly DefaultRedirectURI?: string;
  readonly SupportedIdentityProviders?: readonly string[];
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why `url` cannot be a redirect URI, or null when it can. */
export function redirectUriProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "it is not an absolute URI";
  }
  if (url.includes("#")) return "it has a fragment";
  if (parsed.protocol === "http:" && !loopbackHosts.has(parsed.hostname)) {
    return "HTTP is allowed only for localhost; use HTTPS";
  }
  return null;
}

function checkUrls(kind: string, urls: readonly string[] | undefined): void {
  for (const url of urls ?? []) {
    const problem = redirectUriProblem(url);
    if (problem) throw invalidParameter(`Invalid ${kind} ${url}: ${problem}.`);
  }
}

/** Refuses OAuth settings that Cognito refuses; called by Create/UpdateUserPoolClient. */
export function checkOAuthSettings(ctx: Context, pool: Pool, request: OAuthSettings, hasSecret: boolean): void {
  const flows = request.AllowedOAuthFlows ?? [];
  if (flows.includes("client_credentials")) {
    if (flows.includes("code") || flows.includes("implicit")) {
      throw new CognitoError(
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected along with code flow or implicit flow.",
      );
    }
    if (!hasSecret) {
      throw new CognitoError(
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
      );
    }
  }
  const scopes = request.AllowedOAuthScopes ?? [];
  if (scopes.length > 0) {
    const custom = customScopesOf(ctx, pool.id);
    const unknown = scopes.find((scope) => !standardScopes.includes(scope) && !custom.has(scope));
    if (unknown !== undefined) {
      throw new CognitoError("ScopeDoesNotExistException", `Invalid scope requested: ${unknown}`);
    }
  }
  if (
    request.AllowedOAuthFlowsUserPoolClient &&
    (flows.includes("code") || flows.includes("implicit")) &&
    (request.CallbackURLs ?? []).length === 0
  ) {
    throw new CognitoError(
      "InvalidOAuthFlowException",
      "CallbackUrls can not be empty when code flow or implicit flow is selected",
    );
  }
  checkUrls("callback URL", request.CallbackURLs);
  checkUrls("sign-out URL", request.LogoutURLs);
  for (const provider of request.SupportedIdentityProviders ?? []) {
    // The emulator has no federated identity providers: only the pool's own users.
    if (provider !== "COGNITO") {
      throw invalidParameter(`The provider ${provider} does not exist for User Pool ${pool.id}`);
    }
  }
}

/** Whether `client` may use OAuth `flow` ("code", "implicit" or "client_credentials"). */
export const allowsOAuthFlow = (client: Client, flow: string): boolean =>
  client.config.AllowedOAuthFlowsUserPoolClient && (client.config.AllowedOAuthFlows ?? []).includes(flow);
