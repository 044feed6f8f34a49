/**
 * Pending auth challenges (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, …) between InitiateAuth
 * and RespondToAuthChallenge, keyed by the opaque `Session` string handed to the client.
 */
import type { Db } from "./database.ts";

export interface PendingChallenge {
  readonly session: string;
  readonly poolId: string;
  readonly clientId: string;
  readonly usernameKey: string;
  readonly challenge: string;
  /** Challenge-specific state, e.g. the SRP server secret `b` and `B`. */
  readonly state: Record<string, string>;
  readonly expiresAt: number;
}

/** The `challenge` of a row whose Session has been answered (see `spend`). */
export const spentChallenge = "SPENT";

interface ChallengeRow {
  session: string;
  pool_id: string;
  client_id: string;
  username_key: string;
  challenge: string;
  state: string;
  expires_at: number;
}

export function challengeRepository(db: Db) {
  // Every new challenge purges long-expired ones; this keeps that a range scan.
  db.exec("CREATE INDEX IF NOT EXISTS auth_challenges_by_expiry ON auth_challenges(expires_at)");
  const insert = db.prepare(
    "INSERT INTO auth_challenges VALUES (@session, @poolId, @clientId, @usernameKey, @challenge, @state, @expiresAt)",
  );
  const get = db.prepare<[string], ChallengeRow>("SELECT * FROM auth_challenges WHERE session = ?");
  const remove = db.prepare<[string]>("DELETE FROM auth_challenges WHERE session = ?");
  const spend = db.prepare<[string, string, string]>(
    "UPDATE auth_challenges SET challenge = ? WHERE session = ? AND challenge = ?",
  );
  const purge = db.prepare<[number]>("DELETE FROM auth_challenges WHERE expires_at < ?");
  return {
    insert(challenge: PendingChallenge): void {
      insert.run({ ...challenge, state: JSON.stringify(challenge.state) });
    },
    get(session: string): PendingChallenge | undefined {
      const row = get.get(session);
      return (
        row && {
          session: row.session,
          poolId: row.pool_id,
          clientId: row.client_id,
          usernameKey: row.username_key,
          challenge: row.challenge,
          state: JSON.parse(row.state) as Record<string, string>,
          expiresAt: row.expires_at,
        }
      );
    },
    /**
     * Removes the challenge; a Session string is good for one answer only. False when it was
     * already gone, i.e. another answer to the same challenge got there first.
     */
    consume(session: string): boolean {
      return remove.run(session).changes === 1;
    },
    /**
     * Marks the challenge answered while keeping its row until the purge, so that a second
     * answer hears that the Session was already used rather than that it never existed. False
     * when another answer spent it first.
     */
    spend(session: string, challenge: string): boolean {
      return spend.run(spentChallenge, session, challenge).changes === 1;
    },
    purgeExpired(now: number): void {
      purge.run(now);
    },
  };
}
export type ChallengeRepository = ReturnType<typeof challengeRepository>;
