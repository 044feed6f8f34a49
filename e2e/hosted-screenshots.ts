/**
 * Screenshots of the emulator's hosted UI — sign-in (and its error), sign-up, confirmation,
 * password reset, the MFA steps, a temporary password's replacement and the error page — at
 * desktop (1280×800) and phone (390×844) width, into docs/screenshots/hosted-*.png, to be looked
 * at after every visual change. Starts its own in-memory emulator on loopback.
 *
 * @example
 *   node --import tsx e2e/hosted-screenshots.ts
 */
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startEmulator } from "../packages/emulator/src/index.ts";
import { totpCodeAt } from "../packages/emulator/src/totp.ts";
import { launchChromium, viewports } from "./chromium.ts";

const outputDir = resolve(import.meta.dirname, "..", "docs", "screenshots");
const password = "Analytical-Engine-1843";
const callback = "http://localhost:3000/callback";
/** The MFA-required pool's hosted UI, set up in main(). */
let secure = { base: "", query: "" };

async function main(): Promise<void> {
  mkdirSync(outputDir, { recursive: true });
  const emulator = await startEmulator({ port: 0, inMemory: true });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "shots", secretAccessKey: "shots" },
  });
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: "Gatehouse",
      AutoVerifiedAttributes: ["email"],
      AliasAttributes: ["email"],
      Schema: [{ Name: "email", Required: true, Mutable: true }],
      Policies: { PasswordPolicy: { MinimumLength: 10, RequireNumbers: true, RequireUppercase: true } },
    }),
  );
  const poolId = UserPool!.Id!;
  await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: "gatehouse-demo" }));
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Message: "Your code is {####}", Subject: "Your code" },
    }),
  );
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "Gatehouse",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      CallbackURLs: [callback],
      SupportedIdentityProviders: ["COGNITO"],
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  const clientId = UserPoolClient!.ClientId!;
  const confirmedUser = async (username: string) => {
    await cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: username,
        Password: password,
        UserAttributes: [{ Name: "email", Value: `${username}@gatehouse.example` }],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username }));
  };
  await confirmedUser("grace");
  // Two factors and no preference: the sign-in asks which one.
  await confirmedUser("alan");
  const signIn = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "alan", PASSWORD: password },
    }),
  );
  const accessToken = signIn.AuthenticationResult!.AccessToken!;
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  await cognito.send(
    new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCodeAt(SecretCode!, Date.now()) }),
  );
  await cognito.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: poolId,
      Username: "alan",
      SoftwareTokenMfaSettings: { Enabled: true },
      EmailMfaSettings: { Enabled: true },
    }),
  );
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: "linus",
      TemporaryPassword: "Temporary-Passw0rd",
      UserAttributes: [{ Name: "email", Value: "linus@gatehouse.example" }],
      MessageAction: "SUPPRESS",
    }),
  );

  // A second pool that requires MFA, for the authenticator set-up page.
  const { UserPool: securePool } = await cognito.send(
    new CreateUserPoolCommand({ PoolName: "Gatehouse", AutoVerifiedAttributes: ["email"] }),
  );
  await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: securePool!.Id!, Domain: "gatehouse-secure" }));
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: securePool!.Id!,
      MfaConfiguration: "ON",
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  const { UserPoolClient: secureClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: securePool!.Id!,
      ClientName: "Gatehouse",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid"],
      CallbackURLs: [callback],
      SupportedIdentityProviders: ["COGNITO"],
    }),
  );
  for (const size of Object.keys(viewports)) {
    await cognito.send(
      new SignUpCommand({ ClientId: secureClient!.ClientId!, Username: `barbara${size}`, Password: password }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: securePool!.Id!, Username: `barbara${size}` }));
  }
  secure = {
    base: `${emulator.url}/gatehouse-secure`,
    query: new URLSearchParams({
      response_type: "code",
      client_id: secureClient!.ClientId!,
      redirect_uri: callback,
      scope: "openid",
    }).toString(),
  };

  const base = `${emulator.url}/gatehouse-demo`;
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: callback,
    scope: "openid email profile",
    state: "screenshots",
  }).toString();

  const browser = await launchChromium();
  try {
    for (const [size, viewport] of Object.entries(viewports)) {
      await shoot(browser, viewport, size, base, query);
    }
  } finally {
    await browser.close();
    cognito.destroy();
    await emulator.stop();
  }
}

async function shoot(
  browser: Browser,
  viewport: { width: number; height: number },
  size: string,
  base: string,
  query: string,
): Promise<void> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const save = async (name: string) => {
    await page.screenshot({ path: resolve(outputDir, `hosted-${name}-${size}.png`), fullPage: true });
  };
  const signInAs = async (username: string, secret: string) => {
    await page.goto(`${base}/oauth2/authorize?${query}`);
    await page.fill("#field-username", username);
    await page.fill("#field-password", secret);
    await page.click("button[type=submit]");
  };
  try {
    await page.goto(`${base}/oauth2/authorize?${query}`);
    await save("login");
    await page.fill("#field-username", "grace");
    await page.fill("#field-password", "not-her-password");
    await page.click("button[type=submit]");
    await save("login-error");

    await page.goto(`${base}/signup?${query}`);
    await save("signup");
    const who = `ada${size}`;
    await page.fill("#field-username", who);
    await page.fill("#field-email", `${who}@gatehouse.example`);
    await page.fill("#field-password", password);
    await page.click("button[type=submit]");
    await page.waitForURL(/confirmUser/);
    await save("confirm-user");

    await page.goto(`${base}/forgotPassword?${query}`);
    await save("forgot-password");
    await page.goto(`${base}/confirmForgotPassword?${query}&username=grace&destination=g***%40g***`);
    await save("confirm-forgot-password");

    await signInAs("alan", password);
    await save("mfa-select");
    await page.click("button[value=SOFTWARE_TOKEN_MFA]");
    await save("mfa-code");
    await clear(page);

    await page.goto(`${secure.base}/oauth2/authorize?${secure.query}`);
    await page.fill("#field-username", `barbara${size}`);
    await page.fill("#field-password", password);
    await page.click("button[type=submit]");
    await save("mfa-setup");
    await clear(page);

    await signInAs("linus", "Temporary-Passw0rd");
    await save("new-password");
    await clear(page);

    await page.goto(
      `${base}/oauth2/authorize?${query.replace(encodeURIComponent(callback), encodeURIComponent("https://elsewhere.example/"))}`,
    );
    await save("error");
  } finally {
    await context.close();
  }
}

/** Forgets this context's hosted session between flows. */
const clear = (page: Page) => page.context().clearCookies();

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
