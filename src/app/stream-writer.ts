/**
 * The write pipeline: runs one command on one stream, load, decide, append,
 * reply, for every kind of stream (campaign, client directory, exclusion
 * list). It owns its memory of each stream; nothing outside this module reads
 * or writes it.
 *
 * Commands on one stream take turns: each is decided on the state after the
 * previous one's events while that append may still be in flight
 * (pipelining). A store that checks the event an append builds on
 * (`checksLastEventId`: memory, SQLite) gets the append at once, conditional
 * on that event, so appends on one stream share a group commit and fail
 * together; any other store (EventStoreDB) gets the appends decided while one
 * is in flight as one append once it is durable (a `Batch`). No outcome is
 * answered before the state it was decided on is durable. A failed append
 * sends the stream back to its newest durable state; a conflict with another
 * writer backs off, catches up from the store and decides again.
 *
 * A decision that writes nothing (a no-op, a refusal) meets no expected
 * revision, so it is checked against the store before it is answered: the
 * stream's last revision must be the one it was decided on, or one this
 * process appended since; a no-op with a Command-Id is confirmed with its
 * reply in the same step. Command-Ids follow the rule in reservations.ts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { LRUCache } from "lru-cache";
import { type Backoff, backoffDelay } from "../lib/retry.js";
import { allOrFirstFailure } from "../lib/settle.js";
import {
  appendBytes,
  type AppendResult,
  AppendTooLargeError,
  ConcurrencyError,
  type EventStore,
  MAX_APPEND_BYTES,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from "../ports/event-store.js";
import type { CommandAnswer, CommandReservations } from "../ports/command-reservations.js";
import { type DomainError, domainError, isDomainError } from "../domain/index.js";
import { v4 as uuidv4, v5 as uuidv5 } from "uuid";
import { COMMAND_NAMESPACE, type CommandIdentity, type CommandOrigin } from "./command-origin.js";
import {
  answeredRecord,
  type CommandRecord,
  indexCommand,
  knownCommand,
  refusalUnder,
  reservationRefused,
  type Verdict,
} from "./reservations.js";
import { inChildSpan, inChildSpanSync } from "./tracing.js";

/**
 * What a command came to: the events it wrote (or wrote before, for a repeat),
 * from which the caller builds its reply; the reply of a command answered
 * without events; or its refusal.
 */
export type Executed<State, Event> =
  | {
      kind: "written";
      events: readonly Event[];
      state: State;
      revision: bigint;
      position: Position;
      repeated: boolean;
    }
  | {
      kind: "answered";
      reply: unknown;
      /** The stream's revision the reply speaks of; undefined for a repeated answer. */
      revision: bigint | undefined;
      position: Position;
      repeated: boolean;
    }
  | { kind: "refused"; error: DomainError };

export type Decide<State, Event> = (state: State) => readonly Event[] | DomainError;
/** The reply from the events written (none for a no-op), the state after them and the stream's revision: a no-op's is kept with its Command-Id. */
export type Reply<State, Event> = (
  events: readonly Event[],
  state: State,
  revision: bigint,
) => unknown;

/** How one kind of stream is stored and folded. */
export type StreamKind<State, Event> = {
  initialState: () => State;
  /** The decider's event as the store holds it (compact tables, for campaigns). */
  encode: (event: Event) => { type: string; data: unknown };
  /** Reads a stored event as the decider's event (whatever shape it was stored in). */
  decode: (recorded: RecordedEvent) => Event;
  /** Folds a run of events into a state (the decider's evolve, or its faster replay). */
  replay: (state: State, events: readonly Event[]) => State;
  /** Streams kept; the least recently used is dropped beyond it. */
  capacity?: number;
  /** Concurrency conflicts with other writers are decided again this many times. */
  maxRetries?: number;
};

