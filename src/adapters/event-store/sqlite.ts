import { randomUUID } from "node:crypto";
import { BroadcastChannel } from "node:worker_threads";
import { resolve as resolvePath } from "node:path";
import type Database from "better-sqlite3";
import {
  type AppendCondition,
  type AppendResult,
  AppendTooLargeError,
  ConcurrencyError,
  StoreRejectedError,
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
import { type CommittedEvent, RecentEvents } from "./recent-events.js";
import { openEventsFile } from "./sqlite-schema.js";
import {
  type CommandAnswer,
  CommandAnsweredError,
  CommandIdReusedError,
  type CommandReservations,
  type Confirmation,
  type Reservation,
  type Reserved,
} from "../../ports/command-reservations.js";
import { checkReservation, PendingReservations } from "./reservation-rules.js";
import {
  RESERVED_SQL,
  reservedFrom,
  type SerialisedEvent,
  type WireAppend,
  type WireError,
  type WireOutcome,
  type Written,
} from "./sqlite-writer.js";
import { WriterLink } from "./sqlite-writer-link.js";
import { storedSize } from "../../domain/append-size.js";

const PAGE_SIZE = 1000;
/** How often a subscription looks for appends made by another process on the same file. */
const POLL_MS = 200;

type Row = {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: bigint;
};
type Waiting = {
  /** With the append's result, or for an answer without events its confirmation. */
  resolve: (r: AppendResult | Confirmation) => void;
  reject: (e: unknown) => void;
  streamId: string;
  events: readonly NewEvent[];
  serialised: SerialisedEvent[];
};

/**
 * The embedded store: one SQLite file, WAL, synchronous=FULL (an acknowledged
 * append survives a power cut). Appends go to a writer thread
 * (sqlite-writer.ts) that commits all that have arrived as one transaction
 * (group commit: one fsync for many commands), each checked against its own
 * expected revision and failing alone; each append resolves only after its
 * commit. Events are serialised once, here. Reads and subscriptions use this
 * thread's own connection (WAL readers do not wait for the writer).
 * A retry of an append already written (the same event ids where `expected`
 * names) is acknowledged with its original result, as EventStoreDB does; as
 * there, event ids are not checked for uniqueness across streams, but a
 * command whose reservation is held (its events stored) cannot append its
 * events again (sqlite-writer.ts). Reservations are written by the writer in
 * the transaction of the events that carry their Command-Id. Subscriptions are woken by
 * the appends of every store on the file in this process (any thread, through
 * a BroadcastChannel named by the file) and also poll, to see other processes' writes.
 * The events committed in this process travel with that notice and are kept
 * for a while (recent-events.ts): a live subscription is fed the appended
 * events instead of reading back and parsing what was just written.
 */
export class SqliteEventStore implements EventStore, CommandReservations {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  /** Commits on this file by any store in this process: the projections may run in another thread. */
  private readonly commits: BroadcastChannel;
  private readonly subscriptions = new Set<Subscription>();
  private readonly recent = new RecentEvents();
  /** Absent for a store that only reads (the consumers thread's): no writer thread it would never use. */
  private readonly writer: WriterLink | undefined;
  private readonly waiting = new Map<number, Waiting>();
  /** Reservations waiting for the append that carries their events. */
  private readonly reservations = new PendingReservations();
  private pending: WireAppend[] = [];
  private nextId = 1;
  private readonly statements;
  private closed = false;
  /** Set once the writer thread has died: every append since fails with it. */
  private broken: Error | undefined;

  constructor(
    file: string,
    private readonly maxAppendBytes = MAX_APPEND_BYTES,
    { appends = true }: { appends?: boolean } = {},
  ) {
    this.db = openEventsFile(file); // creates the schema before the writer opens the file
    this.commits = new BroadcastChannel(`campaign-service:sqlite-commits:${resolvePath(file)}`);
    this.commits.onmessage = (message) => {
      this.recent.add((message as { data: CommittedEvent[] }).data);
      this.signal.notify();
    };
    this.commits.unref();
    const select =
      "SELECT position, stream_id, revision, event_id, type, data, metadata, recorded_at FROM events";
    this.statements = {
      forwards: this.db
        .prepare<[string, bigint, number], Row>(
          `${select} WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
        )
        .safeIntegers(true),
      backwards: this.db
        .prepare<[string, bigint, number], Row>(
          `${select} WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
        )
        .safeIntegers(true),
      after: this.db
        .prepare<[bigint, number], Row>(`${select} WHERE position > ? ORDER BY position LIMIT ?`)
        .safeIntegers(true),
      head: this.db
        .prepare<[], { head: bigint | null }>("SELECT max(position) AS head FROM events")
        .safeIntegers(true),
      reserved: this.db.prepare<
        [string, string],
        { command: string; fingerprint: string; streamId: string; answer: string | null }
      >(RESERVED_SQL),
    };
    this.writer = appends
      ? new WriterLink(
          file,
          (outcomes) => this.settle(outcomes),
          (error) => this.fail(error),
        )
      : undefined;
  }

  readonly checksLastEventId = true;

  append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    condition?: AppendCondition,
  ): Promise<AppendResult> {
    if (events.length === 0)
      return Promise.reject(new RangeError(`append to ${streamId} has no events`));
    const { serialised, bytes } = serialise(events);
    if (bytes > this.maxAppendBytes)
      return Promise.reject(new AppendTooLargeError(streamId, bytes, this.maxAppendBytes));
    return this.toWriter<AppendResult>(events, serialised, {
      streamId,
      expected,
      lastEventId: condition?.lastEventId,
      reservations: this.reservations.takeFor(streamId, events),
      events: serialised,
    });
  }

  /** Checked now (the writer checks again), written by the writer with the events that carry it. */
  async reserve(reservation: Reservation, streamId: string): Promise<void> {
    // Settled at once (a synchronous read), so the append that follows keeps its place in line.
    const { clientId, commandId } = reservation;
    checkReservation(reservation, reservedFrom(this.statements.reserved.get(clientId, commandId)));
    this.reservations.add(reservation, streamId);
  }

  /** Checked and taken by the writer, in its transaction, like an append without events. */
  confirm(
    reservation: Reservation,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<Confirmation> {
    return this.toWriter<Confirmation>([], [], {
      streamId,
      expected: revision ?? "no_stream",
      lastEventId: undefined,
      reservations: [reservation],
      events: [],
      answer,
    });
  }

  async lookUp(clientId: string, commandId: string): Promise<Reserved | undefined> {
    return reservedFrom(this.statements.reserved.get(clientId, commandId));
  }

  /** Queues one request for the writer's next group; settles once the writer has answered it. */
  private toWriter<T extends AppendResult | Confirmation>(
    events: readonly NewEvent[],
    serialised: SerialisedEvent[],
    append: Omit<WireAppend, "id">,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closed || this.broken || !this.writer) {
        reject(
          this.broken ??
            new Error(this.writer ? "event store is closed" : "this event store only reads"),
        );
        return;
      }
      const id = this.nextId++;
      this.waiting.set(id, {
        resolve: resolve as (r: AppendResult | Confirmation) => void,
        reject,
        streamId: append.streamId,
        events,
        serialised,
      });
      // Appends made in one tick travel together; those made while the writer commits wait for its
      // next group.
      if (this.pending.push({ id, ...append }) === 1) setImmediate(() => this.send());
    });
  }

  private send(): void {
    const appends = this.pending;
    this.pending = [];
    if (appends.length === 0) return;
    this.writer?.send(appends);
  }

  private settle(outcomes: WireOutcome[]): void {
    const committed: CommittedEvent[] = [];
    for (const outcome of outcomes) {
      const waiting = this.waiting.get(outcome.id);
      if (!waiting) continue;
      this.waiting.delete(outcome.id);
      if ("error" in outcome) waiting.reject(fromWire(outcome.error));
      else if ("confirmed" in outcome) waiting.resolve(outcome.confirmed);
      else {
        if (outcome.written)
          committedEvents(waiting, outcome.result.nextRevision, outcome.written, committed);
        waiting.resolve(outcome.result);
      }
    }
    if (this.waiting.size === 0 && this.pending.length === 0) this.writer?.idle();
    this.recent.add(committed);
    this.signal.notify();
    // Once closing, the channel may already be closed: other threads' polls see the rest.
    if (!this.closed) this.commits.postMessage(committed.map(withoutValues));
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const waiting of this.waiting.values()) waiting.reject(this.broken);
    this.waiting.clear();
  }

  async *read(streamId: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.limit ?? Infinity;
    const backwards = options.direction === "backwards";
    let from = options.from ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    while (remaining > 0) {
      const size = Math.min(PAGE_SIZE, remaining);
      const rows = (backwards ? this.statements.backwards : this.statements.forwards).all(
        streamId,
        from,
        size,
      );
      for (const row of rows) yield toRecorded(row);
      if (rows.length < size) return;
      remaining -= rows.length;
      from = rows.at(-1)!.revision + (backwards ? -1n : 1n);
      if (from < 0n) return;
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const fetchPage = (after: Position): Page => {
      const recent = this.recent.page(after, PAGE_SIZE, options.streamPrefixes);
      if (recent !== undefined) return recent;
      const rows = this.statements.after.all(after, PAGE_SIZE);
      const events = rows
        .filter((row) => matchesPrefix(row.stream_id, options.streamPrefixes))
        .map(toRecorded);
      return { events, next: rows.at(-1)?.position ?? after };
    };
    const subscription: Subscription = new PullSubscription({
      from: options.from ?? START,
      fetchPage,
      signal: this.signal,
      pollIntervalMs: POLL_MS,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async identity(): Promise<string> {
    // One statement: of two processes opening a new file at once, one inserts and both read its id.
    this.db
      .prepare(
        "INSERT INTO store_identity (id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM store_identity)",
      )
      .run(randomUUID());
    return (this.db.prepare("SELECT id FROM store_identity LIMIT 1").get() as { id: string }).id;
  }

  async headPosition(): Promise<Position> {
    return this.statements.head.get()?.head ?? START;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    // Appends already accepted are written, not dropped: the writer commits them before it closes.
    this.send();
    const answered = [...this.waiting.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          const { resolve: ok, reject: failed } = w;
          w.resolve = (r) => (ok(r), resolve());
          w.reject = (e) => (failed(e), resolve());
        }),
    );
    await (this.writer ? this.writer.close(Promise.all(answered)) : Promise.all(answered));
    this.commits.close();
    this.db.close();
  }
}

/** Each event's data and metadata as JSON, once: the size check and the writer both use it. */
function serialise(events: readonly NewEvent[]): { serialised: SerialisedEvent[]; bytes: number } {
  let bytes = 0;
  const serialised = events.map((event) => {
    const data = JSON.stringify(event.data ?? null);
    const metadata = JSON.stringify(event.metadata ?? {});
    bytes += storedSize(event.type, data, metadata);
    return { eventId: event.eventId || randomUUID(), type: event.type, data, metadata };
  });
  return { serialised, bytes };
}

/** A written append's events as committed, with the values they were serialised from. */
function committedEvents(
  { streamId, events, serialised }: Waiting,
  lastRevision: bigint,
  { first, recordedAt }: Written,
  into: CommittedEvent[],
): void {
  const firstRevision = lastRevision - BigInt(events.length - 1);
  for (const [i, event] of serialised.entries()) {
    const values = { data: events[i]!.data ?? null, metadata: events[i]!.metadata ?? {} };
    into.push({
      position: first + BigInt(i),
      streamId,
      revision: firstRevision + BigInt(i),
      eventId: event.eventId,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt,
      decoded: values,
    });
  }
}

/** Another thread gets the JSON, not this thread's values (they would be cloned, and are this thread's to share). */
const withoutValues = ({ decoded: _, ...event }: CommittedEvent): CommittedEvent => event;

const fromWire = (error: WireError): Error =>
  error.kind === "concurrency"
    ? new ConcurrencyError(error.streamId, error.expected, error.actual)
    : error.kind === "rejected"
      ? new StoreRejectedError(error.code, error.message)
      : error.kind === "command_id_reused"
        ? new CommandIdReusedError(error.reservation, error.first)
        : error.kind === "answered"
          ? new CommandAnsweredError(error.reservation, error.answer)
          : new Error(error.message);

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as RecordedEvent["metadata"],
  recordedAt: new Date(Number(row.recorded_at)),
  eventId: row.event_id,
});
