/**
 * Pieces shared by the memory and sqlite adapters: the expected-revision,
 * retry and claim rules, the append size limit and a pull-based subscription.
 */
import {
  type AppendCondition,
  type AnswerTaken,
  type AppendResult,
  AppendTooLargeError,
  CommandAnsweredError,
  type ClaimedFor,
  type CommandClaim,
  CommandIdReusedError,
  ConcurrencyError,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
  StoreRejectedError,
  type Subscription,
} from "../../ports/event-store.js";

/** Throws `ConcurrencyError` unless `expected` holds for a stream whose last revision is `current`. */
export function checkExpected(
  streamId: string,
  expected: ExpectedRevision,
  current: bigint | undefined,
  condition?: AppendCondition,
  eventIdAt?: (revision: bigint) => string | undefined,
): void {
  const holds =
    expected === "any" || (expected === "no_stream" ? current === undefined : current === expected);
  if (!holds) throw new ConcurrencyError(streamId, expected, current ?? "no_stream");
  // The revision is right; is the event there the one the writer built on?
  if (
    condition?.lastEventId !== undefined &&
    typeof expected === "bigint" &&
    eventIdAt?.(expected) !== condition.lastEventId
  )
    throw new ConcurrencyError(streamId, expected, expected);
}

/**
 * The claim rule every adapter applies before writing: a Command-Id already
 * claimed by another command (another fingerprint) refuses the append, and so
 * does one the same command took with an answer and no events (it was a no-op:
 * its repeat is answered the same). The same command again passes otherwise:
 * where the claim is taken ahead of the events (EventStoreDB) it may be held
 * without them, and the expected revision refuses an append of events already
 * in the stream.
 */
export function checkClaim(claim: CommandClaim | undefined, first: ClaimedFor | undefined): void {
  if (claim === undefined || first === undefined) return;
  if (first.fingerprint !== claim.fingerprint) throw new CommandIdReusedError(claim, first);
  if (first.answer !== undefined) throw new CommandAnsweredError(claim, first.answer);
}

/**
 * What stands for a Command-Id about to be answered without events, where
 * the store holds it already: another command's refuses it, the same
 * command's earlier answer (or its events) wins. Undefined: the id is free.
 */
export function standingAnswer(
  claim: CommandClaim,
  first: ClaimedFor | undefined,
): AnswerTaken | undefined {
  if (first === undefined) return undefined;
  if (first.fingerprint !== claim.fingerprint) throw new CommandIdReusedError(claim, first);
  return first.answer === undefined
    ? { kind: "written" }
    : { kind: "answered", answer: first.answer };
}

/**
 * The claim rule where claims are written in one transaction with their
 * events (memory, SQLite): a claim held means its command's events are
 * stored. Besides checkClaim's refusal, the same command again, not
 * recognised as a retry of its own append (priorAppend), would store its
 * events twice: refused, writing nothing.
 */
export function checkClaimWithEvents(claim: CommandClaim, first: ClaimedFor | undefined): void {
  checkClaim(claim, first);
  if (first !== undefined)
    throw new StoreRejectedError(
      "conflict",
      `Command-Id ${claim.commandId} of client ${claim.clientId} already has its events in ${first.streamId}`,
    );
}

/** The key of a claim in a store's index. */
export const claimKey = (claim: Pick<CommandClaim, "clientId" | "commandId">): string =>
  `${claim.clientId}\u0000${claim.commandId}`;

/** The size an append is measured by: type, data and metadata, as JSON in UTF-8. */
export function appendBytes(events: readonly NewEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    bytes += Buffer.byteLength(e.type) + Buffer.byteLength(JSON.stringify(e.data ?? null));
    bytes += Buffer.byteLength(JSON.stringify(e.metadata ?? {}));
  }
  return bytes;
}

/** Rejects what EventStoreDB would refuse, so the embedded adapters fail the same way production does. */
export function checkAppendSize(
  streamId: string,
  events: readonly NewEvent[],
  limit: number,
): void {
  if (events.length === 0) throw new RangeError(`append to ${streamId} has no events`);
  if (limit === Infinity) return;
  const bytes = appendBytes(events);
  if (bytes > limit) throw new AppendTooLargeError(streamId, bytes, limit);
}

