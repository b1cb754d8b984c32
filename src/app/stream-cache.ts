import { setTimeout as sleep } from "node:timers/promises";
import { type Backoff, backoffDelay } from "../lib/retry.js";
import { LRUCache } from "lru-cache";
import {
  type AppendResult,
  AppendTooLargeError,
  type CommandClaim,
  CommandIdReusedError,
  ConcurrencyError,
  type EventStore,
  type NewEvent,
  type Position,
  type RecordedEvent,
  StoreRejectedError,
} from "../ports/event-store.js";
import { type DomainError, domainError, isDomainError } from "../domain/index.js";
import {
  type CommandIdentity,
  type CommandOrigin,
  claimOf,
  commandKey,
  eventIdOf,
} from "./command-origin.js";
import { type CommandRecord, commandIdReused, indexCommand } from "./command-index.js";
import { Lane } from "./lane.js";
import type { StreamVersion } from "./stream-version.js";
import { AppendBatch, EarlierAppendFailed } from "./append-batch.js";
import { inChildSpan, inChildSpanSync } from "./tracing.js";

/** What a command came to: the handler turns it into the reply. */
export type Executed<State, Event> =
  | {
      kind: "written";
      events: readonly Event[];
      state: State;
      revision: bigint;
      position: Position;
    }
  | { kind: "unchanged"; state: State; revision: bigint | undefined; position: Position }
  | {
      kind: "repeated";
      events: readonly Event[];
      state: State;
      revision: bigint;
      position: Position;
    }
  | { kind: "refused"; error: DomainError };

export type Decide<State, Event> = (state: State) => readonly Event[] | DomainError;

