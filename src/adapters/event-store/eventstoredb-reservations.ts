/**
 * Command-Id reservations on EventStoreDB, which has no transaction over two
 * streams: one stream per (client, Command-Id), `command-id-<hash>`, created
 * once (expected: no stream) with the command's name, fingerprint and target
 * stream, before the command's events are appended. A crash between the two
 * leaves a reservation without events, never events without one: the same
 * command retried finds its own reservation and appends (its events are not
 * in the stream, or its expected revision or the stream's index of commands
 * would have answered it as a repeat); another command under the id is
 * refused by the reservation, whether or not the first one's events landed.
 * A command answered without events keeps its answer in the reservation.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  type EventStoreDBClient,
  type JSONType,
  NO_STREAM,
  StreamDeletedError,
  WrongExpectedVersionError,
} from "@eventstore/db-client";
import { ConcurrencyError, type ReadOptions, type RecordedEvent } from "../../ports/event-store.js";
import {
  type CommandAnswer,
  CommandIdReusedError,
  type CommandReservations,
  type Confirmation,
  type Reservation,
  ReservationLostError,
  type Reserved,
} from "../../ports/command-reservations.js";
import { checkReservation } from "./reservation-rules.js";

/** The reservation stream of one client's Command-Id (hashed: a Command-Id may hold any printable character). */
const reservationStream = ({ clientId, commandId }: Pick<Reservation, "clientId" | "commandId">) =>
  `command-id-${createHash("sha256").update(clientId).update("\u0000").update(commandId).digest("hex").slice(0, 40)}`;

/** An answer as JSON (positions are bigints). */
type StoredAnswer = { reply: unknown; position: string };
const storedAnswer = ({ reply, position }: CommandAnswer): StoredAnswer => ({
  reply,
  position: position.toString(),
});
const answerOf = (stored: StoredAnswer | undefined): CommandAnswer | undefined =>
  stored && { reply: stored.reply, position: BigInt(stored.position) };

type Read = (streamId: string, options?: ReadOptions) => AsyncIterable<RecordedEvent>;

export class EventStoreDbReservations implements CommandReservations {
  constructor(
    private readonly client: EventStoreDBClient,
    /** The adapter's read: a reservation deleted for good reads as its refusal. */
    private readonly read: Read,
  ) {}

  /** Written now, ahead of the append that will carry the command's events. */
  async reserve(reservation: Reservation, streamId: string): Promise<void> {
    checkReservation(reservation, await this.create(reservation, streamId, undefined));
  }

  /**
   * The stream's last revision is read first, then the Command-Id reserved
   * with the answer. The same command's reservation without an answer (taken
   * ahead of events that never came: the stream stands where the answer was
   * decided, without them) gets this answer as its second event.
   */
  async confirm(
    reservation: Reservation,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<Confirmation> {
    const head = await this.lastRevisionOf(streamId);
    if (head !== revision)
      throw new ConcurrencyError(streamId, revision ?? "no_stream", head ?? "no_stream");
    const first = await this.create(reservation, streamId, answer);
    if (first === undefined) return { kind: "taken" };
    if (first.fingerprint !== reservation.fingerprint)
      throw new CommandIdReusedError(reservation, first);
    if (first.answer !== undefined) return { kind: "answered", answer: first.answer };
    try {
      await this.append(reservation, "CommandIdAnswered", storedAnswer(answer), 0n);
      return { kind: "taken" };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const answered = (await this.lookUp(reservation.clientId, reservation.commandId))?.answer;
      return answered === undefined ? { kind: "written" } : { kind: "answered", answer: answered };
    }
  }

  /** The reservation's first event (what it was taken for), with the answer of its second, if any. */
  async lookUp(clientId: string, commandId: string): Promise<Reserved | undefined> {
    // Read to the end before judging: leaving the read early cancels its call, and a cancelled call
    // can hold up the client's dispose.
    const events: RecordedEvent[] = [];
    for await (const event of this.read(reservationStream({ clientId, commandId }), { limit: 2 }))
      events.push(event);
    const [reserved, answered] = events;
    if (reserved === undefined) return undefined;
    const data = reserved.data as Omit<Reserved, "answer"> & { answer?: StoredAnswer };
    return {
      command: data.command,
      fingerprint: data.fingerprint,
      streamId: data.streamId,
      answer: answerOf(data.answer ?? (answered?.data as StoredAnswer | undefined)),
    };
  }

  /**
   * Creates the reservation stream (expected: no stream), with the answer of
   * a command answered without events; resolves undefined when this call made
   * it, or with what the reservation there holds.
   */
  private async create(
    reservation: Reservation,
    streamId: string,
    answer: CommandAnswer | undefined,
  ): Promise<Reserved | undefined> {
    const { clientId, commandId, command, fingerprint } = reservation;
    const data = {
      ...{ clientId, commandId, command, fingerprint, streamId },
      ...(answer === undefined ? {} : { answer: storedAnswer(answer) }),
    };
    try {
      await this.append(reservation, "CommandIdReserved", data, NO_STREAM);
      return undefined;
    } catch (error) {
      // An operator deleted the reservation: the Command-Id can never be reserved again, but a new
      // one can.
      if (error instanceof StreamDeletedError) throw new ReservationLostError(reservation);
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    return this.lookUp(clientId, commandId);
  }

  private async append(
    reservation: Reservation,
    type: string,
    data: JSONType,
    expectedRevision: bigint | typeof NO_STREAM,
  ): Promise<void> {
    await this.client.appendToStream(
      reservationStream(reservation),
      [
        {
          id: randomUUID(),
          contentType: "application/json",
          type,
          data,
          metadata: { clientId: reservation.clientId },
        },
      ],
      { expectedRevision },
    );
  }

  private async lastRevisionOf(streamId: string): Promise<bigint | undefined> {
    let last: bigint | undefined;
    for await (const event of this.read(streamId, { direction: "backwards", limit: 1 }))
      last = event.revision;
    return last;
  }
}
