/**
 * The benchmark measures the compiled app and emulator (`dist/`), so a build older than its
 * sources would measure yesterday's code. When any source file is newer than its package's
 * `dist/cli.js`, `npm run build` runs first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Packages whose `dist/cli.js` is missing or older than a file of their `src/`. */
export function staleBuilds(repoRoot: string): string[] {
  return ["app", "emulator"].filter((name) => {
    const entry = join(repoRoot, "packages", name, "dist", "cli.js");
    const sources = join(repoRoot, "packages", name, "src");
    if (!existsSync(sources)) return false;
    return !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(sources);
  });
}

export function buildIfStale(repoRoot: string): void {
  const stale = staleBuilds(repoRoot);
  if (stale.length === 0) return;
  process.stdout.write(`Building (${stale.join(", ")}: dist/ older than src/): npm run build …\n`);
  const result = spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}
