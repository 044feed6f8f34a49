/**
 * Debian's Chromium driven by `playwright-core`. The browser comes from the system package
 * (`apt-get install chromium`, which `.ci/run` does), never from a test tool's own download; when
 * it is missing the browser tests fail with how to install it — they are never skipped.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a headless, sandbox-less container that must not reach the network on its own. */
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export class ChromiumMissingError extends Error {
  constructor(path: string) {
    super(
      `Chromium is required for the browser tests and is not installed at ${path}. ` +
        "Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH). " +
        "Never let a test tool download its own browser.",
    );
    this.name = "ChromiumMissingError";
  }
}

/** Launches headless Chromium, or throws `ChromiumMissingError` with how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new ChromiumMissingError(chromiumPath);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
