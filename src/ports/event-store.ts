/**
 * The event store port. One interface, three adapters (memory, sqlite,
 * eventstoredb), one contract suite (test/adapters/event-store/contract.ts)
 * that every adapter passes unchanged.
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
   * twice by its claim (`AppendCondition.claims`).
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
export type AppendCondition = {
  lastEventId?: string;
  /**
   * The Command-Ids of the commands whose events the append writes (several
   * when a hot stream's commands go as one append), claimed atomically with
   * them: a claim of another command under one of the ids refuses the append.
   */
  claims?: readonly CommandClaim[];
};

/**
 * A `Command-Id` taken for good by the command whose events an append writes:
 * one command of one client, across all its streams, restarts included
 * (CONTRACT: Command-Id). Another command under the id gets
 * `CommandIdReusedError`. The same command again (same fingerprint of name
 * and body), where the claim is written with the events (memory, SQLite),
 * has its events stored already: unless the append is a retry of that one it
 * gets `StoreRejectedError` ("conflict"), nothing written. Where the claim is
 * taken ahead (EventStoreDB, `claimAhead`) it may be held without its events,
 * so the same command may append (its expected revision guards the stream).
 */
export type CommandClaim = {
  clientId: string;
  commandId: string;
  command: string;
  fingerprint: string;
};
/**
 * A command answered without events (a no-op, a claim that found nothing due): its reply, and the
 * log position it was answered at (the stream's last event then), kept with its Command-Id so that
 * a repeat answers the same, whatever the stream holds by then.
 */
export type CommandAnswer = { reply: unknown; position: Position };
/** What a claim was first made for; `answer` when that command wrote nothing. */
export type ClaimedFor = {
  command: string;
  fingerprint: string;
  streamId: string;
  answer?: CommandAnswer | undefined;
};
/**
 * What `answerWithoutEvents` came to: `taken` with this answer; `answered` before, by the same
 * command, with the answer that stands; or `written` when the same command's events are stored
 * (the caller's copy of the stream is behind: it catches up and finds them).
 */
export type AnswerTaken =
  { kind: "taken" } | { kind: "answered"; answer: CommandAnswer } | { kind: "written" };

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
   * (EventStoreDB) ignores it and says false. Every adapter honours its `claims`.
   */
  readonly checksLastEventId: boolean;
  /**
   * Where a claim cannot be written in one transaction with the events
   * (EventStoreDB), the adapter takes it here, ahead of the append that then
   * carries the command's events without it: a writer may claim while an
   * earlier append on the stream is still in flight. A claim without events
   * (a crash between the two) lets the same command append later; events are
   * never written without their claim. Absent where claims are part of the
   * append (memory, SQLite): pass them in `claims` instead.
   */
  claimAhead?(claim: CommandClaim, streamId: string): Promise<void>;
  /**
   * Takes a Command-Id for a command answered without events, with its answer, provided the
   * stream still stands at `revision` (undefined: no stream) as the call is made: the answer was
   * decided on the stream as the store holds it. Throws `ConcurrencyError` when the stream is
   * elsewhere, `CommandIdReusedError` when another command holds the id. The same command's
   * earlier answer wins over this one (see `AnswerTaken`). Memory and SQLite check the revision
   * and take the id in one step; EventStoreDB reads the stream's last revision, then reserves.
   */
  answerWithoutEvents(
    claim: CommandClaim,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<AnswerTaken>;
  /** What a client's Command-Id was first taken for, if it was. */
  claimed(clientId: string, commandId: string): Promise<ClaimedFor | undefined>;
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

/** One of the append's `claims` names a Command-Id already taken by another command of the client (`claim`): nothing was written. */
export class CommandIdReusedError extends Error {
  override readonly name = "CommandIdReusedError";
  constructor(
    readonly claim: CommandClaim,
    readonly first: ClaimedFor,
  ) {
    super(
      `Command-Id ${claim.commandId} of client ${claim.clientId} was first used for ${first.command} on ${first.streamId}`,
    );
  }
}

/**
 * One of the append's `claims` names a Command-Id the same command already took without events (a
 * no-op): nothing was written; the command's reply is `answer`.
 */
export class CommandAnsweredError extends Error {
  override readonly name = "CommandAnsweredError";
  constructor(
    readonly claim: CommandClaim,
    readonly answer: CommandAnswer,
  ) {
    super(
      `Command-Id ${claim.commandId} of client ${claim.clientId} was answered without events already`,
    );
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

export const MAX_APPEND_BYTES = 1024 * 1024;

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
    /** The claim refused, when the refusal is one command's (its Command-Id), not the whole append's. */
    readonly claim?: CommandClaim,
  ) {
    super(message);
  }
}
