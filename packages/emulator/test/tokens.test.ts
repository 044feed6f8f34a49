/**
 * The emulator's tokens as Cognito issues them — verified by aws-jwt-verify (AWS's own
 * verifier), with the claims the developer guide lists — and the token lifecycle:
 * GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, AdminUserGlobalSignOut.
 */
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type AuthenticationResultType,
  type CreateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoJwtVerifier, JwtRsaVerifier } from "aws-jwt-verify";
import type { JwksCache } from "aws-jwt-verify/jwk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

const password = "Passw0rd!";
const flows: CreateUserPoolClientCommandInput["ExplicitAuthFlows"] = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];
let h: Harness;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  h = await startHarness();
  poolId = (
    await createPool(h, {
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "team", AttributeDataType: "String", Mutable: true }],
    })
  ).Id!;
  clientId = (await createClient(h, poolId, { ExplicitAuthFlows: flows })).ClientId!;
});
afterAll(async () => h.stop());

type Jwks = Parameters<JwksCache["addJwks"]>[1];
async function jwksOf(harness: Harness, pool: string): Promise<Jwks> {
  return (await (await fetch(`${harness.emulator.url}/${pool}/.well-known/jwks.json`)).json()) as Jwks;
}

async function createUser(
  username: string,
  attributes: Record<string, string> = {},
  target = { harness: h, poolId, clientId },
) {
  const { UserSub } = await target.harness.cognito.send(
    new SignUpCommand({
      ClientId: target.clientId,
      Username: username,
      Password: password,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await target.harness.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: target.poolId, Username: username }));
  return UserSub!;
}

