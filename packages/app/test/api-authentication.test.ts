/**
 * Bearer authentication of the API with tokens issued by the running emulator: the happy flow
 * (a first sight creates the user from Cognito's profile), then one refusal per forged or wrong
 * token, each with DRF's body and `WWW-Authenticate`, on SQLite and PostgreSQL.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { manualClock, type ManualClock } from "@gatehouse/emulator";
import { randomUUID, sign } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.ts";
import { CognitoAdmin, goodPassword, newAccount } from "./accounts-fixtures.ts";
import {
  ApiClient,
  accessClaims,
  apiPerson,
  eventually,
  publicClientTokens,
  decodeClaims,
  decodeHeader,
  poolKey,
  signHs256,
  signRs256,
  strangerKey,
  unsigned,
} from "./api-fixtures.ts";
import { newUserRow } from "../src/accounts/users.ts";
import { openDatabase } from "../src/db/database.ts";
import { databaseKinds } from "./databases.ts";
import { userRow } from "./signed-in.ts";

const realm = 'Bearer realm="api"';
const invalidTokenChallenge = 'Bearer realm="api", error="invalid_token"';

describe.each(databaseKinds)("Bearer authentication (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  let clock: ManualClock;
  let api: ApiClient;

  beforeAll(async () => {
    clock = manualClock();
    h = await startAppHarness({ database, clock });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });
  beforeEach(() => {
    clock.set(Date.now());
    api = new ApiClient(h);
  });

  /** A token signed with the pool's real access key over `claims` (what only Cognito can do). */
  const forged = (overrides: Record<string, unknown>, header: Record<string, unknown> = {}): string => {
    const { kid, key } = poolKey(h);
    return signRs256({ kid, alg: "RS256", ...header }, accessClaims(h, overrides), key);
  };

  async function expectRefused(token: string, detail: string, challenge = invalidTokenChallenge): Promise<void> {
    const res = await api.get("/api/v1/me", token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ detail });
    expect(res.headers["www-authenticate"]).toBe(challenge);
  }

  it("answers the caller's record for an access token from the public client, creating the user from Cognito on first sight", async () => {
    const person = await apiPerson(h, admin, "first");
    expect(await userRow(h, person.account.username)).toBeUndefined();

    const res = await api.get("/api/v1/me", person.accessToken);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      username: person.account.username,
      email: person.account.email,
      email_verified: true,
      given_name: null,
      family_name: null,
      is_active: true,
      is_staff: false,
      is_superuser: false,
      groups: [],
    });
    expect(Object.keys(body).sort()).toEqual(
      [
        "created_at",
        "email",
        "email_verified",
        "family_name",
        "given_name",
        "groups",
        "id",
        "is_active",
        "is_staff",
        "is_superuser",
        "updated_at",
        "username",
      ].sort(),
    );
    const row = await userRow(h, person.account.username);
    expect(row?.cognito_sub).toBe(decodeClaims(person.accessToken).sub);
    expect(body.id).toBe(row?.id);

    // The same token again: the same row, nothing new.
    expect((await api.get("/api/v1/me", person.accessToken)).json<{ id: string }>().id).toBe(row?.id);
  });

  it("accepts tokens of the web client too, and the scheme in any case", async () => {
    const account = await admin.confirmed(newAccount("web"));
    const web = await admin.signIn(account.username, account.password);
    const token = web.AuthenticationResult?.AccessToken ?? "";
    expect((await api.get("/api/v1/me", token)).statusCode).toBe(200);
    const lower = await api.get("/api/v1/me", undefined, { authorization: `bearer ${token}` });
    expect(lower.statusCode).toBe(200);
  });

  it("creates one row when two first requests with one new sub arrive at once", async () => {
    const person = await apiPerson(h, admin, "twice");
    const [a, b] = await Promise.all([
      api.get("/api/v1/me", person.accessToken),
      new ApiClient(h).get("/api/v1/me", person.accessToken),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json<{ id: string }>().id).toBe(b.json<{ id: string }>().id);
    const rows = await h.database.database.db
      .selectFrom("users")
      .select("id")
      .where("cognito_sub", "=", String(decodeClaims(person.accessToken).sub))
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("refuses a deactivated user's still-valid token, though it was verified (and cached) before", async () => {
    const person = await apiPerson(h, admin, "gone");
    expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
    await h.database.database.db
      .updateTable("users")
      .set({ is_active: false })
      .where("username_key", "=", person.account.username.toLowerCase())
      .execute();
    await eventually(h, () => expectRefused(person.accessToken, "User inactive or deleted.", realm));
  });

  it("sees at the next request what another connection changed (another process, a CLI): groups, then deactivation", async () => {
    const person = await apiPerson(h, admin, "elsewhere");
    expect((await api.get("/api/v1/me", person.accessToken)).json<{ groups: string[] }>().groups).toEqual([]);
    const other = openDatabase(h.database.settings);
    try {
      const now = new Date().toISOString();
      const groupId = randomUUID();
      const { id: userId } = await other.db
        .selectFrom("users")
        .select("id")
        .where("username_key", "=", person.account.username.toLowerCase())
        .executeTakeFirstOrThrow();
      await other.db
        .insertInto("groups")
        .values({ id: groupId, name: `elsewhere-${groupId.slice(0, 8)}`, created_at: now, updated_at: now })
        .execute();
      await other.db.insertInto("user_groups").values({ user_id: userId, group_id: groupId }).execute();
      await eventually(h, async () => {
        expect((await api.get("/api/v1/me", person.accessToken)).json<{ groups: string[] }>().groups).toEqual([
          `elsewhere-${groupId.slice(0, 8)}`,
        ]);
      });
      await other.db.updateTable("users").set({ is_active: false }).where("id", "=", userId).execute();
      await eventually(h, () => expectRefused(person.accessToken, "User inactive or deleted.", realm));
    } finally {
      await other.close();
    }
  });

  it("refuses a first sight of someone Cognito has disabled", async () => {
    const person = await apiPerson(h, admin, "disabled");
    await admin.disable(person.account.username);
    await expectRefused(person.accessToken, "User inactive or deleted.", realm);
    expect(await userRow(h, person.account.username)).toBeUndefined();
  });

  it("reads the profile with AdminGetUser when GetUser refuses the token (e.g. a token without the admin scope)", async () => {
    // A token the pool's key signed but Cognito never issued: GetUser refuses it, AdminGetUser
    // still knows the user.
    const account = await admin.confirmed(newAccount("scoped"));
    const sub = await cognitoSubOf(h, admin, account.username);
    const token = forged({ sub, username: account.username, scope: "openid", origin_jti: randomUUID() });
    const res = await api.get("/api/v1/me", token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: account.username, email: account.email });
  });

  it("does not hand a local account (one with a local password) to a Cognito user of the same username", async () => {
    const account = await admin.confirmed(newAccount("local"));
    const db = h.database.database.db;
    const now = new Date().toISOString();
    const id = randomUUID();
    await db
      .insertInto("users")
      .values(
        newUserRow(
          {
            id,
            username: account.username,
            email: "root@example.com",
            email_verified: true,
            is_staff: true,
            is_superuser: true,
            password_hash: "scrypt$local$hash",
          },
          now,
        ),
      )
      .execute();
    const { accessToken } = await publicClientTokens(h, account);
    const res = await api.get("/api/v1/me", accessToken);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ detail: "This account clashes with another user here; contact support." });
    const row = await userRow(h, account.username);
    expect([row?.id, row?.cognito_sub, row?.email]).toEqual([id, null, "root@example.com"]);
  });

  it("links a local row without a password (made for a Cognito user) on first sight", async () => {
    const account = await admin.confirmed(newAccount("linked"));
    const db = h.database.database.db;
    const now = new Date().toISOString();
    const id = randomUUID();
    await db
      .insertInto("users")
      .values(newUserRow({ id, username: account.username, email: account.email, is_staff: true }, now))
      .execute();
    const { accessToken } = await publicClientTokens(h, account);
    const res = await api.get("/api/v1/me", accessToken);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, is_staff: true, email_verified: true });
  });

  describe("refuses", () => {
    it("no Authorization header at all", async () => {
      const res = await api.get("/api/v1/me");
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Authentication credentials were not provided." });
      expect(res.headers["www-authenticate"]).toBe(realm);
    });

    it("an empty Authorization header", async () => {
      const res = await api.get("/api/v1/me", undefined, { authorization: "" });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Authentication credentials were not provided." });
      expect(res.headers["www-authenticate"]).toBe(realm);
    });

    it("a token without the prefix, or with a misspelled one", async () => {
      const { accessToken } = await apiPerson(h, admin, "prefix");
      for (const header of [accessToken, `Baerer ${accessToken}`, `Token ${accessToken}`, `Bearer:${accessToken}`]) {
        const res = await api.get("/api/v1/me", undefined, { authorization: header });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ detail: "Authentication credentials were not provided." });
        expect(res.headers["www-authenticate"]).toBe(realm);
      }
    });

    it("the prefix with nothing after it, or with more than one word", async () => {
      const none = await api.get("/api/v1/me", undefined, { authorization: "Bearer" });
      expect(none.json()).toEqual({ detail: "Invalid Authorization header. No credentials provided." });
      const spaces = await api.get("/api/v1/me", undefined, { authorization: "Bearer abc def" });
      expect(spaces.json()).toEqual({
        detail: "Invalid Authorization header. Credentials string should not contain spaces.",
      });
      expect([none.statusCode, spaces.statusCode]).toEqual([401, 401]);
    });

    it("an unsigned token (alg: none)", async () => {
      await expectRefused(unsigned(accessClaims(h)), "Invalid token.");
      const { kid } = poolKey(h);
      const withKid = `${Buffer.from(JSON.stringify({ alg: "none", kid })).toString("base64url")}.${Buffer.from(
        JSON.stringify(accessClaims(h)),
      ).toString("base64url")}.`;
      await expectRefused(withKid, "Invalid token.");
    });

    it("an HS256 token whose HMAC key is the pool's public key", async () => {
      const { kid, publicJwk } = poolKey(h);
      await expectRefused(signHs256({ alg: "HS256", kid }, accessClaims(h), publicJwk), "Invalid token.");
    });

    it("an RS512 token, even signed with the pool's key (RS256 only)", async () => {
      const { kid, key } = poolKey(h);
      const header = Buffer.from(JSON.stringify({ alg: "RS512", kid })).toString("base64url");
      const payload = Buffer.from(JSON.stringify(accessClaims(h))).toString("base64url");
      const { sign } = await import("node:crypto");
      const signature = sign("sha512", Buffer.from(`${header}.${payload}`), key).toString("base64url");
      await expectRefused(`${header}.${payload}.${signature}`, "Invalid token.");
    });

    it("a token signed with a key the pool never published (unknown kid)", async () => {
      await expectRefused(
        signRs256({ alg: "RS256", kid: "not-a-published-kid" }, accessClaims(h), strangerKey()),
        "Invalid token.",
      );
      // The pool's kid on a stranger's signature is a bad signature.
      await expectRefused(
        signRs256({ alg: "RS256", kid: poolKey(h).kid }, accessClaims(h), strangerKey()),
        "Invalid signature.",
      );
    });

    it("an expired token, beyond the clock skew", async () => {
      clock.set(Date.now() - 2 * 3600_000);
      const { accessToken } = await apiPerson(h, admin, "expired");
      clock.set(Date.now());
      await expectRefused(accessToken, "Signature has expired.");
      const now = Math.floor(Date.now() / 1000);
      await expectRefused(forged({ exp: now - 10, iat: now - 3610 }), "Signature has expired.");
    });

    it("but accepts one that expired within the clock skew", async () => {
      const person = await apiPerson(h, admin, "skew");
      const now = Math.floor(Date.now() / 1000);
      const sub = String(decodeClaims(person.accessToken).sub);
      const token = forged({ sub, username: person.account.username, exp: now - 2, iat: now - 3602 });
      expect((await api.get("/api/v1/me", token)).statusCode).toBe(200);
    });

    it("a token issued in the future (iat), or not valid yet (nbf)", async () => {
      clock.set(Date.now() + 10 * 60_000);
      const { accessToken } = await apiPerson(h, admin, "future");
      clock.set(Date.now());
      expect(Number(decodeClaims(accessToken).iat)).toBeGreaterThan(Date.now() / 1000 + 60);
      await expectRefused(accessToken, "Invalid token.");
      const now = Math.floor(Date.now() / 1000);
      await expectRefused(forged({ nbf: now + 600 }), "Invalid token.");
    });

    it("a token without exp", async () => {
      const claims = accessClaims(h);
      delete claims.exp;
      const { kid, key } = poolKey(h);
      await expectRefused(signRs256({ alg: "RS256", kid }, claims, key), "Invalid token.");
    });

    it("a token from another user pool, and one that claims another pool's issuer", async () => {
      const other = await otherPoolToken(h, admin);
      expect(decodeClaims(other).iss).not.toBe(h.config.api.issuer);
      await expectRefused(other, "Invalid token.");
      await expectRefused(forged({ iss: `${h.emulator.url}/us-east-1_Elsewhere1` }), "Invalid token.");
      await expectRefused(forged({ iss: `https://cognito-idp.us-east-1.amazonaws.com/${h.poolId}` }), "Invalid token.");
    });

    it("an ID token used as an access token", async () => {
      const { idToken } = await apiPerson(h, admin, "idtoken");
      expect(decodeClaims(idToken).token_use).toBe("id");
      await expectRefused(idToken, "Invalid token.");
    });

    it("a token of an app client that is not allowed", async () => {
      const foreign = await foreignClientToken(h, admin);
      expect(decodeClaims(foreign).client_id).not.toBe(h.publicClientId);
      await expectRefused(foreign, "Invalid token.");
      await expectRefused(forged({ client_id: "someoneelsesclient0000001" }), "Invalid token.");
    });

    it("a token whose payload was changed after signing", async () => {
      const victim = await apiPerson(h, admin, "victim");
      const attacker = await apiPerson(h, admin, "attacker");
      const [header, , signature] = attacker.accessToken.split(".");
      const payload = Buffer.from(JSON.stringify(decodeClaims(victim.accessToken))).toString("base64url");
      await expectRefused(`${header}.${payload}.${signature}`, "Invalid signature.");
      const claims = { ...decodeClaims(attacker.accessToken), exp: Math.floor(Date.now() / 1000) + 86400 * 365 };
      const extended = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
      await expectRefused(extended, "Invalid signature.");
    });

    it("a token whose signature was changed", async () => {
      const { accessToken } = await apiPerson(h, admin, "sig");
      const [header, payload, signature = ""] = accessToken.split(".");
      const bytes = Buffer.from(signature, "base64url");
      bytes[10] = (bytes[10] ?? 0) ^ 0xff;
      await expectRefused(`${header}.${payload}.${bytes.toString("base64url")}`, "Invalid signature.");
      await expectRefused(`${header}.${payload}.${signature.slice(0, -10)}`, "Invalid signature.");
      await expectRefused(`${header}.${payload}.`, "Invalid token.");
    });

    it("malformed tokens: bad base64, bad JSON, the wrong number of parts", async () => {
      const { accessToken } = await apiPerson(h, admin, "malformed");
      const [header, payload, signature] = accessToken.split(".") as [string, string, string];
      const notJson = Buffer.from("{not json").toString("base64url");
      const array = Buffer.from("[1,2]").toString("base64url");
      for (const token of [
        "abc",
        "a.b",
        "a.b.c.d",
        `${header}.${payload}`,
        `${header}!.${payload}.${signature}`,
        `${header}.${payload}$.${signature}`,
        `${notJson}.${payload}.${signature}`,
        `${header}.${notJson}.${signature}`,
        `${header}.${array}.${signature}`,
        `%%%.${payload}.${signature}`,
        "...",
      ]) {
        await expectRefused(token, "Invalid token.");
      }
    });

    it("a token whose header is not what it seems (no kid, kid not a string)", async () => {
      const { key, kid } = poolKey(h);
      await expectRefused(signRs256({ alg: "RS256" }, accessClaims(h), key), "Invalid token.");
      await expectRefused(signRs256({ alg: "RS256", kid: [kid] }, accessClaims(h), key), "Invalid token.");
      expect(decodeHeader(forged({})).kid).toBe(kid);
    });

    it("a token whose sub is not a UUID or whose username is missing, without touching the database", async () => {
      await expectRefused(forged({ sub: "not-a-uuid" }), "Invalid token.");
      await expectRefused(forged({ sub: "' or 1=1 --" }), "Invalid token.");
      await expectRefused(forged({ sub: 42 }), "Invalid token.");
      await expectRefused(forged({ username: undefined }), "Invalid token.");
    });

    /**
     * A real person's token in parts, to respell so that the bytes decode the same but the text
     * is not the one spelling RFC 7515 allows (base64url without padding, unused bits zero).
     * `signedAsWritten` signs header and payload with the pool's key exactly as spelled, so the
     * spelling is all that is wrong with the variants; the canonical spelling is accepted.
     */
    async function canonicalParts(prefix: string, extraClaims: Record<string, unknown> = {}) {
      const person = await apiPerson(h, admin, prefix);
      const header = person.accessToken.split(".")[0] ?? "";
      const claims = { ...decodeClaims(person.accessToken), ...extraClaims };
      const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
      const signedAsWritten = (headerText: string, payloadText: string): string => {
        const input = `${headerText}.${payloadText}`;
        return `${input}.${sign("sha256", Buffer.from(input), poolKey(h).key).toString("base64url")}`;
      };
      const token = signedAsWritten(header, payload);
      expect((await api.get("/api/v1/me", token)).statusCode).toBe(200);
      return { header, payload, signature: token.split(".")[2] ?? "", claims, signedAsWritten };
    }

    /** `segment` with the lowest unused bit of its last character set (it decodes to the same bytes). */
    const withUnusedBitSet = (segment: string): string => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      expect(segment.length % 4).not.toBe(0);
      const last = alphabet.indexOf(segment.slice(-1));
      const changed = `${segment.slice(0, -1)}${alphabet[last ^ 1]}`;
      expect(Buffer.from(changed, "base64url")).toEqual(Buffer.from(segment, "base64url"));
      return changed;
    };

    it("a real token whose signature, header or payload is padded with =", async () => {
      const { header, payload, signature, signedAsWritten } = await canonicalParts("padded");
      // 256 signature bytes are 342 characters: two = would be RFC 4648's padding.
      expect(signature.length % 4).toBe(2);
      await expectRefused(`${header}.${payload}.${signature}==`, "Invalid token.");
      await expectRefused(`${header}.${payload}.${signature}=`, "Invalid token.");
      await expectRefused(signedAsWritten(`${header}=`, payload), "Invalid token.");
      await expectRefused(signedAsWritten(header, `${payload}=`), "Invalid token.");
    });

    it("a padded copy of a token that was verified (and cached) before", async () => {
      const { accessToken } = await apiPerson(h, admin, "cachedpad");
      expect((await api.get("/api/v1/me", accessToken)).statusCode).toBe(200);
      await expectRefused(`${accessToken}==`, "Invalid token.");
    });

    it("a token in standard base64 (+ and /) instead of base64url", async () => {
      // Six ~ (0x7e) and six ? (0x3f) put a + and a / in the encoding whatever their offset.
      const { header, payload, signature, claims, signedAsWritten } = await canonicalParts("stdb64", {
        note: "~~~~~~??????",
      });
      const standard = (bytes: Buffer): string => bytes.toString("base64").replace(/=+$/, "");
      const standardPayload = standard(Buffer.from(JSON.stringify(claims)));
      expect(standardPayload).toMatch(/\+.*\/|\/.*\+/);
      await expectRefused(signedAsWritten(header, standardPayload), "Invalid token.");
      const standardSignature = standard(Buffer.from(signature, "base64url"));
      expect(standardSignature).not.toBe(signature);
      await expectRefused(`${header}.${payload}.${standardSignature}`, "Invalid token.");
    });

    it("a token with whitespace inside a segment", async () => {
      const { header, payload, signature } = await canonicalParts("whitespace");
      for (const broken of [
        `${header}.${payload}.${signature.slice(0, 20)}\t${signature.slice(20)}`,
        `${header.slice(0, 5)}\t${header.slice(5)}.${payload}.${signature}`,
      ]) {
        const res = await api.get("/api/v1/me", undefined, { authorization: `Bearer ${broken}` });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({
          detail: "Invalid Authorization header. Credentials string should not contain spaces.",
        });
      }
      // The verifier refuses it on its own too, whoever hands it the token.
      const spaced = `${header}.${payload}.${signature.slice(0, 20)} ${signature.slice(20)}`;
      await expect(h.app.apiTokens.verify(spaced)).rejects.toMatchObject({ code: "malformed" });
    });

    it("a token whose last character of a segment has unused bits set (decodes the same, spelled differently)", async () => {
      const { header, payload, signature, claims, signedAsWritten } = await canonicalParts("trailing");
      await expectRefused(`${header}.${payload}.${withUnusedBitSet(signature)}`, "Invalid token.");
      // A segment of 4n characters has no unused bits: one more byte of JSON gives it some.
      const odd = (segment: string, value: Record<string, unknown>): string =>
        segment.length % 4 !== 0 ? segment : Buffer.from(JSON.stringify({ ...value, pad: "x" })).toString("base64url");
      const oddHeader = odd(header, decodeHeader(`${header}..`));
      const oddPayload = odd(payload, claims);
      expect((await api.get("/api/v1/me", signedAsWritten(oddHeader, oddPayload))).statusCode).toBe(200);
      await expectRefused(signedAsWritten(withUnusedBitSet(oddHeader), oddPayload), "Invalid token.");
      await expectRefused(signedAsWritten(oddHeader, withUnusedBitSet(oddPayload)), "Invalid token.");
    });

    it("a 100 KB token", async () => {
      await expectRefused("a".repeat(100 * 1024), "Invalid token.");
      const { accessToken } = await apiPerson(h, admin, "big");
      await expectRefused(`${accessToken}${"A".repeat(100 * 1024)}`, "Invalid token.");
    });
  });
});

