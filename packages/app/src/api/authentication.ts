/**
 * Who is calling the API, in DRF's order of authentication classes:
 * 1. `Authorization: Bearer <token>` (prefix configurable): a Cognito token, verified by
 *    access-tokens.ts; the local user is found by `sub` and, when unknown and allowed, created
 *    from Cognito's profile (the seeds' RemoteUserBackend `create_unknown_user`). When the header
 *    is present it is the only credential looked at: a bad one is a 401, never a fall-back to
 *    the session cookie (so a header-authenticated request is not exposed to CSRF).
 *    A machine client's token (client_credentials, `API_MACHINE_CLIENT_IDS`) authenticates a
 *    machine, not a user: no row is read or created, and only routes that declare one of its
 *    scopes let it in (permissions.ts).
 * 2. Otherwise the browser's session (DRF's SessionAuthentication), with CSRF checked on unsafe
 *    methods by the API plugin.
 * An inactive local user is refused either way (Django's ModelBackend `user_can_authenticate`).
 */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import { CognitoFailure, profileFromAttributes, toFailure, type CognitoGateway } from "../accounts/cognito.ts";
import { AccountConflictError, type CognitoProfile, type User, type UserRepository } from "../accounts/users.ts";
import type { ApiSettings } from "../config.ts";
import {
  TokenRejected,
  maxTokenLength,
  type AccessTokenVerifier,
  type VerifiedMachineToken,
  type VerifiedToken,
  type VerifiedUserToken,
} from "./access-tokens.ts";
import { ApiError, authenticateHeader, type ApiMessageCode } from "./errors.ts";
import type { ApiUserQueries, UserWithGroups } from "./queries.ts";

export type ApiCredentials =
  | {
      readonly via: "bearer";
      readonly user: User;
      /**
       * The caller's own access token: what Cognito's self-service calls (UpdateUserAttributes)
       * need. Null when the caller sent an ID token (accepted only when opted in).
       */
      readonly accessToken: string | null;
      readonly token: VerifiedUserToken;
      /** The user's group names, read with the row (the hot path needs no second query). */
      readonly groups: readonly string[];
    }
  | {
      /** A machine client's client_credentials token: nobody's account, only its scopes. */
      readonly via: "machine";
      readonly token: VerifiedMachineToken;
    }
  | { readonly via: "session"; readonly user: User };

/** A person's credentials: a user token or the session, never a machine. */
export type PersonCredentials = Exclude<ApiCredentials, { readonly via: "machine" }>;

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the API's authentication hook; null when nobody is authenticated. */
    apiCredentials: ApiCredentials | null;
  }
}

/** Whether the request carries an Authorization header with anything in it. */
export const hasAuthorizationHeader = (request: FastifyRequest): boolean => {
  const header = request.headers.authorization;
  return header !== undefined && header.trim() !== "";
};

/**
 * Requests that the site's same-origin check may let through: an API route authenticated by
 * its Authorization header alone. Browsers never attach that header on their own (a cross-site
 * page would need a CORS preflight, which the API does not grant), and the API then ignores
 * the session cookie, so there is nothing for a cross-site request to borrow.
 */
export const isHeaderAuthenticatedApiRequest = (request: FastifyRequest): boolean =>
  hasAuthorizationHeader(request) && (request.routeOptions.url?.startsWith("/api/") ?? false);

/** The token after the prefix, or the reason the header is refused (drf-jwt's messages). */
export function tokenFromHeader(
  header: string,
  prefix: string,
): { readonly token: string } | { readonly refused: ApiMessageCode } {
  const value = header.trim();
  const space = value.indexOf(" ");
  const scheme = space === -1 ? value : value.slice(0, space);
  // An unknown scheme is not ours to judge (DRF's authenticator returns None): no credentials.
  if (scheme.toLowerCase() !== prefix.toLowerCase()) return { refused: "NOT_AUTHENTICATED" };
  if (space === -1) return { refused: "NO_CREDENTIALS_AFTER_PREFIX" };
  const token = value.slice(space + 1).trim();
  if (token === "") return { refused: "NO_CREDENTIALS_AFTER_PREFIX" };
  if (token.length > maxTokenLength) return { refused: "INVALID_TOKEN" };
  if (/\s/.test(token)) return { refused: "SPACES_IN_CREDENTIALS" };
  return { token };
}

const tokenMessages: Readonly<Record<TokenRejected["code"], ApiMessageCode>> = {
  malformed: "INVALID_TOKEN",
  "too-large": "INVALID_TOKEN",
  algorithm: "INVALID_TOKEN",
  signature: "INVALID_SIGNATURE",
  expired: "TOKEN_EXPIRED",
  "not-yet-valid": "INVALID_TOKEN",
  claims: "INVALID_TOKEN",
  "unknown-key": "INVALID_TOKEN",
  "keys-unavailable": "INVALID_TOKEN",
};

export interface BearerAuthenticationOptions {
  readonly settings: ApiSettings;
  readonly verifier: AccessTokenVerifier;
  readonly users: UserRepository;
  readonly queries: ApiUserQueries;
  readonly gateway: CognitoGateway;
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  /** Told of every 401, with why (the verifier's code, else the message's), for the metrics. */
  readonly onRefused?: (reason: string) => void;
}

/**
 * Authenticates `Authorization` headers: `authenticate(header, log)` resolves to the caller's
 * credentials or throws a 401/503 `ApiError`.
 */
