/**
 * A copy of every Cognito user in our `users` table (the seeds' bulk sync): ListUsers page by
 * page, each user created or refreshed from its attributes in its own statement, and — only once
 * the whole pool has been read — the local users whose Cognito account is gone deactivated
 * (their sessions end; "disable, don't delete"), each with its audit entry. Running it twice
 * gives the same table, and it may run while the app serves traffic: it writes what a sign-in
 * would write. Used by `npm run sync-users` and the back office's "Resync all from Cognito".
 */
import {
  DescribeUserPoolCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Db } from "../db/database.ts";
import { asBoolean } from "../db/schema.ts";
import { writeAudit } from "../backoffice/audit.ts";
import { destroyUserSessions } from "../plugins/session-store.ts";
import { profileFromAttributes, toFailure } from "./cognito.ts";
import { AccountConflictError, type CognitoProfile, type UserRepository } from "./users.ts";

export interface SyncSummary {
  /** Cognito users read. */
  readonly seen: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Local users whose Cognito account no longer exists, deactivated now. */
  readonly gone: number;
  /** Cognito users whose username a different local account holds (left alone, logged). */
  readonly conflicts: number;
}

export interface SyncOptions {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly db: Db;
  readonly users: UserRepository;
  /** Count what would change, change nothing. */
  readonly dryRun?: boolean;
  /** The staff member who asked (the back office), or null for the command line. */
  readonly actorId?: string | null;
  /** Called after each page: users done so far, and Cognito's estimate of the total. */
  readonly onProgress?: (done: number, estimate: number) => void;
  /** A conflicting username, for the caller's log. */
  readonly onConflict?: (username: string) => void;
}

/** The columns a sync compares, as the table holds them. */
interface LocalCopy {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly phoneNumber: string | null;
  readonly picture: string | null;
  readonly isActive: boolean;
}

const sameProfile = (local: LocalCopy, profile: CognitoProfile): boolean =>
  local.username === profile.username &&
  local.email === profile.email &&
  local.emailVerified === profile.emailVerified &&
  local.givenName === (profile.givenName ?? null) &&
  local.familyName === (profile.familyName ?? null) &&
  local.phoneNumber === (profile.phoneNumber ?? null) &&
  local.picture === (profile.picture ?? null);

/** Every local user linked to Cognito, by sub. */
async function localCopies(db: Db): Promise<Map<string, LocalCopy>> {
  const rows = await db
    .selectFrom("users")
    .select([
      "id",
      "cognito_sub",
      "username",
      "email",
      "email_verified",
      "given_name",
      "family_name",
      "phone_number",
      "picture",
      "is_active",
    ])
    .where("cognito_sub", "is not", null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.cognito_sub ?? "",
      {
        id: r.id,
        username: r.username,
        email: r.email,
        emailVerified: asBoolean(r.email_verified),
        givenName: r.given_name,
        familyName: r.family_name,
        phoneNumber: r.phone_number,
        picture: r.picture,
        isActive: asBoolean(r.is_active),
      },
    ]),
  );
}

const profileOf = (user: UserType): CognitoProfile | null => {
  const profile = profileFromAttributes(user.Username ?? "", user.Attributes ?? []);
  return profile.sub && profile.username ? profile : null;
};

export async function syncUsers(options: SyncOptions): Promise<SyncSummary> {
  const { client, userPoolId, db, users, dryRun = false, actorId = null, onProgress, onConflict } = options;
  const send = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toFailure(error);
    }
  };
  const estimate =
    (await send(() => client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })))).UserPool
      ?.EstimatedNumberOfUsers ?? 0;
  const known = await localCopies(db);
  const seen = new Set<string>();
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let conflicts = 0;

  let token: string | undefined;
  do {
    const page = await send(() =>
      client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token })),
    );
    const untouched: string[] = [];
    for (const user of page.Users ?? []) {
      const profile = profileOf(user);
      if (!profile || seen.has(profile.sub)) continue;
      seen.add(profile.sub);
      const local = known.get(profile.sub);
      if (local && sameProfile(local, profile)) {
        unchanged += 1;
        untouched.push(local.id);
        continue;
      }
      if (!dryRun) {
        try {
          await users.syncFromCognito(profile);
        } catch (error) {
          if (!(error instanceof AccountConflictError)) throw error;
          conflicts += 1;
          onConflict?.(profile.username);
          continue;
        }
      }
      if (local) updated += 1;
      else created += 1;
    }
    // Checked now, found as they were: their "last synced" moves on, one statement a page.
    if (!dryRun && untouched.length > 0) {
      await db
        .updateTable("users")
        .set({ last_synced_at: new Date().toISOString() })
        .where("id", "in", untouched)
        .execute();
    }
    token = page.PaginationToken;
    onProgress?.(seen.size, Math.max(estimate, seen.size));
  } while (token);

  // Only now is it known who is gone: a sync that failed above marks nobody.
  const missing = [...known].filter(([sub, local]) => !seen.has(sub) && local.isActive);
  if (!dryRun) {
    for (const [, local] of missing) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ is_active: false, updated_at: new Date().toISOString() })
          .where("id", "=", local.id)
          .execute();
        await destroyUserSessions(trx, local.id);
        await writeAudit(trx, {
          actorId,
          action: "change",
          objectType: "user",
          objectId: local.id,
          objectRepr: local.username,
          message: "Changed is_active: the Cognito account no longer exists (sync).",
        });
      });
    }
  }
  return { seen: seen.size, created, updated, unchanged, gone: missing.length, conflicts };
}

/** "Synced 120 users: 3 created, 2 updated, 115 unchanged, 1 gone from Cognito (deactivated)." */
export function describeSync(summary: SyncSummary, dryRun = false): string {
  const verb = dryRun ? "would be" : "";
  const parts = [
    `${summary.created} ${verb ? "to create" : "created"}`,
    `${summary.updated} ${verb ? "to update" : "updated"}`,
    `${summary.unchanged} unchanged`,
    `${summary.gone} gone from Cognito (${dryRun ? "to deactivate" : "deactivated"})`,
    ...(summary.conflicts > 0 ? [`${summary.conflicts} left alone (username taken by a local account)`] : []),
  ];
  return `${dryRun ? "Dry run: read" : "Synced"} ${summary.seen} Cognito ${summary.seen === 1 ? "user" : "users"}: ${parts.join(", ")}.`;
}
