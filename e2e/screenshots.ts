/**
 * `npm run screenshots`: the register, login, dashboard and account pages at desktop (1280×800)
 * and phone (390×844) width, saved as PNGs in docs/screenshots/ — to be looked at after every
 * visual change. Starts its own emulator, SQLite database and app on loopback (as `npm run dev`
 * would, in development mode) and signs a user in through the login page.
 *
 * @example
 *   npm run screenshots            # writes docs/screenshots/<page>-<desktop|phone>.png
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, viewports } from "./chromium.ts";
import { totpCodeAt } from "../packages/app/src/backoffice/totp.ts";
import { signIn, startSite, type Site, type TestUser } from "./site.ts";

const outputDir = resolve(import.meta.dirname, "..", "docs", "screenshots");

const user: TestUser = {
  username: "ada",
  email: "ada.lovelace@example.com",
  password: "Analytical-Engine-1843",
  givenName: "Ada",
  familyName: "Lovelace",
};

type ViewportName = keyof typeof viewports;

const publicPages = [
  { name: "register", path: "/register" },
  { name: "login", path: "/login" },
] as const;
const signedInPages = [
  { name: "dashboard", path: "/dashboard" },
  { name: "account", path: "/account" },
  { name: "account-totp-setup", path: "/account/mfa/totp" },
] as const;

/** A second person, who turns on an authenticator app, for the sign-in's code page. */
const guarded: TestUser = {
  username: "grace",
  email: "grace.hopper@example.com",
  password: "Compiler-Pioneer-1952",
  givenName: "Grace",
  familyName: "Hopper",
};

/** Turns on the authenticator app on the account page, reading the key shown there. */
async function enableAuthenticator(page: Page): Promise<void> {
  await page.goto("/account/mfa/totp");
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s/g, "");
  await page.getByLabel("Code from the app").fill(totpCodeAt(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.waitForURL(/\/account/);
}

/** Signs in with the password only, stopping at the second step's page. */
async function passwordOnly(page: Page, who: TestUser): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(/username or email/i).fill(who.username);
  await page.getByLabel(/^password$/i).fill(who.password);
  await page.getByRole("button", { name: /^sign in$/i }).click();
  await page.waitForURL(/\/login\/code/);
}

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
  context.setDefaultTimeout(10_000);
  return context.newPage();
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
  // Every page is attempted, so one missing page does not hide how the others look.
  const failures: string[] = [];
  const attempt = async (what: string, step: () => Promise<void>): Promise<boolean> => {
    try {
      await step();
      return true;
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      return false;
    }
  };
  try {
    await site.createConfirmedUser(user);
    await site.createConfirmedUser(guarded);
    const setup = await newPage(browser, site, "desktop");
    await attempt("authenticator setup", async () => {
      await signIn(setup, site, guarded);
      await enableAuthenticator(setup);
    });
    await setup.context().close();
    process.stdout.write(`Screenshots of ${site.url} into ${outputDir}:\n`);
    for (const viewport of Object.keys(viewports) as ViewportName[]) {
      const visitor = await newPage(browser, site, viewport);
      for (const { name, path } of publicPages) {
        await attempt(`${name} (${viewport})`, () => capture(visitor, path, `${name}-${viewport}.png`));
      }
      await visitor.context().close();

      const member = await newPage(browser, site, viewport);
      if (await attempt(`sign-in (${viewport})`, () => signIn(member, site, user))) {
        for (const { name, path } of signedInPages) {
          await attempt(`${name} (${viewport})`, () => capture(member, path, `${name}-${viewport}.png`));
        }
      }
      await member.context().close();

      const second = await newPage(browser, site, viewport);
      if (await attempt(`password step (${viewport})`, () => passwordOnly(second, guarded))) {
        await attempt(`code page (${viewport})`, () => capture(second, "/login/code", `login-code-${viewport}.png`));
      }
      await second.context().close();
      const emailed = await newPage(browser, site, viewport);
      await attempt(`email code (${viewport})`, () =>
        capture(emailed, "/login/email-code", `login-email-code-${viewport}.png`),
      );
      await emailed.context().close();
    }
  } finally {
    await site.stop();
    await browser.close();
  }
  if (failures.length > 0) throw new Error(`some pages could not be captured:\n  ${failures.join("\n  ")}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
