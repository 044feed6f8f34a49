/**
 * Request shapes in the style of AWS's Smithy models, and the validator that answers the way
 * Cognito's front end does:
 *
 * - a JSON value of the wrong type is a `SerializationException` (the service cannot even
 *   deserialise the request);
 * - a constraint failure (null, length, range, pattern, enum) is an `InvalidParameterException`
 *   whose message lists every failure: `2 validation errors detected: Value null at 'clientId'
 *   failed to satisfy constraint: Member must not be null; …`. Values of sensitive members
 *   (passwords, tokens) are never echoed.
 *
 * Unknown members are ignored, as AWS does, and a member that is `null` is read as absent.
 */
import { CognitoError } from "./errors.ts";

interface Common {
  readonly required?: boolean;
  readonly sensitive?: boolean;
}
export interface StringShape extends Common {
  readonly kind: "string";
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}
export interface IntegerShape extends Common {
  readonly kind: "integer";
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanShape extends Common {
  readonly kind: "boolean";
}
export interface ListShape<M extends Shape = Shape> extends Common {
  readonly kind: "list";
  readonly member: M;
  readonly min?: number;
  readonly max?: number;
}
export interface MapShape<V extends Shape = Shape> extends Common {
  readonly kind: "map";
  readonly value: V;
  readonly max?: number;
}
export interface StructureShape<M extends Members = Members> extends Common {
  readonly kind: "structure";
  readonly members: M;
}
/** A Smithy document: any JSON value, kept as it came (ManagedLoginBranding's Settings). */
export interface DocumentShape extends Common {
  readonly kind: "document";
}
export type Shape = StringShape | IntegerShape | BooleanShape | ListShape | MapShape | StructureShape | DocumentShape;
export type Members = Readonly<Record<string, Shape>>;

type Value<S> = S extends { readonly kind: "string"; readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly kind: "string" }
    ? string
    : S extends { readonly kind: "integer" }
      ? number
      : S extends { readonly kind: "boolean" }
        ? boolean
        : S extends { readonly kind: "list"; readonly member: infer M }
          ? Value<M>[]
          : S extends { readonly kind: "map"; readonly value: infer V }
            ? Record<string, Value<V>>
            : S extends { readonly kind: "structure"; readonly members: infer M }
              ? Struct<M>
              : S extends { readonly kind: "document" }
                ? unknown
                : never;
type KnownKeys<M> = keyof { [K in keyof M as string extends K ? never : K]: 0 };
type RequiredKeys<M> = {
  [K in KnownKeys<M>]: M[K] extends { readonly required: true } ? K : never;
}[KnownKeys<M>];
type Struct<M> = {
  [K in RequiredKeys<M>]: Value<M[K]>;
} & {
  [K in Exclude<KnownKeys<M>, RequiredKeys<M>>]?: Value<M[K]>;
};
/** The TypeScript type of a request that passed validation against shape `S`. */
export type Infer<S extends Shape> = Value<S>;

type Opts<S> = Omit<S, "kind">;
type NoOpts = Record<never, never>;
export const shape = {
  string: <const O extends Opts<StringShape> = NoOpts>(o?: O): { readonly kind: "string" } & O =>
    ({ kind: "string", ...o }) as { readonly kind: "string" } & O,
  integer: <const O extends Opts<IntegerShape> = NoOpts>(o?: O): { readonly kind: "integer" } & O =>
    ({ kind: "integer", ...o }) as { readonly kind: "integer" } & O,
  boolean: <const O extends Opts<BooleanShape> = NoOpts>(o?: O): { readonly kind: "boolean" } & O =>
    ({ kind: "boolean", ...o }) as { readonly kind: "boolean" } & O,
  document: <const O extends Opts<DocumentShape> = NoOpts>(o?: O): { readonly kind: "document" } & O =>
    ({ kind: "document", ...o }) as { readonly kind: "document" } & O,
  list: <const M extends object, const O extends Opts<Omit<ListShape, "member">> = NoOpts>(
    member: M,
    o?: O,
  ): { readonly kind: "list"; readonly member: M } & O =>
    ({ kind: "list", member, ...o }) as { readonly kind: "list"; readonly member: M } & O,
  map: <const V extends object, const O extends Opts<Omit<MapShape, "value">> = NoOpts>(
    value: V,
    o?: O,
  ): { readonly kind: "map"; readonly value: V } & O =>
    ({ kind: "map", value, ...o }) as { readonly kind: "map"; readonly value: V } & O,
  // `M extends object` rather than `Members`: a tighter constraint gives inner calls a contextual
  // type that widens their enum literals to `string`.
  structure: <const M extends object, const O extends Opts<Omit<StructureShape, "members">> = NoOpts>(
    members: M,
    o?: O,
  ): { readonly kind: "structure"; readonly members: M } & O =>
    ({ kind: "structure", members, ...o }) as { readonly kind: "structure"; readonly members: M } & O,
};

/** AWS names members in messages in lowerCamelCase (`UserPoolId` → `userPoolId`). */
const memberPath = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

const describeJson = (value: unknown): string => {
  if (Array.isArray(value)) return "Start of list found where not expected";
  if (value !== null && typeof value === "object") return "Start of structure or map found where not expected.";
  if (typeof value === "number") return "NUMBER_VALUE can not be converted to a String";
  if (typeof value === "boolean") return `${value ? "TRUE" : "FALSE"}_VALUE can not be converted to a String`;
  return "STRING_VALUE can not be converted to a String";
};

function typeError(expected: Shape, value: unknown): CognitoError {
  const target =
    expected.kind === "integer"
      ? "an Integer"
      : expected.kind === "boolean"
        ? "a Boolean"
        : expected.kind === "string"
          ? "a String"
          : null;
  let message: string;
  if (target === null) {
    message = expected.kind === "list" ? "Expected list or null" : "Expected structure or map or null";
  } else {
    message = describeJson(value).replace("a String", target);
  }
  return new CognitoError("SerializationException", message);
}

function quoted(shape: Shape, value: unknown): string {
  if (value === null || value === undefined) return "Value null at";
  if (shape.sensitive) return "Value at";
  if (Array.isArray(value) || typeof value === "object") return "Value at";
  return `Value '${String(value)}' at`;
}

const patternCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    // AWS patterns match the whole value; the `u` flag counts code points as Java does.
    re = new RegExp(`^(?:${pattern})$`, "u");
    patternCache.set(pattern, re);
  }
  return re;
}