/** A stream's decided state as of `revision`. */
type Version<State> = {
  readonly state: State;
  /** Last revision folded in; undefined while the stream does not exist. */
  readonly revision: bigint | undefined;
  /** Of the last event folded in; 0 while that event's append is in flight. */
  readonly position: Position;
  /** The id of the last event folded in: an append built on this version may require it. */
  readonly lastEventId: string | undefined;
  /** True once every append folded in is durable, false if one failed: nothing decided on it is answered or sent before. */
  readonly settled: Promise<boolean>;
};

/** One stream in this process. */
type Stream<State> = {
  readonly id: string;
  /** With appends still in flight. */
  newest: Version<State>;
  durable: Version<State>;
  /** (client, Command-Id) -> what it did here, rebuilt from event metadata, so repeats survive restarts. */
  readonly commands: Map<string, CommandRecord>;
  /** The store may hold events not folded in: the next turn catches up first. */
  stale: boolean;
  /** Moves whenever a catch-up folds in events this process did not write. */
  epoch: number;
  /** Commands under way. */
  users: number;
  /** Turns are a promise chain. */
  tail: Promise<unknown>;
  /** Appends decided while one is in flight, for a store that cannot pipeline. */
  batch: Batch<State> | undefined;
};

/** What a command came to in its turn, before waiting for the store. */
type Turn<State, Event> =
  | { kind: "known"; record: CommandRecord; on: Version<State> }
  | { kind: "decided"; decision: readonly Event[] | DomainError; on: Version<State>; epoch: number }
  | {
      kind: "appending";
      events: readonly Event[];
      append: Promise<AppendResult>;
      after: Version<State>;
    };

/** Decide again: an append this command built on failed, or (`conflict`) the store moved on. */
type Retry = { kind: "retry"; conflict?: unknown };
const RETRY: Retry = { kind: "retry" };
/** Jittered over the whole range, so that writers who collided do not collide again. */
const CONFLICT_BACKOFF: Backoff = { initialMs: 1, maxMs: 50, jitter: "full" };
const SETTLED = Promise.resolve(true);
/**
 * A batch stays under half the store's limit (by the one measure), so that
 * the store's own framing of many small events never takes it over: a command
 * that fits alone is never refused for the company it kept.
 */
const BATCH_BYTES = MAX_APPEND_BYTES / 2;

export class StreamWriter<State, Event extends { type: string; data: unknown }> {
  private readonly streams: LRUCache<string, Stream<State>>;
  /** Streams with commands under way stay even when the LRU drops them: one stream, one memory. */
  private readonly busy = new Map<string, Stream<State>>();
  private readonly maxRetries: number;

  constructor(
    private readonly store: EventStore,
    private readonly reservations: CommandReservations,
    private readonly kind: StreamKind<State, Event>,
  ) {
    this.streams = new LRUCache({ max: kind.capacity ?? 50_000 });
    this.maxRetries = kind.maxRetries ?? 20;
  }

  /** Load, decide, append: `decide` sees the newest state and may be asked again after a conflict. */
  async run(
    streamId: string,
    origin: CommandOrigin,
    decide: Decide<State, Event>,
    reply: Reply<State, Event>,
  ): Promise<Executed<State, Event>> {
    const stream = this.enter(streamId);
    try {
      for (let attempt = 0; ; attempt++) {
        const turn = await this.inTurn(stream, () => this.decideInTurn(stream, origin, decide));
        const outcome = await this.outcome(stream, origin.identity, turn, reply);
        if (outcome.kind !== "retry") return outcome;
        if (outcome.conflict !== undefined) {
          if (attempt >= this.maxRetries) throw outcome.conflict;
          // Another writer got there first: back off a little before deciding again.
          await sleep(backoffDelay(CONFLICT_BACKOFF, attempt));
        }
      }
    } finally {
      this.leave(stream);
    }
  }

  /** The newest durable state of a stream, caught up with the store (for a look at another stream). */
  async latest(streamId: string): Promise<State> {
    const stream = this.enter(streamId);
    try {
      return await this.inTurn(stream, async () => {
        await stream.newest.settled;
        await this.catchUp(stream);
        return stream.newest.state;
      });
    } finally {
      this.leave(stream);
    }
  }

