/**
 * Command-Id reservations: a Command-Id names one command of one client, for
 * good (CONTRACT: Command-Id). Each store adapter keeps its reservations beside
 * its events, for the atomicity they need with them; one contract suite
 * (test/adapters/event-store/reservation-contract.ts) holds every adapter to
 * the same rules. The rule of what a repeat, a reuse or a retry is answered
 * lives in one app module (src/app/reservations.ts).
 */
import { type Position, StoreRejectedError } from "./event-store.js";

/** The hold a command takes on its Command-Id: the command is its name and the fingerprint of its body. */
export type Reservation = {
  readonly clientId: string;
  readonly commandId: string;
  readonly command: string;
  readonly fingerprint: string;
};

/**
 * A command answered without events (a no-op, a claim that found nothing
 * due): its reply and the log position it was answered at, kept with its
 * reservation so that a repeat answers the same, whatever the stream holds by then.
 */
export type CommandAnswer = { readonly reply: unknown; readonly position: Position };

/** What a Command-Id is held for; `answer` when that command wrote nothing. */
export type Reserved = {
  readonly command: string;
  readonly fingerprint: string;
  readonly streamId: string;
  readonly answer?: CommandAnswer | undefined;
};

/**
 * What `confirm` came to: `taken` with this answer; `answered` before, by the
 * same command, with the answer that stands; or `written` when the same
 * command's events are stored (the caller's copy of the stream is behind).
 */
export type Confirmation =
  | { readonly kind: "taken" }
  | { readonly kind: "answered"; readonly answer: CommandAnswer }
  | { readonly kind: "written" };

export interface CommandReservations {
  /**
   * Reserves the Command-Id for its command, whose events go to `streamId`
   * next. Where the store has transactions across streams (memory, SQLite)
   * the reservation is written with those events, in the transaction of the
   * next append to `streamId` whose events carry the id in their metadata
   * (`clientId`, `commandId`): all or none. Where it has not (EventStoreDB)
   * it is written now, before the events: a crash between the two leaves a
   * reservation without events, never events without one, and the same
   * command may then append. Rejects (and so does the append, where the
   * reservation goes with it) with CommandIdReusedError, CommandAnsweredError
   * or ReservationLostError.
   */
  reserve(reservation: Reservation, streamId: string): Promise<void>;
  /**
   * Takes the Command-Id for a command answered without events, with its
   * answer, provided `streamId` still stands at `revision` (undefined: no
   * stream): the answer was decided on the stream as the store holds it.
   * Throws ConcurrencyError when the stream is elsewhere, CommandIdReusedError
   * when another command holds the id. Memory and SQLite check the revision
   * and take the id in one step; EventStoreDB reads the stream's last
   * revision, then reserves.
   */
  confirm(
    reservation: Reservation,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<Confirmation>;
  /** What a client's Command-Id is held for, if it is. */
  lookUp(clientId: string, commandId: string): Promise<Reserved | undefined>;
}

/** The Command-Id is held by another command of the client (`first`): nothing was written. */
export class CommandIdReusedError extends Error {
  override readonly name = "CommandIdReusedError";
  constructor(
    readonly reservation: Reservation,
    readonly first: Reserved,
  ) {
    super(
      `Command-Id ${reservation.commandId} of client ${reservation.clientId} was first used for ${first.command} on ${first.streamId}`,
    );
  }
}

/** The same command was answered without events before: nothing was written; its reply is `answer`. */
export class CommandAnsweredError extends Error {
  override readonly name = "CommandAnsweredError";
  constructor(
    readonly reservation: Reservation,
    readonly answer: CommandAnswer,
  ) {
    super(
      `Command-Id ${reservation.commandId} of client ${reservation.clientId} was answered without events already`,
    );
  }
}

/**
 * The reservation was deleted from the store for good (an operator
 * tombstoned it, EventStoreDB): that Command-Id can never be used again, a
 * new one can. A refusal for what the request is, so its 409, never a 503.
 */
export class ReservationLostError extends StoreRejectedError {
  constructor(readonly reservation: Reservation) {
    super(
      "conflict",
      `Command-Id ${reservation.commandId} of client ${reservation.clientId} can no longer be used (its reservation was deleted from the event store); send the command with a new Command-Id`,
    );
  }
}

/** The store's own reservations: every adapter keeps them beside its events (see above). */
export const reservationsOf = (store: object): CommandReservations => {
  const candidate = store as Partial<CommandReservations>;
  if (
    typeof candidate.reserve !== "function" ||
    typeof candidate.confirm !== "function" ||
    typeof candidate.lookUp !== "function"
  )
    throw new TypeError("this event store keeps no Command-Id reservations");
  return store as CommandReservations;
};
