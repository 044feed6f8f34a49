/**
 * A user's linked external identities: the `identities` attribute Cognito keeps on a user that
 * AdminLinkProviderForUser linked to an IdP account (operations/provider-links.ts).
 *
 * AdminGetUser, ListUsers and GetUser show it as a JSON array in an attribute's string value,
 * e.g. `[{"userId":"107427578229077464095","providerName":"Google","providerType":"Google",
 * "issuer":null,"primary":true,"dateCreated":1651166579396}]` (GetUser of a federated user as
 * people post it, and the AdminGetUser sample response floci-io/floci#2166 follows); the ID token
 * carries the same objects as a JSON array with every value but `issuer` a string
 * (`"primary":"true"`, `"dateCreated":"1749623553646"`), as decoded ID tokens show.
 */

export interface LinkedIdentity {
  readonly userId: string;
  readonly providerName: string;
  readonly providerType: string;
  /** The IdP's issuer; null, as for the social IdPs, since the emulator reads no assertion. */
  readonly issuer: string | null;
  /** True only for the identity a federated user signed up with; a linked one is not primary. */
  readonly primary: boolean;
  /** Epoch milliseconds. */
  readonly dateCreated: number;
}

const isIdentity = (value: unknown): value is LinkedIdentity => {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.userId === "string" &&
    typeof v.providerName === "string" &&
    typeof v.providerType === "string" &&
    (v.issuer === null || typeof v.issuer === "string") &&
    typeof v.primary === "boolean" &&
    typeof v.dateCreated === "number"
  );
};

/** The identities an `identities` attribute holds; none when it is absent or not ours. */
export function parseIdentities(value: string | undefined): LinkedIdentity[] {
  if (value === undefined || value === "") return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.filter(isIdentity) : [];
  } catch {
    return [];
  }
}

/** The `identities` attribute's value for `list`, or undefined when the list is empty. */
export const identitiesAttribute = (list: readonly LinkedIdentity[]): string | undefined =>
  list.length === 0 ? undefined : JSON.stringify(list);

/** The ID token's `identities` claim for an `identities` attribute value. */
export function identitiesClaim(value: string): Record<string, string | null>[] {
  return parseIdentities(value).map((identity) => ({
    dateCreated: String(identity.dateCreated),
    userId: identity.userId,
    providerName: identity.providerName,
    providerType: identity.providerType,
    issuer: identity.issuer,
    primary: String(identity.primary),
  }));
}
