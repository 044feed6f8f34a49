/**
 * For the hosted UI's tests: a pool with a domain, a resource server and the three kinds of
 * OAuth client (public with PKCE, confidential, machine), and a tiny browser over fetch — a
 * cookie jar, redirects seen one by one, and forms filled in from the page's own HTML.
 */
import {
  CreateResourceServerCommand,
  CreateUserPoolDomainCommand,
  type CreateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { createClient, createConfirmedUser, createPool, startHarness, type Harness } from "./harness.ts";

export const callback = "http://localhost:3000/callback";
export const signedOut = "http://localhost:3000/signed-out";
export const password = "Corr3ct-Horse!";

export interface HostedFixture {
  readonly h: Harness;
  readonly poolId: string;
  readonly domain: string;
  /** `<emulator>/<domain>`: where the pool's hosted UI and OAuth endpoints answer. */
  readonly base: string;
  readonly issuer: string;
  /** Public client, code flow, every standard scope and the resource server's. */
  readonly web: { id: string };
  /** Confidential client with a secret, code and implicit flows. */
  readonly confidential: { id: string; secret: string };
  /** client_credentials only. */
  readonly machine: { id: string; secret: string };
  readonly userSub: string;
}

const webSettings: Partial<CreateUserPoolClientCommandInput> = {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin", "gatehouse/users.read"],
  CallbackURLs: [callback],
  LogoutURLs: [signedOut],
  SupportedIdentityProviders: ["COGNITO"],
};

export async function startHostedFixture(domain = "test-app"): Promise<HostedFixture> {
  const h = await startHarness();
  const pool = await createPool(h, {
    AutoVerifiedAttributes: ["email"],
    AliasAttributes: ["email"],
    Schema: [{ Name: "email", Required: true, Mutable: true }],
  });
  const poolId = pool.Id!;
  await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  await h.cognito.send(
    new CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: "gatehouse",
      Name: "Gatehouse API",
      Scopes: [
        { ScopeName: "users.read", ScopeDescription: "Read users" },
        { ScopeName: "users.write", ScopeDescription: "Change users" },
      ],
    }),
  );
  const web = await createClient(h, poolId, { ClientName: "Web", ...webSettings, AllowedOAuthFlows: ["code"] });
  const confidential = await createClient(h, poolId, {
    ClientName: "Confidential",
    GenerateSecret: true,
    ...webSettings,
    AllowedOAuthFlows: ["code", "implicit"],
  });
  const machine = await createClient(h, poolId, {
    ClientName: "Machine",
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["client_credentials"],
    AllowedOAuthScopes: ["gatehouse/users.read", "gatehouse/users.write"],
  });
  const userSub = await createConfirmedUser(h, { poolId, clientId: web.ClientId! }, "alice", password, {
    email: "alice@example.com",
  });
  return {
    h,
    poolId,
    domain,
    base: `${h.emulator.url}/${domain}`,
    issuer: `${h.emulator.url}/${poolId}`,
    web: { id: web.ClientId! },
    confidential: { id: confidential.ClientId!, secret: confidential.ClientSecret! },
    machine: { id: machine.ClientId!, secret: machine.ClientSecret! },
    userSub,
  };
}

export interface Page {
  readonly status: number;
  readonly url: string;
  readonly location: string | null;
  readonly html: string;
  readonly headers: Headers;
}

/** A browser that keeps cookies and lets a test follow redirects one at a time. */
export class Browser {
  readonly cookies = new Map<string, string>();

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async load(url: string, init: RequestInit = {}): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    this.remember(response);
    const location = response.headers.get("location");
    return {
      status: response.status,
      url,
      location: location === null ? null : new URL(location, url).toString(),
      html: await response.text(),
      headers: response.headers,
    };
  }

  get(url: string): Promise<Page> {
    return this.load(url);
  }

  /** Follows redirects while they stay on `origin`; returns the page, or the redirect that leaves. */
  async follow(url: string, origin: string): Promise<Page> {
    let current = await this.get(url);
    while (current.location && current.location.startsWith(origin)) current = await this.get(current.location);
    return current;
  }

  /** Submits the form of `page` whose action contains `action`, with `fields` filled in. */
  submit(
    from: Page,
    action: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const form = formIn(from.html, action);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    return this.load(new URL(form.action, from.url).toString(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: body.toString(),
    });
  }
}

const decode = (text: string): string =>
  text
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");

/** The form of `html` whose action contains `action`: its action and hidden fields. */
export function formIn(html: string, action: string): { action: string; hidden: Record<string, string> } {
  for (const match of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const target = decode(match[1] ?? "");
    if (!target.includes(action)) continue;
    const hidden: Record<string, string> = {};
    for (const input of (match[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      hidden[input[1] ?? ""] = decode(input[2] ?? "");
    }
    return { action: target, hidden };
  }
  throw new Error(`no form with action ${action} in:\n${html.slice(0, 2000)}`);
}

/** Signs in on the hosted login page an authorization request led to; returns the redirect back. */
export async function signInThrough(
  browser: Browser,
  authorizeUrl: string,
  username: string,
  secret: string,
): Promise<Page> {
  const origin = new URL(authorizeUrl).origin;
  const login = await browser.follow(authorizeUrl, origin);
  if (login.status !== 200) throw new Error(`expected the login page, got ${login.status} ${login.location ?? ""}`);
  return browser.submit(login, "/login", { username, password: secret });
}
