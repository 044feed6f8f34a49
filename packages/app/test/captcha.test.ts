/**
 * The proof-of-work check on registration and forgot-password (ALTCHA), on SQLite and
 * PostgreSQL: the page carries a signed challenge; a missing, wrong or reused solution is a
 * form error and Cognito is not asked (no account, no email); a solution found as the browser's
 * widget finds it lets the form through once.
 */
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { solveChallenge } from "altcha-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../src/accounts/messages.ts";
import { startAppHarness, textOf, type AppHarness, type TestBrowser } from "./app-harness.ts";
import { browserAt, CognitoAdmin, goodPassword, newAccount, sentCount } from "./accounts-fixtures.ts";

interface Challenge {
  readonly algorithm: string;
  readonly challenge: string;
  readonly salt: string;
  readonly signature: string;
  readonly maxnumber?: number;
}

/** The challenge the last page carries, as the widget reads it. */
function challengeIn(html: string): Challenge {
  const json = /challengejson="([^"]+)"/.exec(html)?.[1];
  if (!json) throw new Error("no captcha challenge on the page");
  return JSON.parse(json.replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as Challenge;
}

/** The widget's answer: the number behind the challenge, in the payload the form posts. */
async function solve(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, 100_000).promise;
  if (!solution) throw new Error("the challenge has no solution");
  const payload = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    number: solution.number,
    salt: challenge.salt,
    signature: challenge.signature,
  };
  return Buffer.from(JSON.stringify(payload)).toString("base64");
}

describe.each(["sqlite", "postgres"] as const)("the captcha (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { captcha: { maxNumber: 2_000 } } });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  const registration = (account: ReturnType<typeof newAccount>) => ({
    username: account.username,
    email: account.email,
    password: goodPassword,
    password2: goodPassword,
  });
  const exists = (username: string): Promise<boolean> =>
    admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username })).then(
      () => true,
      () => false,
    );

  async function registerPage(): Promise<TestBrowser> {
    const browser = browserAt(h);
    const page = await browser.get("/register");
    expect(page.body).toContain("<altcha-widget");
    expect(page.body).toContain('src="/static/altcha/altcha.js"');
    return browser;
  }

  it("serves the widget, its worker and stylesheet from this site", async () => {
    for (const file of ["altcha.js", "worker.js", "altcha.css"]) {
      expect((await h.app.inject({ method: "GET", url: `/static/altcha/${file}` })).statusCode).toBe(200);
    }
  });

  it("refuses a registration without a solution, or with a wrong one, and asks Cognito nothing", async () => {
    const browser = await registerPage();
    const account = newAccount("robot");
    const none = await browser.post("/register", registration(account));
    expect(none.statusCode).toBe(400);
    expect(textOf(none.body)).toContain(t("CAPTCHA_REQUIRED"));
    const challenge = challengeIn(none.body);
    const wrong = Buffer.from(JSON.stringify({ ...challenge, number: -1 })).toString("base64");
    const res = await browser.post("/register", { ...registration(account), altcha: wrong });
    expect(res.statusCode).toBe(400);
    expect(await browser.post("/register", { ...registration(account), altcha: "not-base64-json" })).toMatchObject({
      statusCode: 400,
    });
    expect(await exists(account.username)).toBe(false);
  });

  it("lets a solved registration through once; the same solution does not serve twice", async () => {
    const browser = await registerPage();
    const payload = await solve(challengeIn(browser.last?.body ?? ""));
    const account = newAccount("person");
    const res = await browser.post("/register", { ...registration(account), altcha: payload });
    expect(res.statusCode).toBe(303);
    expect(await exists(account.username)).toBe(true);

    const again = await registerPage();
    const second = newAccount("again");
    const replay = await again.post("/register", { ...registration(second), altcha: payload });
    expect(replay.statusCode).toBe(400);
    expect(await exists(second.username)).toBe(false);
  });

  it("guards forgot-password the same way: no solution, no email", async () => {
    const account = await admin.confirmed(newAccount("forgot"));
    const browser = browserAt(h);
    const page = await browser.get("/forgot-password");
    const sent = sentCount(h, account.username);
    const none = await browser.post("/forgot-password", { username: account.username });
    expect(none.statusCode).toBe(400);
    expect(textOf(none.body)).toContain(t("CAPTCHA_REQUIRED"));
    expect(sentCount(h, account.username)).toBe(sent);
    const solved = await browser.post("/forgot-password", {
      username: account.username,
      altcha: await solve(challengeIn(page.body)),
    });
    expect(solved.statusCode).toBe(303);
    expect(sentCount(h, account.username)).toBe(sent + 1);
  });
});
