/** What survives a restart: the database file keeps pools, clients, users, keys and sessions. */
import {
  AdminConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createClient, createPool, rawCall, startHarness } from "./harness.ts";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-emulator-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("keeps pools, clients, users, signing keys and refresh tokens across a restart", async () => {
  const dataPath = join(dir, "emulator.sqlite3");
  const first = await startHarness({ inMemory: false, dataPath, clock: { now: () => Date.now() } });
  const pool = await createPool(first);
  const client = await createClient(first, pool.Id!, {
    GenerateSecret: false,
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  await first.cognito.send(new SignUpCommand({ ClientId: client.ClientId, Username: "keeper", Password: "Passw0rd!" }));
  await first.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: "keeper" }));
  const signIn = await first.cognito.send(
    new InitiateAuthCommand({
      ClientId: client.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "keeper", PASSWORD: "Passw0rd!" },
    }),
  );
  const jwksBefore = await (await fetch(`${first.emulator.url}/${pool.Id}/.well-known/jwks.json`)).json();
  await first.stop();

  const second = await startHarness({ inMemory: false, dataPath, clock: { now: () => Date.now() } });
  try {
    const { UserPoolClient } = await second.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }),
    );
    expect(UserPoolClient?.ExplicitAuthFlows).toEqual(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    const jwksAfter = await (await fetch(`${second.emulator.url}/${pool.Id}/.well-known/jwks.json`)).json();
    expect(jwksAfter).toEqual(jwksBefore);
    const again = await second.cognito.send(
      new InitiateAuthCommand({
        ClientId: client.ClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "keeper", PASSWORD: "Passw0rd!" },
      }),
    );
    expect(again.AuthenticationResult?.AccessToken).toBeTruthy();
    const refreshed = await rawCall(
      second.emulator.url,
      "InitiateAuth",
      JSON.stringify({
        ClientId: client.ClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: signIn.AuthenticationResult!.RefreshToken },
      }),
    );
    expect(refreshed.status, refreshed.text).toBe(200);
  } finally {
    await second.stop();
  }
});
