/**
 * The PostConfirmation webhook (`/hooks/cognito/post-confirmation`), on SQLite and PostgreSQL:
 * a signed confirmation makes the user's row (once, however often it is retried), keeps the
 * names of a row that exists; a missing, wrong or stale signature, or a body that is not the
 * contract's, is refused and changes nothing.
 */
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { uniqueName } from "./accounts-fixtures.ts";

describe.each(["sqlite", "postgres"] as const)("the PostConfirmation webhook (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database });
  });
  afterAll(async () => {
    await h.stop();
  });

  const secret = () => h.config.webhookSecret ?? "";
  const sign = (body: string, t = Math.floor(Date.now() / 1000), key = secret()) =>
    `t=${t},v1=${createHmac("sha256", key).update(`${t}.${body}`).digest("hex")}`;
  const post = (body: string, signature: string | undefined) =>
    h.app.inject({
      method: "POST",
      url: "/hooks/cognito/post-confirmation",
      payload: body,
      headers: { "content-type": "application/json", ...(signature ? { "x-gatehouse-signature": signature } : {}) },
    });
  const confirmation = () => {
    const username = uniqueName("hooked");
    return {
      sub: randomUUID(),
      username,
      email: `${username}@example.com`,
      emailVerified: true,
      triggerSource: "PostConfirmation_ConfirmSignUp",
    };
  };
  const rowsOf = (sub: string) =>
    h.database.database.db.selectFrom("users").selectAll().where("cognito_sub", "=", sub).execute();

  it("makes the row of a signed confirmation, once however often it comes", async () => {
    const event = confirmation();
    const body = JSON.stringify(event);
    for (let i = 0; i < 3; i++) expect((await post(body, sign(body))).statusCode).toBe(204);
    const rows = await rowsOf(event.sub);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ username: event.username, email: event.email });
  });

  it("keeps the names of a row that exists (a confirmed password reset)", async () => {
    const event = confirmation();
    await post(JSON.stringify(event), sign(JSON.stringify(event)));
    await h.database.database.db
      .updateTable("users")
      .set({ given_name: "Ada" })
      .where("cognito_sub", "=", event.sub)
      .execute();
    const reset = JSON.stringify({ ...event, triggerSource: "PostConfirmation_ConfirmForgotPassword" });
    expect((await post(reset, sign(reset))).statusCode).toBe(204);
    expect((await rowsOf(event.sub))[0]?.given_name).toBe("Ada");
  });

  it("refuses a missing, wrong, stale or forged signature, and a body outside the contract", async () => {
    const event = confirmation();
    const body = JSON.stringify(event);
    const refusals = [
      await post(body, undefined),
      await post(body, sign(body, undefined, "another-secret-of-at-least-32-characters")),
      await post(body, sign(body, Math.floor(Date.now() / 1000) - 600)),
      await post(body, sign(JSON.stringify({ ...event, email: "someone@else.example" }))),
      await post(body, "t=1,v1=zz"),
    ];
    expect(refusals.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(refusals[0]?.json()).toEqual({ detail: "Missing or stale signature." });
    const notTheContract = JSON.stringify({ sub: event.sub });
    expect((await post(notTheContract, sign(notTheContract))).statusCode).toBe(400);
    expect((await post("{", sign("{"))).statusCode).toBe(400);
    expect(await rowsOf(event.sub)).toHaveLength(0);
  });
});
