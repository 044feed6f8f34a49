/**
 * The hosted UI's OAuth 2.0 / OpenID Connect flows, driven by `openid-client` (a maintained
 * relying-party library) as an application would: discovery, authorization code with PKCE,
 * refresh, userInfo, revocation, and the client_credentials grant of a machine client.
 */
import { GetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./harness.ts";
import {
  Browser,
  callback,
  password,
  signInThrough,
  startHostedFixture,
  type HostedFixture,
} from "./hosted-harness.ts";

let f: HostedFixture;
beforeAll(async () => {
  f = await startHostedFixture();
});
afterAll(async () => f.h.stop());

const insecure = { execute: [oidc.allowInsecureRequests] };
const publicClient = () => oidc.discovery(new URL(f.issuer), f.web.id, undefined, oidc.None(), insecure);
const confidentialClient = () =>
  oidc.discovery(
    new URL(f.issuer),
    f.confidential.id,
    undefined,
    oidc.ClientSecretBasic(f.confidential.secret),
    insecure,
  );

/** An authorization request with PKCE, state and nonce, and what the callback must be checked against. */
async function authorizationRequest(config: oidc.Configuration, scope: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callback,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url: url.toString(), checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

describe("OpenID discovery", () => {
  it("lists the domain's endpoints with the pool's issuer and JWKS, as openid-client discovers them", async () => {
    const config = await publicClient();
    const metadata = config.serverMetadata();
    expect(metadata).toMatchObject({
      issuer: f.issuer,
      authorization_endpoint: `${f.base}/oauth2/authorize`,
      token_endpoint: `${f.base}/oauth2/token`,
      userinfo_endpoint: `${f.base}/oauth2/userInfo`,
      revocation_endpoint: `${f.base}/oauth2/revoke`,
      end_session_endpoint: `${f.base}/logout`,
      jwks_uri: `${f.issuer}/.well-known/jwks.json`,
      response_types_supported: ["code", "token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
  });
});

describe("authorization code with PKCE", () => {
  it("signs in on the hosted page and exchanges the code for ID, access and refresh tokens", async () => {
    const config = await publicClient();
    const request = await authorizationRequest(config, "openid email profile aws.cognito.signin.user.admin");
    const browser = new Browser();
    const back = await signInThrough(browser, request.url, "alice", password);
    expect(back.status).toBe(302);
    expect(back.location?.startsWith(`${callback}?code=`)).toBe(true);
    // Cognito's codes look like UUIDs.
    expect(new URL(back.location!).searchParams.get("code")).toMatch(/^[0-9a-f-]{36}$/);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), request.checks);
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeTruthy();
    const id = tokens.claims();
    expect(id).toMatchObject({
      iss: f.issuer,
      aud: f.web.id,
      sub: f.userSub,
      token_use: "id",
      nonce: request.checks.expectedNonce,
      "cognito:username": "alice",
      email: "alice@example.com",
    });
    expect(id?.at_hash).toBeTruthy();
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({
      sub: f.userSub,
      client_id: f.web.id,
      token_use: "access",
      scope: "openid email profile aws.cognito.signin.user.admin",
      username: "alice",
      version: 2,
    });
    // With aws.cognito.signin.user.admin the access token works on Cognito's user API.
    const user = await f.h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token }));
    expect(user.Username).toBe("alice");
  });

  it("gives no ID token without openid, and an access token without the admin scope is refused by GetUser", async () => {
    const config = await publicClient();
    const request = await authorizationRequest(config, "gatehouse/users.read");
    const back = await signInThrough(new Browser(), request.url, "alice", password);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), {
      pkceCodeVerifier: request.checks.pkceCodeVerifier,
      expectedState: request.checks.expectedState,
    });
    expect(tokens.id_token).toBeUndefined();
    expect(decodeJwt(tokens.access_token).scope).toBe("gatehouse/users.read");
    const error = await errorOf(f.h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token })));
    expect(error).toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token does not have required scopes",
    });
  });

  it("grants the client's scopes when the request names none", async () => {
    const config = await publicClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    const back = await signInThrough(new Browser(), url.toString(), "alice", password);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier });
    expect(decodeJwt(tokens.access_token).scope).toBe(
      "openid email profile aws.cognito.signin.user.admin gatehouse/users.read",
    );
  });

  it("lets a second authorization skip the form while the hosted session lasts, and prompt=login ask again", async () => {
    const config = await publicClient();
    const browser = new Browser();
    const first = await authorizationRequest(config, "openid");
    await signInThrough(browser, first.url, "alice", password);
    expect(browser.cookies.has("cognito")).toBe(true);

    const second = await authorizationRequest(config, "openid");
    const direct = await browser.get(second.url);
    expect(direct.status).toBe(302);
    expect(direct.location?.startsWith(`${callback}?code=`)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(direct.location!), second.checks);
    expect(tokens.claims()?.sub).toBe(f.userSub);

    const forced = await authorizationRequest(config, "openid", { prompt: "login" });
    const again = await browser.get(forced.url);
    expect(again.location).toContain(`/${f.domain}/login?`);
  });

  it("works for a confidential client authenticating with HTTP Basic", async () => {
    const config = await confidentialClient();
    const request = await authorizationRequest(config, "openid email");
    const back = await signInThrough(new Browser(), request.url, "alice", password);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), request.checks);
    expect(tokens.claims()?.aud).toBe(f.confidential.id);
  });

  it("works for a confidential client sending its secret in the body (client_secret_post)", async () => {
    const config = await oidc.discovery(
      new URL(f.issuer),
      f.confidential.id,
      undefined,
      oidc.ClientSecretPost(f.confidential.secret),
      insecure,
    );
    const request = await authorizationRequest(config, "openid");
    const back = await signInThrough(new Browser(), request.url, "alice", password);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), request.checks);
    expect(tokens.access_token).toBeTruthy();
  });
});