  /** Load and decide, under the stream's turn; a decision with events sends its append before the turn ends. */
  private async decideInTurn(
    stream: Stream<State>,
    origin: CommandOrigin,
    decide: Decide<State, Event>,
  ): Promise<Turn<State, Event>> {
    if (stream.stale) await this.catchUp(stream);
    const on = stream.newest;
    const record = origin.identity && stream.commands.get(origin.identity.key);
    if (record) return { kind: "known", record, on };
    const decision = inChildSpanSync("decide", () => decide(on.state));
    if (isDomainError(decision) || decision.length === 0)
      return { kind: "decided", decision, on, epoch: stream.epoch };
    const events: NewEvent[] = decision.map((event, i) => ({
      eventId: eventIdOf(origin.identity, i),
      ...this.kind.encode(event),
      metadata: origin.metadata,
    }));
    const append = inChildSpan("append", () => this.append(stream, on, events, origin.identity));
    const after = this.pending(stream, on, decision, events, append, origin.identity);
    return { kind: "appending", events: decision, append, after };
  }

  /**
   * Sends an append decided on `on`, its Command-Id reserved first: with the
   * events where the store writes it so (settled at once, so appends keep
   * their order), else ahead of them. A store that checks the event at the
   * expected revision gets it at once; any other gets it once `on` is durable.
   */
  private append(
    stream: Stream<State>,
    on: Version<State>,
    events: NewEvent[],
    identity: CommandIdentity | undefined,
  ): Promise<AppendResult> {
    const reserved =
      identity === undefined ? Promise.resolve() : this.reservations.reserve(identity, stream.id);
    if (on.revision === undefined)
      return reserved.then(() => this.store.append(stream.id, events, "no_stream"));
    if (this.store.checksLastEventId && on.lastEventId !== undefined) {
      const condition = { lastEventId: on.lastEventId };
      return reserved.then(() => this.store.append(stream.id, events, on.revision!, condition));
    }
    reserved.catch(() => undefined); // reported through the batch, even if it never gets as far as sending
    const joined = stream.batch?.join(on, events, reserved);
    if (joined !== undefined) return joined;
    const revision = on.revision;
    stream.batch = new Batch(on, (batched) => this.store.append(stream.id, batched, revision));
    return stream.batch.join(on, events, reserved)!;
  }

  /** Outside the turn: wait for the store and for the state decided on to be durable, then reply. */
  private async outcome(
    stream: Stream<State>,
    identity: CommandIdentity | undefined,
    turn: Turn<State, Event>,
    reply: Reply<State, Event>,
  ): Promise<Executed<State, Event> | Retry> {
    if (turn.kind === "appending") {
      try {
        const { nextRevision, position } = await turn.append;
        return written(turn.events, turn.after.state, nextRevision, position, false);
      } catch (error) {
        return this.appendFailed(identity, error);
      }
    }
    if (!(await turn.on.settled)) return RETRY;
    if (turn.kind === "decided") return this.unwritten(stream, identity, turn, reply);
    // Known in the stream's index; should its append have failed after all, decide it afresh.
    const record = stream.commands.get(identity!.key);
    if (!record) return RETRY;
    const known = knownCommand(record, identity!, stream.id);
    if (known.kind !== "written") return fromVerdict(known);
    const { fromRevision, toRevision, position } = known.record;
    const events = await this.readRange(stream.id, fromRevision, toRevision);
    return written(events, turn.on.state, toRevision, position, true);
  }

