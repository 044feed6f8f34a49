/**
 * User groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AdminAddUserToGroup,
 * AdminRemoveUserFromGroup, ListUsersInGroup, AdminListGroupsForUser. Group names are
 * case-sensitive; a group's members appear in their tokens' `cognito:groups`.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GroupType.html
 */
import type { Context } from "../context.ts";
import { CognitoError, invalidParameter, messages } from "../errors.ts";
import type { Group, Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import { describeUser } from "../users.ts";
import { requireAdminUser } from "./admin-users.ts";
import { epochSeconds, groupName, paginationToken, requirePool, userPoolId, username } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { decodeToken, isString, pageOf } from "./pagination.ts";

const description = shape.string({ max: 2048 });
// AWS's ArnType has a pattern too, but Cognito answers a malformed group role with its own
// "Invalid ARN format <value>" (seen in terraform-provider-aws#4236), so only the lengths are
// checked as constraints and the format by `assertRoleArn`.
const roleArn = shape.string({ min: 20, max: 2048 });
const precedence = shape.integer({ min: 0, max: 2147483647 });
/** QueryLimitType: 0–60; 0 or none means the maximum page, 60. */
const queryLimit = shape.integer({ min: 0, max: 60 });
const pageSize = (limit: number | undefined): number => (limit === undefined || limit === 0 ? 60 : limit);

const arnPattern =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/u;

function assertRoleArn(arn: string | undefined): void {
  if (arn !== undefined && !arnPattern.test(arn)) throw invalidParameter(`Invalid ARN format ${arn}`);
}

/** GroupType, as every group operation returns it; unset members are left out, as AWS does. */
function describeGroup(group: Group) {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description === null ? {} : { Description: group.description }),
    ...(group.roleArn === null ? {} : { RoleArn: group.roleArn }),
    ...(group.precedence === null ? {} : { Precedence: group.precedence }),
    LastModifiedDate: epochSeconds(group.updatedAt),
    CreationDate: epochSeconds(group.createdAt),
  };
}

function requireGroup(ctx: Context, pool: Pool, name: string): Group {
  const group = ctx.store.groups.get(pool.id, name);
  if (!group) throw new CognitoError("ResourceNotFoundException", messages.groupNotFound);
  return group;
}

const groupInPool = shape.structure({ UserPoolId: userPoolId, GroupName: groupName });
const membership = shape.structure({ UserPoolId: userPoolId, Username: username, GroupName: groupName });

export const groupOperations = {
  CreateGroup: defineOperation(
    shape.structure({
      GroupName: groupName,
      UserPoolId: userPoolId,
      Description: description,
      RoleArn: roleArn,
      Precedence: precedence,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      assertRoleArn(request.RoleArn);
      const now = ctx.clock.now();
      const group: Group = {
        poolId: pool.id,
        name: request.GroupName,
        description: request.Description ?? null,
        roleArn: request.RoleArn ?? null,
        precedence: request.Precedence ?? null,
        createdAt: now,
        updatedAt: now,
      };
      ctx.store.transaction(() => {
        if (ctx.store.groups.get(pool.id, group.name)) {
          throw new CognitoError("GroupExistsException", `A group with the name ${group.name} already exists.`);
        }
        ctx.store.groups.insert(group);
      });
      return { Group: describeGroup(group) };
    },
  ),

  GetGroup: defineOperation(groupInPool, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return { Group: describeGroup(requireGroup(ctx, pool, request.GroupName)) };
  }),

  ListGroups: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Limit: queryLimit, NextToken: paginationToken }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const limit = pageSize(request.Limit);
      const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
      const { shown, more } = pageOf(ctx.store.groups.list(pool.id, after, limit + 1), limit, (g) => g.name);
      return { Groups: shown.map(describeGroup), ...more };
    },
  ),

  // Members left out of the request keep their values: AWS's UpdateGroup example sends no RoleArn
  // and gets the group's role back.
  UpdateGroup: defineOperation(
    shape.structure({
      GroupName: groupName,
      UserPoolId: userPoolId,
      Description: description,
      RoleArn: roleArn,
      Precedence: precedence,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      assertRoleArn(request.RoleArn);
      return ctx.store.transaction(() => {
        const group = requireGroup(ctx, pool, request.GroupName);
        const updated: Group = {
          ...group,
          description: request.Description ?? group.description,
          roleArn: request.RoleArn ?? group.roleArn,
          precedence: request.Precedence ?? group.precedence,
          updatedAt: ctx.clock.now(),
        };
        ctx.store.groups.update(updated);
        return { Group: describeGroup(updated) };
      });
    },
  ),

  DeleteGroup: defineOperation(groupInPool, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      requireGroup(ctx, pool, request.GroupName);
      // Memberships go with the group (ON DELETE CASCADE).
      ctx.store.groups.delete(pool.id, request.GroupName);
    });
    return {};
  }),

  // Adding a member twice, or removing a non-member, changes nothing and is no error.
  AdminAddUserToGroup: defineOperation(membership, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      const group = requireGroup(ctx, pool, request.GroupName);
      const user = requireAdminUser(ctx, pool, request.Username);
      ctx.store.groups.addMember(pool.id, group.name, user.usernameKey);
    });
    return {};
  }),

  AdminRemoveUserFromGroup: defineOperation(membership, (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    ctx.store.transaction(() => {
      const group = requireGroup(ctx, pool, request.GroupName);
      const user = requireAdminUser(ctx, pool, request.Username);
      ctx.store.groups.removeMember(pool.id, group.name, user.usernameKey);
    });
    return {};
  }),

  ListUsersInGroup: defineOperation(
    shape.structure({
      UserPoolId: userPoolId,
      GroupName: groupName,
      Limit: queryLimit,
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const group = requireGroup(ctx, pool, request.GroupName);
      const limit = pageSize(request.Limit);
      const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
      const keys = ctx.store.groups.members(pool.id, group.name, after, limit + 1);
      const { shown, more } = pageOf(keys, limit, (key) => key);
      const users = shown.flatMap((key) => ctx.store.users.get(pool.id, key) ?? []);
      return { Users: users.map((user) => describeUser(user)), ...more };
    },
  ),

  AdminListGroupsForUser: defineOperation(
    shape.structure({
      Username: username,
      UserPoolId: userPoolId,
      Limit: queryLimit,
      NextToken: paginationToken,
    }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireAdminUser(ctx, pool, request.Username);
      const limit = pageSize(request.Limit);
      const after = request.NextToken ? decodeToken(request.NextToken, isString) : "";
      const page = ctx.store.groups.ofUserPage(pool.id, user.usernameKey, after, limit + 1);
      const { shown, more } = pageOf(page, limit, (g) => g.name);
      return { Groups: shown.map(describeGroup), ...more };
    },
  ),
};
