/**
 * Screenshots of the back office — home, users list, change form and audit log; two-step
 * verification (the set-up with its QR code, the code step of the sign-in, the page once it is
 * on, the set-up at sign-in when BACKOFFICE_REQUIRE_MFA is set); the Cognito panel's MFA factors
 * — at desktop (1280×800) and phone (390×844) width, and a staff member's own group, whose
 * permissions she may not change, into docs/screenshots/backoffice-*.png, to
 * be looked at after every visual change. Starts its own emulator, SQLite database and app on
 * loopback (in development mode), fills them with a small, plausible team, and signs a superuser
 * in through /admin/login.
 *
 * @example
 *   TSX_TSCONFIG_PATH=packages/app/tsconfig.json node --import tsx e2e/backoffice-screenshots.ts
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { totpCodeAt, totpStepAt } from "../packages/app/src/backoffice/totp.ts";
import { launchChromium, viewports } from "./chromium.ts";
import { insertLocalUser } from "./local-users.ts";
import { startSite, type Site } from "./site.ts";

const outputDir = resolve(import.meta.dirname, "..", "docs", "screenshots");
const admin = { username: "ada", email: "ada@gatehouse.example", password: "Analytical-Engine-1843" };
/** A staff member who turns two-step verification on (through the pages) and signs in with it. */
const barbara = { username: "barbara", password: "Liskov-Staff-2024!" };

interface Person {
  readonly username: string;
  readonly given: string;
  readonly family: string;
  readonly state: "confirmed" | "invited" | "disabled";
  readonly staff?: boolean;
  readonly daysAgo: number;
}

const people: readonly Person[] = [
  { username: "grace", given: "Grace", family: "Hopper", state: "confirmed", staff: true, daysAgo: 41 },
  { username: "alan", given: "Alan", family: "Turing", state: "confirmed", daysAgo: 38 },
  { username: "katherine", given: "Katherine", family: "Johnson", state: "confirmed", daysAgo: 30 },
  { username: "linus", given: "Linus", family: "Torvalds", state: "invited", daysAgo: 21 },
  { username: "margaret", given: "Margaret", family: "Hamilton", state: "disabled", daysAgo: 19 },
  { username: "edsger", given: "Edsger", family: "Dijkstra", state: "confirmed", daysAgo: 12 },
  { username: "barbara", given: "Barbara", family: "Liskov", state: "confirmed", staff: true, daysAgo: 9 },
  { username: "donald", given: "Donald", family: "Knuth", state: "confirmed", daysAgo: 6 },
  { username: "frances", given: "Frances", family: "Allen", state: "invited", daysAgo: 3 },
  { username: "tim", given: "Tim", family: "Berners-Lee", state: "confirmed", daysAgo: 1 },
];

async function seed(site: Site): Promise<Record<string, string>> {
  const { harness } = site;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: harness.emulator.url,
    region: harness.config.cognito.region,
    credentials: { accessKeyId: "shots", secretAccessKey: "shots" },
  });
  const ids: Record<string, string> = {};
  const day = 24 * 3600_000;
  const now = Date.now();
  const created = new Date(now - 60 * day).toISOString();
  const superId = await insertLocalUser(site, {
    username: admin.username,
    email: admin.email,
    is_staff: true,
    is_superuser: true,
    password: admin.password,
    created_at: created,
  });
  ids[admin.username] = superId;
  await cognito.send(new CreateGroupCommand({ UserPoolId: harness.poolId, GroupName: "beta-testers" }));

  for (const person of people) {
    const email = `${person.username}@example.com`;
    const result = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: harness.poolId,
        Username: person.username,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
          { Name: "given_name", Value: person.given },
          { Name: "family_name", Value: person.family },
        ],
      }),
    );
    if (person.state !== "invited") {
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: harness.poolId,
          Username: person.username,
          Password: "Correct-Horse-9",
          Permanent: true,
        }),
      );
    }
    if (person.state === "disabled") {
      await cognito.send(new AdminDisableUserCommand({ UserPoolId: harness.poolId, Username: person.username }));
    }
    if (person.username === "grace" || person.username === "donald") {
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: harness.poolId,
          Username: person.username,
          GroupName: "beta-testers",
        }),
      );
    }
    if (person.username === "alan") await withCognitoMfa(harness, cognito, person.username);
    const sub = result.User?.Attributes?.find((a) => a.Name === "sub")?.Value ?? null;
    const at = new Date(now - person.daysAgo * day).toISOString();
    const id = await insertLocalUser(site, {
      username: person.username,
      email,
      email_verified: true,
      cognito_sub: sub,
      is_staff: person.staff ?? false,
      ...(person.staff ? { password: `${person.family}-Staff-2024!` } : {}),
      given_name: person.given,
      family_name: person.family,
      last_login:
        person.state === "confirmed" ? new Date(now - Math.floor(person.daysAgo / 2) * day).toISOString() : null,
      last_synced_at: at,
      created_at: at,
    });
    ids[person.username] = id;
  }
  cognito.destroy();
  return ids;
}

