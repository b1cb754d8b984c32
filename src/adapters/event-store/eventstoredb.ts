/**
 * The production event store adapter: EventStoreDB through `@eventstore/db-client` 6.x.
 *
 * - Streams are passed through unchanged (`campaign-<id>`, `client-<clientId>`).
 * - Events are JSON; the port's `correlationId` / `causationId` travel as
 *   EventStoreDB's own `$correlationId` / `$causationId` metadata and are mapped
 *   back on read, so the port's metadata round-trips.
 * - The port's `Position` packs EventStoreDB's `{ commit, prepare }` pair into
 *   one ordered bigint: `(commit << 64n) | prepare` (both are u64).
 * - Appends over `MAX_APPEND_BYTES` (measured as `checkAppendSize` does for
 *   every adapter) are refused before anything is sent.
 * - A stream an operator tombstoned refuses every append and read for good:
 *   `StoreRejectedError` ("conflict"), never a failure a retry could mend.
 * - `subscribe()` is a catch-up subscription to `$all` (stream-prefix filter)
 *   that resubscribes with backoff from the last delivered position whenever
 *   the subscription drops: the client does not resubscribe by itself.
 *
 * Tested against an in-process protocol double (test/support/eventstoredb-double.ts)
 * and, when `EVENTSTORE_CONNECTION_STRING` is set, against a real server.
 */
