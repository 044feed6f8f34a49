/** Opaque NextToken/PaginationToken values: the position encoded, so a forged one is just bad. */
import { invalidParameter } from "../errors.ts";

export const encodeToken = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), "utf8").toString("base64url");

/** Decodes a token made by encodeToken; anything else is AWS's InvalidParameterException. */
export function decodeToken<T>(token: string, isValid: (value: unknown) => value is T): T {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (isValid(value)) return value;
  } catch {
    // fall through to the AWS error
  }
  throw invalidParameter("Invalid pagination token.");
}

export const isString = (value: unknown): value is string => typeof value === "string";