/** An authenticator app (preferred) and email codes on in Cognito, set up as the person would. */
async function withCognitoMfa(harness: Site["harness"], cognito: CognitoIdentityProviderClient, username: string) {
  const clientId = harness.webClientId;
  const secretHash = createHmac("sha256", harness.config.cognito.clientSecret ?? "")
    .update(username + clientId)
    .digest("base64");
  const signedIn = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: harness.poolId,
      ClientId: clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: "Correct-Horse-9", SECRET_HASH: secretHash },
    }),
  );
  const accessToken = signedIn.AuthenticationResult?.AccessToken ?? "";
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  await cognito.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: totpCodeAt(SecretCode ?? ""),
      FriendlyDeviceName: "Phone",
    }),
  );
  await cognito.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: harness.poolId,
      Username: username,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      EmailMfaSettings: { Enabled: true, PreferredMfa: false },
    }),
  );
}

/**
 * Codes of one authenticator, each of a later time step than the last (a code works once, and
 * the one that turned it on has just been used): the next step is still accepted, beyond it this
 * waits for the clock.
 */
function codesOf(secret: string): () => Promise<string> {
  let last = totpStepAt(Date.now());
  return async () => {
    const step = Math.max(totpStepAt(Date.now()), last + 1);
    while (step > totpStepAt(Date.now()) + 1) await new Promise((resolve) => setTimeout(resolve, 1000));
    last = step;
    return totpCodeAt(secret, step * 30_000);
  };
}

type ViewportName = keyof typeof viewports;

async function newPage(browser: Browser, site: Site, viewport: ViewportName): Promise<Page> {
  const phone = viewport === "phone";
  const context = await browser.newContext({
    viewport: viewports[viewport],
    baseURL: site.url,
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    colorScheme: "light",
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

async function signIn(page: Page, who: { username: string; password: string } = admin): Promise<void> {
  await page.goto("/admin/login");
  await page.getByLabel("Username").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin\/$/);
}

/** A few real changes through the pages, so the audit log and recent actions have content. */
async function makeHistory(page: Page, ids: Record<string, string>): Promise<void> {
  await page.goto("/admin/groups/add");
  await page.getByLabel("Name").fill("Support");
  for (const label of ["Can view user", "Can change user", "Can view group", "Can change group"]) {
    await page.getByLabel(label).check();
  }
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.goto("/admin/groups/add");
  await page.getByLabel("Name").fill("Auditors");
  await page.getByLabel("Can view audit log entry").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await page.goto(`/admin/users/${ids.grace}`);
  await page.getByLabel("Support").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.goto(`/admin/users/${ids.barbara}`);
  await page.getByLabel("Auditors").check();
  await page.getByLabel("Support").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.goto(`/admin/users/${ids.edsger}`);
  await page.getByLabel("Active", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.goto(`/admin/users/${ids.linus}`);
  await page.getByRole("button", { name: "Resync from Cognito" }).click();
  await page.waitForLoadState("load");
}

async function capture(page: Page, path: string, file: string): Promise<void> {
  const response = await page.goto(path, { waitUntil: "networkidle" });
  if (!response?.ok()) throw new Error(`${path} answered ${response?.status() ?? "nothing"}`);
  await shoot(page, file);
}

/** The page as it is now (after a form was sent). */
async function shoot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: resolve(outputDir, file), fullPage: true, animations: "disabled" });
  process.stdout.write(`  ${file}\n`);
}

/** Barbara turns an authenticator on through the two-step page, reading the key off it; returns it. */
async function turnOnTwoStep(page: Page): Promise<string> {
  await page.goto("/admin/two-step");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").getAttribute("data-secret")) ?? "";
  await page.getByLabel("Code from the app").fill(totpCodeAt(secret));
  await page.getByRole("button", { name: "Turn on two-step verification" }).click();
  await page.waitForURL(/\/admin\/two-step$/);
  return secret;
}

/** The password, then the code step: shot on the way when `file` is given. */
async function signInWithCode(page: Page, who: typeof barbara, code: () => Promise<string>, file?: string) {
  await page.goto("/admin/login");
  await page.getByLabel("Username").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin\/login\/verify$/);
  if (file) await shoot(page, file);
  await page.getByLabel("Authentication code").fill(await code());
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL(/\/admin\/$/);
}

