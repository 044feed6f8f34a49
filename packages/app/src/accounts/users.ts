/**
 * The app's user model and its repository (Django's `User` and manager). Every person who signs
 * in through Cognito gets a row the first time a valid token is seen (the seeds' REMOTE_USER
 * `create_unknown_user`), keyed by our own UUID, with Cognito's `sub` beside it.
 */
import { randomUUID } from "node:crypto";
import type { Insertable, Kysely, Selectable, Transaction } from "kysely";
import type { Db } from "../db/database.ts";
import { asBoolean, asDate, asOptionalDate, type DatabaseSchema, type UsersTable } from "../db/schema.ts";

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly cognitoSub: string | null;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  /** Django's has_usable_password(): staff who sign in to the back office locally. */
  readonly hasUsablePassword: boolean;
  readonly passwordHash: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly phoneNumber: string | null;
  readonly picture: string | null;
  readonly lastLogin: Date | null;
  readonly lastSyncedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What Cognito knows about a user (from an ID token or GetUser/AdminGetUser). */
export interface CognitoProfile {
  readonly sub: string;
  readonly username: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly givenName?: string | null;
  readonly familyName?: string | null;
  readonly phoneNumber?: string | null;
  readonly picture?: string | null;
}

type Row = Selectable<UsersTable>;
type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export const toUser = (row: Row): User => ({
  id: row.id,
  username: row.username,
  email: row.email,
  emailVerified: asBoolean(row.email_verified),
  cognitoSub: row.cognito_sub,
  isActive: asBoolean(row.is_active),
  isStaff: asBoolean(row.is_staff),
  isSuperuser: asBoolean(row.is_superuser),
  hasUsablePassword: row.password_hash !== null,
  passwordHash: row.password_hash,
  givenName: row.given_name,
  familyName: row.family_name,
  phoneNumber: row.phone_number,
  picture: row.picture,
  lastLogin: asOptionalDate(row.last_login),
  lastSyncedAt: asOptionalDate(row.last_synced_at),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

/** The columns a new user row must be given; the rest have newUserRow's defaults. */
export type NewUserColumns = Partial<Omit<Insertable<UsersTable>, "username_key" | "email_key">> & {
  readonly username: string;
  readonly email: string;
};

/**
 * A new row of the users table: our own UUID, the case-folded keys its unique indexes use, and
 * for whatever `columns` leaves out an ordinary account made now (active, not staff, no local
 * password, no Cognito sub, never signed in or synced). Every writer of a new user (the back
 * office's add form, createsuperuser, test fixtures) starts here, so a column added later gets
 * its default in one place.
 */
export function newUserRow(columns: NewUserColumns, now = new Date().toISOString()): Insertable<UsersTable> {
  return {
    id: randomUUID(),
    email_verified: false,
    cognito_sub: null,
    is_active: true,
    is_staff: false,
    is_superuser: false,
    password_hash: null,
    given_name: null,
    family_name: null,
    phone_number: null,
    picture: null,
    last_login: null,
    last_synced_at: null,
    created_at: now,
    updated_at: now,
    ...columns,
    username_key: columns.username.toLowerCase(),
    email_key: columns.email.toLowerCase(),
  };
}

const profileColumns = (profile: CognitoProfile) => ({
  username: profile.username,
  username_key: profile.username.toLowerCase(),
  email: profile.email,
  email_key: profile.email.toLowerCase(),
  email_verified: profile.emailVerified,
  given_name: profile.givenName ?? null,
  family_name: profile.familyName ?? null,
  phone_number: profile.phoneNumber ?? null,
  picture: profile.picture ?? null,
});

const isUniqueViolation = (error: unknown): boolean => {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e.code === "23505" ||
    e.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    (typeof e.message === "string" && e.message.includes("UNIQUE constraint failed"))
  );
};

/**
 * A Cognito identity whose username belongs to a different local account: one with a local
 * password (createsuperuser's), a different `sub`, or an email that is not the identity's
 * verified email. Linking would hand that account — its flags and permissions — to whoever
 * registered the name in Cognito, so sign-in is refused instead.
 */
export class AccountConflictError extends Error {
  readonly username: string;
  constructor(username: string) {
    super(`The username ${username} belongs to another local account.`);
    this.username = username;
  }
}

export function userRepository(db: Db) {
  const byId = (executor: Executor, id: string) =>
    executor.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();

  return {
    async findById(id: string, executor: Executor = db): Promise<User | undefined> {
      const row = await byId(executor, id);
      return row && toUser(row);
    },
    async findBySub(sub: string, executor: Executor = db): Promise<User | undefined> {
      const row = await executor.selectFrom("users").selectAll().where("cognito_sub", "=", sub).executeTakeFirst();
      return row && toUser(row);
    },
    async findByUsername(username: string, executor: Executor = db): Promise<User | undefined> {
      const row = await executor
        .selectFrom("users")
        .selectAll()
        .where("username_key", "=", username.toLowerCase())
        .executeTakeFirst();
      return row && toUser(row);
    },

    /**
     * Creates or refreshes the local user for a Cognito identity, found by `sub`. A local row of
     * the same username and no `sub` yet (added in the back office before the person signed up)
     * is linked only when it has no local password and its email is the identity's verified
     * email; any other namesake is an AccountConflictError. Two first requests for one new
     * `sub` at once create one row: the loser of the unique race reads the winner's row.
     */
    async syncFromCognito(profile: CognitoProfile, options: { login?: boolean } = {}): Promise<User> {
      const now = new Date().toISOString();
      const changes = {
        ...profileColumns(profile),
        last_synced_at: now,
        updated_at: now,
        ...(options.login ? { last_login: now } : {}),
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        let existing = await db
          .selectFrom("users")
          .selectAll()
          .where("cognito_sub", "=", profile.sub)
          .executeTakeFirst();
        if (!existing) {
          const namesake = await db
            .selectFrom("users")
            .selectAll()
            .where("username_key", "=", profile.username.toLowerCase())
            .executeTakeFirst();
          if (namesake) {
            const linkable =
              namesake.cognito_sub === null &&
              namesake.password_hash === null &&
              profile.emailVerified &&
              namesake.email_key === profile.email.toLowerCase();
            if (!linkable) throw new AccountConflictError(profile.username);
            existing = namesake;
          }
        }
        try {
          if (existing) {
            await db
              .updateTable("users")
              .set({ ...changes, cognito_sub: profile.sub })
              .where("id", "=", existing.id)
              .execute();
            const row = await byId(db, existing.id);
            if (row) return toUser(row);
          } else {
            const id = randomUUID();
            await db
              .insertInto("users")
              .values({
                id,
                ...changes,
                cognito_sub: profile.sub,
                is_active: true,
                is_staff: false,
                is_superuser: false,
                password_hash: null,
                created_at: now,
              })
              .execute();
            const row = await byId(db, id);
            if (row) return toUser(row);
          }
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          // Someone else created or renamed the row first: read again.
        }
      }
      throw new AccountConflictError(profile.username);
    },

    async updateProfile(
      id: string,
      fields: { givenName?: string | null; familyName?: string | null; email?: string; emailVerified?: boolean },
    ): Promise<void> {
      await db
        .updateTable("users")
        .set({
          ...(fields.givenName !== undefined ? { given_name: fields.givenName } : {}),
          ...(fields.familyName !== undefined ? { family_name: fields.familyName } : {}),
          ...(fields.email !== undefined ? { email: fields.email, email_key: fields.email.toLowerCase() } : {}),
          ...(fields.emailVerified !== undefined ? { email_verified: fields.emailVerified } : {}),
          updated_at: new Date().toISOString(),
        })
        .where("id", "=", id)
        .execute();
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom("users").where("id", "=", id).execute();
    },
  };
}
export type UserRepository = ReturnType<typeof userRepository>;
