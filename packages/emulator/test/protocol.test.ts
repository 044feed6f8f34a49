/**
 * The wire protocol and bad input: AWS JSON 1.1 framing, AWS's error shape, and no input that
 * produces a 500, a hang or a half-written record.
 */
import { ListUserPoolsCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, rawCall, startHarness, type Harness } from "./harness.ts";
import { uploadInParts } from "./slow-upload.ts";

let h: Harness;
let poolId: string;
let clientId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
  clientId = (await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] })).ClientId!;
});
afterAll(async () => h.stop());

describe("AWS JSON 1.1 framing", () => {
  it("answers a well-formed call with 200, x-amz-json-1.1 and a request id", async () => {
    const res = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify({ MaxResults: 10 }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(Array.isArray(res.json.UserPools)).toBe(true);
  });

  it("accepts, without verifying, a SigV4 Authorization header (the SDK always sends one)", async () => {
    const res = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify({ MaxResults: 1 }), {
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
      "x-amz-date": "20261122T000000Z",
    });
    expect(res.status).toBe(200);
    await expect(h.cognito.send(new ListUserPoolsCommand({ MaxResults: 1 }))).resolves.toBeDefined();
  });

  it("reports errors as AWS does: 400, __type and message in the body, x-amzn-ErrorType header", async () => {
    const res = await rawCall(
      h.emulator.url,
      "DescribeUserPool",
      JSON.stringify({ UserPoolId: "us-east-1_missing00" }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: "ResourceNotFoundException",
      message: "User pool us-east-1_missing00 does not exist.",
    });
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException:");
    expect(res.headers.get("x-amzn-errormessage")).toBe("User pool us-east-1_missing00 does not exist.");
  });

  it("answers UnknownOperationException for an operation it does not have", async () => {
    const res = await rawCall(h.emulator.url, "LaunchRockets", "{}");
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe("UnknownOperationException");
  });

  it("answers UnknownOperationException without an X-Amz-Target header", async () => {
    const res = await rawCall(h.emulator.url, null, "{}");
    expect(res.json.__type).toBe("UnknownOperationException");
  });

  it("does not treat inherited object properties as operations", async () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const res = await rawCall(h.emulator.url, name, "{}");
      expect(res.json.__type).toBe("UnknownOperationException");
    }
  });
});