  /**
   * A decision that writes nothing, answered only if the store's stream is
   * where it was decided (or moved on by this process's own appends since);
   * with a Command-Id, a no-op is confirmed with its reply and a refusal meets
   * the id's earlier use.
   */
  private async unwritten(
    stream: Stream<State>,
    identity: CommandIdentity | undefined,
    turn: Extract<Turn<State, Event>, { kind: "decided" }>,
    reply: Reply<State, Event>,
  ): Promise<Executed<State, Event> | Retry> {
    const { on, decision, epoch } = turn;
    if (stream.epoch !== epoch) return this.behind(stream, on);
    const { revision, position } = stream.durable;
    if (identity !== undefined && !isDomainError(decision)) {
      const answer = { reply: reply([], on.state, on.revision ?? -1n), position };
      return this.confirm(stream, identity, revision, answer, on);
    }
    const head = await this.headRevision(stream.id);
    if (stream.epoch !== epoch || !between(head, on.revision, stream.durable.revision))
      return this.behind(stream, on);
    if (!isDomainError(decision))
      return answered(reply([], on.state, on.revision ?? -1n), on.revision, position);
    if (identity === undefined) return { kind: "refused", error: decision };
    const first = await this.reservations.lookUp(identity.clientId, identity.commandId);
    return fromVerdict(refusalUnder(first, identity, decision));
  }

  /** A no-op's Command-Id taken with its answer, if the stream stands at `revision`. */
  private async confirm(
    stream: Stream<State>,
    identity: CommandIdentity,
    revision: bigint | undefined,
    answer: CommandAnswer,
    on: Version<State>,
  ): Promise<Executed<State, Event> | Retry> {
    try {
      const confirmed = await this.reservations.confirm(identity, stream.id, revision, answer);
      if (confirmed.kind === "written") return this.behind(stream, on);
      const standing = confirmed.kind === "taken" ? answer : confirmed.answer;
      stream.commands.set(identity.key, answeredRecord(identity, standing));
      return confirmed.kind === "taken"
        ? answered(answer.reply, on.revision, answer.position)
        : fromVerdict({ kind: "repeat", answer: standing });
    } catch (error) {
      if (error instanceof ConcurrencyError) return this.behind(stream, on);
      const verdict = reservationRefused(error, identity);
      if (verdict === undefined) throw error;
      return fromVerdict(verdict);
    }
  }

  /** What a failed append means for this command: its refusal, its repeat, or deciding again. */
  private appendFailed(
    identity: CommandIdentity | undefined,
    error: unknown,
  ): Executed<State, Event> | Retry {
    // The domain keeps appends under the limit; should one still be refused for size, say so as
    // the rule it is.
    if (error instanceof AppendTooLargeError)
      return {
        kind: "refused",
        error: domainError(
          "rule_violated",
          "the command's events are too large for one append; send fewer numbers per command",
          [{ field: "phoneNumbers", reason: error.message }],
        ),
      };
    const verdict = reservationRefused(error, identity);
    if (verdict !== undefined) return fromVerdict(verdict);
    if (error instanceof ConcurrencyError || error instanceof EarlierAppendFailed)
      return { kind: "retry", conflict: error };
    throw error;
  }

  /** The store's stream is not where the decision was made: catch up and decide again. */
  private behind(stream: Stream<State>, on: Version<State>): Retry {
    stream.stale = true;
    const conflict = new ConcurrencyError(stream.id, on.revision ?? "no_stream", "no_stream");
    return { kind: "retry", conflict };
  }

  /** Folds in `events` (decided on `on`) whose append is in flight: the result is the newest version. */
  private pending(
    stream: Stream<State>,
    on: Version<State>,
    decision: readonly Event[],
    events: readonly NewEvent[],
    append: Promise<AppendResult>,
    identity: CommandIdentity | undefined,
  ): Version<State> {
    const fromRevision = on.revision === undefined ? 0n : on.revision + 1n;
    const toRevision = fromRevision + BigInt(events.length - 1);
    const key = identity?.key;
    const record = {
      fromRevision,
      toRevision,
      position: 0n,
      name: identity?.command,
      fingerprint: identity?.fingerprint,
    };
    if (key !== undefined) stream.commands.set(key, record);
    const after: Version<State> = {
      state: this.kind.replay(on.state, decision),
      revision: toRevision,
      position: 0n,
      lastEventId: events.at(-1)!.eventId,
      settled: append.then(
        (written) => {
          if (key !== undefined)
            stream.commands.set(key, {
              ...record,
              toRevision: written.nextRevision,
              position: written.position,
            });
          this.durable(stream, after, written);
          return true;
        },
        () => {
          this.fallBack(stream);
          return false;
        },
      ),
    };
    stream.newest = after;
    stream.batch?.extend(on, after);
    return after;
  }

