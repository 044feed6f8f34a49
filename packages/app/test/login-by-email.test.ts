/**
 * Sign-in by email address reaches only the account whose *verified* email that is, never one
 * whose username merely looks like it (issue 14). AWS refuses email-shaped usernames in pools
 * with the email alias (the pool Gatehouse documents), but accepts them in a pool without it;
 * there Cognito resolves the typed address as a username, and the app must not accept that.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../src/accounts/messages.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import { browserAt, CognitoAdmin, goodPassword, newAccount, uniqueName } from "./accounts-fixtures.ts";

/** A person typing `login` and `password` on /login, in a fresh browser. */
async function signInAs(h: AppHarness, login: string, password: string) {
  const browser = browserAt(h);
  await browser.get("/login");
  const res = await browser.post("/login", { username: login, password });
  return { res, home: textOf((await browser.get("/")).body) };
}

describe("signing in by email in the documented pool (email alias)", () => {
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

  it("reaches the account whose verified email it is", async () => {
    const owner = await admin.confirmed(newAccount("owner"));
    const { res, home } = await signInAs(h, owner.email, owner.password);
    expect(res.statusCode).toBe(303);
    expect(home).toContain(`Signed in as ${owner.username}`);
  });

  it("cannot be pointed at someone else: Cognito refuses an email-shaped username here", async () => {
    const victim = `${uniqueName("victim")}@example.com`;
    await expect(
      admin.client.send(
        new SignUpCommand({
          ClientId: h.webClientId,
          Username: victim,
          Password: goodPassword,
          SecretHash: admin.secretHash(victim),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("signing in by email in a pool without the email alias", () => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite", pool: { AliasAttributes: [] } });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  /**
   * B owns `address` (verified); A, in a pool where AWS allows it, took `address` as a username,
   * with the same password as B so that only the resolution decides.
   */
  async function squatted() {
    const address = `${uniqueName("victim")}@example.com`;
    const owner = await admin.confirmed({ ...newAccount("owner"), email: address });
    const squatter = await admin.confirmed({
      username: address,
      email: `${uniqueName("squatter")}@example.net`,
      password: owner.password,
    });
    return { address, owner, squatter };
  }

  it("never signs in the account whose username is the typed address", async () => {
    const { address, owner, squatter } = await squatted();
    const { res, home } = await signInAs(h, address, squatter.password);
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(t("INCORRECT_CREDENTIALS"));
    expect(home).not.toContain("Signed in as");
    expect(await h.app.users.findByUsername(squatter.username)).toBeUndefined();
    expect(await h.app.users.findByUsername(owner.username)).toBeUndefined();
  });

  it("never starts the new-password step of such an account either", async () => {
    const address = `${uniqueName("invited")}@example.com`;
    await admin.adminCreated(
      { username: address, email: `${uniqueName("other")}@example.net`, password: "" },
      "Temporary-Pass-1",
    );
    const browser = browserAt(h);
    await browser.get("/login");
    const res = await browser.post("/login", { username: address, password: "Temporary-Pass-1" });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(t("INCORRECT_CREDENTIALS"));
    expect((await browser.get("/new-password")).headers.location).toBe("/login");
  });

  it("still signs the owner in by username", async () => {
    const { owner } = await squatted();
    const { res, home } = await signInAs(h, owner.username, owner.password);
    expect(res.statusCode).toBe(303);
    expect(home).toContain(`Signed in as ${owner.username}`);
  });

  it("refuses an account whose verified email is the address but whose username is too", async () => {
    const address = `${uniqueName("both")}@example.com`;
    await admin.client.send(
      new AdminCreateUserCommand({
        UserPoolId: h.poolId,
        Username: address,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: address },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    await admin.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: h.poolId,
        Username: address,
        Password: goodPassword,
        Permanent: true,
      }),
    );
    const { res, home } = await signInAs(h, address, goodPassword);
    expect(res.statusCode).toBe(400);
    expect(home).not.toContain("Signed in as");
  });
});