async function signIn(
  username: string,
  id = clientId,
  harness = h,
): Promise<Required<Omit<AuthenticationResultType, "NewDeviceMetadata">>> {
  const { AuthenticationResult: r } = await harness.cognito.send(
    new InitiateAuthCommand({
      ClientId: id,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  if (!r?.AccessToken || !r.IdToken || !r.RefreshToken || r.ExpiresIn === undefined || !r.TokenType) {
    throw new Error("incomplete AuthenticationResult");
  }
  return {
    AccessToken: r.AccessToken,
    IdToken: r.IdToken,
    RefreshToken: r.RefreshToken,
    ExpiresIn: r.ExpiresIn,
    TokenType: r.TokenType,
  };
}

const segments = (token: string) => {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) throw new Error("not a JWT");
  return { header, payload, signature };
};
const decode = (segment: string) =>
  JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const globalSignOut = (accessToken: string, harness = h) =>
  harness.cognito.send(new GlobalSignOutCommand({ AccessToken: accessToken }));

describe("aws-jwt-verify and the emulator's issuer", () => {
  const verifier = () =>
    JwtRsaVerifier.create({
      issuer: `${h.emulator.url}/${poolId}`,
      jwksUri: `${h.emulator.url}/${poolId}/.well-known/jwks.json`,
      audience: null,
    });

  it("verifies access and ID tokens, each signed with its own key from the JWKS", async () => {
    await createUser("jwt-alice", { email: "alice@example.com" });
    const tokens = await signIn("jwt-alice");
    const v = verifier();
    // aws-jwt-verify fetches JWKS only over https; the emulator is http, so the JWKS is handed over.
    const jwks = await jwksOf(h, poolId);
    v.cacheJwks(jwks);
    await expect(v.verify(tokens.AccessToken, { audience: null })).resolves.toMatchObject({ token_use: "access" });
    await expect(v.verify(tokens.IdToken, { audience: clientId })).resolves.toMatchObject({ token_use: "id" });
    const accessKid = decode(segments(tokens.AccessToken).header).kid;
    const idKid = decode(segments(tokens.IdToken).header).kid;
    expect(accessKid).not.toBe(idKid);
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([accessKid, idKid].sort());
    expect(jwks.keys.every((k) => k.kty === "RSA" && k.alg === "RS256" && k.use === "sig")).toBe(true);
  });

  it("refuses a token whose payload was changed", async () => {
    await createUser("jwt-tamper");
    const { AccessToken } = await signIn("jwt-tamper");
    const { header, payload, signature } = segments(AccessToken);
    const forged = `${header}.${encode({ ...decode(payload), username: "admin" })}.${signature}`;
    const v = verifier();
    v.cacheJwks(await jwksOf(h, poolId));
    await expect(v.verify(forged, { audience: null })).rejects.toThrow(/signature/i);
    expect(await errorOf(globalSignOut(forged))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Access Token",
    });
  });

  it("refuses a token whose signature was changed", async () => {
    await createUser("jwt-signature");
    const { AccessToken } = await signIn("jwt-signature");
    const { header, payload, signature } = segments(AccessToken);
    const bytes = Buffer.from(signature, "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    const forged = `${header}.${payload}.${bytes.toString("base64url")}`;
    const v = verifier();
    v.cacheJwks(await jwksOf(h, poolId));
    await expect(v.verify(forged, { audience: null })).rejects.toThrow(/signature/i);
    expect(await errorOf(globalSignOut(forged))).toMatchObject({ message: "Invalid Access Token" });
  });

  it("refuses a token whose kid names the other key or no key", async () => {
    await createUser("jwt-kid");
    const { AccessToken, IdToken } = await signIn("jwt-kid");
    const { header, payload, signature } = segments(AccessToken);
    const idKid = decode(segments(IdToken).header).kid;
    const v = verifier();
    v.cacheJwks(await jwksOf(h, poolId));
    const otherKey = `${encode({ ...decode(header), kid: idKid })}.${payload}.${signature}`;
    await expect(v.verify(otherKey, { audience: null })).rejects.toThrow(/signature/i);
    expect(await errorOf(globalSignOut(otherKey))).toMatchObject({ message: "Invalid Access Token" });
    const noKey = `${encode({ ...decode(header), kid: "unknown-kid" })}.${payload}.${signature}`;
    // An unknown kid sends aws-jwt-verify back to the JWKS URL, which it only fetches over https.
    await expect(v.verify(noKey, { audience: null })).rejects.toThrow();
    expect(await errorOf(globalSignOut(noKey))).toMatchObject({ message: "Invalid Access Token" });
    const unsigned = `${encode({ alg: "none" })}.${payload}.`;
    await expect(v.verify(unsigned, { audience: null })).rejects.toThrow();
    expect(await errorOf(globalSignOut(`${unsigned}x`))).toMatchObject({ message: "Invalid Access Token" });
  });

  it("refuses an expired token, and so does the emulator", async () => {
    await createUser("jwt-old");
    const now = h.clock.now();
    h.clock.set(now - 2 * 3600_000);
    const { AccessToken } = await signIn("jwt-old");
    h.clock.set(now);
    const v = verifier();
    v.cacheJwks(await jwksOf(h, poolId));
    await expect(v.verify(AccessToken, { audience: null })).rejects.toThrow(/expired/i);
    expect(await errorOf(globalSignOut(AccessToken))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has expired",
    });
  });

  it("is not fooled by an ID token where an access token is due", async () => {
    await createUser("jwt-id");
    const { IdToken } = await signIn("jwt-id");
    expect(await errorOf(globalSignOut(IdToken))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Invalid Access Token",
    });
  });
});

