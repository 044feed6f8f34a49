import {
  AdminConfirmSignUpCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createClient, createPool, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock: { now: () => Date.now() } });
});
afterAll(async () => h.stop());

it("signs up, confirms with the outbox code, signs in and gets tokens aws-jwt-verify accepts", async () => {
  const pool = await createPool(h, { AutoVerifiedAttributes: ["email"] });
  const client = await createClient(h, pool.Id!, {
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  const signUp = await h.cognito.send(
    new SignUpCommand({
      ClientId: client.ClientId,
      Username: "alice",
      Password: "Passw0rd!",
      UserAttributes: [{ Name: "email", Value: "alice@example.com" }],
    }),
  );
  expect(signUp.UserConfirmed).toBe(false);
  expect(signUp.CodeDeliveryDetails).toEqual({
    Destination: "a***@e***",
    DeliveryMedium: "EMAIL",
    AttributeName: "email",
  });
  const message = h.emulator.outbox.latest("alice");
  expect(message?.code).toMatch(/^\d{6}$/);
  await h.cognito.send(
    new ConfirmSignUpCommand({ ClientId: client.ClientId, Username: "alice", ConfirmationCode: message!.code }),
  );
  const auth = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: client.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "ALICE", PASSWORD: "Passw0rd!" },
    }),
  );
  const result = auth.AuthenticationResult!;
  expect(result.TokenType).toBe("Bearer");
  expect(result.ExpiresIn).toBe(3600);
  const verifier = JwtRsaVerifier.create({
    issuer: `${h.emulator.url}/${pool.Id}`,
    jwksUri: `${h.emulator.url}/${pool.Id}/.well-known/jwks.json`,
    audience: null,
  });
  // aws-jwt-verify fetches only https URLs; the emulator is http, so hand it the JWKS.
  verifier.cacheJwks(await (await fetch(`${h.emulator.url}/${pool.Id}/.well-known/jwks.json`)).json());
  const access = await verifier.verify(result.AccessToken!, { audience: null });
  expect(access).toMatchObject({
    token_use: "access",
    client_id: client.ClientId,
    username: "alice",
    scope: "aws.cognito.signin.user.admin",
  });
  expect(access.aud).toBeUndefined();
  const id = await verifier.verify(result.IdToken!, { audience: client.ClientId! });
  expect(id).toMatchObject({
    token_use: "id",
    "cognito:username": "alice",
    email: "alice@example.com",
    email_verified: true,
  });
  void AdminConfirmSignUpCommand;
});