describe.each(databaseKinds)("Bearer authentication settings (%s)", (database) => {
  /** A harness with these API settings for the length of `work`. */
  async function withHarness(
    api: Parameters<typeof startAppHarness>[0]["api"],
    work: (h: AppHarness, admin: CognitoAdmin) => Promise<void>,
  ): Promise<void> {
    const h = await startAppHarness({ database, api });
    const admin = new CognitoAdmin(h);
    try {
      await work(h, admin);
    } finally {
      admin.destroy();
      await h.stop();
    }
  }

  it("accept ID tokens only when opted in: the profile comes from the token, and changes still need an access token", async () => {
    await withHarness({ acceptIdTokens: true }, async (h, admin) => {
      const api = new ApiClient(h);
      const person = await apiPerson(h, admin, "idopt");
      const res = await api.get("/api/v1/me", person.idToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ username: person.account.username, email: person.account.email });
      expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
      const patch = await api.patch("/api/v1/me", { given_name: "Ida" }, person.idToken);
      expect(patch.statusCode).toBe(403);
      expect(patch.json()).toEqual({ detail: "Changing the account needs an access token, not an ID token." });

      // An ID token of the pool without an email address never makes a row with an empty one.
      const { kid, key } = poolKey(h, "id");
      const now = Math.floor(Date.now() / 1000);
      const noEmail = signRs256(
        { kid, alg: "RS256" },
        {
          sub: randomUUID(),
          iss: h.config.api.issuer,
          aud: h.publicClientId,
          token_use: "id",
          "cognito:username": "noemail",
          iat: now,
          exp: now + 3600,
        },
        key,
      );
      const refused = await api.get("/api/v1/me", noEmail);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({
        detail: "This account has no email address in Cognito; add one, then try again.",
      });
      expect(await userRow(h, "noemail")).toBeUndefined();
    });

    // An ID token for a client that is not listed (its `aud`) is refused even then.
    await withHarness({ acceptIdTokens: true, allowedClientIds: ["gatehousewebclient00000001"] }, async (h, admin) => {
      const other = await apiPerson(h, admin, "idaud");
      expect((await new ApiClient(h).get("/api/v1/me", other.idToken)).statusCode).toBe(401);
    });
  });

  it("answer 401 for an unknown user when creating users is turned off, and still serve known ones", async () => {
    await withHarness({ createUnknownUsers: false }, async (h, admin) => {
      const api = new ApiClient(h);
      const person = await apiPerson(h, admin, "nocreate");
      const res = await api.get("/api/v1/me", person.accessToken);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "User not found." });
      expect(await userRow(h, person.account.username)).toBeUndefined();

      // Signing in on the website creates the row; from then on the API knows them.
      const browser = h.browser();
      await browser.get("/login");
      expect(
        (await browser.post("/login", { username: person.account.username, password: person.account.password }))
          .statusCode,
      ).toBe(303);
      expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
    });
  });

  it("take another header prefix", async () => {
    await withHarness({ headerPrefix: "JWT" }, async (h, admin) => {
      const api = new ApiClient(h);
      const person = await apiPerson(h, admin, "jwtprefix");
      const ok = await api.get("/api/v1/me", undefined, { authorization: `JWT ${person.accessToken}` });
      expect(ok.statusCode).toBe(200);
      const bearer = await api.get("/api/v1/me", person.accessToken);
      expect(bearer.statusCode).toBe(401);
      expect(bearer.headers["www-authenticate"]).toBe('JWT realm="api"');
    });
  });

  it("never let the verified-token cache serve a token past its exp", async () => {
    await withHarness({ clockSkewSeconds: 0, cacheVerifiedTokens: true }, async (h, admin) => {
      const api = new ApiClient(h);
      const person = await apiPerson(h, admin, "shortlived");
      expect((await api.get("/api/v1/me", person.accessToken)).statusCode).toBe(200);
      const { kid, key } = poolKey(h);
      const now = Math.floor(Date.now() / 1000);
      const sub = String(decodeClaims(person.accessToken).sub);
      const token = signRs256(
        { kid, alg: "RS256" },
        accessClaims(h, { sub, username: person.account.username, iat: now, exp: now + 2 }),
        key,
      );
      expect((await api.get("/api/v1/me", token)).statusCode).toBe(200);
      expect(h.app.apiTokens.stats.cachedTokens).toBeGreaterThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, (now + 2) * 1000 - Date.now() + 100));
      const late = await api.get("/api/v1/me", token);
      expect(late.statusCode).toBe(401);
      expect(late.json()).toEqual({ detail: "Signature has expired." });
    });
  });
});