/**
 * The set-up at sign-in, on a second site where BACKOFFICE_REQUIRE_MFA is set: a staff member
 * without an authenticator, right after their password.
 */
async function requiredSetup(browser: Browser): Promise<void> {
  const site = await startSite({ mode: "development", backoffice: { requireMfa: true } });
  try {
    const who = { username: "grace", password: "Hopper-Staff-2024!" };
    await insertLocalUser(site, {
      username: who.username,
      email_verified: true,
      is_staff: true,
      password: who.password,
      given_name: "Grace",
      family_name: "Hopper",
    });
    for (const viewport of Object.keys(viewports) as ViewportName[]) {
      const page = await newPage(browser, site, viewport);
      await page.goto("/admin/login");
      await page.getByLabel("Username").fill(who.username);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/admin\/login\/setup$/);
      await shoot(page, `backoffice-login-setup-${viewport}.png`);
      await page.context().close();
    }
  } finally {
    await site.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(outputDir, { recursive: true });
  const browser = await launchChromium();
  const site = await startSite({ mode: "development" });
  try {
    const ids = await seed(site);
    const setup = await newPage(browser, site, "desktop");
    await signIn(setup);
    await makeHistory(setup, ids);
    await setup.context().close();
    const barbaraPage = await newPage(browser, site, "desktop");
    await signIn(barbaraPage, barbara);
    const barbaraCode = codesOf(await turnOnTwoStep(barbaraPage));
    await barbaraPage.context().close();
    process.stdout.write(`Back-office screenshots of ${site.url} into ${outputDir}:\n`);
    for (const viewport of Object.keys(viewports) as ViewportName[]) {
      const page = await newPage(browser, site, viewport);
      await signIn(page);
      await capture(page, "/admin/", `backoffice-home-${viewport}.png`);
      await capture(page, "/admin/users", `backoffice-users-${viewport}.png`);
      await capture(page, `/admin/users/${ids.grace}`, `backoffice-user-change-${viewport}.png`);
      await capture(page, "/admin/audit-log", `backoffice-audit-log-${viewport}.png`);
      await capture(page, `/admin/users/${ids.alan}`, `backoffice-user-cognito-mfa-${viewport}.png`);
      // The panel alone, where its MFA section can be read on a phone's long page.
      await page.getByTestId("cognito-panel").screenshot({
        path: resolve(outputDir, `backoffice-cognito-panel-mfa-${viewport}.png`),
        animations: "disabled",
      });
      // Ada's own two-step page: off, then the set-up with its QR code (cancelled afterwards).
      await capture(page, "/admin/two-step", `backoffice-two-step-off-${viewport}.png`);
      await page.getByRole("button", { name: "Set up an authenticator app" }).click();
      await page.waitForURL(/\/admin\/two-step$/);
      await shoot(page, `backoffice-two-step-setup-${viewport}.png`);
      await page.getByRole("button", { name: "Cancel the set-up" }).click();
      await page.context().close();

      const staff = await newPage(browser, site, viewport);
      await signInWithCode(staff, barbara, barbaraCode, `backoffice-login-verify-${viewport}.png`);
      await capture(staff, "/admin/two-step", `backoffice-two-step-on-${viewport}.png`);
      await staff.context().close();
    }
    const root = await newPage(browser, site, "desktop");
    await signIn(root);
    await capture(root, `/admin/users/${ids.barbara}`, "backoffice-user-two-step-desktop.png");
    await capture(root, `/admin/users/${ids.barbara}/two-step/reset`, "backoffice-two-step-reset-desktop.png");
    await capture(root, `/admin/users/${ids.alan}/cognito/reset-mfa`, "backoffice-cognito-reset-mfa-desktop.png");
    await root.context().close();
    await requiredSetup(browser);
    // Grace (Support: view and change users and groups, no manage_staff) sees what she may not
    // grant disabled.
    const limited = await newPage(browser, site, "desktop");
    await signIn(limited, { username: "grace", password: "Hopper-Staff-2024!" });
    await capture(limited, `/admin/users/${ids.alan}`, "backoffice-user-change-limited-desktop.png");
    await capture(limited, `/admin/users/${ids.barbara}`, "backoffice-user-change-refused-desktop.png");
    // Her own group: she may rename it, not change what it grants (it would change her account).
    await limited.goto("/admin/groups");
    await limited.getByRole("link", { name: "Support", exact: true }).click();
    await shoot(limited, "backoffice-group-locked-desktop.png");
    await limited.context().close();
  } finally {
    await site.stop();
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `backoffice screenshots: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
