/**
 * How the OAuth 2.0 endpoints fail. The token, revocation and userInfo endpoints answer with
 * RFC 6749's JSON `{"error": …}` (an `OAuthError`); the authorization endpoint and the hosted
 * pages either redirect the error to a validated redirect_uri (`RedirectError`) or, while there
 * is no redirect_uri to trust, show Cognito's error page (`PageError`).
 */

/** RFC 6749 §5.2 and RFC 7009 §2.2.1 error codes Cognito answers with. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_token_type"
  | "invalid_scope"
  | "invalid_token";

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly statusCode = 400,
    readonly description?: string,
  ) {
    super(description ?? code);
    this.name = "OAuthError";
  }
}

/** An authorization request that cannot go back to the client: shown on the error page. */
export class PageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = "PageError";
  }
}

/** Authorization-endpoint error codes (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizeErrorCode =
  | "invalid_request"
  | "unauthorized_client"
  | "unsupported_response_type"
  | "invalid_scope"
  | "server_error"
  | "login_required";

/** An error for a validated redirect_uri: sent there with `error=` and the request's state. */
export class RedirectError extends Error {
  constructor(
    readonly code: AuthorizeErrorCode,
    readonly redirectUri: string,
    readonly state: string | undefined,
    /** The implicit flow answers in the fragment, the code flow in the query (RFC 6749 §4.2.2.1). */
    readonly inFragment: boolean,
    readonly description?: string,
  ) {
    super(description ?? code);
    this.name = "RedirectError";
  }
}

/** The redirect_uri with OAuth response parameters added to its query or its fragment. */
export function withParameters(
  redirectUri: string,
  parameters: Record<string, string | undefined>,
  inFragment: boolean,
): string {
  const entries = Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const encoded = new URLSearchParams(entries).toString();
  if (inFragment) return `${redirectUri}#${encoded}`;
  return `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${encoded}`;
}
