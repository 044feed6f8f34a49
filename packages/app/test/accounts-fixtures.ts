/**
 * What the tests of the pages before sign-in share: browsers that come from their own client
 * address (so one test's requests never spend another's rate-limit budget), unique names, and
 * Cognito users in a given state, made through the emulator's public API with the AWS SDK as an
 * administrator would.
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { createHmac } from "node:crypto";
import { TestBrowser, type AppHarness } from "./app-harness.ts";

let serial = 0;

/** A new address from TEST-NET-2 for each call. */
export function uniqueAddress(): string {
  serial += 1;
  return `198.51.${Math.floor(serial / 250) % 250}.${(serial % 250) + 1}`;
}

/** A username no other test uses (letters and digits, as people type them). */
export function uniqueName(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid.toString(36)}${serial}`;
}

/** A browser whose requests come from `address` (the app sees it as `request.ip`). */
export function browserAt(h: AppHarness, address: string = uniqueAddress()): TestBrowser {
  const app = new Proxy<FastifyInstance>(h.app, {
    get(target, property, receiver) {
      if (property === "inject") {
        return (options: InjectOptions) => target.inject({ ...options, remoteAddress: address });
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return new TestBrowser(app);
}

export const goodPassword = "Correct-Horse-7";

export interface Account {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export function newAccount(prefix = "user"): Account {
  const username = uniqueName(prefix);
  return { username, email: `${username}@example.com`, password: goodPassword };
}

export class CognitoAdmin {
  readonly client: CognitoIdentityProviderClient;
  readonly #h: AppHarness;

  constructor(h: AppHarness) {
    this.#h = h;
    this.client = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  }

  secretHash(username: string): string {
    const secret = this.#h.config.cognito.clientSecret ?? "";
    return createHmac("sha256", secret)
      .update(username + this.#h.webClientId)
      .digest("base64");
  }

  /** A user who registered and has not entered the code yet (UNCONFIRMED). */
  async unconfirmed(account: Account = newAccount()): Promise<Account> {
    await this.client.send(
      new SignUpCommand({
        ClientId: this.#h.webClientId,
        Username: account.username,
        Password: account.password,
        SecretHash: this.secretHash(account.username),
        UserAttributes: [{ Name: "email", Value: account.email }],
      }),
    );
    return account;
  }

  /** A confirmed user with a verified email address and a permanent password. */
  async confirmed(account: Account = newAccount()): Promise<Account> {
    await this.adminCreated(account, account.password);
    await this.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: this.#h.poolId,
        Username: account.username,
        Password: account.password,
        Permanent: true,
      }),
    );
    return account;
  }

  /** A user an administrator created with a temporary password (FORCE_CHANGE_PASSWORD). */
  async adminCreated(account: Account, temporaryPassword: string): Promise<Account> {
    await this.client.send(
      new AdminCreateUserCommand({
        UserPoolId: this.#h.poolId,
        Username: account.username,
        TemporaryPassword: temporaryPassword,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: account.email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    return account;
  }

  /** An administrator asked for a new password (RESET_REQUIRED; Cognito sends a code). */
  async resetRequired(account: Account = newAccount()): Promise<Account> {
    await this.confirmed(account);
    await this.client.send(
      new AdminResetUserPasswordCommand({ UserPoolId: this.#h.poolId, Username: account.username }),
    );
    return account;
  }

  async disable(username: string): Promise<void> {
    await this.client.send(new AdminDisableUserCommand({ UserPoolId: this.#h.poolId, Username: username }));
  }

  /** Signs in with the web client directly; resolves to Cognito's answer or rejects with its error. */
  async signIn(username: string, password: string) {
    return this.client.send(
      new InitiateAuthCommand({
        ClientId: this.#h.webClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: this.secretHash(username) },
      }),
    );
  }

  /** REFRESH_TOKEN_AUTH with the web client, for checking that a refresh token still works. */
  async refresh(username: string, refreshToken: string) {
    return this.client.send(
      new InitiateAuthCommand({
        ClientId: this.#h.webClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: this.secretHash(username) },
      }),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** The newest code Cognito "sent" to `username`, or a failure that says none was. */
export function latestCode(h: AppHarness, username: string): string {
  const code = h.emulator.outbox.latest(username)?.code;
  if (!code) throw new Error(`no code was sent to ${username}`);
  return code;
}

/** How many messages Cognito "sent" to `username` so far. */
export const sentCount = (h: AppHarness, username: string): number => h.emulator.outbox.list({ username }).length;

/** `next` values that would leave the site, or could in some browser (issue 14's open redirect). */
export const offSiteNexts = [
  "//evil.example/",
  "/..//evil.example",
  "/.//evil.example",
  "/a/../..//evil.example",
  "/%2e%2e//evil.example",
  "/%2e//evil.example",
  "/%2F%2Fevil.example",
  "/%2fevil.example",
  "/%5cevil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/%00/x",
  "https://evil.example/",
  "http:/evil.example",
  "javascript:alert(1)",
  " /dashboard",
  "",
];

/**
 * Sends `forms` to `path` all at once, each from a browser of its own (a new client address)
 * that has loaded `page` first, as a burst from many machines would; the answers in order.
 */
export async function simultaneousPosts(
  h: AppHarness,
  page: string,
  path: string,
  forms: readonly Record<string, string>[],
): Promise<LightMyRequestResponse[]> {
  const browsers = await Promise.all(
    forms.map(async () => {
      const browser = browserAt(h);
      await browser.get(page);
      return browser;
    }),
  );
  return Promise.all(browsers.map((browser, i) => browser.post(path, forms[i] ?? {})));
}

/** The answers of the site's rate limiter (its 429 page), as opposed to Cognito's or a form's. */
export const limitedAnswers = (answers: readonly LightMyRequestResponse[]): LightMyRequestResponse[] =>
  answers.filter((res) => res.statusCode === 429 && res.body.includes("You have tried this too often."));
