/**
 * Message delivery: where Cognito would send an e-mail or SMS, the emulator writes the message
 * to its outbox (the database), prints it on the console, and tells test listeners.
 */
import type { MessageKind, OutboxMessage, User } from "./model.ts";
import type { OutboxQuery, OutboxRepository } from "./store/outbox.ts";

export interface Outbox {
  /** Newest first; filter by pool and/or username. */
  list(query?: OutboxQuery): OutboxMessage[];
  /** The newest message for `username` (optionally of one kind), or undefined. */
  latest(username: string, kind?: MessageKind): OutboxMessage | undefined;
  /** The stored message; null when it is held for a CustomMessage trigger (triggers/). */
  deliver(message: Omit<OutboxMessage, "id" | "createdAt">): OutboxMessage | null;
}

export function createOutbox(
  repository: OutboxRepository,
  now: () => number,
  print: (message: OutboxMessage) => void,
): Outbox {
  return {
    list: (query) => repository.list(query),
    latest(username, kind) {
      return repository.list({ username, limit: 50 }).find((m) => kind === undefined || m.kind === kind);
    },
    deliver(message) {
      const stored = repository.add(message, now());
      print(stored);
      return stored;
    },
  };
}

/** Where a code for `user` goes: the email if it has one, else the phone (as Cognito picks). */
export function destinationOf(
  user: User,
  prefer: "email" | "phone_number" | null = null,
): { destination: string; medium: "EMAIL" | "SMS"; attribute: "email" | "phone_number" } | null {
  const email = user.attributes.email;
  const phone = user.attributes.phone_number;
  if (prefer === "phone_number" && phone) return { destination: phone, medium: "SMS", attribute: "phone_number" };
  if (email) return { destination: email, medium: "EMAIL", attribute: "email" };
  if (phone) return { destination: phone, medium: "SMS", attribute: "phone_number" };
  return null;
}

/** Cognito's CodeDeliveryDetails masks the destination: `a***@e***` / `+*******1234`. */
export function maskDestination(destination: string, medium: "EMAIL" | "SMS"): string {
  if (medium === "SMS") return `+*******${destination.slice(-4)}`;
  const [local = "", domain = ""] = destination.split("@");
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}
