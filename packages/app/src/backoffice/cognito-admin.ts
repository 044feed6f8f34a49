/**
 * The back office's administrator calls to Cognito, through the AWS SDK only (DESIGN.md): the
 * user's state for the Cognito panel, and the actions staff take on it. Every SDK error becomes
 * a `CognitoFailure` (accounts/cognito.ts), whose exception name and AWS's message staff see.
 * On AWS the app's credentials need the matching `cognito-idp:Admin*` and `ListUsers` actions.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_Operations.html
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoFailure, profileFromAttributes, toFailure } from "../accounts/cognito.ts";
import type { CognitoProfile } from "../accounts/users.ts";

export interface CognitoAttribute {
  readonly name: string;
  readonly value: string;
}

/**
 * The user's MFA as AdminGetUser reports it: the factors turned on (UserMFASettingList, e.g.
 * SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_MFA) and the preferred one (PreferredMfaSetting).
 */
export interface CognitoMfa {
  readonly factors: readonly string[];
  readonly preferred: string | null;
}

/** What the Cognito panel shows. */
export interface CognitoAccount {
  readonly username: string;
  readonly sub: string;
  /** UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, … */
  readonly status: string;
  readonly enabled: boolean;
  readonly createdAt: Date | null;
  readonly modifiedAt: Date | null;
  readonly attributes: readonly CognitoAttribute[];
  readonly groups: readonly string[];
  readonly mfa: CognitoMfa;
  readonly profile: CognitoProfile;
}

/** The statuses the users list can filter by; DISABLED is Cognito's `Enabled: false`. */
export const cognitoStatuses = [
  "CONFIRMED",
  "UNCONFIRMED",
  "FORCE_CHANGE_PASSWORD",
  "RESET_REQUIRED",
  "DISABLED",
] as const;
export type CognitoStatusFilter = (typeof cognitoStatuses)[number];

/** The most subs the users list's Cognito filter collects (ListUsers pages of 60). */
export const cognitoFilterCap = 6000;

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toFailure(error);
  }
}

/** A value safe inside ListUsers' quoted filter: quotes and backslashes escaped. */
const quoted = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

const attributesOf = (list: readonly AttributeType[] | undefined): CognitoAttribute[] =>
  (list ?? [])
    .map((a) => ({ name: a.Name ?? "", value: a.Value ?? "" }))
    .filter((a) => a.name !== "")
    .sort((a, b) => a.name.localeCompare(b.name));

