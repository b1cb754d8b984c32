/**
 * The Command-Id reservation rules the adapters apply before writing, and
 * the reservations that memory and SQLite hold until the append that carries
 * their command's events (command-reservations.ts).
 */
import type { NewEvent } from "../../ports/event-store.js";
import {
  CommandAnsweredError,
  CommandIdReusedError,
  type Confirmation,
  type Reservation,
  type Reserved,
} from "../../ports/command-reservations.js";
import { StoreRejectedError } from "../../ports/event-store.js";

/**
 * Every adapter's rule before writing: a Command-Id held by another command
 * (another fingerprint) refuses it, and so does one the same command took with
 * an answer and no events (its repeat is answered the same). The same command
 * again passes otherwise: where the reservation is taken ahead of the events
 * (EventStoreDB) it may be held without them, and the expected revision
 * refuses an append of events already in the stream.
 */
export function checkReservation(reservation: Reservation, first: Reserved | undefined): void {
  if (first === undefined) return;
  if (first.fingerprint !== reservation.fingerprint)
    throw new CommandIdReusedError(reservation, first);
  if (first.answer !== undefined) throw new CommandAnsweredError(reservation, first.answer);
}

/**
 * Where reservations are written in one transaction with their events
 * (memory, SQLite), one held means its command's events are stored: besides
 * checkReservation's refusals, the same command again, not recognised as a
 * retry of its own append (priorAppend), would store its events twice.
 */
export function checkReservationWithEvents(
  reservation: Reservation,
  first: Reserved | undefined,
): void {
  checkReservation(reservation, first);
  if (first !== undefined)
    throw new StoreRejectedError(
      "conflict",
      `Command-Id ${reservation.commandId} of client ${reservation.clientId} already has its events in ${first.streamId}`,
    );
}

/**
 * What stands for a Command-Id about to be confirmed with an answer, where
 * the store holds it already: another command's refuses it, the same
 * command's earlier answer (or its events) wins. Undefined: the id is free.
 */
export function standingAnswer(
  reservation: Reservation,
  first: Reserved | undefined,
): Confirmation | undefined {
  if (first === undefined) return undefined;
  if (first.fingerprint !== reservation.fingerprint)
    throw new CommandIdReusedError(reservation, first);
  return first.answer === undefined
    ? { kind: "written" }
    : { kind: "answered", answer: first.answer };
}

/** The key of a Command-Id: it is only ever its own client's. */
export const reservationKey = ({
  clientId,
  commandId,
}: Pick<Reservation, "clientId" | "commandId">) => `${clientId}\u0000${commandId}`;

/**
 * Reservations made for events not yet appended (memory, SQLite): the next
 * append to their stream whose events carry their Command-Id takes them, into
 * its transaction. Taken whatever the append comes to: a command whose append
 * failed reserves again when it is decided again.
 */
export class PendingReservations {
  private readonly pending = new Map<string, { reservation: Reservation; streamId: string }>();

  add(reservation: Reservation, streamId: string): void {
    this.pending.set(reservationKey(reservation), { reservation, streamId });
  }

  takeFor(streamId: string, events: readonly NewEvent[]): Reservation[] {
    const taken: Reservation[] = [];
    for (const { metadata } of events) {
      if (typeof metadata.clientId !== "string" || typeof metadata.commandId !== "string") continue;
      const key = reservationKey({ clientId: metadata.clientId, commandId: metadata.commandId });
      const pending = this.pending.get(key);
      if (pending === undefined || pending.streamId !== streamId) continue;
      this.pending.delete(key);
      taken.push(pending.reservation);
    }
    return taken;
  }
}
