/**
 * Form input of the accounts pages (Django's `auth/forms.py`): untrusted bodies narrowed to
 * strings, the field checks, and a mirror of the user pool's password policy so that most
 * mistakes are explained next to the field before Cognito is asked. Cognito stays the final
 * word: its InvalidPasswordException is shown the same way.
 *
 * The policy is read once at start-up with DescribeUserPool; without the IAM permission (the
 * app's own credentials may not have it) Cognito's defaults are assumed and the start-up log
 * says so.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html#user-pool-settings-policies
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
 */
import { DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { toFailure, type CognitoFailure } from "./cognito.ts";
import { t, type MessageCode } from "./messages.ts";

export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

/** What Cognito gives a new pool when nothing is chosen. */
export const cognitoDefaultPolicy: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

/** Cognito's own maximums (API reference), so an over-long value is our message, not its 400. */
export const fieldLimits = {
  username: 128,
  password: 256,
  /** RFC 5321's longest usable address; Cognito allows longer, no mailbox does. */
  email: 254,
  /** The sign-in name is a username or an email address. */
  login: 254,
} as const;

/** A message for each field that has a problem; fields without one are absent. */
export type Errors = Record<string, string>;

/**
 * The named field of a parsed form body as a string. Anything else a client can send (a
 * repeated field parsed as an array, a JSON object, nothing at all) becomes its first string
 * or "", which the checks then refuse like an empty field.
 */
export function fieldOf(body: unknown, name: string): string {
  if (typeof body !== "object" || body === null) return "";
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return "";
}

// Cognito's username pattern: letters, marks, symbols, digits, punctuation; no spaces.
const usernamePattern = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
// Deliberately loose: the code Cognito sends is the real test of an address. Control characters
// are refused here because PostgreSQL cannot store a NUL in text.
const emailPattern = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;
// Cognito's RequireSymbols characters (a space counts too, when it is not first or last).
const symbols = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ");

const length = (value: string): number => [...value].length;

export function usernameProblem(username: string): MessageCode | null {
  if (username === "") return "FIELD_REQUIRED";
  if (length(username) > fieldLimits.username || !usernamePattern.test(username)) return "USERNAME_INVALID";
  // Pools with the email alias refuse usernames in email format (InvalidParameterException).
  if (emailPattern.test(username)) return "USERNAME_IS_EMAIL";
  return null;
}

/** Whether `value` has the shape of an email address (a pool with the email alias refuses it as a username). */
export const isEmailFormat = (value: string): boolean => emailPattern.test(value);

export function emailProblem(email: string): MessageCode | null {
  if (email === "") return "FIELD_REQUIRED";
  if (length(email) > fieldLimits.email || !emailPattern.test(email)) return "EMAIL_INVALID";
  return null;
}

/** Every rule of `policy` that `password` breaks, in the order the hint lists them. */
export function passwordProblems(password: string, policy: PasswordPolicy): MessageCode[] {
  if (password === "") return ["FIELD_REQUIRED"];
  const chars = [...password];
  if (chars.length > fieldLimits.password) return ["PASSWORD_TOO_LONG"];
  const problems: MessageCode[] = [];
  if (chars.length < policy.minimumLength) problems.push("PASSWORD_TOO_SHORT");
  if (policy.requireUppercase && !chars.some((c) => c >= "A" && c <= "Z")) problems.push("PASSWORD_NEEDS_UPPERCASE");
  if (policy.requireLowercase && !chars.some((c) => c >= "a" && c <= "z")) problems.push("PASSWORD_NEEDS_LOWERCASE");
  if (policy.requireNumbers && !chars.some((c) => c >= "0" && c <= "9")) problems.push("PASSWORD_NEEDS_NUMBER");
  const isSymbol = (c: string, i: number) => symbols.has(c) && (c !== " " || (i > 0 && i < chars.length - 1));
  if (policy.requireSymbols && !chars.some(isSymbol)) problems.push("PASSWORD_NEEDS_SYMBOL");
  if (/^\s|\s$/u.test(password)) problems.push("PASSWORD_HAS_SPACES");
  return problems;
}

const policyParams = (policy: PasswordPolicy) => ({ min: policy.minimumLength, max: fieldLimits.password });

/**
 * Checks a new password and its repetition; the errors are keyed by the two field names. The
 * repetition is only compared once the password itself is acceptable, so a person fixes one
 * thing at a time.
 */
export function newPasswordErrors(
  password: string,
  again: string,
  policy: PasswordPolicy,
  fields: { readonly password: string; readonly again: string } = { password: "password", again: "password2" },
): Errors {
  const problems = passwordProblems(password, policy);
  if (problems.length > 0) {
    return { [fields.password]: problems.map((code) => t(code, policyParams(policy))).join(" ") };
  }
  if (again === "") return { [fields.again]: t("FIELD_REQUIRED") };
  if (again !== password) return { [fields.again]: t("PASSWORDS_DIFFER") };
  return {};
}

// AWS's reasons after "Password did not conform with policy: ", in our words.
const awsPasswordReasons: Readonly<Record<string, MessageCode>> = {
  "Password must have lowercase characters": "PASSWORD_NEEDS_LOWERCASE",
  "Password must have uppercase characters": "PASSWORD_NEEDS_UPPERCASE",
  "Password must have numeric characters": "PASSWORD_NEEDS_NUMBER",
  "Password must have symbol characters": "PASSWORD_NEEDS_SYMBOL",
};

/**
 * Cognito's InvalidPasswordException, for the password field: a known reason in our words, any
 * other (a policy we did not mirror, e.g. a longer minimum) with AWS's reason quoted.
 */
export function invalidPasswordMessage(detail: string): string {
  const code = awsPasswordReasons[detail];
  return code ? t(code) : t("INVALID_PASSWORD", { detail });
}

/** The hint under a new-password field: the policy in one sentence. */
export function passwordHint(policy: PasswordPolicy): string {
  const requirements = [
    policy.requireUppercase ? t("POLICY_UPPERCASE") : null,
    policy.requireLowercase ? t("POLICY_LOWERCASE") : null,
    policy.requireNumbers ? t("POLICY_NUMBER") : null,
    policy.requireSymbols ? t("POLICY_SYMBOL") : null,
  ].filter((r): r is string => r !== null);
  if (requirements.length === 0) return t("PASSWORD_HINT_LENGTH_ONLY", { min: policy.minimumLength });
  const list = new Intl.ListFormat("en", { type: "conjunction" }).format(requirements);
  return t("PASSWORD_HINT", { min: policy.minimumLength, requirements: list });
}

/**
 * A confirmation code as typed: spaces and dashes people copy along are dropped. Cognito's codes
 * are six digits; anything else is refused before Cognito counts it as a wrong try.
 */
export function normalizeCode(raw: string): string | null {
  const code = raw.replace(/[\s-]/gu, "");
  return /^[0-9]{6}$/.test(code) ? code : null;
}

/** The sign-in name as typed, without the spaces a phone keyboard adds. */
export const cleanLogin = (raw: string): string => raw.trim();

/** Status of a page that shows `failure` on its form: the service's faults are not the person's. */
export function failureStatus(failure: CognitoFailure): number {
  if (failure.code === "SERVICE_UNAVAILABLE" || failure.code === "UNEXPECTED") return 503;
  if (failure.code === "TOO_MANY_REQUESTS" || failure.code === "TOO_MANY_ATTEMPTS") return 429;
  return 400;
}

/** Logs what the person cannot act on (the service failing us), at the level it deserves. */
export function logFailure(request: FastifyRequest, failure: CognitoFailure, action: string): void {
  if (failure.code === "SERVICE_UNAVAILABLE" || failure.code === "UNEXPECTED") {
    request.log.error({ err: failure, exception: failure.exception }, `${action}: Cognito failed`);
  } else {
    request.log.info({ exception: failure.exception, code: failure.code }, `${action}: refused by Cognito`);
  }
}

/** The password policy from a DescribeUserPool answer, defaulting what it leaves out. */
export function policyOf(
  described:
    | {
        readonly MinimumLength?: number;
        readonly RequireLowercase?: boolean;
        readonly RequireUppercase?: boolean;
        readonly RequireNumbers?: boolean;
        readonly RequireSymbols?: boolean;
      }
    | undefined,
): PasswordPolicy {
  if (!described) return cognitoDefaultPolicy;
  return {
    minimumLength: described.MinimumLength ?? cognitoDefaultPolicy.minimumLength,
    requireLowercase: described.RequireLowercase ?? false,
    requireUppercase: described.RequireUppercase ?? false,
    requireNumbers: described.RequireNumbers ?? false,
    requireSymbols: described.RequireSymbols ?? false,
  };
}

declare module "fastify" {
  interface FastifyInstance {
    /** The user pool's password policy, as read at start-up (or Cognito's defaults). */
    readonly passwordPolicy: PasswordPolicy;
  }
}

/** How long start-up waits for DescribeUserPool (credentials lookups on AWS can hang). */
const describeTimeoutMs = 5000;

async function passwordPolicyPlugin(app: FastifyInstance): Promise<void> {
  let policy = cognitoDefaultPolicy;
  try {
    const result = await app.cognito.send(new DescribeUserPoolCommand({ UserPoolId: app.config.cognito.userPoolId }), {
      abortSignal: AbortSignal.timeout(describeTimeoutMs),
    });
    policy = policyOf(result.UserPool?.Policies?.PasswordPolicy);
  } catch (error) {
    const failure = toFailure(error);
    app.log.warn(
      { exception: failure.exception, detail: failure.detail },
      "accounts.W001: could not read the user pool's password policy (DescribeUserPool); the forms check " +
        "Cognito's default policy and Cognito has the final word. Hint: allow cognito-idp:DescribeUserPool " +
        "for the app's credentials.",
    );
  }
  app.decorate("passwordPolicy", policy);
}

export const passwordPolicy = fp(passwordPolicyPlugin, { name: "password-policy" });
