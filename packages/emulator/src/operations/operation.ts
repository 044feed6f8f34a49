/**
 * An operation of the Cognito API: its request shape and its handler. The server looks the
 * operation up by the `X-Amz-Target` suffix, validates the JSON body against the shape (so a
 * handler only ever sees well-typed input) and serialises what the handler returns.
 */
import type { Context } from "../context.ts";
import { validate, type Infer, type StructureShape } from "../shapes.ts";
import { deliverHeldMessages } from "../triggers/custom-message.ts";
import { inRequestScope } from "../triggers/scope.ts";

/** What the HTTP request says besides its body. */
export interface CallMeta {
  /** The region of the SigV4 credential scope, when the call is signed (`Credential=…/<date>/<region>/…`). */
  readonly signingRegion: string | null;
  /** How the caller reached the emulator (`http://127.0.0.1:9229`): the base of URLs it hands out. */
  readonly origin: string | null;
}

const unsigned: CallMeta = { signingRegion: null, origin: null };

export interface Operation {
  execute(ctx: Context, body: unknown, meta?: CallMeta): Promise<unknown>;
}

export function defineOperation<S extends StructureShape>(
  input: S,
  run: (ctx: Context, request: Infer<S>, meta: CallMeta) => unknown,
): Operation {
  return {
    async execute(ctx, body, meta = unsigned) {
      const request = validate(input, body);
      // Lambda triggers read the call's ClientMetadata and client from here (triggers/scope.ts).
      return inRequestScope(ctx, request, async () => (await run(ctx, request, meta)) ?? {}, deliverHeldMessages);
    },
  };
}

export type OperationTable = Readonly<Record<string, Operation>>;