function visit(shape: Shape, value: unknown, path: string, failures: string[]): void {
  if (value === null || value === undefined) {
    if (shape.required)
      failures.push(`${quoted(shape, value)} '${path}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  const fail = (constraint: string): void => {
    failures.push(`${quoted(shape, value)} '${path}' failed to satisfy constraint: ${constraint}`);
  };
  switch (shape.kind) {
    case "string": {
      if (typeof value !== "string") throw typeError(shape, value);
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern !== undefined && !compiled(shape.pattern).test(value))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum && !shape.enum.includes(value))
        fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
      return;
    }
    case "integer": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw typeError(shape, value);
      if (!Number.isInteger(value))
        throw new CognitoError("SerializationException", "NUMBER_VALUE can not be converted to an Integer");
      if (shape.min !== undefined && value < shape.min)
        fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") throw typeError(shape, value);
      return;
    case "document":
      return;
    case "list": {
      if (!Array.isArray(value)) throw typeError(shape, value);
      if (shape.min !== undefined && value.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => {
        // A list's members are never optional: `[null]` is a null member, not an empty list.
        visit({ ...shape.member, required: true }, item, `${path}.${i + 1}.member`, failures);
      });
      return;
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw typeError(shape, value);
      const entries = Object.entries(value);
      if (shape.max !== undefined && entries.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      for (const [key, item] of entries) visit(shape.value, item, `${path}.${key}`, failures);
      return;
    }
    case "structure": {
      if (typeof value !== "object" || Array.isArray(value)) throw typeError(shape, value);
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) {
        visit(member, record[name], path ? `${path}.${memberPath(name)}` : memberPath(name), failures);
        // JSON's null is an absent member, as AWS reads it; handlers see `undefined`, never null
        // (`"SecretHash": null` reached a Buffer.from and was a 500).
        if (record[name] === null) delete record[name];
      }
      return;
    }
  }
}

/**
 * Checks `input` against `spec` and returns it typed, or throws the exception AWS would.
 * @example
 *   const req = validate(shape.structure({ ClientId: shape.string({ required: true }) }), body);
 *   req.ClientId; // string
 */
export function validate<S extends StructureShape>(spec: S, input: unknown): Infer<S> {
  const failures: string[] = [];
  visit(spec, input ?? {}, "", failures);
  if (failures.length > 0) {
    const count = failures.length;
    throw new CognitoError(
      "InvalidParameterException",
      `${count} validation error${count === 1 ? "" : "s"} detected: ${failures.join("; ")}`,
    );
  }
  return (input ?? {}) as Infer<S>;
}
