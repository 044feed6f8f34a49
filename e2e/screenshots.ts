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
] as const;

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