describe("CognitoJwtVerifier with AWS's issuer", () => {
  let aws: Harness;
  let awsPool: string;
  let awsClient: string;
  beforeAll(async () => {
    aws = await startHarness({ issuerBase: "https://cognito-idp.{region}.amazonaws.com" });
    // The pool's region is the one its creation was signed for, as on AWS.
    const inEurope = new CognitoIdentityProviderClient({
      endpoint: aws.emulator.url,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    awsPool = (await inEurope.send(new CreateUserPoolCommand({ PoolName: "aws" }))).UserPool!.Id!;
    inEurope.destroy();
    awsClient = (await createClient(aws, awsPool, { ExplicitAuthFlows: flows })).ClientId!;
  });
  afterAll(async () => aws.stop());

  it("verifies access and ID tokens by pool id, token use and client id alone", async () => {
    await createUser(
      "aws-alice",
      { email: "alice@example.com" },
      { harness: aws, poolId: awsPool, clientId: awsClient },
    );
    const tokens = await signIn("aws-alice", awsClient, aws);
    expect(awsPool.startsWith("eu-west-1_")).toBe(true);
    const jwks = await jwksOf(aws, awsPool);
    const access = CognitoJwtVerifier.create({ userPoolId: awsPool, tokenUse: "access", clientId: awsClient });
    access.cacheJwks(jwks);
    await expect(access.verify(tokens.AccessToken)).resolves.toMatchObject({
      iss: `https://cognito-idp.eu-west-1.amazonaws.com/${awsPool}`,
      client_id: awsClient,
    });
    const id = CognitoJwtVerifier.create({ userPoolId: awsPool, tokenUse: "id", clientId: awsClient });
    id.cacheJwks(jwks);
    await expect(id.verify(tokens.IdToken)).resolves.toMatchObject({ aud: awsClient, email: "alice@example.com" });
    // And each refuses the other kind of token.
    await expect(access.verify(tokens.IdToken)).rejects.toThrow(/token use/i);
    await expect(id.verify(tokens.AccessToken)).rejects.toThrow(/token use/i);
    // The emulator's own check accepts the AWS-style issuer too.
    await expect(globalSignOut(tokens.AccessToken, aws)).resolves.toBeTruthy();
  });

  it("refuses tokens of another client or another pool", async () => {
    await createUser("aws-bob", {}, { harness: aws, poolId: awsPool, clientId: awsClient });
    const tokens = await signIn("aws-bob", awsClient, aws);
    const jwks = await jwksOf(aws, awsPool);
    const otherClient = CognitoJwtVerifier.create({
      userPoolId: awsPool,
      tokenUse: "access",
      clientId: "someotherclientid0000000000",
    });
    otherClient.cacheJwks(jwks);
    await expect(otherClient.verify(tokens.AccessToken)).rejects.toThrow(/client/i);
    const otherPool = (await createPool(aws, { PoolName: "other" })).Id!;
    const wrongPool = CognitoJwtVerifier.create({ userPoolId: otherPool, tokenUse: "access", clientId: awsClient });
    wrongPool.cacheJwks(await jwksOf(aws, otherPool));
    await expect(wrongPool.verify(tokens.AccessToken)).rejects.toThrow();
  });
});

describe("claims", () => {
  it("are exactly Cognito's in the access token, with no aud", async () => {
    const sub = await createUser("claims-access", { email: "a@example.com" });
    const { AccessToken } = await signIn("claims-access");
    const claims = decode(segments(AccessToken).payload);
    expect(Object.keys(claims).sort()).toEqual(
      [
        "auth_time",
        "client_id",
        "event_id",
        "exp",
        "iat",
        "iss",
        "jti",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
      ].sort(),
    );
    expect(claims).toMatchObject({
      sub,
      client_id: clientId,
      username: "claims-access",
      scope: "aws.cognito.signin.user.admin",
      token_use: "access",
      iss: `${h.emulator.url}/${poolId}`,
    });
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(claims.auth_time).toBe(claims.iat);
    expect(decode(segments(AccessToken).header)).toEqual({ kid: expect.any(String) as string, alg: "RS256" });
  });

  it("are exactly Cognito's in the ID token, with email_verified a boolean", async () => {
    const sub = await createUser("claims-id", { email: "b@example.com", given_name: "Bea", "custom:team": "blue" });
    const { IdToken, AccessToken } = await signIn("claims-id");
    const claims = decode(segments(IdToken).payload);
    expect(Object.keys(claims).sort()).toEqual(
      [
        "aud",
        "auth_time",
        "cognito:username",
        "custom:team",
        "email",
        "email_verified",
        "event_id",
        "exp",
        "given_name",
        "iat",
        "iss",
        "jti",
        "origin_jti",
        "sub",
        "token_use",
      ].sort(),
    );
    expect(claims).toMatchObject({
      sub,
      aud: clientId,
      "cognito:username": "claims-id",
      email: "b@example.com",
      email_verified: true,
      given_name: "Bea",
      "custom:team": "blue",
      token_use: "id",
    });
    // One sign-in, one event: both tokens share event_id and origin_jti, not jti.
    const access = decode(segments(AccessToken).payload);
    expect(claims.event_id).toBe(access.event_id);
    expect(claims.origin_jti).toBe(access.origin_jti);
    expect(claims.jti).not.toBe(access.jti);
  });

  it("carry email_verified false for an email nobody verified", async () => {
    const plainPool = (await createPool(h, { PoolName: "plain" })).Id!;
    const plainClient = (await createClient(h, plainPool, { ExplicitAuthFlows: flows })).ClientId!;
    await createUser(
      "claims-unverified",
      { email: "c@example.com" },
      { harness: h, poolId: plainPool, clientId: plainClient },
    );
    const { IdToken } = await signIn("claims-unverified", plainClient);
    expect(decode(segments(IdToken).payload)).toMatchObject({ email: "c@example.com", email_verified: false });
  });

  it("list cognito:groups by precedence in both tokens, and the groups' roles in the ID token", async () => {
    await createUser("claims-groups");
    const group = (GroupName: string, Precedence?: number, RoleArn?: string) =>
      h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, Precedence, RoleArn }));
    await group("zeta", 1, "arn:aws:iam::123456789012:role/zeta");
    await group("alpha", 5, "arn:aws:iam::123456789012:role/alpha");
    await group("none");
    await group("beta", 3);
    for (const name of ["none", "alpha", "beta", "zeta"]) {
      await h.cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: "claims-groups", GroupName: name }),
      );
    }
    const { AccessToken, IdToken } = await signIn("claims-groups");
    const expected = ["zeta", "beta", "alpha", "none"];
    expect(decode(segments(AccessToken).payload)["cognito:groups"]).toEqual(expected);
    const id = decode(segments(IdToken).payload);
    expect(id["cognito:groups"]).toEqual(expected);
    expect(id["cognito:roles"]).toEqual([
      "arn:aws:iam::123456789012:role/zeta",
      "arn:aws:iam::123456789012:role/alpha",
    ]);
    expect(id["cognito:preferred_role"]).toBe("arn:aws:iam::123456789012:role/zeta");
  });

  it("last as long as the client says: AccessTokenValidity 5 minutes is ExpiresIn 300", async () => {
    const shortClient = await createClient(h, poolId, {
      ExplicitAuthFlows: flows,
      AccessTokenValidity: 5,
      IdTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "hours" },
    });
    await createUser("claims-validity");
    const tokens = await signIn("claims-validity", shortClient.ClientId!);
    expect(tokens.ExpiresIn).toBe(300);
    const access = decode(segments(tokens.AccessToken).payload);
    const id = decode(segments(tokens.IdToken).payload);
    expect((access.exp as number) - (access.iat as number)).toBe(300);
    expect((id.exp as number) - (id.iat as number)).toBe(7200);
  });
});

