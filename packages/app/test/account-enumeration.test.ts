/**
 * The pages before sign-in that take a username — `/confirm`, `/confirm/resend` and
 * `/reset-password` — answer an existing account (unconfirmed, confirmed, with a code pending)
 * exactly as a name nobody has, try after try, until the same try is refused with 429: the
 * pool prevents user-existence errors, and so must the pages in front of it. Each try comes
 * from a new client address, so only the per-username budget is in play; one address trying
 * many names meets its own budget.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountLimits } from "../src/accounts/rate-limits.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { browserAt, CognitoAdmin, goodPassword, newAccount, uniqueName } from "./accounts-fixtures.ts";

/** What a person sees of an answer: its status, and its text with the username taken out. */
interface Answer {
  readonly status: number;
  readonly text: string;
}

describe("no account enumeration before sign-in (sqlite)", () => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite" });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  /** Posts `form` to `path` from a new address, `tries` times; what each answer showed. */
  const answers = async (
    path: string,
    page: string,
    username: string,
    form: Record<string, string>,
    tries: number,
  ): Promise<Answer[]> => {
    const seen: Answer[] = [];
    for (let i = 0; i < tries; i++) {
      const browser = browserAt(h);
      await browser.get(page);
      const res = await browser.post(path, { username, ...form });
      const shown = res.statusCode === 303 ? await browser.follow() : res;
      seen.push({ status: res.statusCode, text: textOf(shown.body).replaceAll(username, "<name>") });
    }
    return seen;
  };
  const statuses = (seen: readonly Answer[]) => seen.map((a) => a.status);
  const codeBudget = accountLimits.codeCheck.perUsername.max;

  it("/confirm: a wrong code reads the same for an unconfirmed, a confirmed and an unknown account, and all are limited alike", async () => {
    const unconfirmed = await admin.unconfirmed(newAccount("enum"));
    const confirmed = await admin.confirmed(newAccount("enum"));
    const tries = codeBudget + 2;
    const form = { code: "000001" };
    const [a, b, c] = await Promise.all([
      answers("/confirm", "/confirm", unconfirmed.username, form, tries),
      answers("/confirm", "/confirm", confirmed.username, form, tries),
      answers("/confirm", "/confirm", uniqueName("ghost"), form, tries),
    ]);
    expect(a).toEqual(c);
    expect(b).toEqual(c);
    // Before: the sixth try of an existing account was a 429 (its code used up), never so for
    // an unknown name; a confirmed account was sent to sign in.
    expect(statuses(c)).toEqual([...Array<number>(codeBudget).fill(400), 429, 429]);
  });

  it("/confirm/resend: the same neutral answer for every account, and the same limit", async () => {
    const unconfirmed = await admin.unconfirmed(newAccount("enum"));
    const confirmed = await admin.confirmed(newAccount("enum"));
    const tries = accountLimits.codeSend.perUsername.max + 1;
    const [a, b, c] = await Promise.all([
      answers("/confirm/resend", "/confirm", unconfirmed.username, {}, tries),
      answers("/confirm/resend", "/confirm", confirmed.username, {}, tries),
      answers("/confirm/resend", "/confirm", uniqueName("ghost"), {}, tries),
    ]);
    expect(a).toEqual(c);
    expect(b).toEqual(c);
    expect(c[0]?.text).toContain("If that account is waiting for confirmation, we have sent a new code");
    expect(c[0]?.text).not.toMatch(/\*\*\*@/);
    expect(statuses(c)).toEqual([...Array<number>(tries - 1).fill(303), 429]);
  });

  it("/reset-password: a wrong code reads the same with a code pending as for an unknown name, and is limited alike", async () => {
    const account = await admin.confirmed(newAccount("enum"));
    const asked = browserAt(h);
    await asked.get("/forgot-password");
    expect((await asked.post("/forgot-password", { username: account.username })).statusCode).toBe(303);
    const tries = codeBudget + 2;
    const form = { code: "000001", password: "Brand-New-Secret-42", password2: "Brand-New-Secret-42" };
    const [a, b] = await Promise.all([
      answers("/reset-password", "/reset-password?other=1", account.username, form, tries),
      answers("/reset-password", "/reset-password?other=1", uniqueName("ghost"), form, tries),
    ]);
    expect(a).toEqual(b);
    expect(statuses(b)).toEqual([...Array<number>(codeBudget).fill(400), 429, 429]);
  });

  it("one address guessing codes for many names meets its own budget", async () => {
    const browser = browserAt(h);
    const seen: number[] = [];
    const perAddress = accountLimits.codeCheck.perAddress.max;
    for (let i = 0; i < perAddress + 5; i++) {
      await browser.get("/confirm?other=1");
      seen.push((await browser.post("/confirm", { username: uniqueName("many"), code: "123456" })).statusCode);
    }
    expect(seen.slice(0, perAddress).every((s) => s === 400)).toBe(true);
    expect(seen.slice(perAddress).every((s) => s === 429)).toBe(true);
    // The right code of a real account is refused too once the address has spent its budget.
    const account = await admin.unconfirmed({ ...newAccount("late"), password: goodPassword });
    await browser.get("/confirm?other=1");
    expect((await browser.post("/confirm", { username: account.username, code: "123456" })).statusCode).toBe(429);
  });
});
