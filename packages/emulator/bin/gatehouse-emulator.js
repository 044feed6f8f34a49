#!/usr/bin/env node
// Runs the compiled emulator (built by `npm install`'s prepare step, or `npm run build`): plain
// JavaScript starts in about a third of the time of loading the TypeScript through tsx. Falls
// back to the sources when no build exists.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
}