export type StreamCacheOptions<State, Event> = {
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

/** What a command came to under its stream's turn, before waiting for the store. */
type Turn<State, Event> =
  | { kind: "known"; record: CommandRecord; on: StreamVersion<State> }
  | { kind: "decided"; decision: readonly Event[] | DomainError; on: StreamVersion<State> }
  | {
      kind: "appending";
      events: readonly Event[];
      append: Promise<AppendResult>;
      after: StreamVersion<State>;
    };

/** Decide again: an append this command built on failed, or another writer got there first. */
const RETRY = { kind: "retry" } as const;
/** Jittered over the whole range, so that writers who collided do not collide again. */
const CONFLICT_BACKOFF: Backoff = { initialMs: 1, maxMs: 50, jitter: "full" };
type Retry = typeof RETRY | { kind: "retry"; conflict: unknown };

/**
 * The write side's memory of each stream, and the one place that runs a
 * command against it: load, decide, append, wait until durable, retry.
 *
 * Commands on one stream take turns (`Lane`): each is decided on the state after the previous one's
 * events while that append may still be in flight (pipelining). A store that checks the event an
 * append builds on (`AppendCondition`) gets the append at once, so appends on one stream share a
 * group commit and fail together; any other store (EventStoreDB) gets it once the state it was
 * decided on is durable, as one append with every command decided on that stream meanwhile
 * (`AppendBatch`). No outcome (written, unchanged, repeat or refusal) is returned before the state
 * it was decided on is durable. A failed append sends the stream back to its newest durable state,
 * so nothing is ever written on top of a state that never existed; a conflict with another writer
 * backs off, catches up from the store and decides again.
 */
export class StreamCache<State, Event extends { type: string; data: unknown }> {
  private readonly lanes: LRUCache<string, Lane<State>>;
  /** Lanes with commands under way are kept even when the LRU drops them, so one stream never has two lanes. */
  private readonly busy = new Map<string, Lane<State>>();
  private readonly maxRetries: number;

  constructor(
    private readonly store: EventStore,
    private readonly options: StreamCacheOptions<State, Event>,
  ) {
    this.lanes = new LRUCache({ max: options.capacity ?? 50_000 });
    this.maxRetries = options.maxRetries ?? 20;
  }

  /** Runs one command on a stream: `decide` sees the newest state and may be asked again after a conflict. */
  async execute(
    streamId: string,
    origin: CommandOrigin,
    decide: Decide<State, Event>,
  ): Promise<Executed<State, Event>> {
    const lane = this.enter(streamId);
    try {
      for (let attempt = 0; ; attempt++) {
        const turn = await lane.turn(() => this.take(lane, origin, decide));
        const outcome = await this.complete(lane, origin.identity, turn);
        if (outcome.kind !== "retry") return outcome;
        if ("conflict" in outcome) {
          if (attempt >= this.maxRetries) throw outcome.conflict;
          // Another writer got there first: back off a little, jittered, before deciding again on
          // what the store holds.
          if (outcome.conflict instanceof ConcurrencyError)
            await sleep(backoffDelay(CONFLICT_BACKOFF, attempt));
        }
      }
    } finally {
      this.leave(streamId, lane);
    }
  }

  /** The newest durable state of a stream, caught up with the store (for a look at another stream, e.g. the directory). */
  async latest(streamId: string): Promise<State> {
    const lane = this.enter(streamId);
    try {
      return await lane.turn(async () => {
        await lane.newest.settled;
        await this.catchUp(lane);
        return lane.newest.state;
      });
    } finally {
      this.leave(streamId, lane);
    }
  }

  /** Under the stream's turn: find the command, or decide it and send its append. */
  private async take(
    lane: Lane<State>,
    origin: CommandOrigin,
    decide: Decide<State, Event>,
  ): Promise<Turn<State, Event>> {
    if (lane.stale) await this.catchUp(lane);
    const on = lane.newest;
    const record =
      origin.identity &&
      lane.commands.get(commandKey(origin.identity.clientId, origin.identity.commandId));
    if (record) return { kind: "known", record, on };
    const decision = inChildSpanSync("decide", () => decide(on.state));
    if (isDomainError(decision) || decision.length === 0) return { kind: "decided", decision, on };
    const events: NewEvent[] = decision.map((event, i) => ({
      eventId: eventIdOf(origin.identity, i),
      ...this.options.encode(event),
      metadata: origin.metadata,
    }));
    const append = inChildSpan("append", () =>
      this.send(lane, on, events, origin.identity && claimOf(origin.identity)),
    );
    const after = lane.applyPending(
      on,
      this.options.replay(on.state, decision),
      events,
      append,
      origin.identity,
    );
    return { kind: "appending", events: decision, append, after };
  }

  /**
   * Sends an append decided on `on`. A store that checks the event at the
   * expected revision gets it at once, conditional on the last event being the
   * one `on` was built on; any other store gets it once `on` is durable.
   */
  private send(
    lane: Lane<State>,
    on: StreamVersion<State>,
    events: NewEvent[],
    claim: CommandClaim | undefined,
  ): Promise<AppendResult> {
    const claims = claim === undefined ? [] : [claim];
    if (on.revision === undefined)
      return this.store.append(lane.streamId, events, "no_stream", { claims });
    if (this.store.checksLastEventId && on.lastEventId !== undefined)
      return this.store.append(lane.streamId, events, on.revision, {
        lastEventId: on.lastEventId,
        claims,
      });
    // Hot streams on a store that cannot pipeline: join the append waiting for the one in flight,
    // or open the next. Its claim is taken at once where the store allows, so claims need not wait
    // for the append in flight either.
    const entry = {
      events,
      claim,
      claimedAhead: claim && this.store.claimAhead?.(claim, lane.streamId),
    };
    const joined = lane.batch?.join(on, entry);
    if (joined !== undefined) return joined;
    const revision = on.revision;
    lane.batch = new AppendBatch(on, (batched, claimsToWrite) =>
      this.store.append(lane.streamId, batched, revision, { claims: claimsToWrite }),
    );
    return lane.batch.join(on, entry)!;
  }

  /** Outside the turn: wait for the store, and for the state decided on to be durable. */
  private async complete(
    lane: Lane<State>,
    identity: CommandIdentity | undefined,
    turn: Turn<State, Event>,
  ): Promise<Executed<State, Event> | Retry> {
    if (turn.kind === "appending") {
      try {
        const written = await turn.append;
        return {
          kind: "written",
          events: turn.events,
          state: turn.after.state,
          revision: written.nextRevision,
          position: written.position,
        };
      } catch (error) {
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
        // The Command-Id is another command's, on this client's other stream (or another instance's
        // on this one): nothing was written. Refused if it is this command's; another command in
        // the same batch was: decide this one again.
        if (error instanceof CommandIdReusedError)
          return isClaimOf(identity, error.claim)
            ? {
                kind: "refused",
                error: commandIdReused(error.claim, {
                  command: error.first.command,
                  streamId: error.first.streamId,
                }),
              }
            : RETRY;
        // Likewise a claim the store refuses for good (its reservation deleted): that command's
        // refusal, not its batch's.
        if (
          error instanceof StoreRejectedError &&
          error.claim !== undefined &&
          !isClaimOf(identity, error.claim)
        )
          return RETRY;
        if (error instanceof ConcurrencyError || error instanceof EarlierAppendFailed)
          return { kind: "retry", conflict: error };
        throw error;
      }
    }
    if (!(await turn.on.settled)) return RETRY;
    if (turn.kind === "decided") {
      if (isDomainError(turn.decision)) return { kind: "refused", error: turn.decision };
      return {
        kind: "unchanged",
        state: turn.on.state,
        revision: turn.on.revision,
        position: lane.durable.position,
      };
    }
    const record = lane.commands.get(commandKey(identity!.clientId, identity!.commandId));
    if (!record) return RETRY; // its append failed after all: decide it afresh
    if (record.fingerprint !== undefined && record.fingerprint !== identity!.fingerprint)
      return {
        kind: "refused",
        error: commandIdReused(identity!, { command: record.name, streamId: lane.streamId }),
      };
    const events = await this.readRange(lane.streamId, record.fromRevision, record.toRevision);
    return {
      kind: "repeated",
      events,
      state: turn.on.state,
      revision: record.toRevision,
      position: record.position,
    };
  }

  /** Folds in whatever was appended since the newest durable state (by another writer, say). */
  private async catchUp(lane: Lane<State>): Promise<void> {
    const from = lane.durable;
    const recorded: RecordedEvent[] = [];
    for await (const event of this.store.read(lane.streamId, {
      from: from.revision === undefined ? 0n : from.revision + 1n,
      direction: "forwards",
    }))
      recorded.push(event);
    for (const event of recorded) indexCommand(lane.commands, event);
    const last = recorded.at(-1);
    lane.caughtUp(
      last === undefined
        ? from
        : {
            state: this.options.replay(from.state, recorded.map(this.options.decode)),
            revision: last.revision,
            position: last.position,
            lastEventId: last.eventId,
            settled: Promise.resolve(true),
          },
    );
  }

  private async readRange(streamId: string, from: bigint, to: bigint): Promise<Event[]> {
    const events: Event[] = [];
    for await (const event of this.store.read(streamId, {
      from,
      direction: "forwards",
      limit: Number(to - from + 1n),
    }))
      events.push(this.options.decode(event));
    return events;
  }

  private enter(streamId: string): Lane<State> {
    let lane = this.busy.get(streamId) ?? this.lanes.get(streamId);
    if (!lane) lane = new Lane(streamId, this.options.initialState());
    this.lanes.set(streamId, lane);
    this.busy.set(streamId, lane);
    lane.users++;
    return lane;
  }

  private leave(streamId: string, lane: Lane<State>): void {
    if (--lane.users === 0) this.busy.delete(streamId);
  }
}

const isClaimOf = (identity: CommandIdentity | undefined, claim: CommandClaim): boolean =>
  identity !== undefined &&
  identity.clientId === claim.clientId &&
  identity.commandId === claim.commandId;

export type { DomainError };