  /** An append is durable: the durable version moves to it (and the newest, unless it is further on). */
  private durable(stream: Stream<State>, after: Version<State>, written: AppendResult): void {
    if ((stream.durable.revision ?? -1n) >= written.nextRevision) return; // already past it
    const confirmed = { ...after, position: written.position, settled: SETTLED };
    stream.durable = confirmed;
    if (stream.newest === after || (stream.newest.revision ?? -1n) < written.nextRevision)
      stream.newest = confirmed;
  }

  /** An append failed: forget everything decided after the newest durable version; the next turn catches up. */
  private fallBack(stream: Stream<State>): void {
    const last = stream.durable.revision ?? -1n;
    for (const [key, record] of stream.commands)
      if (record.answer === undefined && record.position === 0n && record.toRevision > last)
        stream.commands.delete(key);
    stream.newest = stream.durable;
    stream.stale = true;
  }

  /** Folds in whatever was appended since the newest durable state (by another writer, say). */
  private async catchUp(stream: Stream<State>): Promise<void> {
    const from = stream.durable;
    const recorded: RecordedEvent[] = [];
    for await (const event of this.store.read(stream.id, {
      from: from.revision === undefined ? 0n : from.revision + 1n,
      direction: "forwards",
    }))
      recorded.push(event);
    for (const event of recorded) indexCommand(stream.commands, event);
    const last = recorded.at(-1);
    if (last !== undefined) {
      stream.epoch++;
      stream.newest = stream.durable = {
        state: this.kind.replay(from.state, recorded.map(this.kind.decode)),
        revision: last.revision,
        position: last.position,
        lastEventId: last.eventId,
        settled: SETTLED,
      };
    } else stream.newest = stream.durable;
    stream.stale = false;
  }

  /** The stream's last revision in the store (undefined: no stream). */
  private async headRevision(streamId: string): Promise<bigint | undefined> {
    let head: bigint | undefined;
    for await (const event of this.store.read(streamId, { direction: "backwards", limit: 1 }))
      head = event.revision;
    return head;
  }

  private async readRange(streamId: string, from: bigint, to: bigint): Promise<Event[]> {
    const events: Event[] = [];
    const limit = Number(to - from + 1n);
    for await (const event of this.store.read(streamId, { from, direction: "forwards", limit }))
      events.push(this.kind.decode(event));
    return events;
  }

  /** Runs `task` once every turn taken on the stream before it has finished. */
  private inTurn<T>(stream: Stream<State>, task: () => Promise<T>): Promise<T> {
    const result = stream.tail.then(task, task);
    stream.tail = result.catch(() => undefined);
    return result;
  }

  private enter(streamId: string): Stream<State> {
    const stream =
      this.busy.get(streamId) ?? this.streams.get(streamId) ?? this.newStream(streamId);
    this.streams.set(streamId, stream);
    this.busy.set(streamId, stream);
    stream.users++;
    return stream;
  }

  private leave(stream: Stream<State>): void {
    if (--stream.users === 0) this.busy.delete(stream.id);
  }

  private newStream(id: string): Stream<State> {
    const empty: Version<State> = {
      state: this.kind.initialState(),
      revision: undefined,
      position: 0n,
      lastEventId: undefined,
      settled: SETTLED,
    };
    return {
      id,
      newest: empty,
      durable: empty,
      commands: new Map(),
      stale: true,
      epoch: 0,
      users: 0,
      tail: Promise.resolve(),
      batch: undefined,
    };
  }
}

