/**
 * `/api/docs` in a real browser (Debian's Chromium): Swagger UI renders every operation under the
 * docs path's CSP without one violation, and "Try it out" reaches the API.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../../e2e/chromium.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";

let h: AppHarness;
let browser: Browser;

beforeAll(async () => {
  h = await startAppHarness({ database: "sqlite", listen: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h.stop();
});

describe("the API docs page", () => {
  it("renders every operation under its CSP, and calls the health check from the page", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const failedRequests: string[] = [];
    page.on("requestfailed", (request) => failedRequests.push(request.url()));

    const response = await page.goto(`${h.url}/api/docs`);
    expect(response?.status()).toBe(200);
    await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
    const operations = await page.locator(".opblock-summary-path").allTextContents();
    expect(operations.map((text) => text.replace(/\u200b/g, ""))).toEqual(
      expect.arrayContaining(["/api/v1/me", "/api/v1/users", "/api/v1/users/{id}", "/api/v1/health"]),
    );
    // Swagger UI's own stylesheet applied (a CSP that blocked it would leave the defaults).
    const display = await page
      .locator(".opblock-summary")
      .first()
      .evaluate((node) => getComputedStyle(node).display);
    expect(display).toBe("flex");

    const health = page.locator("#operations-health-get_api_v1_health");
    await health.locator(".opblock-summary").click();
    await health.getByRole("button", { name: "Try it out" }).click();
    await health.getByRole("button", { name: "Execute" }).click();
    await expect
      .poll(async () =>
        (await health.locator(".live-responses-table tbody .response-col_status").first().textContent())?.trim(),
      )
      .toBe("200");

    expect(problems.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(problems).toEqual([]);
    expect(failedRequests).toEqual([]);
    await page.close();
  });
});
