/**
 * The event store port: append, read, subscribe, head and identity. One
 * interface, three adapters (memory, sqlite, eventstoredb), one contract
 * suite (test/adapters/event-store/contract.ts) that every adapter passes
 * unchanged. The one atomicity beyond a stream that the service needs, a
 * Command-Id's reservation written with its command's events, is stated in
 * command-reservations.ts: where a store can, its `append` writes the
 * reservations made for the events it carries.
 */

/** `no_stream`: the stream must not exist; `any`: no check; a bigint: the stream's current last revision. */
export type ExpectedRevision = "no_stream" | "any" | bigint;

/**
 * A position in the global log. Strictly increasing in log order; adapters
 * choose the encoding (sqlite: the autoincrement row id; eventstoredb: an
 * ordered packing of commit and prepare positions). 0n means "before the first event".
 */
export type Position = bigint;
export const START: Position = 0n;

export type EventMetadata = {
  /** Idempotency key of the command that caused the event (the `Command-Id` header). */
  commandId?: string;
  correlationId?: string;
  causationId?: string;
  clientId?: string;
  traceparent?: string;
  [key: string]: unknown;
};

export type NewEvent = {
  /**
   * A UUID. A retried append of the same ids at the place its expected
   * revision names is acknowledged with the original result, not written
   * again (for `any`, where the adapter can: the embedded ones when it was the
   * stream's last append). Ids are not checked for uniqueness across streams,
   * as EventStoreDB does not; a command's events are kept from being stored
   * twice by its Command-Id's reservation (command-reservations.ts).
   */
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

export type RecordedEvent = {
  streamId: string;
  /** 0-based revision of the event in its stream. */
  revision: bigint;
  position: Position;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: Date;
  eventId: string;
};

export type AppendResult = {
  /** Revision of the last event written (the stream's new current revision). */
  nextRevision: bigint;
  /** Global position of the last event written. */
  position: Position;
};

export type ReadOptions = {
  /** Inclusive start revision; defaults to the first event (forwards) or the last (backwards). */
  from?: bigint;
  direction?: "forwards" | "backwards";
  limit?: number;
};

export type SubscribeOptions = {
  /** Exclusive: the first event delivered is the one after this position. */
  from?: Position;
  /** Only streams whose id starts with one of these (e.g. `campaign-`). All streams when absent. */
  streamPrefixes?: readonly string[];
};

/** The global log, catching up from a position and then following live. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration; pending `next()` calls resolve as done. */
  close(): Promise<void>;
}

/**
 * A stricter expectation for an exact revision: the event at that revision
 * must be this one. It lets a writer send an append decided on top of its own
 * append still in flight: should that one fail, this one fails too, even if
 * another writer's events have taken the same revisions.
 */
export type AppendCondition = { lastEventId?: string };

export interface EventStore {
  /**
   * Appends all events atomically, or none. Throws `ConcurrencyError` when
   * `expected` (or, where the adapter checks it, `condition`) does not hold.
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    condition?: AppendCondition,
  ): Promise<AppendResult>;
  /**
   * Whether `append` checks an AppendCondition's `lastEventId`; an adapter that cannot
   * (EventStoreDB) ignores it and says false.
   */
  readonly checksLastEventId: boolean;
  /** Reads one stream; a stream that does not exist reads as empty, one deleted for good (EventStoreDB's tombstone) throws `StoreRejectedError`. */
  read(streamId: string, options?: ReadOptions): AsyncIterable<RecordedEvent>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** Position of the last event in the global log (START when empty). */
  headPosition(): Promise<Position>;
  /**
   * This store's id, written in the store when first asked for and the same
   * ever after, for every process that opens it: instances on one NATS
   * compare it, so that a second store is refused (never part of the log).
   */
  identity(): Promise<string>;
  close(): Promise<void>;
}

export class ConcurrencyError extends Error {
  override readonly name = "ConcurrencyError";
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | "no_stream",
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`);
  }
}

/** An append the store would refuse for its size (EventStoreDB's MaxAppendSize, 1 MiB by default). */
export class AppendTooLargeError extends Error {
  override readonly name = "AppendTooLargeError";
  constructor(
    readonly streamId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`append to ${streamId} is ${bytes} bytes, over the limit of ${limit}`);
  }
}

/** The limit AppendTooLargeError speaks of, and how an append is measured against it. */
export { MAX_APPEND_BYTES, appendBytes } from "../domain/append-size.js";

/**
 * An append (or read) the store refuses for what it is, not for the moment
 * (the events of a command already stored, a constraint, a stream deleted for
 * good): a retry would be refused the same way, so it is answered as its 4xx
 * (`code`), never 503.
 */
export class StoreRejectedError extends Error {
  override readonly name = "StoreRejectedError";
  constructor(
    readonly code: "conflict" | "rule_violated",
    message: string,
  ) {
    super(message);
  }
}