/**
 * Appends decided on one stream while the append they build on is in
 * flight, sent as one append once it is durable and their Command-Ids are
 * reserved: for a store that cannot take an append conditional on one still
 * in flight (EventStoreDB), a hot stream costs one round trip per batch, not
 * per command. Each command keeps its own reservation and revisions.
 */
class Batch<State> {
  private readonly events: NewEvent[] = [];
  private readonly reserved: Promise<void>[] = [];
  /** The version the last command in the batch produced: only a command decided on it may join. */
  private tip: Version<State>;
  private readonly written: Promise<AppendResult>;
  private open = true;
  private bytes = 0;

  constructor(base: Version<State>, send: (events: readonly NewEvent[]) => Promise<AppendResult>) {
    this.tip = base;
    this.written = base.settled.then(async (durable) => {
      this.open = false;
      if (!durable) throw new EarlierAppendFailed();
      // A Command-Id the store refuses refuses the whole batch: its other commands decide again.
      await allOrFirstFailure(this.reserved, (e) => reservationRefused(e, undefined) !== undefined);
      return send(this.events);
    });
  }

  /**
   * One command's events, decided on `on`, if the batch has not been sent,
   * `on` is its tip and the append stays under the store's limit (the first
   * command always joins: its own size is the store's to judge). Its share of
   * the result, or undefined when it cannot join.
   */
  join(
    on: Version<State>,
    events: readonly NewEvent[],
    reserved: Promise<void>,
  ): Promise<AppendResult> | undefined {
    if (!this.open || on !== this.tip || on.revision === undefined) return undefined;
    const bytes = appendBytes(events);
    if (this.events.length > 0 && this.bytes + bytes > BATCH_BYTES) return undefined;
    this.bytes += bytes;
    this.events.push(...events);
    this.reserved.push(reserved);
    const nextRevision = on.revision + BigInt(events.length);
    // The batch's position is that of its last event: a reader waiting for it has this command's
    // events too.
    return this.written.then((written) => ({ nextRevision, position: written.position }));
  }

  /** The command decided on the tip has joined: its version is the new tip. */
  extend(from: Version<State>, after: Version<State>): void {
    if (this.tip === from) this.tip = after;
  }
}

/** An append on the same stream before this one failed, so this one, decided on top of it, is never sent. */
class EarlierAppendFailed extends Error {
  constructor() {
    super("an earlier append on this stream failed");
  }
}

/** Whether the store's last revision, `head`, is `from` or one this process appended since, up to `to`. */
const between = (
  head: bigint | undefined,
  from: bigint | undefined,
  to: bigint | undefined,
): boolean =>
  head === undefined ? from === undefined : head >= (from ?? -1n) && head <= (to ?? -1n);

const written = <State, Event>(
  events: readonly Event[],
  state: State,
  revision: bigint,
  position: Position,
  repeated: boolean,
): Executed<State, Event> => ({ kind: "written", events, state, revision, position, repeated });

const answered = <State, Event>(
  reply: unknown,
  revision: bigint | undefined,
  position: Position,
  repeated = false,
): Executed<State, Event> => ({ kind: "answered", reply, revision, position, repeated });

const fromVerdict = <State, Event>(verdict: Verdict): Executed<State, Event> | Retry =>
  verdict.kind === "refused"
    ? verdict
    : verdict.kind === "repeat"
      ? answered(verdict.answer.reply, undefined, verdict.answer.position, true)
      : RETRY;

/** Derived from the Command-Id, so the store recognises a resent append as the one it already holds. */
const eventIdOf = (identity: CommandIdentity | undefined, index: number): string =>
  identity === undefined
    ? uuidv4()
    : uuidv5(`${identity.clientId}:${identity.commandId}:${index}`, COMMAND_NAMESPACE);
