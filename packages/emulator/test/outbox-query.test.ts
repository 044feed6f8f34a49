/**
 * The outbox's query string (`/_outbox`, `/_outbox.html`): its two filters, and a clear 400 for
 * anything else — a repeated, unknown, empty or badly encoded parameter — never a 500
 * (issue 14: `/_outbox?poolId=a&poolId=b` answered 500).
 */
import { SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h, { AutoVerifiedAttributes: ["email"] })).Id!;
  const client = (await createClient(h, poolId)).ClientId!;
  const email = [{ Name: "email", Value: "reader@example.com" }];
  await h.cognito.send(
    new SignUpCommand({ ClientId: client, Username: "outbox.reader", Password: "Passw0rd!", UserAttributes: email }),
  );
});
afterAll(async () => h.stop());

describe.each(["/_outbox", "/_outbox.html"])("%s", (path) => {
  it("filters by one poolId and one username, percent-decoded", async () => {
    const res = await fetch(`${h.emulator.url}${path}?poolId=${poolId}&username=outbox%2Ereader`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("reader@example.com");
  });

  it.each([
    ["poolId=a&poolId=b", "Query parameter poolId is given more than once."],
    ["username=a&username=b", "Query parameter username is given more than once."],
    ["poolId=a&poolid=b", "Unknown query parameter poolid; the outbox takes poolId and username."],
    ["pooId=x", "Unknown query parameter pooId; the outbox takes poolId and username."],
    ["poolId[]=a", "Unknown query parameter poolId[]; the outbox takes poolId and username."],
    ["__proto__=x", "Unknown query parameter __proto__; the outbox takes poolId and username."],
    ["poolId=", "Query parameter poolId has no value."],
    ["username", "Query parameter username has no value."],
    ["poolId=%zz", "Query parameter poolId is not valid percent-encoding."],
    ["username=%E0%A4%A", "Query parameter username is not valid percent-encoding."],
    ["%ff=1", "A query parameter name is not valid percent-encoding."],
    ["username=a%00b", "Query parameter username contains control characters."],
  ])("answers ?%s with 400 and a JSON error", async (query, message) => {
    const res = await fetch(`${h.emulator.url}${path}?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ message });
  });

  it("ignores empty segments, as a browser writes them (?&poolId=…&)", async () => {
    const res = await fetch(`${h.emulator.url}${path}?&poolId=${poolId}&`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("reader@example.com");
  });
});
