/** The dev seed's hosted-UI part: a domain, the `gatehouse` resource server and a machine client. */
import {
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolDomainCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { readFileSync } from "node:fs";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applySeed } from "../src/seed.ts";
import { parseSeed } from "../src/index.ts";
import { errorOf, startHarness, type Harness } from "./harness.ts";

const devSeed = parseSeed(JSON.parse(readFileSync(new URL("../seeds/dev.json", import.meta.url), "utf8")) as unknown);
const poolId = "us-east-1_GatehoUse";
const machine = { id: "gatehousemachineclient0001", secret: "gatehousedevmachineclientsecret00000000000000000001" };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: devSeed });
});
afterAll(async () => h.stop());

describe("the dev seed's domain, resource server and machine client", () => {
  it("gives the dev pool the domain gatehouse-dev", async () => {
    const { DomainDescription } = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "gatehouse-dev" }));
    expect(DomainDescription).toMatchObject({ UserPoolId: poolId, Status: "ACTIVE" });
  });

  it("has the resource server gatehouse with the scope users.read", async () => {
    const { ResourceServer } = await h.cognito.send(
      new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "gatehouse" }),
    );
    expect(ResourceServer?.Scopes?.map((s) => s.ScopeName)).toEqual(["users.read"]);
  });

  it("has a machine client whose client_credentials token carries gatehouse/users.read", async () => {
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: machine.id }),
    );
    expect(UserPoolClient).toMatchObject({ AllowedOAuthFlows: ["client_credentials"], ClientSecret: machine.secret });
    const response = await fetch(`${h.emulator.url}/gatehouse-dev/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${machine.id}:${machine.secret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials&scope=gatehouse%2Fusers.read",
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ scope: "gatehouse/users.read", client_id: machine.id });
  });

  it("applies again without change or error (a restart on the same database)", async () => {
    await applySeed(h.emulator.context, devSeed);
    const { DomainDescription } = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: "gatehouse-dev" }));
    expect(DomainDescription?.UserPoolId).toBe(poolId);
  });

  it("refuses a seed whose client names a scope no resource server defines", async () => {
    const seed = parseSeed({
      pools: [
        {
          Id: "us-east-1_BadScopes",
          PoolName: "bad",
          Clients: [
            {
              ClientId: "badscopeclient000000000001",
              ClientName: "bad",
              ClientSecret: "secret",
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ["client_credentials"],
              AllowedOAuthScopes: ["missing/scope"],
            },
          ],
        },
      ],
    });
    const error = await errorOf(applySeed(h.emulator.context, seed));
    expect(error).toMatchObject({
      name: "ScopeDoesNotExistException",
      message: "Invalid scope requested: missing/scope",
    });
  });
});
