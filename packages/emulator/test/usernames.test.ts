/**
 * Which usernames a pool accepts, in SignUp and AdminCreateUser alike (issue 14: the emulator
 * let anyone register another person's address as a username in pools where AWS refuses it).
 *
 * AWS facts relied on:
 * - Developer Guide, User pool attributes (sign-in aliases): "If you select email address as an
 *   alias, Amazon Cognito doesn't accept a user name that matches a valid email address format.
 *   Similarly, if you select phone number as an alias, Amazon Cognito doesn't accept a user name
 *   for that user pool that matches a valid phone number format."
 * - The refusal is InvalidParameterException "Username cannot be of email format, since user pool
 *   is configured for email alias." (quoted from AWS's answers in aws-amplify/amplify-js#8800,
 *   amplify-cli#7998 and #8159, awsmobile-cli#178, for SignUp; also reported for AdminCreateUser).
 *   The phone wording is the same sentence for the phone alias; no AWS answer quoting it was found.
 * - With UsernameAttributes the username must be an email address / phone number ("If the
 *   username string format is not in email or phone number format, the SignUp API throws an
 *   exception", Developer Guide, quoted in black-bits/laravel-cognito-auth#21).
 * - With neither, the username is free text: an email-shaped one is accepted.
 */
import {
  AdminCreateUserCommand,
  SignUpCommand,
  type CreateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

const emailRefusal = "Username cannot be of email format, since user pool is configured for email alias.";
const phoneRefusal = "Username cannot be of phone number format, since user pool is configured for phone number alias.";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

type Create = (Username: string) => Promise<unknown>;

/** The two ways a user is created in a pool configured by `input`. */
async function creators(input: Partial<CreateUserPoolCommandInput>): Promise<[string, Create][]> {
  const poolId = (await createPool(h, input)).Id!;
  const clientId = (await createClient(h, poolId)).ClientId!;
  return [
    [
      "SignUp",
      (Username) => h.cognito.send(new SignUpCommand({ ClientId: clientId, Username, Password: "Passw0rd!" })),
    ],
    [
      "AdminCreateUser",
      (Username) =>
        h.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: "SUPPRESS" })),
    ],
  ];
}

describe("usernames in a pool with the email alias", () => {
  it("refuses an email-shaped username, in SignUp and AdminCreateUser", async () => {
    for (const [operation, create] of await creators({ AliasAttributes: ["email"] })) {
      const error = await errorOf(create("victim@example.com"));
      expect({ operation, ...error }).toEqual({
        operation,
        name: "InvalidParameterException",
        message: emailRefusal,
        status: 400,
      });
    }
  });

  it("accepts a username with an @ that is not an address, and a phone-shaped one", async () => {
    for (const [operation, create] of await creators({ AliasAttributes: ["email", "preferred_username"] })) {
      await expect(create(`${operation}@home`), operation).resolves.toBeDefined();
      await expect(create(`+1555${operation.length}0100`), operation).resolves.toBeDefined();
    }
  });
});

describe("usernames in a pool with the phone alias", () => {
  it("refuses a phone-shaped username, in SignUp and AdminCreateUser", async () => {
    for (const [operation, create] of await creators({ AliasAttributes: ["phone_number"] })) {
      const error = await errorOf(create("+15555550100"));
      expect({ operation, ...error }).toEqual({
        operation,
        name: "InvalidParameterException",
        message: phoneRefusal,
        status: 400,
      });
    }
  });

  it("accepts an email-shaped username", async () => {
    for (const [operation, create] of await creators({ AliasAttributes: ["phone_number"] })) {
      await expect(create(`${operation}@example.com`), operation).resolves.toBeDefined();
    }
  });
});

describe("usernames in a pool with both aliases", () => {
  it("refuses email- and phone-shaped usernames", async () => {
    for (const [operation, create] of await creators({ AliasAttributes: ["email", "phone_number"] })) {
      expect((await errorOf(create("victim@example.com"))).message, operation).toBe(emailRefusal);
      expect((await errorOf(create("+15555550100"))).message, operation).toBe(phoneRefusal);
    }
  });
});

describe("usernames in a pool with neither aliases nor username attributes", () => {
  it("accepts an email-shaped username, as AWS does", async () => {
    for (const [operation, create] of await creators({})) {
      await expect(create(`${operation}@example.com`), operation).resolves.toBeDefined();
      await expect(create(`+1555${operation.length}0100`), operation).resolves.toBeDefined();
    }
  });
});

describe("usernames in a pool that signs in by email", () => {
  it("requires the username to be an email address", async () => {
    for (const [operation, create] of await creators({ UsernameAttributes: ["email"] })) {
      await expect(create(`${operation}@example.com`), operation).resolves.toBeDefined();
      expect((await errorOf(create("plain-name"))).message, operation).toBe("Username should be an email.");
    }
  });
});

describe("usernames in a pool that signs in by email or phone number", () => {
  it("requires the username to be either, in AWS's words (aws-amplify/amplify-js#533)", async () => {
    for (const [operation, create] of await creators({ UsernameAttributes: ["email", "phone_number"] })) {
      await expect(create(`${operation}@example.com`), operation).resolves.toBeDefined();
      expect((await errorOf(create("plain-name"))).message, operation).toBe(
        "Username should be either an email or a phone number.",
      );
    }
  });
});
