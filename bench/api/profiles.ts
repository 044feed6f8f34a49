/**
 * With `--cpu-prof`, every app process the benchmark starts writes a V8 profile when it stops
 * (`CPU.<date>.<pid>.….cpuprofile`). This names each profile after its case (by PID) and prints
 * the hot spots: self time per package and per function, as shares of the busy (non-idle) time.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { summarizeProfile, type ProfileSummary } from "../lib/cpu-profile.ts";
import { fmt, formatTable } from "../lib/table.ts";

export interface LabelledProfile {
  readonly label: string;
  readonly file: string;
  readonly summary: ProfileSummary;
}

export function readProfiles(dir: string, labels: ReadonlyMap<number, string>): LabelledProfile[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
    const label = labels.get(pid);
    return label === undefined
      ? []
      : [{ label, file: join(dir, file), summary: summarizeProfile(join(dir, file), 15) }];
  });
}

const pct = (share: number) => `${fmt(share * 100, 1)} %`;

export function formatProfiles(profiles: readonly LabelledProfile[]): string {
  const out: string[] = [];
  for (const { label, file, summary } of profiles) {
    const busy = summary.totalMs - summary.idleMs;
    out.push(
      "",
      `CPU profile — ${label}: ${fmt(busy)} ms busy of ${fmt(summary.totalMs)} ms sampled (${file})`,
      formatTable(
        ["package", "self ms", "share"],
        summary.packages.slice(0, 8).map((h) => [h.name, fmt(h.selfMs), pct(h.share)]),
      ),
      "",
      formatTable(
        ["function", "self ms", "share"],
        summary.functions.slice(0, 15).map((h) => [h.name, fmt(h.selfMs), pct(h.share)]),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