describe("refresh, userInfo and revocation", () => {
  async function signedIn(scope = "openid email profile") {
    const config = await publicClient();
    const request = await authorizationRequest(config, scope);
    const back = await signInThrough(new Browser(), request.url, "alice", password);
    return { config, tokens: await oidc.authorizationCodeGrant(config, new URL(back.location!), request.checks) };
  }

  it("refreshes: new ID and access tokens with the same scopes and session, no new refresh token", async () => {
    const { config, tokens } = await signedIn();
    f.h.clock.advance(60_000);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeUndefined();
    const before = decodeJwt(tokens.access_token);
    const after = decodeJwt(refreshed.access_token);
    expect(after.scope).toBe("openid email profile");
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.iat).toBeGreaterThan(before.iat!);
    expect(refreshed.claims()?.sub).toBe(f.userSub);
  });

  it("answers userInfo with the user's attributes as strings and the username", async () => {
    const { config, tokens } = await signedIn();
    const info = await oidc.fetchUserInfo(config, tokens.access_token, f.userSub);
    expect(info).toMatchObject({
      sub: f.userSub,
      email: "alice@example.com",
      email_verified: "true",
      username: "alice",
    });
  });

  it("revokes a refresh token: it no longer refreshes and its access tokens stop working", async () => {
    const { config, tokens } = await signedIn("openid aws.cognito.signin.user.admin");
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    const refused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
    expect((refused as oidc.ResponseBodyError).error).toBe("invalid_grant");
    const error = await errorOf(f.h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token })));
    expect(error).toMatchObject({ name: "NotAuthorizedException", message: "Access Token has been revoked" });
  });
});

describe("implicit grant", () => {
  it("returns the tokens in the fragment with the state, and never a refresh token", async () => {
    const browser = new Browser();
    const url = `${f.base}/oauth2/authorize?${new URLSearchParams({
      response_type: "token",
      client_id: f.confidential.id,
      redirect_uri: callback,
      scope: "openid email",
      state: "st-123",
      nonce: "n-456",
    })}`;
    const back = await signInThrough(browser, url, "alice", password);
    expect(back.location?.startsWith(`${callback}#`)).toBe(true);
    const fragment = new URLSearchParams(back.location!.split("#")[1]);
    expect(fragment.get("state")).toBe("st-123");
    expect(fragment.get("token_type")).toBe("Bearer");
    expect(fragment.get("expires_in")).toBe("3600");
    expect(fragment.has("refresh_token")).toBe(false);
    expect(decodeJwt(fragment.get("id_token")!)).toMatchObject({ nonce: "n-456", aud: f.confidential.id });
    expect(decodeJwt(fragment.get("access_token")!).scope).toBe("openid email");
  });
});

describe("client_credentials", () => {
  const machine = () =>
    oidc.discovery(new URL(f.issuer), f.machine.id, undefined, oidc.ClientSecretBasic(f.machine.secret), insecure);

  it("gives a machine client an access token with the resource server's scope and no user", async () => {
    const tokens = await oidc.clientCredentialsGrant(await machine(), { scope: "gatehouse/users.read" });
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBe(3600);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      sub: f.machine.id,
      client_id: f.machine.id,
      token_use: "access",
      scope: "gatehouse/users.read",
      iss: f.issuer,
      version: 2,
    });
    expect(claims.username).toBeUndefined();
    // A token without a user cannot call Cognito's user API.
    expect((await errorOf(f.h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token })))).name).toBe(
      "NotAuthorizedException",
    );
  });

  it("grants every custom scope of the client when none is asked for", async () => {
    const tokens = await oidc.clientCredentialsGrant(await machine());
    expect(decodeJwt(tokens.access_token).scope).toBe("gatehouse/users.read gatehouse/users.write");
  });

  it("signs machine tokens with the pool's access-token key, found in the JWKS", async () => {
    const tokens = await oidc.clientCredentialsGrant(await machine());
    const { createRemoteJWKSet, jwtVerify } = await import("jose");
    const jwks = createRemoteJWKSet(new URL(`${f.issuer}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: f.issuer });
    expect(payload.client_id).toBe(f.machine.id);
  });
});
