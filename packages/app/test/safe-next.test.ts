/**
 * `safeNext`: where a sign-in page may send a person afterwards. Issue 14 found
 * `/login?next=/..//evil.example` and `/admin/login?next=/.//evil.example` redirecting to
 * `//evil.example`, which browsers read as another host: the check ran before the URL parser
 * resolved the dot segments.
 */
import { describe, expect, it } from "vitest";
import { safeNext } from "../src/accounts/session-auth.ts";
import { offSiteNexts } from "./accounts-fixtures.ts";

describe("safeNext", () => {
  it.each(offSiteNexts)("refuses %j", (next) => {
    expect(safeNext(next, "/fallback")).toBe("/fallback");
  });

  it("keeps same-site paths with their query, normalised", () => {
    expect(safeNext("/account?tab=security")).toBe("/account?tab=security");
    expect(safeNext("/admin/users?q=a%2Fb&p=2")).toBe("/admin/users?q=a%2Fb&p=2");
    expect(safeNext("/admin/./users/../groups")).toBe("/admin/groups");
    expect(safeNext("/a/b#section")).toBe("/a/b");
  });

  it("refuses what is not a string, and absurdly long values", () => {
    expect(safeNext(undefined)).toBe("/dashboard");
    expect(safeNext(["/account"])).toBe("/dashboard");
    expect(safeNext(`/${"a".repeat(5000)}`)).toBe("/dashboard");
  });
});
