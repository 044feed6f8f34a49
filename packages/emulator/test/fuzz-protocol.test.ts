/**
 * Property-based fuzzing of the JSON protocol (issue 13), for every operation the emulator
 * registers: requests built from AWS's own model of that operation (aws-model.ts), then spoiled —
 * members missing or of the wrong type, unknown members, huge and unusual Unicode values, bodies
 * that are not JSON objects. Whatever arrives, the answer is a 200 or an AWS-shaped 4xx
 * (`{"__type", "message"}`, `x-amzn-ErrorType`), never a 5xx and never a hang.
 *
 * Each operation gets live values to find: a pool, clients, a confirmed user with tokens, a user
 * mid-challenge, a group — fresh ones per operation, so one operation's deletions never starve
 * another. Operations on a whole pool (update, delete, MFA settings) get a pool of their own.
 * On failure fast-check prints the seed and path that replay the case (fuzz-settings.ts).
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  CreateGroupCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  type ExplicitAuthFlowsType,
} from "@aws-sdk/client-cognito-identity-provider";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../src/operations/index.ts";
import { enumValues, requestShapeOf, type ModelShape } from "./aws-model.ts";
import { fuzzParameters } from "./fuzz-settings.ts";
import { createClient, createPool, secretHash, startHarness, type Harness } from "./harness.ts";

/** Cases per operation; the body-level property below adds its own. */
const runsPerOperation = 14;
const password = "Fuzz-Passw0rd!";
const poolWideOperations = new Set(["UpdateUserPool", "DeleteUserPool", "SetUserPoolMfaConfig"]);

let h: Harness;
let poolId: string;
let ownPoolId: string;
let serial = 0;

beforeAll(async () => {
  h = await startHarness({ clock: { now: () => Date.now() } });
  poolId = (await createPool(h, { PoolName: "fuzz", AutoVerifiedAttributes: ["email"] })).Id!;
  await h.cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  ownPoolId = (await createPool(h, { PoolName: "fuzz-pool-wide" })).Id!;
});
afterAll(async () => h.stop());

/** Values that exist in the emulator, by the member names that take them. */
interface Live {
  readonly byMember: Readonly<Record<string, readonly string[]>>;
  readonly all: readonly string[];
}

const flows: ExplicitAuthFlowsType[] = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_USER_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];

async function liveValues(operation: string): Promise<Live> {
  serial += 1;
  const web = await createClient(h, poolId, {
    ClientName: `web${serial}`,
    GenerateSecret: true,
    ExplicitAuthFlows: flows,
  });
  const app = await createClient(h, poolId, { ClientName: `app${serial}`, ExplicitAuthFlows: flows });
  const username = `fuzz${serial}`;
  const email = `${username}@example.com`;
  await h.cognito.send(
    new SignUpCommand({
      ClientId: app.ClientId,
      Username: username,
      Password: password,
      UserAttributes: [{ Name: "email", Value: email }],
    }),
  );
  const signUpCode = h.emulator.outbox.latest(username)?.code ?? "123456";
  await h.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username }));
  const signedIn = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: app.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  const tokens = signedIn.AuthenticationResult!;
  const invited = `invited${serial}`;
  await h.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: invited,
      TemporaryPassword: password,
      MessageAction: "SUPPRESS",
    }),
  );
  const challenge = await h.cognito.send(
    new InitiateAuthCommand({
      ClientId: app.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: invited, PASSWORD: password },
    }),
  );
  const group = `group${serial}`;
  await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));

  const pools = poolWideOperations.has(operation) ? [ownPoolId] : [poolId];
  const clients = [web.ClientId!, app.ClientId!];
  const users = [username, username.toUpperCase(), email, invited];
  const hash = secretHash(web.ClientSecret!, username, web.ClientId!);
  const passwords = [password, "short", "Another-Passw0rd!"];
  const accessTokens = [tokens.AccessToken!, tokens.IdToken!];
  const sessions = [challenge.Session ?? ""];
  const codes = [signUpCode, "123456", "000000"];
  const byMember: Record<string, readonly string[]> = {
    UserPoolId: pools,
    ClientId: clients,
    ClientSecret: [web.ClientSecret!],
    Username: users,
    USERNAME: users,
    SecretHash: [hash],
    SECRET_HASH: [hash],
    Password: passwords,
    PASSWORD: passwords,
    NEW_PASSWORD: passwords,
    ProposedPassword: passwords,
    PreviousPassword: passwords,
    TemporaryPassword: passwords,
    AccessToken: accessTokens,
    RefreshToken: [tokens.RefreshToken!],
    REFRESH_TOKEN: [tokens.RefreshToken!],
    Token: [tokens.RefreshToken!, tokens.AccessToken!],
    Session: sessions,
    GroupName: [group, "missing-group"],
    ConfirmationCode: codes,
    Code: codes,
    UserCode: codes,
    AttributeName: ["email", "phone_number", "given_name", "custom:x"],
    Name: ["email", "email_verified", "given_name", "phone_number", "sub", "custom:x", "preferred_username"],
    Value: [email, "true", "+15555550100", "Given"],
    Filter: ['username = "fuzz"', 'email ^= "f"', 'status = "Enabled"', 'sub = ""'],
    ChallengeName: [
      "NEW_PASSWORD_REQUIRED",
      "SOFTWARE_TOKEN_MFA",
      "SMS_MFA",
      "EMAIL_OTP",
      "SELECT_CHALLENGE",
      "PASSWORD",
    ],
    AuthFlow: ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "USER_SRP_AUTH", "USER_AUTH"],
  };
  const all = [...new Set(Object.values(byMember).flat())];
  return { byMember, all };
}

