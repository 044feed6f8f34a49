/**
 * The rewrites and skips of moto's tests of pool, client, domain, group, resource-server and
 * ListUsers settings, kept apart from the sign-in flows' (rewrites.ts, skips.ts), which merge
 * them in. Same rules and fields as there.
 */
import type { Rewrite } from "./rewrites.ts";
import type { Skip } from "./skips.ts";

export const poolSettingsRewrites: readonly Rewrite[] = [];

export const poolSettingsSkips: Readonly<Record<string, Skip>> = {};
