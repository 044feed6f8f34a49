/**
 * Screenshots of the back office — home, users list, change form and audit log — at desktop
 * (1280×800) and phone (390×844) width, into docs/screenshots/backoffice-*.png, to be looked at
 * after every visual change. Starts its own emulator, SQLite database and app on loopback (in
 * development mode), fills them with a small, plausible team, and signs a superuser in through
 * /admin/login.
 *
 * @example
 *   TSX_TSCONFIG_PATH=packages/app/tsconfig.json node --import tsx e2e/backoffice-screenshots.ts
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { hashPassword } from "../packages/app/src/backoffice/passwords.ts";
import { launchChromium, viewports } from "./chromium.ts";
import { startSite, type Site } from "./site.ts";

const outputDir = resolve(import.meta.dirname, "..", "docs", "screenshots");
const admin = { username: "ada", email: "ada@gatehouse.example", password: "Analytical-Engine-1843" };

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
  const db = harness.database.database.db;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: harness.emulator.url,
    region: harness.config.cognito.region,
    credentials: { accessKeyId: "shots", secretAccessKey: "shots" },
  });
  const ids: Record<string, string> = {};
  const day = 24 * 3600_000;
  const now = Date.now();
  const superId = randomUUID();
  const created = new Date(now - 60 * day).toISOString();
  await db
    .insertInto("users")
    .values({
      id: superId,
      username: admin.username,
      username_key: admin.username,
      email: admin.email,
      email_key: admin.email,
      email_verified: false,
      cognito_sub: null,
      is_active: true,
      is_staff: true,
      is_superuser: true,
      password_hash: await hashPassword(admin.password),
      given_name: null,
      family_name: null,
      phone_number: null,
      picture: null,
      last_login: null,
      last_synced_at: null,
      created_at: created,
      updated_at: created,
    })
    .execute();
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
    const sub = result.User?.Attributes?.find((a) => a.Name === "sub")?.Value ?? null;
    const id = randomUUID();
    const at = new Date(now - person.daysAgo * day).toISOString();
    await db
      .insertInto("users")
      .values({
        id,
        username: person.username,
        username_key: person.username,
        email,
        email_key: email,
        email_verified: true,
        cognito_sub: sub,
        is_active: true,
        is_staff: person.staff ?? false,
        is_superuser: false,
        password_hash: person.staff ? await hashPassword(`${person.family}-Staff-2024!`) : null,
        given_name: person.given,
        family_name: person.family,
        phone_number: null,
        picture: null,
        last_login:
          person.state === "confirmed" ? new Date(now - Math.floor(person.daysAgo / 2) * day).toISOString() : null,
        last_synced_at: at,
        created_at: at,
        updated_at: at,
      })
      .execute();
    ids[person.username] = id;
  }
  cognito.destroy();
  return ids;
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
  for (const label of ["Can view user", "Can change user"]) await page.getByLabel(label).check();
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
  await page.screenshot({ path: resolve(outputDir, file), fullPage: true, animations: "disabled" });
  process.stdout.write(`  ${file}\n`);
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
    process.stdout.write(`Back-office screenshots of ${site.url} into ${outputDir}:\n`);
    for (const viewport of Object.keys(viewports) as ViewportName[]) {
      const page = await newPage(browser, site, viewport);
      await signIn(page);
      await capture(page, "/admin/", `backoffice-home-${viewport}.png`);
      await capture(page, "/admin/users", `backoffice-users-${viewport}.png`);
      await capture(page, `/admin/users/${ids.grace}`, `backoffice-user-change-${viewport}.png`);
      await capture(page, "/admin/audit-log", `backoffice-audit-log-${viewport}.png`);
      await page.context().close();
    }
    // Grace (Support: view and change users, no manage_staff) sees what she may not grant disabled.
    const limited = await newPage(browser, site, "desktop");
    await signIn(limited, { username: "grace", password: "Hopper-Staff-2024!" });
    await capture(limited, `/admin/users/${ids.alan}`, "backoffice-user-change-limited-desktop.png");
    await capture(limited, `/admin/users/${ids.barbara}`, "backoffice-user-change-refused-desktop.png");
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
