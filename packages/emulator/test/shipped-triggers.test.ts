/**
 * The triggers the repository ships (triggers/ at the root), run by the emulator for the dev
 * pool with its LambdaConfig mapped to them: PreSignUp refusing an email address in another
 * letter case, PostConfirmation's signed webhook and its retries.
 */
import { AdminConfirmSignUpCommand, ListUsersCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSeed } from "../src/index.ts";
import { errorOf, startHarness, type Harness } from "./harness.ts";

const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:gatehouse-${name}`;
const shipped = (name: string) => fileURLToPath(new URL(`../../../triggers/${name}.ts`, import.meta.url));
/** The dev pool with its LambdaConfig mapped to the shipped triggers. */
const devSeed = JSON.parse(readFileSync(fileURLToPath(new URL("../seeds/dev.json", import.meta.url)), "utf8")) as {
  pools: Record<string, unknown>[];
};
const seed = parseSeed({
  pools: [
    { ...devSeed.pools[0], LambdaConfig: { PreSignUp: arn("pre-signup"), PostConfirmation: arn("post-confirmation") } },
  ],
  triggers: { [arn("pre-signup")]: shipped("pre-signup"), [arn("post-confirmation")]: shipped("post-confirmation") },
});
const poolId = "us-east-1_GatehoUse";
const publicClient = "gatehousepublicclient00001";
const secret = "test-webhook-secret";

interface Received {
  readonly body: string;
  readonly signature: string | undefined;
}

describe("the shipped triggers on the dev pool", () => {
  let h: Harness;
  let server: Server;
  const received: Received[] = [];
  /** Status codes the webhook receiver answers with, in turn; 204 once they run out. */
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({
          body: Buffer.concat(chunks).toString("utf8"),
          signature: request.headers["x-gatehouse-signature"] as string | undefined,
        });
        response.writeHead(answers.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.GATEHOUSE_WEBHOOK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/cognito/post-confirmation`;
    process.env.GATEHOUSE_WEBHOOK_SECRET = secret;
    h = await startHarness({ seed });
  });
  afterAll(async () => {
    await h.stop();
    await new Promise((resolve) => server.close(resolve));
    delete process.env.GATEHOUSE_WEBHOOK_URL;
    delete process.env.GATEHOUSE_WEBHOOK_SECRET;
  });
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });

  const signUp = (username: string, email: string) =>
    h.cognito.send(
      new SignUpCommand({
        ClientId: publicClient,
        Username: username,
        Password: "Passw0rd1",
        UserAttributes: [{ Name: "email", Value: email }],
      }),
    );

  it("PreSignUp refuses a second account with the same email address in another letter case", async () => {
    await signUp("ada", "ada@example.com");
    const error = await errorOf(signUp("ada2", "Ada@Example.COM"));
    expect(error).toEqual({
      name: "UserLambdaValidationException",
      message: "PreSignUp failed with error An account with this email address already exists..",
      status: 400,
    });
    const { Users } = await h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "ada2"' }));
    expect(Users).toEqual([]);
    await signUp("grace", "grace@example.com");
  });

  it("PostConfirmation posts the signed contract body to the app's webhook", async () => {
    const { UserSub } = await signUp("alan", "Alan@Example.com");
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: "alan" }));
    expect(received).toHaveLength(1);
    const [{ body, signature }] = received as [Received];
    expect(JSON.parse(body)).toEqual({
      sub: UserSub,
      username: "alan",
      email: "Alan@Example.com",
      emailVerified: true,
      triggerSource: "PostConfirmation_ConfirmSignUp",
    });
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature ?? "");
    expect(match).not.toBeNull();
    const [, t, v1] = match!;
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(10);
    expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  });

  it("PostConfirmation retries a failing webhook, and stops at a refusal retrying cannot change", async () => {
    answers = [503, 500];
    await signUp("edsger", "edsger@example.com");
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: "edsger" }));
    expect(received).toHaveLength(3);

    received.length = 0;
    answers = [401];
    await signUp("barbara", "barbara@example.com");
    // The confirmation goes on; the row comes from sync-users instead.
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: "barbara" }));
    expect(received).toHaveLength(1);
  });
});
