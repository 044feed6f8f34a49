/**
 * Every way the hosted endpoints refuse a request, as Cognito does: an error page while the
 * redirect_uri is not trusted, `error=` at the redirect_uri once it is, RFC 6749 JSON errors at
 * the token endpoint, RFC 7009's at the revocation endpoint, RFC 6750's at userInfo.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool } from "./harness.ts";
import {
  Browser,
  callback,
  password,
  signInThrough,
  signedOut,
  startHostedFixture,
  type HostedFixture,
} from "./hosted-harness.ts";

let f: HostedFixture;
beforeAll(async () => {
  f = await startHostedFixture("errors-app");
});
afterAll(async () => f.h.stop());

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";
const challenge = createHash("sha256").update(verifier).digest("base64url");

const authorize = (params: Record<string, string>) => `${f.base}/oauth2/authorize?${new URLSearchParams(params)}`;
const codeRequest = (extra: Record<string, string> = {}) =>
  authorize({
    response_type: "code",
    client_id: f.web.id,
    redirect_uri: callback,
    scope: "openid",
    state: "s1",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  });

/** A fresh code for the public client, from a real sign-in. */
async function freshCode(extra: Record<string, string> = {}): Promise<string> {
  const back = await signInThrough(new Browser(), codeRequest(extra), "alice", password);
  const code = new URL(back.location!).searchParams.get("code");
  if (!code) throw new Error(`no code in ${back.location}`);
  return code;
}

async function token(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${f.base}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    json: (await response.json()) as Record<string, unknown>,
  };
}

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
});

const redirectError = (location: string | null) => {
  const url = new URL(location ?? "about:blank");
  return {
    target: `${url.origin}${url.pathname}`,
    error: url.searchParams.get("error"),
    state: url.searchParams.get("state"),
  };
};

describe("authorization endpoint, before the redirect_uri is trusted: an error page", () => {
  it("answers 404 for a domain nobody has", async () => {
    const response = await fetch(`${f.h.emulator.url}/no-such-domain/oauth2/authorize?client_id=x`);
    expect(response.status).toBe(404);
  });

  it("shows an error page for a missing or unknown client_id, without redirecting", async () => {
    for (const params of <Record<string, string>[]>[
      { response_type: "code", redirect_uri: callback },
      { client_id: "unknownclient", redirect_uri: callback },
    ]) {
      const page = await new Browser().get(authorize(params));
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
      expect(page.html).toContain("invalid_request");
    }
  });

  it("shows redirect_mismatch for a redirect_uri that is not a callback URL of the client", async () => {
    const page = await new Browser().get(codeRequest({ redirect_uri: "https://evil.example/callback" }));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.html).toContain("redirect_mismatch");
    expect(page.html).toContain("An error was encountered with the requested page.");
  });

  it("refuses a client of another pool on this domain", async () => {
    const pool = await createPool(f.h);
    const stranger = await createClient(f.h, pool.Id!, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid"],
      CallbackURLs: [callback],
      SupportedIdentityProviders: ["COGNITO"],
    });
    const page = await new Browser().get(codeRequest({ client_id: stranger.ClientId! }));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });
});

