/**
 * Methods that change nothing (RFC 9110 §9.2.1): no CSRF token or same-origin check is asked of
 * them, by the site's forms or by the API's session-authenticated calls.
 */
export const isSafeMethod = (method: string): boolean => method === "GET" || method === "HEAD" || method === "OPTIONS";
