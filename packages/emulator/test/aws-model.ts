/**
 * The request shapes of Cognito's API as AWS publishes them: read from the Smithy schemas that
 * the AWS SDK for JavaScript v3 ships (`<Operation>$`, `<Operation>Request$`), so the fuzz suite
 * generates members with AWS's names and types rather than with ours. A schema there is either a
 * number (a simple type, with 64 = list of and 128 = map of), a thunk, a `[schema, traits]` pair
 * for a member, or an array whose first element says what it is: 0 a named simple type, 1 a
 * list, 2 a map, 3 a structure (member names, member schemas, then how many of the first members
 * are required), 9 an operation.
 * https://smithy.io/2.0/spec/simple-types.html
 */
import * as sdk from "@aws-sdk/client-cognito-identity-provider";

export type ModelShape =
  | { readonly kind: "string"; readonly sensitive: boolean }
  | { readonly kind: "number" }
  | { readonly kind: "boolean" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "blob" }
  | { readonly kind: "document" }
  | { readonly kind: "list"; readonly member: () => ModelShape }
  | { readonly kind: "map"; readonly value: () => ModelShape }
  | { readonly kind: "structure"; readonly name: string; readonly members: readonly ModelMember[] };

export interface ModelMember {
  readonly name: string;
  readonly required: boolean;
  readonly shape: () => ModelShape;
}

const sensitiveTrait = 8;

function simple(code: number, traits: number): ModelShape {
  if (code & 64) return { kind: "list", member: () => simple(code & ~64, 0) };
  if (code & 128) return { kind: "map", value: () => simple(code & ~128, 0) };
  switch (code) {
    case 0:
      return { kind: "string", sensitive: (traits & sensitiveTrait) !== 0 };
    case 1:
      return { kind: "number" };
    case 2:
      return { kind: "boolean" };
    case 15:
      return { kind: "document" };
    case 21:
    case 42:
      return { kind: "blob" };
    default:
      // 4–7 are the timestamp formats; JSON 1.1 sends them as epoch seconds.
      if (code >= 4 && code <= 7) return { kind: "timestamp" };
      throw new Error(`unknown simple schema ${code}`);
  }
}

function resolve(schema: unknown, traits = 0): ModelShape {
  if (typeof schema === "number") return simple(schema, traits);
  if (typeof schema === "function") return resolve((schema as () => unknown)(), traits);
  if (!Array.isArray(schema)) throw new Error(`unreadable schema ${String(schema)}`);
  const [tag] = schema as unknown[];
  switch (tag) {
    case 0:
      return resolve(schema[4], Number(schema[3]) | traits);
    case 1:
      return { kind: "list", member: () => memberShape(schema[4]) };
    case 2:
      return { kind: "map", value: () => memberShape(schema[5]) };
    case 3: {
      const names = schema[4] as readonly string[];
      const members = schema[5] as readonly unknown[];
      const required = typeof schema[6] === "number" ? schema[6] : 0;
      return {
        kind: "structure",
        name: String(schema[2]),
        members: names.map((name, index) => ({
          name,
          required: index < required,
          shape: () => memberShape(members[index]),
        })),
      };
    }
    default:
      throw new Error(`unreadable schema tag ${String(tag)}`);
  }
}

/** A member's schema: a schema, or `[schema, traits]` when the member adds traits. */
function memberShape(entry: unknown): ModelShape {
  if (Array.isArray(entry) && entry.length === 2 && typeof entry[1] === "number" && typeof entry[0] !== "number") {
    return resolve(entry[0], entry[1]);
  }
  return resolve(entry);
}

const exports = sdk as unknown as Readonly<Record<string, unknown>>;

/** The request structure of `operation`, e.g. `SignUp`, as the SDK's model defines it. */
export function requestShapeOf(operation: string): Extract<ModelShape, { kind: "structure" }> {
  const schema = exports[`${operation}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) throw new Error(`the AWS SDK has no operation ${operation}`);
  const input = resolve(schema[4]);
  if (input.kind !== "structure") throw new Error(`${operation}'s input is not a structure`);
  return input;
}

/**
 * Every value of every enum the SDK exports (AuthFlowType, ChallengeNameType, …): strings the
 * service recognises, so generated requests get past the enum checks to the code behind them.
 */
export function enumValues(): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(exports)) {
    if (!/^[A-Z]/.test(name) || name.endsWith("$") || typeof value !== "object" || value === null) continue;
    const entries = Object.values(value);
    if (entries.length > 0 && entries.every((entry) => typeof entry === "string")) {
      for (const entry of entries as string[]) values.add(entry);
    }
  }
  return [...values].sort();
}
