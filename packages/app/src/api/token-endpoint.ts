/**
 * Where machine clients get their tokens, for the OpenAPI document's OAuth 2.0 clientCredentials
 * flow: the pool's token endpoint, read from its OpenID discovery document. Cognito lists the
 * endpoints of the pool's domain there (`https://<domain>.auth.<region>.amazoncognito.com/
 * oauth2/token`), and so does the emulator (`http://127.0.0.1:9229/<domain>/oauth2/token`), so
 * the domain needs no setting of its own.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 */
import { isTrustedJwksUrl } from "../config.ts";

/** A discovery document is a few hundred bytes; anything far larger is not one. */
const maxDocumentBytes = 64 * 1024;

/**
 * The `token_endpoint` of `<issuer>/.well-known/openid-configuration`. Plain http only where the
 * key set may be fetched over it (loopback, the emulator's host). Rejects when the document
 * cannot be read or names no usable endpoint (a pool without a domain has none).
 *
 * @example
 * await discoverTokenEndpoint("http://127.0.0.1:9229/us-east-1_GatehoUse", "http://127.0.0.1:9229");
 * // "http://127.0.0.1:9229/gatehouse-dev/oauth2/token"
 */
export async function discoverTokenEndpoint(
  issuer: string,
  endpoint: string | null,
  timeoutMs = 5000,
): Promise<string> {
  const url = new URL(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!isTrustedJwksUrl(url, endpoint)) throw new Error(`${url.href} must be https://`);
  const response = await fetch(url, {
    redirect: "error",
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url.href} answered ${response.status}`);
  }
  const text = await response.text();
  if (text.length > maxDocumentBytes) throw new Error(`${url.href} is too large`);
  const document: unknown = JSON.parse(text);
  const tokenEndpoint =
    typeof document === "object" && document !== null && "token_endpoint" in document
      ? document.token_endpoint
      : undefined;
  if (typeof tokenEndpoint !== "string") {
    throw new Error(`${url.href} names no token_endpoint (does the pool have a domain?)`);
  }
  if (!URL.canParse(tokenEndpoint) || !isTrustedJwksUrl(new URL(tokenEndpoint), endpoint)) {
    throw new Error(`token_endpoint ${tokenEndpoint.slice(0, 200)} is not an https:// URL`);
  }
  return tokenEndpoint;
}
