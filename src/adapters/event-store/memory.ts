import { randomUUID } from "node:crypto";
import {
  type AppendCondition,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  MAX_APPEND_BYTES,
  type NewEvent,
  type Position,
  type ReadOptions,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
} from "../../ports/event-store.js";
import { AppendSignal, matchesPrefix, type Page, PullSubscription } from "./pull-subscription.js";
import { checkExpected, priorAppend } from "./append-rules.js";
import { checkAppendSize } from "./append-size.js";
import {
  checkReservation,
  checkReservationWithEvents,
  PendingReservations,
  reservationKey,
  standingAnswer,
} from "./reservation-rules.js";
import type {
  CommandAnswer,
  CommandReservations,
  Confirmation,
  Reservation,
  Reserved,
} from "../../ports/command-reservations.js";

const PAGE_SIZE = 1000;

/** The whole log in memory: for unit tests and benchmarks of the core. Position = index in the log + 1. */
export class MemoryEventStore implements EventStore, CommandReservations {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  /** (client, Command-Id) -> what it is held for. */
  private readonly reserved = new Map<string, Reserved>();
  private readonly pending = new PendingReservations();
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly maxAppendBytes = MAX_APPEND_BYTES) {}

  readonly checksLastEventId = true;
  /** A memory store lives and dies with its process: no other process shares it. */
  private readonly id = randomUUID();

  async identity(): Promise<string> {
    return this.id;
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    condition?: AppendCondition,
  ): Promise<AppendResult> {
    checkAppendSize(streamId, events, this.maxAppendBytes);
    const reservations = this.pending.takeFor(streamId, events);
    const stream = this.streams.get(streamId) ?? [];
    const at = (revision: bigint) => stream[Number(revision)];
    const prior = priorAppend(events, expected, stream.at(-1)?.revision, at);
    if (prior !== undefined) {
      // Its own command's retry only under the same fingerprint (the ids, derived from the
      // Command-Id, match for another body too).
      for (const reservation of reservations)
        checkReservation(reservation, this.reserved.get(reservationKey(reservation)));
      return prior;
    }
    checkExpected(
      streamId,
      expected,
      stream.at(-1)?.revision,
      condition,
      (revision) => at(revision)?.eventId,
    );
    // The same rules as the sqlite writer, before writing anything (reservations there are taken
    // one by one, so a repeat within the append counts too).
    const taken = new Map<string, Reserved>();
    for (const reservation of reservations) {
      const key = reservationKey(reservation);
      checkReservationWithEvents(reservation, this.reserved.get(key) ?? taken.get(key));
      taken.set(key, {
        command: reservation.command,
        fingerprint: reservation.fingerprint,
        streamId,
      });
    }
    const ids = events.map((e) => e.eventId || randomUUID());
    const recordedAt = new Date();
    let revision = BigInt(stream.length);
    for (const [i, event] of events.entries()) {
      const recorded: RecordedEvent = {
        streamId,
        revision: revision++,
        position: BigInt(this.log.length + 1),
        type: event.type,
        data: structuredClone(event.data ?? null),
        metadata: structuredClone(event.metadata ?? {}),
        recordedAt,
        eventId: ids[i]!,
      };
      this.log.push(recorded);
      stream.push(recorded);
    }
    this.streams.set(streamId, stream);
    for (const [key, reserved] of taken) this.reserved.set(key, reserved);
    this.signal.notify();
    return { nextRevision: revision - 1n, position: BigInt(this.log.length) };
  }

  /** Checked now, held with the events of the next append that carries them. */
  async reserve(reservation: Reservation, streamId: string): Promise<void> {
    checkReservation(reservation, this.reserved.get(reservationKey(reservation)));
    this.pending.add(reservation, streamId);
  }

  async confirm(
    reservation: Reservation,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<Confirmation> {
    const key = reservationKey(reservation);
    const standing = standingAnswer(reservation, this.reserved.get(key));
    if (standing !== undefined) return standing;
    checkExpected(streamId, revision ?? "no_stream", this.streams.get(streamId)?.at(-1)?.revision);
    this.reserved.set(key, {
      command: reservation.command,
      fingerprint: reservation.fingerprint,
      streamId,
      answer: structuredClone(answer),
    });
    return { kind: "taken" };
  }

  async lookUp(clientId: string, commandId: string): Promise<Reserved | undefined> {
    const first = this.reserved.get(reservationKey({ clientId, commandId }));
    return first && structuredClone(first);
  }

  async *read(streamId: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    const stream = this.streams.get(streamId) ?? [];
    const limit = options.limit ?? Infinity;
    if (options.direction === "backwards") {
      const from =
        options.from === undefined
          ? stream.length - 1
          : Math.min(Number(options.from), stream.length - 1);
      for (let i = from, n = 0; i >= 0 && n < limit; i--, n++) yield stream[i]!;
    } else {
      const from = Number(options.from ?? 0n);
      for (let i = from, n = 0; i < stream.length && n < limit; i++, n++) yield stream[i]!;
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const fetchPage = (after: Position): Page => {
      const events: RecordedEvent[] = [];
      let index = Number(after);
      // Scans at most a page of the log, matching or not, so a filtered catch-up never blocks for
      // long.
      for (const end = Math.min(this.log.length, index + PAGE_SIZE); index < end; index++) {
        const event = this.log[index]!;
        if (matchesPrefix(event.streamId, options.streamPrefixes)) events.push(event);
      }
      return { events, next: BigInt(index) };
    };
    const subscription: Subscription = new PullSubscription({
      from: options.from ?? START,
      fetchPage,
      signal: this.signal,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position> {
    return BigInt(this.log.length);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }
}