describe("authorization endpoint, after: error= at the redirect_uri with the state", () => {
  it("sends invalid_request without response_type", async () => {
    const page = await new Browser().get(codeRequest({ response_type: "" }));
    expect(page.status).toBe(302);
    expect(redirectError(page.location)).toEqual({ target: callback, error: "invalid_request", state: "s1" });
  });

  it("sends unsupported_response_type for anything but code and token", async () => {
    const page = await new Browser().get(codeRequest({ response_type: "id_token" }));
    expect(redirectError(page.location).error).toBe("unsupported_response_type");
  });

  it("sends unauthorized_client for a flow the client does not have (implicit on a code-only client)", async () => {
    const page = await new Browser().get(codeRequest({ response_type: "token" }));
    expect(page.location?.startsWith(`${callback}#`)).toBe(true);
    expect(new URLSearchParams(page.location!.split("#")[1]).get("error")).toBe("unauthorized_client");
  });

  it("sends invalid_scope for a scope the client lacks, and for email without openid", async () => {
    for (const scope of ["openid phone", "gatehouse/users.write", "email"]) {
      const page = await new Browser().get(codeRequest({ scope }));
      expect(redirectError(page.location).error).toBe("invalid_scope");
    }
  });

  it("sends invalid_request for PKCE other than S256, or half of it", async () => {
    for (const extra of <Record<string, string>[]>[
      { code_challenge_method: "plain" },
      { code_challenge_method: "" },
      { code_challenge: "" },
      { code_challenge: "too-short" },
    ]) {
      const page = await new Browser().get(codeRequest(extra));
      expect(redirectError(page.location).error).toBe("invalid_request");
    }
  });

  it("sends invalid_request for an identity provider the pool does not have", async () => {
    const page = await new Browser().get(codeRequest({ identity_provider: "Google" }));
    expect(redirectError(page.location).error).toBe("invalid_request");
  });

  it("sends login_required for prompt=none without a hosted session", async () => {
    const page = await new Browser().get(codeRequest({ prompt: "none" }));
    expect(redirectError(page.location)).toEqual({ target: callback, error: "login_required", state: "s1" });
  });

  it("takes identity_provider=COGNITO", async () => {
    const page = await new Browser().get(codeRequest({ identity_provider: "COGNITO" }));
    expect(page.location).toContain(`/${f.domain}/login?`);
  });
});

