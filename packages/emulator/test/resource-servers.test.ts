import {
  CreateResourceServerCommand,
  DeleteResourceServerCommand,
  DescribeResourceServerCommand,
  ListResourceServersCommand,
  UpdateResourceServerCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, errorOf, rawCall, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h)).Id!;
});
afterAll(async () => h.stop());

const readScope = { ScopeName: "users.read", ScopeDescription: "Read the user list" };

describe("resource servers", () => {
  it("creates a resource server with scopes and describes it", async () => {
    const { ResourceServer } = await h.cognito.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: "gatehouse",
        Name: "Gatehouse API",
        Scopes: [readScope],
      }),
    );
    expect(ResourceServer).toEqual({
      UserPoolId: poolId,
      Identifier: "gatehouse",
      Name: "Gatehouse API",
      Scopes: [readScope],
    });
    const described = await h.cognito.send(
      new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "gatehouse" }),
    );
    expect(described.ResourceServer).toEqual(ResourceServer);
  });

  it("takes a URL as identifier, as AWS suggests (https://api.example.com)", async () => {
    const { ResourceServer } = await h.cognito.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: "https://api.example.com",
        Name: "Example API",
      }),
    );
    expect(ResourceServer?.Identifier).toBe("https://api.example.com");
    // A server without scopes has no Scopes member, in every answer (moto models AWS so too).
    expect(ResourceServer).not.toHaveProperty("Scopes");
    const described = await h.cognito.send(
      new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "https://api.example.com" }),
    );
    expect(described.ResourceServer).not.toHaveProperty("Scopes");
  });

  it("refuses an identifier the pool already has", async () => {
    await h.cognito.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: "twice", Name: "Twice" }));
    const error = await errorOf(
      h.cognito.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: "twice", Name: "Again" })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: `twice already exists in user pool ${poolId}.`,
    });
  });

  it("refuses a scope name with a slash, by the API's pattern", async () => {
    const error = await errorOf(
      h.cognito.send(
        new CreateResourceServerCommand({
          UserPoolId: poolId,
          Identifier: "slashed",
          Name: "Slashed",
          Scopes: [{ ScopeName: "a/b", ScopeDescription: "no" }],
        }),
      ),
    );
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toContain(
      "'scopes.1.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
  });

  it("refuses a scope named twice", async () => {
    const error = await errorOf(
      h.cognito.send(
        new CreateResourceServerCommand({
          UserPoolId: poolId,
          Identifier: "dupes",
          Name: "Dupes",
          Scopes: [readScope, readScope],
        }),
      ),
    );
    expect(error.name).toBe("InvalidParameterException");
  });

  it("lists resource servers in pages with NextToken", async () => {
    const pool = (await createPool(h)).Id!;
    for (const id of ["a-api", "b-api", "c-api"]) {
      await h.cognito.send(new CreateResourceServerCommand({ UserPoolId: pool, Identifier: id, Name: id }));
    }
    const first = await h.cognito.send(new ListResourceServersCommand({ UserPoolId: pool, MaxResults: 2 }));
    expect(first.ResourceServers?.map((s) => s.Identifier)).toEqual(["a-api", "b-api"]);
    expect(first.NextToken).toBeTruthy();
    const second = await h.cognito.send(
      new ListResourceServersCommand({ UserPoolId: pool, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.ResourceServers?.map((s) => s.Identifier)).toEqual(["c-api"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("requires MaxResults when listing, as the API reference does", async () => {
    const response = await rawCall(h.emulator.url, "ListResourceServers", JSON.stringify({ UserPoolId: poolId }));
    expect(response.status).toBe(400);
    expect(response.json.message).toContain(
      "Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    );
  });

  it("updates a resource server, replacing its name and scopes", async () => {
    await h.cognito.send(
      new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: "changing", Name: "Old", Scopes: [readScope] }),
    );
    const write = { ScopeName: "users.write", ScopeDescription: "Change users" };
    const { ResourceServer } = await h.cognito.send(
      new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: "changing", Name: "New", Scopes: [write] }),
    );
    expect(ResourceServer).toMatchObject({ Name: "New", Scopes: [write] });
    const described = await h.cognito.send(
      new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "changing" }),
    );
    expect(described.ResourceServer?.Scopes).toEqual([write]);
  });

  it("deletes a resource server; afterwards it is not found", async () => {
    await h.cognito.send(
      new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: "short-lived", Name: "Short" }),
    );
    await h.cognito.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: "short-lived" }));
    const error = await errorOf(
      h.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "short-lived" })),
    );
    expect(error).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });

  it("answers ResourceNotFoundException for an unknown server or pool, for every operation", async () => {
    for (const call of [
      new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "ghost" }),
      new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: "ghost", Name: "Ghost" }),
      new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: "ghost" }),
      new CreateResourceServerCommand({ UserPoolId: "us-east-1_Missing00", Identifier: "x", Name: "x" }),
      new ListResourceServersCommand({ UserPoolId: "us-east-1_Missing00", MaxResults: 5 }),
    ]) {
      expect((await errorOf(h.cognito.send(call as never))).name).toBe("ResourceNotFoundException");
    }
  });
});
