/**
 * Groups of a pool and their members. Group names are case-sensitive, as in Cognito; a member is
 * kept by username key, and deleting the group or the user removes the membership (cascade).
 */
import type { Group } from "../model.ts";
import type { Db } from "./database.ts";

interface GroupRow {
  pool_id: string;
  name: string;
  description: string | null;
  role_arn: string | null;
  precedence: number | null;
  created_at: number;
  updated_at: number;
}

const toGroup = (row: GroupRow): Group => ({
  poolId: row.pool_id,
  name: row.name,
  description: row.description,
  roleArn: row.role_arn,
  precedence: row.precedence,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const rowOf = (group: Group): GroupRow => ({
  pool_id: group.poolId,
  name: group.name,
  description: group.description,
  role_arn: group.roleArn,
  precedence: group.precedence,
  created_at: group.createdAt,
  updated_at: group.updatedAt,
});

export function groupRepository(db: Db) {
  const byName = db.prepare<[string, string], GroupRow>("SELECT * FROM groups WHERE pool_id = ? AND name = ?");
  const insert = db.prepare(
    "INSERT INTO groups VALUES (@pool_id, @name, @description, @role_arn, @precedence, @created_at, @updated_at)",
  );
  const update = db.prepare(
    "UPDATE groups SET description = @description, role_arn = @role_arn, precedence = @precedence, updated_at = @updated_at WHERE pool_id = @pool_id AND name = @name",
  );
  const remove = db.prepare<[string, string]>("DELETE FROM groups WHERE pool_id = ? AND name = ?");
  const page = db.prepare<[string, string, number], GroupRow>(
    "SELECT * FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?",
  );
  const addMember = db.prepare<[string, string, string]>(
    "INSERT OR IGNORE INTO group_members (pool_id, group_name, username_key) VALUES (?, ?, ?)",
  );
  const removeMember = db.prepare<[string, string, string]>(
    "DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND username_key = ?",
  );
  // Cognito orders cognito:groups by precedence (lowest first); groups without one come last.
  const groupsOfUser = db.prepare<[string, string], GroupRow>(
    `SELECT g.* FROM groups g JOIN group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name
     WHERE m.pool_id = ? AND m.username_key = ?
     ORDER BY g.precedence IS NULL, g.precedence, g.name`,
  );
  const groupsOfUserPage = db.prepare<[string, string, string, number], GroupRow>(
    `SELECT g.* FROM groups g JOIN group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name
     WHERE m.pool_id = ? AND m.username_key = ? AND g.name > ? ORDER BY g.name LIMIT ?`,
  );
  const membersPage = db.prepare<[string, string, string, number], { username_key: string }>(
    "SELECT username_key FROM group_members WHERE pool_id = ? AND group_name = ? AND username_key > ? ORDER BY username_key LIMIT ?",
  );

  return {
    get(poolId: string, name: string): Group | undefined {
      const row = byName.get(poolId, name);
      return row && toGroup(row);
    },
    insert(group: Group): void {
      insert.run(rowOf(group));
    },
    update(group: Group): void {
      update.run(rowOf(group));
    },
    delete(poolId: string, name: string): void {
      remove.run(poolId, name);
    },
    list(poolId: string, afterName: string, limit: number): Group[] {
      return page.all(poolId, afterName, limit).map(toGroup);
    },
    addMember(poolId: string, groupName: string, usernameKey: string): void {
      addMember.run(poolId, groupName, usernameKey);
    },
    removeMember(poolId: string, groupName: string, usernameKey: string): void {
      removeMember.run(poolId, groupName, usernameKey);
    },
    /** The user's groups, by precedence as they appear in `cognito:groups`. */
    ofUser(poolId: string, usernameKey: string): Group[] {
      return groupsOfUser.all(poolId, usernameKey).map(toGroup);
    },
    /** The user's groups after `afterName`, in name order (AdminListGroupsForUser's pages). */
    ofUserPage(poolId: string, usernameKey: string, afterName: string, limit: number): Group[] {
      return groupsOfUserPage.all(poolId, usernameKey, afterName, limit).map(toGroup);
    },
    /** Username keys of a group's members after `afterKey`, in key order. */
    members(poolId: string, groupName: string, afterKey: string, limit: number): string[] {
      return membersPage.all(poolId, groupName, afterKey, limit).map((row) => row.username_key);
    },
  };
}
export type GroupRepository = ReturnType<typeof groupRepository>;
