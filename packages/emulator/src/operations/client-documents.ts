/**
 * Pool documents that belong to an app client (managed login branding, terms): they go with
 * their client, so one whose client was deleted is read as gone.
 */
import type { Context } from "../context.ts";
import type { Pool } from "../model.ts";
import type { DocumentKind } from "../store/documents.ts";

interface OfClient {
  readonly ClientId: string;
}

const clientExists = (ctx: Context, pool: Pool, id: string): boolean => ctx.store.clients.get(id)?.poolId === pool.id;

/** The document `key` of `kind`, if it and its client still exist. */
export function findClientDocument<T extends OfClient>(
  ctx: Context,
  pool: Pool,
  kind: DocumentKind,
  key: string,
): T | undefined {
  const body = ctx.store.documents.get<T>(pool.id, kind, key)?.body;
  return body && clientExists(ctx, pool, body.ClientId) ? body : undefined;
}

/** The documents of `kind` that belong to `clientId`. */
export const documentsOfClient = <T extends OfClient>(
  ctx: Context,
  pool: Pool,
  kind: DocumentKind,
  clientId: string,
): T[] =>
  ctx.store.documents
    .all<T>(pool.id, kind)
    .map((d) => d.body)
    .filter((body) => body.ClientId === clientId);