/** The `sub` Cognito gave `username` (AdminGetUser). */
async function cognitoSubOf(h: AppHarness, admin: CognitoAdmin, username: string): Promise<string> {
  const { AdminGetUserCommand } = await import("@aws-sdk/client-cognito-identity-provider");
  const result = await admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: username }));
  return result.UserAttributes?.find((a) => a.Name === "sub")?.Value ?? "";
}

/** A real access token from a second pool of the same emulator. */
async function otherPoolToken(h: AppHarness, admin: CognitoAdmin): Promise<string> {
  const pool = await admin.client.send(new CreateUserPoolCommand({ PoolName: `other-${randomUUID().slice(0, 8)}` }));
  const poolId = pool.UserPool?.Id ?? "";
  const client = await admin.client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "other",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  return tokenFor(admin, poolId, client.UserPoolClient?.ClientId ?? "");
}

/** A real access token from an app client of our pool that the API does not list. */
async function foreignClientToken(h: AppHarness, admin: CognitoAdmin): Promise<string> {
  const client = await admin.client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: h.poolId,
      ClientName: `foreign-${randomUUID().slice(0, 8)}`,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  return tokenFor(admin, h.poolId, client.UserPoolClient?.ClientId ?? "");
}

async function tokenFor(admin: CognitoAdmin, poolId: string, clientId: string): Promise<string> {
  const account = newAccount("elsewhere");
  await admin.client.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: account.username,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: account.email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  await admin.client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: account.username,
      Password: goodPassword,
      Permanent: true,
    }),
  );
  const result = await admin.client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: account.username, PASSWORD: goodPassword },
    }),
  );
  return result.AuthenticationResult?.AccessToken ?? "";
}