/** The event stored at one revision of the append's stream. */
export type StoredAt = { eventId: string; position: Position };

/**
 * EventStoreDB's idempotent retry: the same event ids, in order, already at
 * the place `expected` names are acknowledged with the original result
 * instead of being written again. Looked up by revision in the stream (whose
 * last revision is `current`), so no index of event ids is needed. For `any`
 * only the stream's last append is recognised (the ids at its tail):
 * EventStoreDB itself recognises an `any` retry only best-effort, from a
 * cache of recent appends.
 */
export function priorAppend(
  events: readonly Pick<NewEvent, "eventId">[],
  expected: ExpectedRevision,
  current: bigint | undefined,
  at: (revision: bigint) => StoredAt | undefined,
): AppendResult | undefined {
  if (current === undefined) return undefined;
  const count = BigInt(events.length);
  const startsAt =
    expected === "any" ? current - count + 1n : expected === "no_stream" ? 0n : expected + 1n;
  if (startsAt < 0n || startsAt + count - 1n > current) return undefined;
  let last: StoredAt | undefined;
  for (const [i, event] of events.entries()) {
    last = at(startsAt + BigInt(i));
    if (last?.eventId !== event.eventId) return undefined;
  }
  return { nextRevision: startsAt + count - 1n, position: last!.position };
}

export const matchesPrefix = (streamId: string, prefixes: readonly string[] | undefined): boolean =>
  prefixes === undefined || prefixes.some((p) => streamId.startsWith(p));

/** Wakes sleeping subscriptions when the store has appended something. */
export class AppendSignal {
  private readonly sleepers = new Set<() => void>();
  notify(): void {
    const woken = [...this.sleepers];
    this.sleepers.clear();
    for (const wake of woken) wake();
  }
  on(wake: () => void): void {
    this.sleepers.add(wake);
  }
  off(wake: () => void): void {
    this.sleepers.delete(wake);
  }
}

/**
 * One page of the global log after a cursor, and the cursor to continue from.
 * A page may be empty yet move the cursor (everything it scanned was filtered out).
 */
export type Page = { events: RecordedEvent[]; next: Position };

export type PullSubscriptionOptions = {
  from: Position;
  /** Synchronous, so no append can slip in between an empty page and going to sleep. */
  fetchPage: (after: Position) => Page;
  signal: AppendSignal;
  /** Also look again this often, for writers the signal cannot see (another process). */
  pollIntervalMs?: number;
  onClose?: () => void;
};

/**
 * Reads a page only when the consumer has drained the previous one, so a slow
 * consumer holds at most one page in memory and delivery can neither skip nor
 * repeat: the cursor only moves past events that were handed out.
 */
export class PullSubscription implements Subscription, AsyncIterator<RecordedEvent> {
  private buffer: RecordedEvent[] = [];
  private index = 0;
  private cursor: Position;
  private closed = false;
  private wake: (() => void) | undefined;
  /** next() calls are served one after another, even when a caller does not await. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PullSubscriptionOptions) {
    this.cursor = options.from;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    const result = this.queue.then(() => this.pull());
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** `break` in a for-await loop lands here. */
  async return(): Promise<IteratorResult<RecordedEvent>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.wake?.();
    this.options.onClose?.();
  }

  private async pull(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const event = this.buffer[this.index];
      if (event !== undefined) {
        this.index += 1;
        return { done: false, value: event };
      }
      const before = this.cursor;
      const page = this.options.fetchPage(before);
      this.buffer = page.events;
      this.index = 0;
      this.cursor = page.next;
      if (page.events.length > 0) continue;
      // Nothing new: sleep. Only filtered-out events: look further, yielding the event loop between
      // pages.
      if (page.next === before) await this.sleep();
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const { signal, pollIntervalMs } = this.options;
      const done = (): void => {
        clearTimeout(timer);
        signal.off(done);
        this.wake = undefined;
        resolve();
      };
      const timer = pollIntervalMs === undefined ? undefined : setTimeout(done, pollIntervalMs);
      signal.on(done);
      this.wake = done;
    });
  }
}
