/**
 * The site under test for the browser: the app listening on a loopback port (its public URL set
 * to that origin, so the same-origin check sees what Chromium sends), the Cognito emulator seeded
 * like `npm run dev`, and a migrated SQLite database — all real, all on 127.0.0.1.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Page } from "playwright-core";
import type { Config } from "../packages/app/src/config.ts";
import { startAppHarness, type AppHarness } from "../packages/app/test/app-harness.ts";

export interface Site {
  readonly harness: AppHarness;
  /** The app's origin, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The newest code the emulator "sent" to `username`; fails when there is none. */
  latestCode(username: string): string;
  /** A confirmed user with a verified email and a permanent password, made as an administrator would. */
  createConfirmedUser(user: TestUser): Promise<void>;
  stop(): Promise<void>;
}

export interface TestUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly givenName?: string;
  readonly familyName?: string;
}

let counter = 0;

/** A user no other test uses: names are unique per run and per process. */
export function uniqueUser(prefix: string): TestUser {
  counter += 1;
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return { username: `${prefix}${tag}`, email: `${prefix}.${tag}@example.com`, password: "Correct-Horse-9" };
}

export async function startSite(config: Partial<Omit<Config, "cognito" | "database">> = {}): Promise<Site> {
  // The captcha is on, as it is by default, with a light challenge: the browser solves it. The
  // pool's triggers run as under `npm run dev`: PostConfirmation calls this site's webhook.
  const harness = await startAppHarness({
    database: "sqlite",
    listen: true,
    webhook: true,
    config: { captcha: { maxNumber: 5_000 }, hostedUi: true, ...config },
  });
  // An administrator's client: the emulator does not check signatures, AWS would want IAM keys.
  const admin = new CognitoIdentityProviderClient({
    endpoint: harness.emulator.url,
    region: harness.config.cognito.region,
    credentials: { accessKeyId: "e2e", secretAccessKey: "e2e" },
    maxAttempts: 1,
  });
  // The hosted sign-in returns to this site's loopback port: the web client must list it.
  const { UserPoolClient: web } = await admin.send(
    new DescribeUserPoolClientCommand({ UserPoolId: harness.poolId, ClientId: harness.webClientId }),
  );
  if (web) {
    await admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: harness.poolId,
        ClientId: harness.webClientId,
        ExplicitAuthFlows: web.ExplicitAuthFlows,
        PreventUserExistenceErrors: web.PreventUserExistenceErrors,
        AllowedOAuthFlows: web.AllowedOAuthFlows,
        AllowedOAuthFlowsUserPoolClient: web.AllowedOAuthFlowsUserPoolClient,
        AllowedOAuthScopes: web.AllowedOAuthScopes,
        SupportedIdentityProviders: web.SupportedIdentityProviders,
        CallbackURLs: [...(web.CallbackURLs ?? []), `${harness.url}/auth/callback`],
        LogoutURLs: [...(web.LogoutURLs ?? []), `${harness.url}/`],
      }),
    );
  }
  return {
    harness,
    url: harness.url,
    latestCode(username) {
      const code = harness.emulator.outbox.latest(username)?.code;
      if (!code) throw new Error(`the emulator's outbox has no message for ${username}`);
      return code;
    },
    async createConfirmedUser({ username, email, password, givenName, familyName }) {
      await admin.send(
        new AdminCreateUserCommand({
          UserPoolId: harness.poolId,
          Username: username,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
            ...(givenName ? [{ Name: "given_name", Value: givenName }] : []),
            ...(familyName ? [{ Name: "family_name", Value: familyName }] : []),
          ],
        }),
      );
      await admin.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: harness.poolId,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      );
    },
    async stop() {
      admin.destroy();
      await harness.stop();
    },
  };
}

/** Signs in through the login page, as a person would, and waits for the dashboard. */
export async function signIn(page: Page, site: Site, user: Pick<TestUser, "username" | "password">): Promise<void> {
  await page.goto(`${site.url}/login`);
  await page.getByLabel(/username or email/i).fill(user.username);
  await page.getByLabel(/^password$/i).fill(user.password);
  await page.getByRole("button", { name: /^sign in$/i }).click();
  await page.waitForURL(`${site.url}/dashboard`);
}