describe("bad input", () => {
  it("answers SerializationException for a body that is not JSON", async () => {
    for (const body of ["{", "not json", '{"a":}', "\u0000\u0001"]) {
      const res = await rawCall(h.emulator.url, "ListUserPools", body);
      expect(res.status).toBe(400);
      expect(res.json.__type).toBe("SerializationException");
    }
  });

  it("answers SerializationException for JSON that is not an object", async () => {
    for (const body of ["[]", "42", '"text"', "null"]) {
      const res = await rawCall(h.emulator.url, "ListUserPools", body);
      expect(res.json.__type).toBe("SerializationException");
    }
  });

  it("answers SerializationException for a member of the wrong type", async () => {
    const cases = [
      { MaxResults: "ten" },
      { MaxResults: 1.5 },
      { MaxResults: [1] },
      { MaxResults: { n: 1 } },
      { MaxResults: true },
    ];
    for (const body of cases) {
      const res = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.__type).toBe("SerializationException");
    }
    const res = await rawCall(
      h.emulator.url,
      "SignUp",
      JSON.stringify({ ClientId: clientId, Username: 42, Password: "x" }),
    );
    expect(res.json.__type).toBe("SerializationException");
  });

  it("lists every missing required member in AWS's validation wording", async () => {
    const res = await rawCall(h.emulator.url, "SignUp", "{}");
    expect(res.json.__type).toBe("InvalidParameterException");
    expect(res.json.message).toBe(
      "2 validation errors detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'username' failed to satisfy constraint: Member must not be null",
    );
  });

  it("never echoes a sensitive value in a validation message", async () => {
    const res = await rawCall(
      h.emulator.url,
      "SignUp",
      JSON.stringify({ ClientId: clientId, Username: "u", Password: "has space" + " ".repeat(300) }),
    );
    expect(res.json.__type).toBe("InvalidParameterException");
    expect(String(res.json.message)).toContain("Value at 'password'");
    expect(String(res.json.message)).not.toContain("has space");
  });

  it("refuses out-of-range numbers and over-long strings", async () => {
    const tooMany = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify({ MaxResults: 61 }));
    expect(tooMany.json.message).toBe(
      "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
    );
    const longName = await rawCall(h.emulator.url, "CreateUserPool", JSON.stringify({ PoolName: "p".repeat(129) }));
    expect(longName.json.__type).toBe("InvalidParameterException");
  });

  // The Cognito API reference lists no error for an oversized request. The AWS service whose
  // reference does, Lambda, names it RequestTooLargeException ("The request payload exceeded the
  // Invoke request body JSON input quota", a client fault in botocore's model), and 413 is HTTP's
  // status for a body larger than the server will take (RFC 9110 §15.5.14).
  it("refuses a body over 1 MiB with 413 and keeps serving", async () => {
    const body = JSON.stringify({ MaxResults: 1, Padding: "x".repeat(1024 * 1024 + 1) });
    const res = await rawCall(h.emulator.url, "ListUserPools", body);
    expect(res.status).toBe(413);
    expect(res.json.__type).toBe("RequestTooLargeException");
    expect(res.headers.get("x-amzn-errortype")).toBe("RequestTooLargeException:");
    const after = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify({ MaxResults: 1 }));
    expect(after.status).toBe(200);
  });

  it("reads a refused body to its end before closing, so a client still sending it gets the 413, not a reset", async () => {
    // 2 MiB declared, sent in two parts with a pause: the answer comes before the second part.
    // A server that closed then, with bytes unread, would reset the connection (RFC 9112 §9.6).
    const res = await listUserPoolsInParts(2 * 1024 * 1024, [1536 * 1024, 512 * 1024]);
    expect(res.socketError).toBeNull();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      __type: "RequestTooLargeException",
      message: "Request body is larger than 1048576 bytes.",
    });
    const after = await rawCall(h.emulator.url, "ListUserPools", JSON.stringify({ MaxResults: 1 }));
    expect(after.status).toBe(200);
  });

  it("answers a body declared far beyond what it would read (1 GiB) at once, and closes", async () => {
    const res = await listUserPoolsInParts(1024 * 1024 * 1024, [64 * 1024]);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(res.body)).toMatchObject({ __type: "RequestTooLargeException" });
  });

  it("keeps the error headers short when the message quotes a long value, so clients still read the answer", async () => {
    // The fuzz suite found it: an 8 KB pool id echoed whole in x-amzn-ErrorMessage passed the
    // client's 16 KB header limit, and fetch and the SDK failed with a parse error.
    const longId = "é".repeat(20_000);
    const res = await rawCall(h.emulator.url, "DescribeUserPool", JSON.stringify({ UserPoolId: longId }));
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe("InvalidParameterException");
    expect(String(res.json.message)).toContain(longId);
    expect(res.headers.get("x-amzn-errortype")).toBe("InvalidParameterException:");
    expect(res.headers.get("x-amzn-errormessage")?.length).toBe(1024);
    expect(res.headers.get("x-amzn-errormessage")?.endsWith("...")).toBe(true);
  });

  it("reads a null member as an absent one, and a null in a list as a null member", async () => {
    // The fuzz suite found it: `"SecretHash": null` reached the handler as null and was a 500.
    const web = (await createClient(h, poolId, { GenerateSecret: true })).ClientId!;
    for (const [operation, body] of [
      ["SignUp", { ClientId: web, Username: "nullhash", Password: "Passw0rd!x", SecretHash: null }],
      ["ConfirmSignUp", { ClientId: web, Username: "nullhash", ConfirmationCode: "123456", SecretHash: null }],
      ["ForgotPassword", { ClientId: web, Username: "nullhash", SecretHash: null }],
    ] as const) {
      const res = await rawCall(h.emulator.url, operation, JSON.stringify(body));
      expect(res.status, `${operation}: ${res.text}`).toBe(400);
      expect(res.json.message).toBe(`Client ${web} is configured for secret but secret was not received`);
    }
    const listed = await rawCall(
      h.emulator.url,
      "ListUsers",
      JSON.stringify({ UserPoolId: poolId, Filter: null, Limit: null, PaginationToken: null }),
    );
    expect(listed.status, listed.text).toBe(200);
    const client = await rawCall(
      h.emulator.url,
      "CreateUserPoolClient",
      JSON.stringify({ UserPoolId: poolId, ClientName: "nulls", TokenValidityUnits: null, CallbackURLs: null }),
    );
    expect(client.status, client.text).toBe(200);
    const nullInList = await rawCall(
      h.emulator.url,
      "ListUsers",
      JSON.stringify({ UserPoolId: poolId, AttributesToGet: ["email", null] }),
    );
    expect(nullInList.json).toEqual({
      __type: "InvalidParameterException",
      message:
        "1 validation error detected: Value null at 'attributesToGet.2.member' failed to satisfy constraint: Member must not be null",
    });
  });

  it("answers an unknown pool, client or forged pagination token with AWS's exceptions", async () => {
    const pool = await rawCall(
      h.emulator.url,
      "ListUserPoolClients",
      JSON.stringify({ UserPoolId: "eu-west-1_AAAAAAAAA" }),
    );
    expect(pool.json.__type).toBe("ResourceNotFoundException");
    const client = await rawCall(
      h.emulator.url,
      "SignUp",
      JSON.stringify({ ClientId: "nosuchclient", Username: "u", Password: "Passw0rd!" }),
    );
    expect(client.json.__type).toBe("ResourceNotFoundException");
    const token = await rawCall(
      h.emulator.url,
      "ListUserPools",
      JSON.stringify({ MaxResults: 5, NextToken: "forged" }),
    );
    expect(token.json.__type).toBe("InvalidParameterException");
  });

  it("signs up unicode usernames and keeps them as typed", async () => {
    for (const username of ["zoë", "用户名", "Ωmega", "emoji😀"]) {
      const res = await rawCall(
        h.emulator.url,
        "SignUp",
        JSON.stringify({ ClientId: clientId, Username: username, Password: "Passw0rd!x" }),
      );
      expect(res.status, username).toBe(200);
      const get = await rawCall(
        h.emulator.url,
        "AdminConfirmSignUp",
        JSON.stringify({ UserPoolId: poolId, Username: username.toUpperCase() }),
      );
      expect(get.status, username).toBe(200);
    }
  });

  it("refuses usernames with whitespace or control characters", async () => {
    for (const username of ["has space", "tab\there", "nul\u0000"]) {
      const res = await rawCall(
        h.emulator.url,
        "SignUp",
        JSON.stringify({ ClientId: clientId, Username: username, Password: "Passw0rd!x" }),
      );
      expect(res.json.__type, JSON.stringify(username)).toBe("InvalidParameterException");
    }
  });

  it("survives a barrage of random bodies without a single 500", async () => {
    const targets = [
      "SignUp",
      "InitiateAuth",
      "CreateUserPool",
      "ListUsers",
      "AdminCreateUser",
      "GetUser",
      "UpdateUserPoolClient",
    ];
    const values: unknown[] = [
      null,
      0,
      -1,
      1e308,
      "",
      "x".repeat(3000),
      [],
      {},
      [null],
      { a: { b: [1, "2"] } },
      true,
      "\ud800",
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const members = [
      "ClientId",
      "Username",
      "Password",
      "UserPoolId",
      "AuthFlow",
      "AuthParameters",
      "PoolName",
      "AccessToken",
      "Limit",
      "Filter",
    ];
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {};
      for (let j = 0; j < 1 + random(4); j++) body[members[random(members.length)]!] = values[random(values.length)];
      const res = await rawCall(h.emulator.url, targets[random(targets.length)]!, JSON.stringify(body));
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBeLessThan(500);
      expect(typeof res.json.__type === "string" || res.status === 200).toBe(true);
    }
  });
});

