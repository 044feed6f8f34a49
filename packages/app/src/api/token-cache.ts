/**
 * The verified-token cache: a token whose signature and claims were checked once is remembered,
 * so its next request costs a map look-up instead of an RSA verification (~50 µs) — most API
 * traffic is one client repeating its token until it expires.
 *
 * What it may and may not do:
 * - keyed by the whole token string: any change to header, payload or signature is a miss (a
 *   key made of the signature alone would let a forged payload ride on a real signature);
 * - an entry is never used at or after the token's `exp` (the clock skew applies to
 *   verification only, never to the cache);
 * - bounded: beyond `maxEntries` the oldest entry goes first;
 * - entries of a `kid` that left the key set are dropped when the key set is fetched again;
 * - it remembers the token, not the user: the user's row is still read on every request, so
 *   deactivating someone takes effect at once.
 */

/** What every verified token carries, a person's or a machine's. */
interface VerifiedTokenBase {
  readonly sub: string;
  readonly clientId: string;
  /** The signing key, to forget the token when its key leaves the key set. */
  readonly kid: string;
  /** `exp` in epoch milliseconds. */
  readonly expiresAt: number;
  /** Every claim, for ID tokens (their profile) and for handlers that need more. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A person's token: an access token (or, when opted in, an ID token) with a username. */
export interface VerifiedUserToken extends VerifiedTokenBase {
  readonly kind: "user";
  /** Cognito's username (`username` of access tokens, `cognito:username` of ID tokens). */
  readonly username: string;
  readonly tokenUse: "access" | "id";
}

/**
 * A machine client's access token (the client_credentials grant): no user, `sub` is the client,
 * and what it may do is its resource-server scopes (`gatehouse/users.read`).
 */
export interface VerifiedMachineToken extends VerifiedTokenBase {
  readonly kind: "machine";
  readonly tokenUse: "access";
  readonly scopes: ReadonlySet<string>;
}

export type VerifiedToken = VerifiedUserToken | VerifiedMachineToken;

export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#maxEntries = Math.max(1, maxEntries);
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.#now() >= verified.expiresAt) return;
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(token)) {
      // Map iteration follows insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, verified);
  }

  /** Forgets every token signed by a key that is not in `kids`. */
  retainKids(kids: ReadonlySet<string>): void {
    for (const [token, entry] of this.#entries) {
      if (!kids.has(entry.kid)) this.#entries.delete(token);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