export function bearerAuthentication({
  settings,
  verifier,
  users,
  queries,
  gateway,
  cognito,
  userPoolId,
  onRefused,
}: BearerAuthenticationOptions) {
  const scheme = settings.headerPrefix;
  const refuse = (code: ApiMessageCode, invalidToken = true, cause?: unknown): ApiError => {
    onRefused?.(cause instanceof TokenRejected ? cause.code : code.toLowerCase().replaceAll("_", "-"));
    return new ApiError(401, code, {
      headers: { "www-authenticate": authenticateHeader(scheme, invalidToken) },
      cause,
    });
  };
  /** First sights in progress, so that concurrent first requests of one `sub` ask Cognito once. */
  const creating = new Map<string, Promise<User>>();

  /** What Cognito knows about the caller: GetUser with their token, else AdminGetUser. */
  async function profileOf(
    token: VerifiedUserToken,
    accessToken: string,
    log: FastifyBaseLogger,
  ): Promise<CognitoProfile> {
    if (token.tokenUse === "id") {
      // The ID token is the profile, signed; GetUser would refuse it (it wants an access token).
      const c = token.claims;
      const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
      return {
        sub: token.sub,
        username: token.username,
        email: text(c.email) ?? "",
        emailVerified: c.email_verified === true || c.email_verified === "true",
        givenName: text(c.given_name),
        familyName: text(c.family_name),
        phoneNumber: text(c.phone_number),
        picture: text(c.picture),
      };
    }
    try {
      return await gateway.getUser(accessToken);
    } catch (error) {
      const failure = error instanceof CognitoFailure ? error : toFailure(error);
      if (failure.code === "USER_DISABLED" || failure.code === "USER_NOT_FOUND") throw refuse("USER_INACTIVE", false);
      if (failure.code === "SERVICE_UNAVAILABLE" || failure.code === "UNEXPECTED") {
        log.error({ err: failure }, "GetUser failed while creating an API user");
        throw new ApiError(503, "SERVICE_UNAVAILABLE", { cause: failure });
      }
      // GetUser needs the aws.cognito.signin.user.admin scope, which tokens from the hosted UI
      // may lack; the app's own IAM credentials can still read the user.
      log.info({ exception: failure.exception }, "GetUser refused the caller's token; trying AdminGetUser");
    }
    try {
      const result = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: token.username }));
      if (result.Enabled === false) throw refuse("USER_INACTIVE", false);
      return profileFromAttributes(result.Username ?? token.username, result.UserAttributes ?? []);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const failure = toFailure(error);
      if (failure.code === "USER_NOT_FOUND") throw refuse("USER_INACTIVE", false);
      log.error({ err: failure }, "AdminGetUser failed while creating an API user");
      throw new ApiError(503, "SERVICE_UNAVAILABLE", { cause: failure });
    }
  }

  async function createUser(token: VerifiedUserToken, accessToken: string, log: FastifyBaseLogger): Promise<User> {
    const profile = await profileOf(token, accessToken, log);
    if (profile.sub !== token.sub) {
      log.warn({ sub: token.sub }, "Cognito's profile belongs to another sub");
      throw refuse("INVALID_TOKEN");
    }
    // Access tokens carry no email; a row without one would break sign-in by email and the
    // back office, so such a profile is refused rather than stored half-empty.
    if (profile.email.trim() === "") throw refuse("PROFILE_INCOMPLETE", false);
    try {
      return await users.syncFromCognito(profile);
    } catch (error) {
      // A namesake local account (a local password, another sub, another email) is never
      // handed to whoever registered the name in Cognito; anything else is the database failing.
      if (error instanceof AccountConflictError) {
        log.warn({ sub: token.sub }, "a Cognito user claims a local account's username");
        throw new ApiError(403, "ACCOUNT_CONFLICT", { cause: error });
      }
      log.error({ err: error, sub: token.sub }, "could not store the API user");
      throw new ApiError(503, "SERVICE_UNAVAILABLE", { cause: error });
    }
  }

  async function userOf(
    token: VerifiedUserToken,
    accessToken: string,
    log: FastifyBaseLogger,
  ): Promise<UserWithGroups> {
    let found = await queries.bySub(token.sub);
    if (!found) {
      if (!settings.createUnknownUsers) throw refuse("USER_NOT_FOUND", false);
      let pending = creating.get(token.sub);
      if (!pending) {
        pending = createUser(token, accessToken, log).finally(() => creating.delete(token.sub));
        creating.set(token.sub, pending);
      }
      // A row linked by username (made in the back office) may already be in groups.
      const user = await pending;
      found = (await queries.bySub(token.sub)) ?? { user, groups: [] };
    }
    if (!found.user.isActive) throw refuse("USER_INACTIVE", false);
    return found;
  }

  return {
    async authenticate(header: string, log: FastifyBaseLogger): Promise<ApiCredentials> {
      const parsed = tokenFromHeader(header, scheme);
      if ("refused" in parsed) throw refuse(parsed.refused, parsed.refused !== "NOT_AUTHENTICATED");
      const raw = parsed.token;
      let token: VerifiedToken;
      try {
        token = await verifier.verify(raw);
      } catch (error) {
        const rejection = error instanceof TokenRejected ? error : new TokenRejected("malformed", String(error));
        if (rejection.code === "keys-unavailable" && !verifier.keysLoaded) {
          log.error({ err: rejection }, "no key set to verify tokens with");
          throw new ApiError(503, "SERVICE_UNAVAILABLE", { cause: rejection });
        }
        log.info({ reason: rejection.code, why: rejection.message }, "API token refused");
        throw refuse(tokenMessages[rejection.code], true, rejection);
      }
      // A machine is nobody here: no row to read, none to create.
      if (token.kind === "machine") return { via: "machine", token };
      const { user, groups } = await userOf(token, raw, log);
      return { via: "bearer", user, groups, accessToken: token.tokenUse === "access" ? raw : null, token };
    },
  };
}

export type BearerAuthentication = ReturnType<typeof bearerAuthentication>;
