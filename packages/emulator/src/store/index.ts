/** The emulator's repositories over one database. */
import { challengeRepository } from "./challenges.ts";
import { clientSecretRepository } from "./client-secrets.ts";
import { clientRepository } from "./clients.ts";
import { codeRepository } from "./codes.ts";
import type { Db } from "./database.ts";
import { deviceRepository } from "./devices.ts";
import { documentRepository } from "./documents.ts";
import { groupRepository } from "./groups.ts";
import { hostedRepository } from "./hosted.ts";
import { importJobRepository } from "./import-jobs.ts";
import { keyRepository } from "./keys.ts";
import { outboxRepository } from "./outbox.ts";
import { poolRepository } from "./pools.ts";
import { sessionRepository } from "./sessions.ts";
import { signingCertificateRepository } from "./signing-certificates.ts";
import { userRepository } from "./users.ts";

export function createStore(db: Db) {
  const clientSecrets = clientSecretRepository(db);
  return {
    db,
    pools: poolRepository(db),
    clients: clientRepository(db, clientSecrets),
    clientSecrets,
    users: userRepository(db),
    groups: groupRepository(db),
    codes: codeRepository(db),
    sessions: sessionRepository(db),
    challenges: challengeRepository(db),
    keys: keyRepository(db),
    outbox: outboxRepository(db),
    hosted: hostedRepository(db),
    documents: documentRepository(db),
    importJobs: importJobRepository(db),
    signingCertificates: signingCertificateRepository(db),
    devices: deviceRepository(db),
    /** Runs `work` atomically; it must be synchronous (better-sqlite3 transactions are). */
    transaction<T>(work: () => T): T {
      return db.transaction(work)();
    },
  };
}
export type Store = ReturnType<typeof createStore>;