export function cognitoAdmin(client: CognitoIdentityProviderClient, userPoolId: string) {
  const groupsOf = async (username: string): Promise<string[]> => {
    const groups: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(
          new AdminListGroupsForUserCommand({
            UserPoolId: userPoolId,
            Username: username,
            Limit: 60,
            NextToken: token,
          }),
        ),
      );
      groups.push(...(page.Groups ?? []).map((g) => g.GroupName ?? "").filter(Boolean));
      token = page.NextToken;
    } while (token);
    return groups.sort();
  };

  /** ListUsers does not report MFA; AdminGetUser does. */
  const mfaOf = async (username: string): Promise<CognitoMfa> => {
    const got = await call(() => client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })));
    return { factors: got.UserMFASettingList ?? [], preferred: got.PreferredMfaSetting ?? null };
  };

  return {
    /**
     * The Cognito account with this `sub`, or null when there is none. Found by sub (ListUsers)
     * rather than by username, because the sub is the link our row keeps.
     */
    async findBySub(sub: string): Promise<CognitoAccount | null> {
      const listed = await call(() =>
        client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = ${quoted(sub)}`, Limit: 1 })),
      );
      const user = listed.Users?.[0];
      if (!user?.Username) return null;
      const username = user.Username;
      const attributes = attributesOf(user.Attributes);
      return {
        username,
        sub,
        status: user.UserStatus ?? "UNKNOWN",
        enabled: user.Enabled ?? true,
        createdAt: user.UserCreateDate ?? null,
        modifiedAt: user.UserLastModifiedDate ?? null,
        attributes,
        groups: await groupsOf(username),
        mfa: await mfaOf(username),
        profile: profileFromAttributes(
          username,
          attributes.map((a) => ({ Name: a.name, Value: a.value })),
        ),
      };
    },

    /** The profile AdminGetUser returns (for resync). */
    async profileOf(username: string): Promise<CognitoProfile> {
      const result = await call(() =>
        client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })),
      );
      return profileFromAttributes(result.Username ?? username, result.UserAttributes ?? []);
    },

    /**
     * AdminCreateUser: Cognito makes a temporary password and emails it (the emulator's outbox
     * in development). The address is marked verified because only its owner receives the
     * password that the first sign-in needs.
     */
    async create(username: string, email: string): Promise<{ sub: string; status: string }> {
      const result = await call(() =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: username,
            DesiredDeliveryMediums: ["EMAIL"],
            UserAttributes: [
              { Name: "email", Value: email },
              { Name: "email_verified", Value: "true" },
            ],
          }),
        ),
      );
      const sub = result.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
      if (!sub) throw new CognitoFailure("UNEXPECTED", "MissingSub", "AdminCreateUser returned no sub", null);
      return { sub, status: result.User?.UserStatus ?? "FORCE_CHANGE_PASSWORD" };
    },

    /** AdminCreateUser with RESEND: a new temporary password for someone who never used theirs. */
    async resendInvitation(username: string): Promise<void> {
      await call(() =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: username,
            MessageAction: "RESEND",
            DesiredDeliveryMediums: ["EMAIL"],
          }),
        ),
      );
    },

    async disable(username: string): Promise<void> {
      await call(() => client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username })));
    },
    async enable(username: string): Promise<void> {
      await call(() => client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username })));
    },
    async resetPassword(username: string): Promise<void> {
      await call(() => client.send(new AdminResetUserPasswordCommand({ UserPoolId: userPoolId, Username: username })));
    },
    async globalSignOut(username: string): Promise<void> {
      await call(() => client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username })));
    },
    async confirm(username: string): Promise<void> {
      await call(() => client.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: username })));
    },
    /**
     * Turns every MFA factor off and prefers none (AdminSetUserMFAPreference): a person who lost
     * their authenticator or phone signs in with their password again, or — in a pool where MFA
     * is required — sets a factor up at their next sign-in (MFA_SETUP).
     */
    async resetMfa(username: string): Promise<void> {
      const off = { Enabled: false, PreferredMfa: false };
      await call(() =>
        client.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: userPoolId,
            Username: username,
            SoftwareTokenMfaSettings: off,
            SMSMfaSettings: off,
            EmailMfaSettings: off,
          }),
        ),
      );
    },
    async delete(username: string): Promise<void> {
      await call(() => client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: username })));
    },

    /**
     * The subs of the pool's users in `status`, for the users list's filter; `truncated` when
     * there were more than `cap`.
     */
    async subsWithStatus(
      status: CognitoStatusFilter,
      cap = cognitoFilterCap,
    ): Promise<{ subs: string[]; truncated: boolean }> {
      const filter = status === "DISABLED" ? 'status = "Disabled"' : `cognito:user_status = ${quoted(status)}`;
      const subs: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(() =>
          client.send(
            new ListUsersCommand({
              UserPoolId: userPoolId,
              Filter: filter,
              Limit: 60,
              PaginationToken: token,
              AttributesToGet: ["sub"],
            }),
          ),
        );
        for (const user of page.Users ?? []) {
          const sub = user.Attributes?.find((a) => a.Name === "sub")?.Value;
          if (sub) subs.push(sub);
        }
        token = page.PaginationToken;
      } while (token && subs.length < cap);
      return { subs: subs.slice(0, cap), truncated: Boolean(token) || subs.length > cap };
    },
  };
}

export type CognitoAdmin = ReturnType<typeof cognitoAdmin>;

/** What staff read when a Cognito call fails: AWS's exception and message, or that it is down. */
export function describeFailure(failure: CognitoFailure): string {
  if (failure.code === "SERVICE_UNAVAILABLE") return "Cognito is not answering. Please try again in a moment.";
  return `${failure.exception}: ${failure.detail || failure.message}`;
}
