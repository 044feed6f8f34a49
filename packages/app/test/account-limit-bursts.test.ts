/**
 * The site's per-username budgets under a burst (issue 14: "a burst is limited exactly as a
 * sequence is; same for the site's per-username limits"): 100 simultaneous tries for one name,
 * each from its own address so only the per-username budget is in play, let exactly the budget
 * through, and the right answer sent after them is refused too. An unknown name meets the same
 * count, so a burst tells nobody which names have accounts. The sign-in's own burst test is in
 * login.test.ts, the back office's in backoffice-login.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountLimits } from "../src/accounts/rate-limits.ts";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import {
  browserAt,
  CognitoAdmin,
  latestCode,
  limitedAnswers,
  newAccount,
  sentCount,
  simultaneousPosts,
  uniqueName,
} from "./accounts-fixtures.ts";

const burst = 100;
const newPassword = "Brand-New-Secret-42";

describe.each(["sqlite", "postgres"] as const)("bursts against the per-username budgets (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const tries = (form: Record<string, string>) => Array.from({ length: burst }, () => form);
  /** Posts `form` as the right answer, from a new address, after the burst. */
  const afterBurst = async (page: string, path: string, form: Record<string, string>) => {
    const browser = browserAt(h);
    await browser.get(page);
    return browser.post(path, form);
  };

  it("/confirm: of 100 wrong codes at once the budget is tried, for an account as for an unknown name, then the right code is refused", async () => {
    const account = await admin.unconfirmed(newAccount("burstconfirm"));
    const budget = accountLimits.codeCheck.perUsername.max;
    for (const username of [account.username, uniqueName("ghost")]) {
      const answers = await simultaneousPosts(h, "/confirm?other=1", "/confirm", tries({ username, code: "000001" }));
      expect(burst - limitedAnswers(answers).length, username).toBe(budget);
    }
    const right = await afterBurst("/confirm?other=1", "/confirm", {
      username: account.username,
      code: latestCode(h, account.username),
    });
    expect(right.statusCode).toBe(429);
    expect(limitedAnswers([right])).toHaveLength(1);
  });

  it("/reset-password: of 100 wrong codes at once the budget is tried, for an account as for an unknown name, then the right code is refused", async () => {
    const account = await admin.confirmed(newAccount("burstreset"));
    const asked = browserAt(h);
    await asked.get("/forgot-password");
    expect((await asked.post("/forgot-password", { username: account.username })).statusCode).toBe(303);
    const budget = accountLimits.codeCheck.perUsername.max;
    const wrong = { code: "000001", password: newPassword, password2: newPassword };
    for (const username of [account.username, uniqueName("ghost")]) {
      const answers = await simultaneousPosts(
        h,
        "/reset-password?other=1",
        "/reset-password",
        tries({ username, ...wrong }),
      );
      expect(burst - limitedAnswers(answers).length, username).toBe(budget);
    }
    const right = await afterBurst("/reset-password?other=1", "/reset-password", {
      ...wrong,
      username: account.username,
      code: latestCode(h, account.username),
    });
    expect(right.statusCode).toBe(429);
    // The password was not changed: the old one still signs in.
    expect((await admin.signIn(account.username, account.password)).AuthenticationResult).toBeDefined();
  });

  it("/forgot-password and /confirm/resend: 100 requests at once send no more codes than the budget", async () => {
    const budget = accountLimits.codeSend.perUsername.max;
    for (const [page, path, account] of [
      ["/forgot-password", "/forgot-password", await admin.confirmed(newAccount("burstforgot"))],
      ["/confirm?other=1", "/confirm/resend", await admin.unconfirmed(newAccount("burstresend"))],
    ] as const) {
      const before = sentCount(h, account.username);
      const answers = await simultaneousPosts(h, page, path, tries({ username: account.username }));
      expect(burst - limitedAnswers(answers).length, path).toBe(budget);
      expect(sentCount(h, account.username) - before, path).toBeLessThanOrEqual(budget);
      const ghost = await simultaneousPosts(h, page, path, tries({ username: uniqueName("ghost") }));
      expect(burst - limitedAnswers(ghost).length, `${path}, unknown name`).toBe(budget);
    }
  });
});
