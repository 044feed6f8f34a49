/**
 * ListUsers through the AWS SDK: pages, filters and AttributesToGet.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  ListUsersCommand,
  paginateListUsers,
  type AttributeType,
  type ListUsersCommandInput,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const list = (poolId: string, input: Partial<ListUsersCommandInput> = {}) =>
  h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, ...input }));

const names = (users: UserType[] | undefined): string[] => (users ?? []).map((u) => u.Username ?? "");

const attributeOf = (user: UserType | undefined, name: string): string | undefined =>
  user?.Attributes?.find((a) => a.Name === name)?.Value;

async function addUser(poolId: string, Username: string, attributes: Record<string, string> = {}) {
  const UserAttributes: AttributeType[] = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
  const { User } = await h.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username,
      UserAttributes,
      TemporaryPassword: "Temp0rary!",
      MessageAction: "SUPPRESS",
    }),
  );
  return User!;
}

const parseError = { name: "InvalidParameterException", message: "Error while parsing filter.", status: 400 };

describe("ListUsers", () => {
  let poolId: string;
  let bobSub: string;

  // One pool of people for the filter tests, created a second apart so creation order is visible.
  beforeAll(async () => {
    poolId = (await createPool(h, { PoolName: "people" })).Id!;
    const people: [string, Record<string, string>][] = [
      ["alice", { email: "alice@example.com", given_name: "Alice", family_name: "Liddell", name: "Alice Liddell" }],
      [
        "bob",
        { email: "bob@example.org", given_name: "Bob", phone_number: "+15555550111", preferred_username: "bobby" },
      ],
      ["Carol", { email: "carol@example.com", given_name: "Carol", family_name: "Danvers" }],
      ["dave", { email: "Dave@Example.com", given_name: "100% Dave" }],
      ["日本語ユーザー", { email: "nihongo@example.jp", name: "山田 太郎" }],
      ["Zoë", { email: "zoe@example.com", given_name: 'Zoë "Z"' }],
    ];
    for (const [name, attributes] of people) {
      const user = await addUser(poolId, name, attributes);
      if (name === "bob") bobSub = attributeOf(user, "sub") ?? "";
      h.clock.advance(1000);
    }
    await h.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: "alice",
        Password: "Passw0rd!",
        Permanent: true,
      }),
    );
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: "dave" }));
  });

  const filtered = async (Filter: string) => names((await list(poolId, { Filter })).Users);

  it("lists every user in creation order, as UserType", async () => {
    const { Users, PaginationToken } = await list(poolId);
    expect(names(Users)).toEqual(["alice", "bob", "Carol", "dave", "日本語ユーザー", "Zoë"]);
    expect(PaginationToken).toBeUndefined();
    const alice = Users?.[0];
    expect(alice).toMatchObject({ Username: "alice", Enabled: true, UserStatus: "CONFIRMED" });
    expect(alice?.UserCreateDate).toBeInstanceOf(Date);
    expect(alice?.UserLastModifiedDate).toBeInstanceOf(Date);
    expect(attributeOf(alice, "email")).toBe("alice@example.com");
    expect(attributeOf(alice, "sub")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists everyone for an empty filter", async () => {
    expect(await filtered("")).toHaveLength(6);
  });

  it("matches each searchable standard attribute exactly with =", async () => {
    expect(await filtered('username = "bob"')).toEqual(["bob"]);
    expect(await filtered('email = "carol@example.com"')).toEqual(["Carol"]);
    expect(await filtered('phone_number = "+15555550111"')).toEqual(["bob"]);
    expect(await filtered('name = "Alice Liddell"')).toEqual(["alice"]);
    expect(await filtered('given_name = "Bob"')).toEqual(["bob"]);
    expect(await filtered('family_name = "Danvers"')).toEqual(["Carol"]);
    expect(await filtered('preferred_username = "bobby"')).toEqual(["bob"]);
    expect(await filtered(`sub = "${bobSub}"`)).toEqual(["bob"]);
    expect(await filtered('email = "nobody@example.com"')).toEqual([]);
  });

  it("matches prefixes with ^=", async () => {
    expect(await filtered('email ^= "alice"')).toEqual(["alice"]);
    expect(await filtered('given_name ^= "C"')).toEqual(["Carol"]);
    expect(await filtered('username ^= "日本"')).toEqual(["日本語ユーザー"]);
    expect(await filtered('name ^= "山田"')).toEqual(["日本語ユーザー"]);
    expect(await filtered('phone_number ^= "+1555"')).toEqual(["bob"]);
    expect(await filtered('family_name ^= ""')).toEqual(["alice", "Carol"]);
  });

  it("treats % and _ in a value literally", async () => {
    expect(await filtered('given_name ^= "100%"')).toEqual(["dave"]);
    expect(await filtered('given_name ^= "%"')).toEqual([]);
    expect(await filtered('email ^= "_"')).toEqual([]);
  });

  it("compares usernames case-sensitively and attribute values case-insensitively", async () => {
    // "username (case-sensitive)" (API reference); "All searches are case-insensitive"
    // (Developer Guide) for the others, which is what lets a PreSignUp trigger find an email
    // address typed in another letter case (issue 11).
    expect(await filtered('username = "carol"')).toEqual([]);
    expect(await filtered('username = "Carol"')).toEqual(["Carol"]);
    expect(await filtered('email = "dave@example.com"')).toEqual(["dave"]);
    expect(await filtered('email = "Dave@Example.com"')).toEqual(["dave"]);
    expect(await filtered('email ^= "DAVE@"')).toEqual(["dave"]);
  });

  it("filters on cognito:user_status case-insensitively", async () => {
    // "cognito:user_status (called Status in the Console) (case-insensitive)".
    expect(await filtered('cognito:user_status = "CONFIRMED"')).toEqual(["alice"]);
    expect(await filtered('cognito:user_status = "confirmed"')).toEqual(["alice"]);
    expect(await filtered('cognito:user_status ^= "force"')).toEqual(["bob", "Carol", "dave", "日本語ユーザー", "Zoë"]);
  });

  it("filters on status, the Enabled/Disabled flag, case-sensitively", async () => {
    // "status (called Enabled in the Console) (case-sensitive)".
    expect(await filtered('status = "Disabled"')).toEqual(["dave"]);
    expect(await filtered('status = "Enabled"')).toHaveLength(5);
    expect(await filtered('status = "disabled"')).toEqual([]);
  });

  it("accepts escaped quotes, a quoted attribute name and no spaces", async () => {
    expect(await filtered(String.raw`given_name = "Zoë \"Z\""`)).toEqual(["Zoë"]);
    // AWS's own example: "\"email\"^=\"testuser\"".
    expect(await filtered('"email"^="bob"')).toEqual(["bob"]);
    expect(await filtered('username="alice"')).toEqual(["alice"]);
    expect(await filtered('  username   =   "alice"  ')).toEqual(["alice"]);
  });

  it("refuses a malformed filter with 'Error while parsing filter.'", async () => {
    for (const Filter of [
      "foo",
      "email = alice@example.com",
      'email == "alice@example.com"',
      'email != "alice@example.com"',
      'email = "alice@example.com" and username = "alice"',
      'email = "unterminated',
      '= "alice"',
      'email ~= "alice"',
    ]) {
      expect(await errorOf(list(poolId, { Filter })), Filter).toEqual(parseError);
    }
  });

  it("refuses attributes that are not searchable, naming them", async () => {
    // "Custom attributes aren't searchable"; neither are standard ones outside the list. The
    // wording is moto's (getmoto/moto#4407).
    for (const name of ["custom:team", "locale", "email_verified", "Username"]) {
      expect(await errorOf(list(poolId, { Filter: `${name} = "a"` })), name).toEqual({
        ...parseError,
        message: `Invalid search attribute: ${name}`,
      });
    }
  });

  it("refuses a filter longer than 256 characters with AWS's validation wording", async () => {
    const Filter = `email = "${"a".repeat(250)}"`;
    const error = await errorOf(list(poolId, { Filter }));
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toBe(
      `1 validation error detected: Value '${Filter}' at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });

  it("returns only the attributes asked for with AttributesToGet", async () => {
    const { Users } = await list(poolId, { AttributesToGet: ["email", "given_name"], Filter: 'username = "bob"' });
    const returned = [...(Users?.[0]?.Attributes ?? [])].sort((a, b) => (a.Name ?? "").localeCompare(b.Name ?? ""));
    expect(returned).toEqual([
      { Name: "email", Value: "bob@example.org" },
      { Name: "given_name", Value: "Bob" },
    ]);
    expect(Users?.[0]).toMatchObject({ Username: "bob", Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD" });
    const all = await list(poolId, { AttributesToGet: [], Filter: 'username = "bob"' });
    expect(all.Users?.[0]?.Attributes?.length).toBeGreaterThan(2);
  });

  it("pages through a filtered list", async () => {
    const first = await list(poolId, { Filter: 'email ^= ""', Limit: 4 });
    expect(names(first.Users)).toEqual(["alice", "bob", "Carol", "dave"]);
    expect(first.PaginationToken).toBeTruthy();
    const second = await list(poolId, { Filter: 'email ^= ""', Limit: 4, PaginationToken: first.PaginationToken });
    expect(names(second.Users)).toEqual(["日本語ユーザー", "Zoë"]);
    expect(second.PaginationToken).toBeUndefined();
  });

  it("refuses a Limit outside 0–60 and a forged pagination token", async () => {
    const tooMany = await errorOf(list(poolId, { Limit: 61 }));
    expect(tooMany).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
    });
    expect((await errorOf(list(poolId, { Limit: -1 }))).name).toBe("InvalidParameterException");
    expect((await errorOf(list(poolId, { PaginationToken: "not-a-token" }))).name).toBe("InvalidParameterException");
  });

  it("refuses an ill-typed Filter with SerializationException", async () => {
    const response = await rawCall(h.emulator.url, "ListUsers", JSON.stringify({ UserPoolId: poolId, Filter: 7 }));
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe("SerializationException");
  });

  it("answers ResourceNotFoundException for an unknown pool", async () => {
    const error = await errorOf(list("us-east-1_nopoolXXX"));
    expect(error).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_nopoolXXX does not exist.",
    });
  });
});

describe("ListUsers over more than one page", () => {
  let poolId: string;
  const total = 131;

  beforeAll(async () => {
    poolId = (await createPool(h, { PoolName: "crowd" })).Id!;
    // Created in parallel batches; several share a creation time, which the token must survive.
    for (let start = 0; start < total; start += 20) {
      const batch = Array.from({ length: Math.min(20, total - start) }, (_, i) => `member-${start + i}`);
      await Promise.all(batch.map((name) => addUser(poolId, name, { email: `${name}@example.com` })));
      h.clock.advance(1000);
    }
  }, 60_000);

  it("returns 60 users per page by default and a token until the last page", async () => {
    const first = await list(poolId);
    expect(first.Users).toHaveLength(60);
    expect(first.PaginationToken).toBeTruthy();
    const second = await list(poolId, { PaginationToken: first.PaginationToken });
    expect(second.Users).toHaveLength(60);
    const third = await list(poolId, { PaginationToken: second.PaginationToken });
    expect(third.Users).toHaveLength(total - 120);
    expect(third.PaginationToken).toBeUndefined();
    const seen = [...names(first.Users), ...names(second.Users), ...names(third.Users)];
    expect(new Set(seen).size).toBe(total);
  });

  it("treats Limit 0 as the default page size", async () => {
    expect((await list(poolId, { Limit: 0 })).Users).toHaveLength(60);
  });

  it("visits every user exactly once through the SDK's paginator", async () => {
    const seen: string[] = [];
    for await (const page of paginateListUsers({ client: h.cognito, pageSize: 7 }, { UserPoolId: poolId })) {
      expect(page.Users!.length).toBeLessThanOrEqual(7);
      seen.push(...names(page.Users));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it("pages through a prefix filter", async () => {
    const seen: string[] = [];
    let PaginationToken: string | undefined;
    do {
      const page = await list(poolId, { Filter: 'username ^= "member-1"', Limit: 10, PaginationToken });
      seen.push(...names(page.Users));
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    // member-1, member-10…19, member-100…130
    expect(new Set(seen).size).toBe(1 + 10 + 31);
    expect(seen.every((name) => name.startsWith("member-1"))).toBe(true);
  });
});
