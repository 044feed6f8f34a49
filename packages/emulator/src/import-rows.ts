/**
 * What a user import does with the CSV file's header and each of its rows, following the
 * developer guide's "Formatting the CSV file" and "Interpreting the results":
 *
 * - The header is GetCSVHeader's: the pool's schema attributes in schema order (less `sub`,
 *   `identities` and developer-only ones, which only Cognito or an administrator set), then
 *   `cognito:mfa_enabled` and `cognito:username`. "The order of columns in the CSV file doesn't
 *   matter", but "all columns in the header must be present"; a header the import cannot use
 *   fails the job.
 * - Each row becomes a user in RESET_REQUIRED ("Your users are in a RESET_REQUIRED state when
 *   imported"), with no password, named by `cognito:username` and holding the other non-empty
 *   columns as attributes, checked against the schema as AdminCreateUser's are.
 * - A row is FAILED, and the job goes on, when it does not set one of the pool's auto-verified
 *   attributes to true, does not match the schema, lacks a required attribute, has an empty
 *   `cognito:mfa_enabled` (or one the pool's MFA setting forbids), or a `cognito:username` with
 *   spaces or tabs; SKIPPED when the user already exists ("The user already exists.").
 *
 * The messages AWS's log quotes are used where the guide gives them; the others are the
 * emulator's wording. Password hashes (`password_hash`, with a job's PasswordHashingAlgorithm)
 * are accepted in the header but not imported: such users are RESET_REQUIRED too.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-csv-header.html
 */
import type { Context } from "./context.ts";
import { CognitoError } from "./errors.ts";
import { CsvFormatError, maxRowLength, type CsvRow } from "./import-csv.ts";
import type { Attributes, Pool, User } from "./model.ts";
import { aliasExists, aliasHolders } from "./operations/signup.ts";
import type { ImportEvent } from "./store/import-jobs.ts";
import { assertRequiredAttributes, assertUserIsNew, buildUser, checkAttributes, nameNewUser } from "./users.ts";

export const usernameColumn = "cognito:username";
export const mfaColumn = "cognito:mfa_enabled";
const passwordHashColumn = "password_hash";
/** Attributes only Cognito sets. */
const systemAttributes = new Set(["sub", "identities"]);

/** GetCSVHeader's CSVHeader for `pool`. */
export function csvHeaderOf(pool: Pool): string[] {
  const attributes = pool.config.SchemaAttributes.map((a) => a.Name).filter(
    (name) => !systemAttributes.has(name) && !name.startsWith("dev:"),
  );
  return [...attributes, mfaColumn, usernameColumn];
}

/** Refuses a header the import cannot use (the job fails with the error's message). */
export function checkHeader(pool: Pool, header: readonly string[], withPasswordHashes: boolean): void {
  const expected = csvHeaderOf(pool);
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate !== undefined) throw new CsvFormatError(`The column ${duplicate} appears twice in the CSV header.`);
  const unknown = header.filter(
    (name) => !expected.includes(name) && !(withPasswordHashes && name === passwordHashColumn),
  );
  if (unknown.length > 0) {
    throw new CsvFormatError(`The CSV header has columns that the user pool does not have: ${unknown.join(", ")}.`);
  }
  const missing = expected.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new CsvFormatError(`The CSV header lacks columns of the user pool: ${missing.join(", ")}.`);
  }
}

/** The guide's example of a row that fails. */
const noAutoVerified =
  "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).";
const birthdatePattern = /^(0[1-9]|1[0-2])\/(0[1-9]|[12][0-9]|3[01])\/[0-9]{4}$/;

class RowRefused extends Error {}

/** The row as column → value, or why it cannot be read. */
function columnsOf(header: readonly string[], row: CsvRow): Map<string, string> {
  if (row.length > maxRowLength) throw new RowRefused(`The row is longer than ${maxRowLength} characters.`);
  if (row.values.length !== header.length) {
    throw new RowRefused(`The row has ${row.values.length} values but the header has ${header.length} columns.`);
  }
  return new Map(header.map((name, index) => [name, row.values[index] ?? ""]));
}