describe("GetTokensFromRefreshToken", () => {
  it("returns new access and ID tokens and no refresh token", async () => {
    await createUser("gtfr-alice");
    const tokens = await signIn("gtfr-alice");
    const { AuthenticationResult } = await h.cognito.send(
      new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken }),
    );
    expect(AuthenticationResult?.AccessToken).toBeTruthy();
    expect(AuthenticationResult?.IdToken).toBeTruthy();
    expect(AuthenticationResult?.RefreshToken).toBeUndefined();
    expect(AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
  });

  it("needs the client secret of a client that has one", async () => {
    const secretClient = await createClient(h, poolId, { ExplicitAuthFlows: flows, GenerateSecret: true });
    const id = secretClient.ClientId!;
    const { UserSub } = await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: "gtfr-secret",
        Password: password,
      }),
    );
    expect(UserSub).toBeTruthy();
    await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: "gtfr-secret" }));
    const { createHmac } = await import("node:crypto");
    const hash = createHmac("sha256", secretClient.ClientSecret!).update(`gtfr-secret${id}`).digest("base64");
    const signedIn = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: id,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "gtfr-secret", PASSWORD: password, SECRET_HASH: hash },
      }),
    );
    const refreshToken = signedIn.AuthenticationResult!.RefreshToken!;
    expect(
      await errorOf(h.cognito.send(new GetTokensFromRefreshTokenCommand({ ClientId: id, RefreshToken: refreshToken }))),
    ).toMatchObject({
      name: "NotAuthorizedException",
      message: `Client ${id} is configured for secret but secret was not received`,
    });
    expect(
      await errorOf(
        h.cognito.send(
          new GetTokensFromRefreshTokenCommand({
            ClientId: id,
            RefreshToken: refreshToken,
            ClientSecret: "wrongsecret",
          }),
        ),
      ),
    ).toMatchObject({ name: "NotAuthorizedException" });
    const ok = await h.cognito.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: id,
        RefreshToken: refreshToken,
        ClientSecret: secretClient.ClientSecret,
      }),
    );
    expect(ok.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("refuses a revoked refresh token", async () => {
    await createUser("gtfr-revoked");
    const tokens = await signIn("gtfr-revoked");
    await h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens.RefreshToken }));
    expect(
      await errorOf(
        h.cognito.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken })),
      ),
    ).toMatchObject({ name: "NotAuthorizedException", message: "Refresh Token has been revoked" });
  });
});

