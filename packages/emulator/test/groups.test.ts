/**
 * User groups through the AWS SDK: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
 * AdminAddUserToGroup, AdminRemoveUserFromGroup, ListUsersInGroup, AdminListGroupsForUser.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type CreateGroupCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const roleArn = "arn:aws:iam::123456789012:role/editors";
const groupNotFound = { name: "ResourceNotFoundException", message: "Group not found.", status: 400 };
const userNotFound = { name: "UserNotFoundException", message: "User does not exist.", status: 400 };

const newPool = async () => (await createPool(h)).Id!;

const createGroup = (poolId: string, GroupName: string, input: Partial<CreateGroupCommandInput> = {}) =>
  h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, ...input }));

const addUser = (poolId: string, Username: string) =>
  h.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username,
      TemporaryPassword: "Temp0rary!",
      MessageAction: "SUPPRESS",
    }),
  );

const addToGroup = (poolId: string, Username: string, GroupName: string) =>
  h.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName }));

const groupsOf = async (poolId: string, Username: string) =>
  ((await h.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username }))).Groups ?? []).map(
    (g) => g.GroupName,
  );

const membersOf = async (poolId: string, GroupName: string) =>
  ((await h.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName }))).Users ?? []).map(
    (u) => u.Username,
  );

describe("CreateGroup and GetGroup", () => {
  it("creates a group and returns it as GroupType", async () => {
    const poolId = await newPool();
    const { Group } = await createGroup(poolId, "editors", {
      Description: "People who edit",
      RoleArn: roleArn,
      Precedence: 3,
    });
    expect(Group).toMatchObject({
      GroupName: "editors",
      UserPoolId: poolId,
      Description: "People who edit",
      RoleArn: roleArn,
      Precedence: 3,
    });
    expect(Group?.CreationDate).toBeInstanceOf(Date);
    expect(Group?.LastModifiedDate).toEqual(Group?.CreationDate);
    const fetched = await h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "editors" }));
    expect(fetched.Group).toEqual(Group);
  });

  it("leaves out the members that were not set", async () => {
    const poolId = await newPool();
    const { Group } = await createGroup(poolId, "plain");
    expect(Object.keys(Group ?? {}).sort()).toEqual(["CreationDate", "GroupName", "LastModifiedDate", "UserPoolId"]);
  });

  it("refuses a name already taken with GroupExistsException, and names are case-sensitive", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "Admins");
    expect(await errorOf(createGroup(poolId, "Admins"))).toEqual({
      name: "GroupExistsException",
      message: "A group with the name Admins already exists.",
      status: 400,
    });
    await createGroup(poolId, "admins");
    const names = (await h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups?.map((g) => g.GroupName);
    expect(names).toEqual(["Admins", "admins"]);
  });

  it("accepts unicode group names", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "Rédacteurs-日本");
    const { Group } = await h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "Rédacteurs-日本" }));
    expect(Group?.GroupName).toBe("Rédacteurs-日本");
  });

  it("refuses a malformed role ARN, a negative precedence and a name with spaces", async () => {
    const poolId = await newPool();
    // Cognito's own answer to a role that is not an ARN (terraform-provider-aws#4236).
    expect(await errorOf(createGroup(poolId, "g1", { RoleArn: "Team group (managed by us)" }))).toEqual({
      name: "InvalidParameterException",
      message: "Invalid ARN format Team group (managed by us)",
      status: 400,
    });
    expect(await errorOf(createGroup(poolId, "g2", { RoleArn: "arn:aws:iam::1:r" }))).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value 'arn:aws:iam::1:r' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    });
    expect(await errorOf(createGroup(poolId, "g3", { Precedence: -1 }))).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '-1' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0",
    });
    expect((await errorOf(createGroup(poolId, "two words"))).name).toBe("InvalidParameterException");
    expect((await h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups).toEqual([]);
  });

  it("answers ResourceNotFoundException for an unknown group or pool", async () => {
    const poolId = await newPool();
    expect(await errorOf(h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "none" })))).toEqual(
      groupNotFound,
    );
    expect(await errorOf(createGroup("us-east-1_nopoolXXX", "g"))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_nopoolXXX does not exist.",
    });
  });
});

describe("ListGroups", () => {
  it("pages through the pool's groups by name", async () => {
    const poolId = await newPool();
    for (const name of ["e", "b", "d", "a", "c"]) await createGroup(poolId, name);
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 2, NextToken }));
      expect(page.Groups!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Groups!.map((g) => g.GroupName!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    const all = await h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId }));
    expect(all.Groups).toHaveLength(5);
    expect(all.NextToken).toBeUndefined();
  });

  it("refuses a Limit over 60 and a forged NextToken", async () => {
    const poolId = await newPool();
    expect(await errorOf(h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 61 })))).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
    });
    const forged = await errorOf(h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, NextToken: "forged" })));
    expect(forged.name).toBe("InvalidParameterException");
  });
});

describe("UpdateGroup", () => {
  it("changes what the request sets and keeps the rest", async () => {
    const poolId = await newPool();
    const { Group: created } = await createGroup(poolId, "staff", {
      Description: "Staff",
      RoleArn: roleArn,
      Precedence: 5,
    });
    h.clock.advance(5000);
    const { Group } = await h.cognito.send(
      new UpdateGroupCommand({ UserPoolId: poolId, GroupName: "staff", Precedence: 1 }),
    );
    expect(Group).toMatchObject({ GroupName: "staff", Description: "Staff", RoleArn: roleArn, Precedence: 1 });
    expect(Group?.CreationDate).toEqual(created?.CreationDate);
    expect(Group!.LastModifiedDate!.getTime()).toBe(created!.LastModifiedDate!.getTime() + 5000);
    const fetched = await h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "staff" }));
    expect(fetched.Group).toEqual(Group);
  });

  it("refuses an unknown group and a malformed role ARN", async () => {
    const poolId = await newPool();
    expect(
      await errorOf(h.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: "none", Precedence: 1 }))),
    ).toEqual(groupNotFound);
    await createGroup(poolId, "g");
    const error = await errorOf(
      h.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: "g", RoleArn: "not an arn at all, no" })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid ARN format not an arn at all, no",
    });
  });
});

describe("DeleteGroup", () => {
  it("deletes the group and its memberships", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "temporary");
    await addUser(poolId, "member");
    await addToGroup(poolId, "member", "temporary");
    await h.cognito.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: "temporary" }));
    expect(await errorOf(h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "temporary" })))).toEqual(
      groupNotFound,
    );
    expect(await groupsOf(poolId, "member")).toEqual([]);
    // A new group of the same name starts empty.
    await createGroup(poolId, "temporary");
    expect(await membersOf(poolId, "temporary")).toEqual([]);
  });

  it("answers ResourceNotFoundException for an unknown group", async () => {
    const poolId = await newPool();
    expect(await errorOf(h.cognito.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: "none" })))).toEqual(
      groupNotFound,
    );
  });
});

describe("group membership", () => {
  it("adds and removes members, seen from the group and from the user", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "readers");
    await createGroup(poolId, "writers");
    await addUser(poolId, "ann");
    await addUser(poolId, "ben");
    await addToGroup(poolId, "ann", "readers");
    await addToGroup(poolId, "ANN", "writers");
    await addToGroup(poolId, "ben", "readers");
    // Adding a member again changes nothing.
    await addToGroup(poolId, "ben", "readers");
    expect(await membersOf(poolId, "readers")).toEqual(["ann", "ben"]);
    expect(await groupsOf(poolId, "ann")).toEqual(["readers", "writers"]);
    const { Users } = await h.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: "readers" }));
    expect(Users?.[0]).toMatchObject({ Username: "ann", Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD" });
    const { Groups } = await h.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: "ann" }));
    expect(Groups?.[0]).toMatchObject({ GroupName: "readers", UserPoolId: poolId });
    await h.cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: "ann", GroupName: "readers" }),
    );
    // Removing a non-member is no error either.
    await h.cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: "ann", GroupName: "readers" }),
    );
    expect(await membersOf(poolId, "readers")).toEqual(["ben"]);
    expect(await groupsOf(poolId, "ann")).toEqual(["writers"]);
  });

  it("drops a deleted user's memberships", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "club");
    await addUser(poolId, "leaver");
    await addToGroup(poolId, "leaver", "club");
    await h.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: "leaver" }));
    expect(await membersOf(poolId, "club")).toEqual([]);
    // Someone new under the same name is not a member.
    await addUser(poolId, "leaver");
    expect(await groupsOf(poolId, "leaver")).toEqual([]);
  });

  it("puts the user's groups in cognito:groups, by precedence", async () => {
    const poolId = await newPool();
    const client = await createClient(h, poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
    await createGroup(poolId, "low", { Precedence: 10 });
    await createGroup(poolId, "high", { Precedence: 0 });
    await createGroup(poolId, "none");
    await addUser(poolId, "member");
    await h.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: "member",
        Password: "Passw0rd!",
        Permanent: true,
      }),
    );
    for (const group of ["none", "low", "high"]) await addToGroup(poolId, "member", group);
    const auth = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: client.ClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "member", PASSWORD: "Passw0rd!" },
      }),
    );
    const payload = (token: string | undefined) =>
      JSON.parse(Buffer.from((token ?? "").split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
    expect(payload(auth.AuthenticationResult?.AccessToken)["cognito:groups"]).toEqual(["high", "low", "none"]);
    expect(payload(auth.AuthenticationResult?.IdToken)["cognito:groups"]).toEqual(["high", "low", "none"]);
  });

  it("pages through a group's members and a user's groups", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "many");
    const users = Array.from({ length: 7 }, (_, i) => `user-${i}`);
    await Promise.all(users.map((name) => addUser(poolId, name)));
    for (const name of users) await addToGroup(poolId, name, "many");
    const members: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await h.cognito.send(
        new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: "many", Limit: 3, NextToken }),
      );
      expect(page.Users!.length).toBeLessThanOrEqual(3);
      members.push(...page.Users!.map((u) => u.Username!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(members).toEqual(users);

    const groups = Array.from({ length: 5 }, (_, i) => `group-${i}`);
    for (const group of groups) {
      await createGroup(poolId, group);
      await addToGroup(poolId, "user-0", group);
    }
    const seen: string[] = [];
    let groupsToken: string | undefined;
    do {
      const page = await h.cognito.send(
        new AdminListGroupsForUserCommand({
          UserPoolId: poolId,
          Username: "user-0",
          Limit: 2,
          NextToken: groupsToken,
        }),
      );
      seen.push(...page.Groups!.map((g) => g.GroupName!));
      groupsToken = page.NextToken;
    } while (groupsToken);
    expect(seen).toEqual([...groups, "many"]);
  });

  it("answers UserNotFoundException for an unknown user and ResourceNotFoundException for an unknown group", async () => {
    const poolId = await newPool();
    await createGroup(poolId, "known");
    await addUser(poolId, "known-user");
    expect(await errorOf(addToGroup(poolId, "nobody", "known"))).toEqual(userNotFound);
    expect(await errorOf(addToGroup(poolId, "known-user", "unknown"))).toEqual(groupNotFound);
    expect(
      await errorOf(
        h.cognito.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: "nobody", GroupName: "known" }),
        ),
      ),
    ).toEqual(userNotFound);
    expect(
      await errorOf(
        h.cognito.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: "known-user", GroupName: "unknown" }),
        ),
      ),
    ).toEqual(groupNotFound);
    expect(
      await errorOf(h.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: "unknown" }))),
    ).toEqual(groupNotFound);
    expect(
      await errorOf(h.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: "nobody" }))),
    ).toEqual(userNotFound);
  });
});