describe("token endpoint errors: 400 and JSON {error}", () => {
  it("answers invalid_request for a body that is not a form, or without grant_type", async () => {
    const notForm = await fetch(`${f.base}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(notForm.status).toBe(400);
    expect(await notForm.json()).toEqual({ error: "invalid_request" });
    const missing = await token({ client_id: f.web.id });
    expect(missing).toMatchObject({ status: 400, json: { error: "invalid_request" } });
    expect(missing.type).toBe("application/json;charset=UTF-8");
  });

  it("answers unsupported_grant_type for a grant it does not know", async () => {
    expect((await token({ grant_type: "password", client_id: f.web.id })).json).toEqual({
      error: "unsupported_grant_type",
    });
  });

  it("answers invalid_client for an unknown client, a wrong or missing secret, or a secret a public client does not have", async () => {
    const cases = [
      token({ grant_type: "client_credentials", client_id: "nobody" }),
      token({ grant_type: "client_credentials" }, basic(f.machine.id, "wrong-secret")),
      token({ grant_type: "client_credentials", client_id: f.machine.id }),
      token({ grant_type: "client_credentials", client_id: f.machine.id, client_secret: "wrong" }),
      token({
        grant_type: "authorization_code",
        client_id: f.web.id,
        client_secret: "invented",
        code: "x",
        redirect_uri: callback,
      }),
      token({ grant_type: "client_credentials", client_id: f.confidential.id }, basic(f.machine.id, f.machine.secret)),
    ];
    for (const result of await Promise.all(cases))
      expect(result).toMatchObject({ status: 400, json: { error: "invalid_client" } });
  });

  it("redeems a code once: the second time it is invalid_grant", async () => {
    const code = await freshCode();
    const fields = {
      grant_type: "authorization_code",
      client_id: f.web.id,
      code,
      redirect_uri: callback,
      code_verifier: verifier,
    };
    expect((await token(fields)).status).toBe(200);
    expect(await token(fields)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("refuses a code after five minutes", async () => {
    const code = await freshCode();
    f.h.clock.advance(5 * 60_000 + 1);
    const result = await token({
      grant_type: "authorization_code",
      client_id: f.web.id,
      code,
      redirect_uri: callback,
      code_verifier: verifier,
    });
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("refuses a code with another redirect_uri, a wrong or missing code_verifier, or for another client", async () => {
    const base = {
      grant_type: "authorization_code",
      client_id: f.web.id,
      redirect_uri: callback,
      code_verifier: verifier,
    };
    const attempts = [
      { ...base, redirect_uri: "http://localhost:3000/elsewhere" },
      { ...base, code_verifier: "x".repeat(43) },
      { grant_type: "authorization_code", client_id: f.web.id, redirect_uri: callback },
    ];
    for (const fields of attempts) {
      expect((await token({ ...fields, code: await freshCode() })).json).toEqual({ error: "invalid_grant" });
    }
    const code = await freshCode();
    const other = await token(
      { grant_type: "authorization_code", code, redirect_uri: callback, code_verifier: verifier },
      basic(f.confidential.id, f.confidential.secret),
    );
    expect(other.json).toEqual({ error: "invalid_grant" });
  });

  it("answers invalid_request for a code grant without code or redirect_uri", async () => {
    expect(
      (await token({ grant_type: "authorization_code", client_id: f.web.id, redirect_uri: callback })).json,
    ).toEqual({
      error: "invalid_request",
    });
    expect((await token({ grant_type: "authorization_code", client_id: f.web.id, code: "x" })).json).toEqual({
      error: "invalid_request",
    });
  });

  it("answers invalid_grant for an unknown refresh token, and invalid_request without one", async () => {
    expect(
      (await token({ grant_type: "refresh_token", client_id: f.web.id, refresh_token: "not.a.real.refresh.token" }))
        .json,
    ).toEqual({
      error: "invalid_grant",
    });
    expect((await token({ grant_type: "refresh_token", client_id: f.web.id })).json).toEqual({
      error: "invalid_request",
    });
  });

  it("answers unauthorized_client when the client may not use the grant", async () => {
    const asWeb = await token({ grant_type: "client_credentials" }, basic(f.confidential.id, f.confidential.secret));
    expect(asWeb.json).toEqual({ error: "unauthorized_client" });
    const asMachine = await token(
      { grant_type: "authorization_code", code: "x", redirect_uri: callback },
      basic(f.machine.id, f.machine.secret),
    );
    expect(asMachine.json).toEqual({ error: "unauthorized_client" });
  });

  it("answers invalid_scope for a scope the machine client does not have", async () => {
    for (const scope of ["gatehouse/users.delete", "openid", "gatehouse/users.read other/thing"]) {
      const result = await token({ grant_type: "client_credentials", scope }, basic(f.machine.id, f.machine.secret));
      expect(result.json).toEqual({ error: "invalid_scope" });
    }
  });
});

describe("userInfo errors", () => {
  it("answers 400 invalid_request without a bearer token, with AWS's WWW-Authenticate", async () => {
    const response = await fetch(`${f.base}/oauth2/userInfo`);
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toBe(
      'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"',
    );
  });

  it("answers 401 invalid_token for a bad token and for a machine token", async () => {
    const machine = await token({ grant_type: "client_credentials" }, basic(f.machine.id, f.machine.secret));
    for (const bearer of ["not-a-token", String(machine.json.access_token)]) {
      const response = await fetch(`${f.base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${bearer}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });
});

describe("revocation endpoint errors", () => {
  const revoke = async (fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${f.base}/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
  };

  it("answers 400 invalid_request without a token", async () => {
    expect(await revoke({ client_id: f.web.id })).toEqual({ status: 400, json: { error: "invalid_request" } });
  });

  it("answers 400 unsupported_token_type for an access token", async () => {
    const code = await freshCode();
    const tokens = await token({
      grant_type: "authorization_code",
      client_id: f.web.id,
      code,
      redirect_uri: callback,
      code_verifier: verifier,
    });
    expect(await revoke({ client_id: f.web.id, token: String(tokens.json.access_token) })).toEqual({
      status: 400,
      json: { error: "unsupported_token_type" },
    });
  });

  it("answers 401 invalid_client for a wrong secret", async () => {
    expect(await revoke({ token: "x" }, basic(f.confidential.id, "wrong"))).toEqual({
      status: 401,
      json: { error: "invalid_client" },
    });
  });

  it("answers 200 for a token it does not know, as RFC 7009 asks", async () => {
    expect(await revoke({ client_id: f.web.id, token: "unknown-refresh-token" })).toEqual({ status: 200, json: null });
  });
});

describe("logout", () => {
  it("ends the hosted session and goes to a registered logout_uri", async () => {
    const browser = new Browser();
    await signInThrough(browser, codeRequest(), "alice", password);
    const out = await browser.get(
      `${f.base}/logout?${new URLSearchParams({ client_id: f.web.id, logout_uri: signedOut })}`,
    );
    expect(out.status).toBe(302);
    expect(out.location).toBe(signedOut);
    expect(browser.cookies.has("cognito")).toBe(false);
    // The next authorization asks for the password again.
    expect((await browser.get(codeRequest())).location).toContain(`/${f.domain}/login?`);
  });

  it("ends the session server-side too: the old cookie no longer skips the form", async () => {
    const browser = new Browser();
    await signInThrough(browser, codeRequest(), "alice", password);
    const kept = browser.cookies.get("cognito")!;
    await browser.get(`${f.base}/logout?${new URLSearchParams({ client_id: f.web.id, logout_uri: signedOut })}`);
    const replay = new Browser();
    replay.cookies.set("cognito", kept);
    expect((await replay.get(codeRequest())).location).toContain(`/${f.domain}/login?`);
  });

  it("refuses a logout_uri that is not a sign-out URL of the client, and keeps the session", async () => {
    const browser = new Browser();
    await signInThrough(browser, codeRequest(), "alice", password);
    const out = await browser.get(
      `${f.base}/logout?${new URLSearchParams({ client_id: f.web.id, logout_uri: "https://evil.example/" })}`,
    );
    expect(out.status).toBe(400);
    expect(out.html).toContain("redirect_mismatch");
    expect(browser.cookies.has("cognito")).toBe(true);
  });

  it("with the authorize parameters instead, signs out and shows the sign-in form", async () => {
    const browser = new Browser();
    await signInThrough(browser, codeRequest(), "alice", password);
    const out = await browser.get(
      `${f.base}/logout?${new URLSearchParams({ client_id: f.web.id, response_type: "code", redirect_uri: callback, scope: "openid" })}`,
    );
    expect(out.location).toContain(`/${f.domain}/login?`);
    expect(browser.cookies.has("cognito")).toBe(false);
  });
});

describe("the sign-in form", () => {
  it("says a wrong password is wrong, in Cognito's words", async () => {
    const browser = new Browser();
    const login = await browser.follow(codeRequest(), f.h.emulator.url);
    const answer = await browser.submit(login, "/login", { username: "alice", password: "Wrong-passw0rd" });
    expect(answer.status).toBe(400);
    expect(answer.html).toContain("Incorrect username or password.");
  });

  it("refuses a post without the CSRF token, or from another origin", async () => {
    const browser = new Browser();
    const login = await browser.follow(codeRequest(), f.h.emulator.url);
    const noToken = await browser.submit(login, "/login", { username: "alice", password, _csrf: "" });
    expect(noToken.status).toBe(403);
    const crossSite = await browser.submit(
      login,
      "/login",
      { username: "alice", password },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    const fetchMetadata = await browser.submit(
      login,
      "/login",
      { username: "alice", password },
      { "sec-fetch-site": "cross-site" },
    );
    expect(fetchMetadata.status).toBe(403);
  });

  it("answers an oversized form with 413, not a server error", async () => {
    const response = await fetch(`${f.base}/login?client_id=${f.web.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `username=${"a".repeat(1024 * 1024 + 10)}`,
    });
    expect(response.status).toBe(413);
  });

  it("sends security headers with every page", async () => {
    const login = await new Browser().follow(codeRequest(), f.h.emulator.url);
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(login.headers.get("cache-control")).toBe("no-store");
    expect(login.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});