describe("RevokeToken", () => {
  const refresh = (token: string, id = clientId) =>
    h.cognito.send(
      new InitiateAuthCommand({
        ClientId: id,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: token },
      }),
    );

  it("revokes the refresh token and the access tokens of its session, and no other session", async () => {
    await createUser("revoke-alice");
    const first = await signIn("revoke-alice");
    const second = await signIn("revoke-alice");
    const refreshed = await refresh(first.RefreshToken);
    await h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: first.RefreshToken }));
    expect(await errorOf(h.cognito.send(new GetUserCommand({ AccessToken: first.AccessToken })))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
    expect((await h.cognito.send(new GetUserCommand({ AccessToken: second.AccessToken }))).Username).toBe(
      "revoke-alice",
    );
    expect(await errorOf(refresh(first.RefreshToken))).toMatchObject({
      name: "NotAuthorizedException",
      message: "Refresh Token has been revoked",
    });
    for (const token of [first.AccessToken, refreshed.AuthenticationResult!.AccessToken!]) {
      expect(await errorOf(globalSignOut(token))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Access Token has been revoked",
      });
    }
    expect((await refresh(second.RefreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    // Revoking again, or revoking what we never issued, is not an error (RFC 7009).
    await expect(
      h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: first.RefreshToken })),
    ).resolves.toBeTruthy();
    await expect(
      h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: "made-up.token" })),
    ).resolves.toBeTruthy();
  });

  it("refuses an access or ID token with UnsupportedTokenTypeException", async () => {
    await createUser("revoke-bob");
    const tokens = await signIn("revoke-bob");
    for (const token of [tokens.AccessToken, tokens.IdToken]) {
      expect(await errorOf(h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: token })))).toMatchObject(
        {
          name: "UnsupportedTokenTypeException",
        },
      );
    }
    expect((await refresh(tokens.RefreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("does not let one client revoke another client's token", async () => {
    await createUser("revoke-carol");
    const tokens = await signIn("revoke-carol");
    const other = await createClient(h, poolId, { ExplicitAuthFlows: flows });
    await h.cognito.send(new RevokeTokenCommand({ ClientId: other.ClientId, Token: tokens.RefreshToken }));
    expect((await refresh(tokens.RefreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("is unsupported for a client without token revocation, and needs a secret client's secret", async () => {
    await createUser("revoke-dave");
    const tokens = await signIn("revoke-dave");
    const noRevocation = await createClient(h, poolId, { ExplicitAuthFlows: flows, EnableTokenRevocation: false });
    expect(
      await errorOf(
        h.cognito.send(new RevokeTokenCommand({ ClientId: noRevocation.ClientId, Token: tokens.RefreshToken })),
      ),
    ).toMatchObject({ name: "UnsupportedOperationException" });
    const secretClient = await createClient(h, poolId, { ExplicitAuthFlows: flows, GenerateSecret: true });
    expect(
      await errorOf(
        h.cognito.send(new RevokeTokenCommand({ ClientId: secretClient.ClientId, Token: tokens.RefreshToken })),
      ),
    ).toMatchObject({ name: "UnauthorizedException" });
    expect(
      await errorOf(
        h.cognito.send(
          new RevokeTokenCommand({
            ClientId: secretClient.ClientId,
            Token: tokens.RefreshToken,
            ClientSecret: "x".repeat(30),
          }),
        ),
      ),
    ).toMatchObject({ name: "UnauthorizedException" });
    await expect(
      h.cognito.send(
        new RevokeTokenCommand({
          ClientId: secretClient.ClientId,
          Token: tokens.RefreshToken,
          ClientSecret: secretClient.ClientSecret,
        }),
      ),
    ).resolves.toBeTruthy();
  });
});

describe("GlobalSignOut and AdminUserGlobalSignOut", () => {
  const refresh = (token: string) =>
    h.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: token },
      }),
    );

  it("GlobalSignOut revokes every session of the user and only theirs", async () => {
    await createUser("gso-alice");
    await createUser("gso-bob");
    const one = await signIn("gso-alice");
    const two = await signIn("gso-alice");
    const bob = await signIn("gso-bob");
    await globalSignOut(one.AccessToken);
    for (const token of [one.AccessToken, two.AccessToken]) {
      expect(await errorOf(globalSignOut(token))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Access Token has been revoked",
      });
      expect(await errorOf(h.cognito.send(new GetUserCommand({ AccessToken: token })))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Access Token has been revoked",
      });
    }
    expect((await h.cognito.send(new GetUserCommand({ AccessToken: bob.AccessToken }))).Username).toBe("gso-bob");
    for (const token of [one.RefreshToken, two.RefreshToken]) {
      expect(await errorOf(refresh(token))).toMatchObject({ message: "Refresh Token has been revoked" });
    }
    expect((await refresh(bob.RefreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    // A new sign-in starts a new, valid session.
    const again = await signIn("gso-alice");
    await expect(globalSignOut(again.AccessToken)).resolves.toBeTruthy();
  });

  it("AdminUserGlobalSignOut does the same for an administrator, and knows unknown users", async () => {
    await createUser("gso-carol");
    const tokens = await signIn("gso-carol");
    const sub = await createUser("gso-dave");
    const dave = await signIn("gso-dave");
    await h.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: "GSO-CAROL" }));
    // Like the other Admin* operations, it also takes the user's sub.
    await h.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: sub }));
    expect(await errorOf(refresh(dave.RefreshToken))).toMatchObject({ message: "Refresh Token has been revoked" });
    expect(await errorOf(refresh(tokens.RefreshToken))).toMatchObject({ message: "Refresh Token has been revoked" });
    expect(await errorOf(globalSignOut(tokens.AccessToken))).toMatchObject({
      message: "Access Token has been revoked",
    });
    expect(
      await errorOf(h.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: "gso-nobody" }))),
    ).toMatchObject({ name: "UserNotFoundException", message: "User does not exist." });
  });
});