describe("other endpoints", () => {
  it("serves the pool's JWKS with two RS256 keys and OpenID discovery", async () => {
    const jwks = (await (await fetch(`${h.emulator.url}/${poolId}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(2);
    for (const key of jwks.keys) expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
    expect(jwks.keys[0]!.kid).not.toBe(jwks.keys[1]!.kid);
    const discovery = (await (
      await fetch(`${h.emulator.url}/${poolId}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: `${h.emulator.url}/${poolId}`,
      jwks_uri: `${h.emulator.url}/${poolId}/.well-known/jwks.json`,
    });
  });

  it("answers 404 for the JWKS of an unknown pool", async () => {
    const res = await fetch(`${h.emulator.url}/us-east-1_nothere00/.well-known/jwks.json`);
    expect(res.status).toBe(404);
  });

  it("shows the outbox as JSON, newest first, filtered by pool and username, and as a page", async () => {
    const pool = (await createPool(h, { AutoVerifiedAttributes: ["email"] })).Id!;
    const client = (await createClient(h, pool)).ClientId!;
    for (const name of ["first", "second"]) {
      await rawCall(
        h.emulator.url,
        "SignUp",
        JSON.stringify({
          ClientId: client,
          Username: name,
          Password: "Passw0rd!",
          UserAttributes: [{ Name: "email", Value: `${name}@example.com` }],
        }),
      );
    }
    const all = (await (await fetch(`${h.emulator.url}/_outbox?poolId=${pool}`)).json()) as {
      messages: Record<string, unknown>[];
    };
    expect(all.messages.map((m) => m.username)).toEqual(["second", "first"]);
    expect(all.messages[0]).toMatchObject({
      poolId: pool,
      username: "second",
      destination: "second@example.com",
      medium: "EMAIL",
      kind: "SIGN_UP",
    });
    expect(Object.keys(all.messages[0]!).sort()).toEqual([
      "code",
      "createdAt",
      "destination",
      "id",
      "kind",
      "medium",
      "message",
      "poolId",
      "subject",
      "username",
    ]);
    const one = (await (await fetch(`${h.emulator.url}/_outbox?username=first`)).json()) as { messages: unknown[] };
    expect(one.messages).toHaveLength(1);
    const page = await fetch(`${h.emulator.url}/_outbox.html?poolId=${pool}`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("second@example.com");
    expect(h.emulator.outbox.latest("first")?.destination).toBe("first@example.com");
  });

  it("escapes what it shows on the outbox page", async () => {
    const pool = (await createPool(h, { AutoVerifiedAttributes: ["email"] })).Id!;
    const client = (await createClient(h, pool)).ClientId!;
    await rawCall(
      h.emulator.url,
      "SignUp",
      JSON.stringify({
        ClientId: client,
        Username: "<script>x</script>",
        Password: "Passw0rd!",
        UserAttributes: [{ Name: "email", Value: "a@b.co" }],
      }),
    );
    const html = await (await fetch(`${h.emulator.url}/_outbox.html?poolId=${pool}`)).text();
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>x");
  });
});

/** ListUserPools declaring `declaredBytes` of body and sending `parts` of it, pausing after each. */
const listUserPoolsInParts = (declaredBytes: number, parts: readonly number[]) =>
  uploadInParts(h.emulator.url, {
    method: "POST",
    path: "/",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPools",
    },
    declaredBytes,
    parts,
  });