const mapKeys = [
  "USERNAME",
  "PASSWORD",
  "SECRET_HASH",
  "REFRESH_TOKEN",
  "NEW_PASSWORD",
  "SRP_A",
  "PASSWORD_CLAIM_SIGNATURE",
  "SOFTWARE_TOKEN_MFA_CODE",
  "SMS_MFA_CODE",
  "EMAIL_OTP_CODE",
  "ANSWER",
  "PREFERRED_CHALLENGE",
  "DEVICE_KEY",
  "userAttributes.given_name",
];
const enums = enumValues();

/** Strings that have broken parsers, encoders and databases before. */
const oddStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "\u202eevil",
  "\ufeff",
  "😀".repeat(64),
  "e\u0301",
  "%00",
  "'; DROP TABLE users; --",
  "${jndi:x}",
  "../../etc/passwd",
  "\r\nx-injected: 1",
  "__proto__",
  "constructor",
  "x".repeat(2049),
  "é".repeat(600),
];

const anyJson = fc.jsonValue({ maxDepth: 2 });

/**
 * A long string, written out only when the body is serialised (`toJSON`), so that a failure's
 * report shows `"é" × 300000` instead of the string itself.
 */
class Repeated {
  constructor(
    readonly unit: string,
    readonly times: number,
  ) {}
  toJSON(): string {
    return this.unit.repeat(this.times);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.unit)} × ${this.times}`;
  }
}

/** Up to 600 KB of two-byte UTF-8 (still under the 1 MiB body limit), or ASCII, or emoji. */
const hugeString = fc
  .tuple(fc.constantFrom("é", "x", "😀", "\u0000"), fc.integer({ min: 3_000, max: 150_000 }))
  .map(([unit, times]) => new Repeated(unit, times));

/** The live values a member (or map key) takes; generated keys such as `toString` take none. */
const preferredFor = (live: Live, member: string | null): readonly string[] | undefined =>
  member !== null && Object.hasOwn(live.byMember, member) ? live.byMember[member] : undefined;

function stringValue(live: Live, member: string | null): fc.Arbitrary<unknown> {
  const preferred = preferredFor(live, member);
  return fc.oneof(
    { weight: preferred ? 8 : 0, arbitrary: fc.constantFrom(...(preferred ?? [""])) },
    { weight: 2, arbitrary: fc.constantFrom(...live.all) },
    { weight: 1, arbitrary: fc.constantFrom(...enums) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...oddStrings) },
    { weight: 1, arbitrary: hugeString },
    { weight: 1, arbitrary: anyJson },
  );
}

const numberValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 400 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 0.5, 5e-324, -0) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: anyJson },
);

/** A value for `shape`, mostly well-typed, sometimes not; `member` names the member it fills. */
function valueOf(shape: ModelShape, live: Live, member: string | null, depth: number): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case "string":
      return stringValue(live, member);
    case "number":
    case "timestamp":
      return numberValue;
    case "boolean":
      return fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyJson });
    case "blob":
      return fc.oneof(fc.base64String({ maxLength: 40 }), anyJson);
    case "document":
      return anyJson;
    case "list": {
      if (depth > 4) return fc.constant([]);
      const member = valueOf(shape.member(), live, null, depth + 1);
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(member, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(fc.constantFrom(...live.all), { minLength: 100, maxLength: 2_000 }) },
        { weight: 1, arbitrary: anyJson },
      );
    }
    case "map": {
      if (depth > 4) return fc.constant({});
      const entry = fc.oneof(fc.constantFrom(...mapKeys), fc.string({ maxLength: 12 }));
      const entries = fc.uniqueArray(
        fc.tuple(entry, valueOf(shape.value(), live, null, depth + 1)).chain(([key, value]) =>
          // A known key takes the values that member would: USERNAME a username, and so on.
          (preferredFor(live, key) ? stringValue(live, key) : fc.constant(value)).map((v) => [key, v] as const),
        ),
        { maxLength: 5, selector: ([key]) => key },
      );
      return fc.oneof(
        { weight: 6, arbitrary: entries.map((list) => Object.fromEntries(list)) },
        { weight: 1, arbitrary: anyJson },
      );
    }
    case "structure":
      return structureOf(shape, live, depth);
  }
}

const extraKeys = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "username", "userPoolId", "Extra", ""),
  fc.string({ maxLength: 12 }),
);

/**
 * A structure: each required member usually there, each optional one sometimes, now and then
 * `null`, now and then an unknown member (including `__proto__`), now and then not an object.
 */
function structureOf(
  shape: Extract<ModelShape, { kind: "structure" }>,
  live: Live,
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > 5) return fc.constant({});
  const members = shape.members.map((m) =>
    fc.oneof(
      { weight: m.required ? 8 : 2, arbitrary: valueOf(m.shape(), live, m.name, depth + 1).map((v) => [m.name, v]) },
      { weight: m.required ? 1 : 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant([m.name, null]) },
    ),
  );
  const extras = fc.oneof(
    { weight: 5, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(extraKeys, anyJson), { maxLength: 3 }) },
  );
  const object = fc
    .tuple(fc.tuple(...members), extras)
    .map(([present, extra]) =>
      Object.fromEntries([...(present.filter((entry) => entry !== null) as [string, unknown][]), ...extra]),
    );
  return depth === 0 ? object : fc.oneof({ weight: 8, arbitrary: object }, { weight: 1, arbitrary: anyJson });
}

const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant("application/x-amz-json-1.1") },
  { weight: 1, arbitrary: fc.constantFrom("application/json", "text/plain", "application/x-amz-json-1.0", "") },
);

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly errorType: string | null;
  readonly contentType: string | null;
}

async function send(operation: string, body: string | Uint8Array, contentType: string): Promise<Answer> {
  const response = await fetch(h.emulator.url, {
    method: "POST",
    headers: {
      ...(contentType === "" ? {} : { "content-type": contentType }),
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: typeof body === "string" ? body : Buffer.from(body),
    // "Never a hang": a request that takes this long fails the property, with its seed.
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    text: await response.text(),
    errorType: response.headers.get("x-amzn-errortype"),
    contentType: response.headers.get("content-type"),
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** A 200 with a JSON object, or a 4xx in AWS's error shape; anything else fails with the answer. */
function expectAwsAnswer(operation: string, answer: Answer): void {
  const where = `${operation} → ${answer.status} ${answer.text.slice(0, 300)}`;
  const body = parseObject(answer.text);
  expect(body, where).not.toBeNull();
  expect(answer.contentType, where).toBe("application/x-amz-json-1.1");
  if (answer.status === 200) return;
  expect(answer.status, where).toBeGreaterThanOrEqual(400);
  expect(answer.status, where).toBeLessThan(500);
  expect(body!.__type, where).toEqual(expect.stringMatching(/^[A-Z][A-Za-z]+Exception$/));
  expect(typeof body!.message, where).toBe("string");
  expect(answer.errorType, where).toBe(`${String(body!.__type)}:`);
}

// DeleteUserPool last: it deletes the pool the pool-wide operations share.
const operationNames = Object.keys(operations).sort(
  (a, b) => Number(a === "DeleteUserPool") - Number(b === "DeleteUserPool"),
);

describe("every registered operation, with requests built from AWS's model and spoiled", () => {
  it("covers every operation the emulator registers", () => {
    expect(operationNames.length).toBeGreaterThanOrEqual(58);
    for (const name of operationNames) expect(() => requestShapeOf(name), name).not.toThrow();
  });

  for (const operation of operationNames) {
    it(`${operation}: a 200 or an AWS-shaped 4xx, never a 5xx or a hang`, { timeout: 60_000 }, async () => {
      const live = await liveValues(operation);
      const request = fc.tuple(structureOf(requestShapeOf(operation), live, 0), contentTypes);
      await fc.assert(
        fc.asyncProperty(request, async ([body, contentType]) => {
          expectAwsAnswer(operation, await send(operation, JSON.stringify(body), contentType));
        }),
        fuzzParameters(runsPerOperation),
      );
    });
  }
});

/** Bodies that are not a JSON object, or not quite JSON, or not UTF-8. */
const oddBodies: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "{",
    "}",
    "null",
    "[]",
    "42",
    '"text"',
    "true",
    "{}garbage",
    '{"a":1}{"b":2}',
    "\ufeff{}",
    '{"UserPoolId": "a", "UserPoolId": "b"}',
    '{"__proto__": {"polluted": true}}',
    "[".repeat(10_000),
    `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`,
    "1e999999",
    '{"MaxResults": 1e999999}',
    '{"Username": "\\ud800"}',
  ),
  fc.string({ maxLength: 60 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.uint8Array({ maxLength: 60 }),
  fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
);

describe("bodies that are not a JSON object", () => {
  it("get SerializationException (or an answer as for {}), never a 5xx", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operationNames), oddBodies, contentTypes, async (operation, body, type) => {
        expectAwsAnswer(operation, await send(operation, body, type));
      }),
      fuzzParameters(200),
    );
  });

  it("answers an unknown or missing operation with UnknownOperationException", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z_$]{0,30}$/), async (name) => {
        fc.pre(!Object.hasOwn(operations, name));
        const answer = await send(name, "{}", "application/x-amz-json-1.1");
        expectAwsAnswer(name, answer);
        expect(answer.status).toBe(400);
        expect(parseObject(answer.text)?.__type).toBe("UnknownOperationException");
      }),
      fuzzParameters(50),
    );
  });
});