import { randomUUID } from "node:crypto";
import { backoffDelay, pause } from "../../lib/retry.js";
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START as ESDB_START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventData,
  type JSONType,
  type Position as EsdbPosition,
  type ResolvedEvent,
} from "@eventstore/db-client";
import {
  AppendTooLargeError,
  type AppendCondition,
  appendBytes,
  ConcurrencyError,
  MAX_APPEND_BYTES,
  START,
  StoreRejectedError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from "../../ports/event-store.js";
import type {
  CommandAnswer,
  CommandReservations,
  Confirmation,
  Reservation,
  Reserved,
} from "../../ports/command-reservations.js";
import { checkAppendSize } from "./append-size.js";
import { EventStoreDbReservations } from "./eventstoredb-reservations.js";

const U64 = (1n << 64n) - 1n;

/**
 * A stream an operator deleted for good (tombstoned): EventStoreDB refuses
 * every append to it and every read of it ever after, so a retry cannot mend
 * it. The same words whoever owned it, as the stream's owner is gone with it.
 */
const deletedStream = (streamId: string): StoreRejectedError =>
  new StoreRejectedError(
    "conflict",
    `${streamId} was deleted from the event store for good: it can be neither read nor written again`,
  );

/** Packs EventStoreDB's `{ commit, prepare }` into one bigint that sorts in log order. */
export function encodePosition(position: EsdbPosition): Position {
  return (position.commit << 64n) | position.prepare;
}

/** The inverse of `encodePosition`. */
export function decodePosition(position: Position): EsdbPosition {
  return { commit: position >> 64n, prepare: position & U64 };
}

const STABLE_SUBSCRIPTION_MS = 5_000;

export type EventStoreDbOptions = {
  /** Backoff between resubscription attempts after a subscription drops. */
  resubscribe?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Told about every dropped subscription before the adapter resubscribes (for logging). */
  onSubscriptionDropped?: (info: {
    error: unknown;
    attempt: number;
    delayMs: number;
    resumeFrom: Position;
  }) => void;
};

/** Metadata as it is written to EventStoreDB. */
type WireMetadata = Record<string, unknown> & { $correlationId?: unknown; $causationId?: unknown };

function toWireMetadata(metadata: EventMetadata): WireMetadata {
  const { correlationId, causationId, ...rest } = metadata ?? {};
  const wire: WireMetadata = { ...rest };
  if (correlationId !== undefined) wire.$correlationId = correlationId;
  if (causationId !== undefined) wire.$causationId = causationId;
  return wire;
}

function fromWireMetadata(raw: unknown): EventMetadata {
  if (raw === null || typeof raw !== "object" || raw instanceof Uint8Array || Array.isArray(raw))
    return {};
  const { $correlationId, $causationId, ...rest } = raw as WireMetadata;
  const metadata: EventMetadata = { ...rest };
  if (typeof $correlationId === "string") metadata.correlationId = $correlationId;
  if (typeof $causationId === "string") metadata.causationId = $causationId;
  return metadata;
}

/**
 * A `$`-prefixed stream and event type: EventStoreDB's system events, which
 * the port's log (subscriptions, headPosition) leaves out.
 */
const isSystem = (streamId: string, type: string): boolean =>
  streamId.startsWith("$") || type.startsWith("$");

type Recorded = NonNullable<ResolvedEvent["event"]>;

function toRecordedEvent(event: Recorded): RecordedEvent {
  let position: Position = START;
  if (event.position !== undefined) {
    const { commit, prepare } = event.position;
    // Servers that read a stream from the index do not know the commit position
    // and send u64::MAX; the prepare position is the event's own log position,
    // which equals the commit position for single-event writes.
    position = encodePosition(commit === U64 ? { commit: prepare, prepare } : { commit, prepare });
  }
  let data: unknown = event.data;
  if (!event.isJson && event.data instanceof Uint8Array) {
    const text = Buffer.from(event.data).toString("utf8");
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  return {
    streamId: event.streamId,
    revision: event.revision,
    position,
    type: event.type,
    data,
    metadata: fromWireMetadata(event.metadata),
    recordedAt: event.created,
    eventId: event.id,
  };
}

const IDENTITY_STREAM = "$campaigns-store-identity";

export class EventStoreDbEventStore implements EventStore, CommandReservations {
  private readonly client: EventStoreDBClient;
  /** A stream per reservation, written ahead of the events (no transaction spans two streams). */
  private readonly reservations: EventStoreDbReservations;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  private closed = false;
  /** EventStoreDB checks only the revision: writers wait for their previous append before sending the next. */
  readonly checksLastEventId = false;

  /** @param connectionString e.g. `esdb://localhost:2113?tls=false` */
  constructor(
    connectionString: string,
    private readonly options: EventStoreDbOptions = {},
  ) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.reservations = new EventStoreDbReservations(this.client, (streamId, options) =>
      this.read(streamId, options),
    );
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    _condition?: AppendCondition,
  ): Promise<AppendResult> {
    // The same measure as the embedded adapters, so one batch is accepted or refused alike
    // everywhere.
    checkAppendSize(streamId, events, MAX_APPEND_BYTES);
    const proposed: EventData[] = events.map((e) => ({
      id: e.eventId || randomUUID(),
      contentType: "application/json",
      type: e.type,
      data: (e.data ?? null) as JSONType,
      metadata: toWireMetadata(e.metadata) as JSONType,
    }));

    const expectedRevision =
      expected === "no_stream" ? NO_STREAM : expected === "any" ? ANY : expected;
    try {
      const result = await this.client.appendToStream(streamId, proposed, { expectedRevision });
      const position =
        result.position !== undefined
          ? encodePosition(result.position)
          : await this.lastPositionOf(streamId);
      return { nextRevision: result.nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new ConcurrencyError(
          streamId,
          expected,
          typeof actual === "bigint" ? actual : "no_stream",
        );
      }
      if (error instanceof MaxAppendSizeExceededError) {
        // The server's limit is smaller than ours: report what we would have counted.
        throw new AppendTooLargeError(streamId, appendBytes(events), error.maxAppendSize);
      }
      if (error instanceof StreamDeletedError) throw deletedStream(streamId);
      throw error;
    }
  }

  async *read(streamId: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    const direction = options.direction ?? "forwards";
    if (options.limit !== undefined && options.limit <= 0) return;
    const stream = this.client.readStream(streamId, {
      direction: direction === "forwards" ? FORWARDS : BACKWARDS,
      fromRevision: options.from ?? (direction === "forwards" ? ESDB_START : END),
      maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
    });
    let finished = false;
    try {
      for await (const resolved of stream as AsyncIterable<ResolvedEvent>) {
        if (resolved.event !== undefined) yield toRecordedEvent(resolved.event);
      }
      finished = true;
    } catch (error) {
      if (error instanceof StreamNotFoundError) {
        finished = true;
        return;
      }
      if (error instanceof StreamDeletedError) {
        finished = true; // the server ended the call
        throw deletedStream(streamId);
      }
      throw error;
    } finally {
      // The consumer stopped early: end the call instead of leaving it open.
      if (!finished) await stream.cancel().catch(() => undefined);
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new Error("event store is closed");
    const subscription = new EventStoreDbSubscription(this.client, options, this.options, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Written once, in a `$`-prefixed stream the port's log leaves out (see isSystem). */
  async identity(): Promise<string> {
    for (;;) {
      for await (const event of this.read(IDENTITY_STREAM, { limit: 1 }))
        return String((event.data as { storeId: unknown }).storeId);
      try {
        await this.append(
          IDENTITY_STREAM,
          [
            {
              eventId: randomUUID(),
              type: IDENTITY_STREAM,
              data: { storeId: randomUUID() },
              metadata: {},
            },
          ],
          "no_stream",
        );
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error; // another process wrote it first: read theirs
      }
    }
  }

  async headPosition(): Promise<Position> {
    // The newest non-system event of $all. Reading backwards stops at the first
    // one; system events ($stats-..., $metadata, ...) are skipped on the way.
    const stream = this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: Number.MAX_SAFE_INTEGER,
    });
    let finished = false;
    try {
      for await (const resolved of stream as AsyncIterable<AllStreamResolvedEvent>) {
        const event = resolved.event;
        if (event === undefined || isSystem(event.streamId, event.type)) continue;
        return encodePosition(event.position);
      }
      finished = true;
      return START;
    } finally {
      if (!finished) await stream.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  reserve(reservation: Reservation, streamId: string): Promise<void> {
    return this.reservations.reserve(reservation, streamId);
  }

  confirm(
    reservation: Reservation,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<Confirmation> {
    return this.reservations.confirm(reservation, streamId, revision, answer);
  }

  lookUp(clientId: string, commandId: string): Promise<Reserved | undefined> {
    return this.reservations.lookUp(clientId, commandId);
  }

  /** Only for servers that acknowledge an append without its position. */
  private async lastPositionOf(streamId: string): Promise<Position> {
    for await (const event of this.read(streamId, { direction: "backwards", limit: 1 }))
      return event.position;
    return START;
  }
}

/**
 * A pull-style view of a catch-up subscription to `$all`. The client's
 * subscription is a Node stream read through its async iterator, so gRPC flow
 * control holds the server back while the consumer is busy: at most the
 * stream's high-water mark is buffered. When the subscription fails, the
 * adapter resubscribes from the position of the last event it handed out
 * (exclusive), so nothing is lost or repeated.
 */
export class EventStoreDbSubscription implements Subscription {
  private cursor: Position;
  private closed = false;
  private current: AllStreamSubscription | undefined;
  /** Aborted by close(): ends a backoff wait at once. */
  private readonly closing = new AbortController();
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;
  private caughtUpOnce = false;
  private resubscriptions = 0;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly settings: EventStoreDbOptions,
    private readonly onClose: () => void,
  ) {
    this.cursor = options.from ?? START;
    this.iterator = this.run();
  }

  /** True once the server has reported the end of the catch-up phase (EventStoreDB 23.10+). */
  get caughtUp(): boolean {
    return this.caughtUpOnce;
  }

  /** How many times the subscription was re-established after a drop. */
  get resubscribed(): number {
    return this.resubscriptions;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    const current = this.current;
    if (current !== undefined) {
      // Destroying the stream ends a pending next(); unsubscribe cancels the call.
      current.destroy();
      await current.unsubscribe().catch(() => undefined);
    }
    await this.iterator.return(undefined);
    this.onClose();
  }

  private filter() {
    const prefixes = this.options.streamPrefixes;
    if (prefixes !== undefined && prefixes.length > 0)
      return streamNameFilter({ prefixes: [...prefixes] });
    // "All streams" means all of ours: EventStoreDB's own events ($...) are not part of the port's
    // log.
    return excludeSystemEvents();
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    const prefixes = this.options.streamPrefixes;
    let attempt = 0;
    while (!this.closed) {
      const subscription = this.client.subscribeToAll({
        fromPosition: this.cursor === START ? ESDB_START : decodePosition(this.cursor),
        filter: this.filter(),
        resolveLinkTos: false,
      });
      this.current = subscription;
      // Errors reach us through the iterator; this keeps a late one from being unhandled.
      subscription.on("error", () => undefined);
      subscription.on("caughtUp", () => {
        this.caughtUpOnce = true;
      });
      const began = Date.now();
      let delivered = false;
      let failure: unknown = new Error("subscription ended by the server");
      try {
        for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
          const event = resolved.event;
          if (event === undefined || isSystem(event.streamId, event.type)) continue;
          if (
            prefixes !== undefined &&
            prefixes.length > 0 &&
            !prefixes.some((p) => event.streamId.startsWith(p))
          ) {
            continue;
          }
          const recorded = toRecordedEvent(event);
          if (recorded.position <= this.cursor) continue; // never hand out an event twice
          this.cursor = recorded.position;
          delivered = true;
          yield recorded;
          if (this.closed) return;
        }
      } catch (error) {
        failure = error;
      } finally {
        this.current = undefined;
        subscription.destroy();
        await subscription.unsubscribe().catch(() => undefined);
      }
      if (this.closed) return;
      // The backoff starts over only after a subscription that did some good: it delivered an event
      // or stayed up a while. A server that confirms (even reports caught up) and drops at once is
      // retried ever more slowly.
      if (delivered || Date.now() - began >= STABLE_SUBSCRIPTION_MS) attempt = 0;
      const delayMs = Math.round(
        backoffDelay(
          {
            initialMs: this.settings.resubscribe?.initialDelayMs ?? 100,
            maxMs: this.settings.resubscribe?.maxDelayMs ?? 5_000,
            jitter: "half",
          },
          attempt,
        ),
      );
      attempt += 1;
      this.settings.onSubscriptionDropped?.({
        error: failure,
        attempt,
        delayMs,
        resumeFrom: this.cursor,
      });
      await pause(delayMs, this.closing.signal);
      if (!this.closed) this.resubscriptions += 1;
    }
  }
}
