import { randomUUID } from "node:crypto";
import {
  type AnswerTaken,
  type AppendCondition,
  type AppendResult,
  type ClaimedFor,
  type CommandAnswer,
  type CommandClaim,
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
import { checkClaim, checkClaimWithEvents, claimKey, standingAnswer } from "./reservation-rules.js";

const PAGE_SIZE = 1000;

/** The whole log in memory: for unit tests and benchmarks of the core. Position = index in the log + 1. */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  /** (client, Command-Id) -> what it was claimed for. */
  private readonly claims = new Map<string, ClaimedFor>();
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
    const stream = this.streams.get(streamId) ?? [];
    const at = (revision: bigint) => stream[Number(revision)];
    const prior = priorAppend(events, expected, stream.at(-1)?.revision, at);
    if (prior !== undefined) {
      // Its own command's retry only under the same fingerprint (the ids, derived from the
      // Command-Id, match for another body too).
      for (const claim of condition?.claims ?? [])
        checkClaim(claim, this.claims.get(claimKey(claim)));
      return prior;
    }
    checkExpected(
      streamId,
      expected,
      stream.at(-1)?.revision,
      condition,
      (revision) => at(revision)?.eventId,
    );
    // The same rules as the sqlite writer, before writing anything (claims there are taken one by
    // one, so a repeat within the append counts too).
    const claims = condition?.claims ?? [];
    const claimed = new Map<string, ClaimedFor>();
    for (const claim of claims) {
      const key = claimKey(claim);
      checkClaimWithEvents(claim, this.claims.get(key) ?? claimed.get(key));
      claimed.set(key, { command: claim.command, fingerprint: claim.fingerprint, streamId });
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
    for (const [key, claim] of claimed) this.claims.set(key, claim);
    this.signal.notify();
    return { nextRevision: revision - 1n, position: BigInt(this.log.length) };
  }

  async answerWithoutEvents(
    claim: CommandClaim,
    streamId: string,
    revision: bigint | undefined,
    answer: CommandAnswer,
  ): Promise<AnswerTaken> {
    const key = claimKey(claim);
    const standing = standingAnswer(claim, this.claims.get(key));
    if (standing !== undefined) return standing;
    checkExpected(streamId, revision ?? "no_stream", this.streams.get(streamId)?.at(-1)?.revision);
    this.claims.set(key, {
      command: claim.command,
      fingerprint: claim.fingerprint,
      streamId,
      answer: structuredClone(answer),
    });
    return { kind: "taken" };
  }

  async claimed(clientId: string, commandId: string): Promise<ClaimedFor | undefined> {
    const first = this.claims.get(claimKey({ clientId, commandId }));
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