function usernameOf(columns: Map<string, string>): string {
  const username = columns.get(usernameColumn) ?? "";
  if (username === "") throw new RowRefused(`${usernameColumn} is required.`);
  if (/[ \t]/.test(username)) throw new RowRefused(`${usernameColumn} cannot contain spaces or tabs.`);
  if ([...username].length > 128) throw new RowRefused(`${usernameColumn} must be at most 128 characters.`);
  return username;
}

/** `cognito:mfa_enabled`: required, and bound by the pool's MFA setting. */
function mfaOf(pool: Pool, columns: Map<string, string>): boolean {
  const value = (columns.get(mfaColumn) ?? "").toLowerCase();
  if (value !== "true" && value !== "false") throw new RowRefused(`${mfaColumn} must be true or false.`);
  const enabled = value === "true";
  if (pool.config.MfaConfiguration === "ON" && !enabled) {
    throw new RowRefused(`${mfaColumn} must be true: the user pool requires MFA.`);
  }
  if (pool.config.MfaConfiguration === "OFF" && enabled) {
    throw new RowRefused(`${mfaColumn} must be false: MFA is off in the user pool.`);
  }
  return enabled;
}

function attributesOf(pool: Pool, columns: Map<string, string>): Attributes {
  const input = [...columns]
    .filter(([name, value]) => value !== "" && name !== usernameColumn && name !== mfaColumn)
    .filter(([name]) => name !== passwordHashColumn)
    .map(([Name, Value]) => ({ Name, Value }));
  const attributes = checkAttributes(pool, input, { kind: "admin" }, true);
  if (attributes.birthdate !== undefined && !birthdatePattern.test(attributes.birthdate)) {
    throw new RowRefused("birthdate must be in the format mm/dd/yyyy.");
  }
  for (const contact of ["email", "phone_number"] as const) {
    if (attributes[`${contact}_verified`] === "true" && !attributes[contact]) {
      throw new RowRefused(`${contact}_verified is true but ${contact} is empty.`);
    }
  }
  const autoVerified = pool.config.AutoVerifiedAttributes ?? [];
  if (!autoVerified.some((contact) => attributes[`${contact}_verified`] === "true")) {
    throw new RowRefused(noAutoVerified);
  }
  assertRequiredAttributes(pool, attributes);
  return attributes;
}

/** The user a row describes; throws RowRefused or the CognitoError the checks raise. */
function userOf(ctx: Context, pool: Pool, header: readonly string[], row: CsvRow): User {
  const columns = columnsOf(header, row);
  const requested = usernameOf(columns);
  const mfaEnabled = mfaOf(pool, columns);
  const named = nameNewUser(pool, requested, attributesOf(pool, columns));
  const user = buildUser({ pool, ...named, status: "RESET_REQUIRED", password: null, now: ctx.clock.now() });
  // cognito:mfa_enabled is the legacy MFAOptions switch, which is SMS to the phone number.
  return mfaEnabled ? { ...user, mfa: { enabled: ["SMS_MFA"] } } : user;
}

/**
 * Creates the user of one data row, or says why not. Call inside a transaction; the event is
 * the line the job's log gets.
 */
export function importRow(ctx: Context, pool: Pool, header: readonly string[], row: CsvRow): ImportEvent {
  const event = (outcome: ImportEvent["outcome"], message: string): ImportEvent => ({
    lineNumber: row.lineNumber,
    outcome,
    message,
  });
  try {
    const user = userOf(ctx, pool, header, row);
    assertUserIsNew(ctx, pool, user);
    for (const contact of ["email", "phone_number"] as const) {
      const verifiedAlias =
        (pool.config.AliasAttributes ?? []).includes(contact) && user.attributes[`${contact}_verified`] === "true";
      if (verifiedAlias && aliasHolders(ctx, pool, user, contact).length > 0) throw aliasExists(contact);
    }
    ctx.store.users.insert(user);
    return event("SUCCEEDED", "The import succeeded.");
  } catch (error) {
    if (error instanceof CognitoError && error.type === "UsernameExistsException") {
      return event("SKIPPED", "The user already exists.");
    }
    if (error instanceof RowRefused || error instanceof CognitoError) return event("FAILED", error.message.trim());
    throw error;
  }
}
