/**
 * Small pieces that show a user's data the same way on every page: dates and the email's
 * confirmation state. The server does not know the reader's time zone, so times are in UTC and
 * say so; `<time datetime>` carries the exact instant.
 */
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "12 Mar 2025" */
export const formatDate = (date: Date): string => dateFormat.format(date);

/** "12 Mar 2025, 14:03 UTC" */
export const formatDateTime = (date: Date): string => `${dateTimeFormat.format(date)} UTC`;

export function Time({ value, withTime = false }: { value: Date; withTime?: boolean }) {
  return <time datetime={value.toISOString()}>{withTime ? formatDateTime(value) : formatDate(value)}</time>;
}

export function EmailStatusBadge({ verified }: { verified: boolean }) {
  return verified ? (
    <span class="badge rounded-pill text-bg-success" data-testid="email-verified">
      Verified
    </span>
  ) : (
    <span class="badge rounded-pill text-bg-warning" data-testid="email-unverified">
      Not confirmed
    </span>
  );
}

/** "Ada Lovelace", or null when neither name is set. */
export const fullNameOf = (user: { givenName: string | null; familyName: string | null }): string | null =>
  [user.givenName, user.familyName].filter((part): part is string => Boolean(part)).join(" ") || null;
