import { setTimeout as sleep } from "node:timers/promises";
import { type Backoff, backoffDelay } from "../lib/retry.js";
import { LRUCache } from "lru-cache";
import {
  type AppendResult,
  AppendTooLargeError,
  type CommandAnswer,
  CommandAnsweredError,
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

/** What a command came to: its reply, or its refusal. */
export type Executed =
  | {
      kind: "accepted";
      reply: unknown;
      /** The stream's revision the reply speaks of; undefined for a repeated answer without events. */
      revision: bigint | undefined;
      position: Position;
      repeated: boolean;
    }
  | { kind: "refused"; error: DomainError };

export type Decide<State, Event> = (state: State) => readonly Event[] | DomainError;
/** The reply to the command, from the events it wrote (none for a no-op), the state after them and the stream's revision. */
export type Reply<State, Event> = (
  events: readonly Event[],
  state: State,
  revision: bigint,
) => unknown;

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
  | {
      kind: "decided";
      decision: readonly Event[] | DomainError;
      on: StreamVersion<State>;
      /** The lane's epoch when it was decided (see Lane.epoch). */
      epoch: number;
    }
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
/** The store's stream is not where the decision was made: catch up and decide again. */
const behind = (streamId: string, on: bigint | undefined, head: bigint | undefined): Retry => ({
  kind: "retry",
  conflict: new ConcurrencyError(streamId, on ?? "no_stream", head ?? "no_stream"),
});

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
    reply: Reply<State, Event>,
  ): Promise<Executed> {
    const lane = this.enter(streamId);
    try {
      for (let attempt = 0; ; attempt++) {
        const turn = await lane.turn(() => this.take(lane, origin, decide));
        const outcome = await this.complete(lane, origin.identity, turn, reply);
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
    if (isDomainError(decision) || decision.length === 0)
      return { kind: "decided", decision, on, epoch: lane.epoch };
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
    reply: Reply<State, Event>,
  ): Promise<Executed | Retry> {
    if (turn.kind === "appending") {
      try {
        const written = await turn.append;
        return accepted(
          reply(turn.events, turn.after.state, written.nextRevision),
          written.nextRevision,
          written.position,
          false,
        );
      } catch (error) {
        return this.appendFailed(identity, error);
      }
    }
    if (!(await turn.on.settled)) return RETRY;
    if (turn.kind === "decided") return this.confirm(lane, identity, turn, reply);
    const record = lane.commands.get(commandKey(identity!.clientId, identity!.commandId));
    if (!record) return RETRY; // its append failed after all: decide it afresh
    if (record.fingerprint !== undefined && record.fingerprint !== identity!.fingerprint)
      return refused(commandIdReused(identity!, { command: record.name, streamId: lane.streamId }));
    if (record.answer !== undefined) return repeatedAnswer(record.answer);
    const events = await this.readRange(lane.streamId, record.fromRevision, record.toRevision);
    return accepted(
      reply(events, turn.on.state, record.toRevision),
      record.toRevision,
      record.position,
      true,
    );
  }

  /** What a failed append means for this command: its refusal, its repeat, or deciding again. */
  private appendFailed(identity: CommandIdentity | undefined, error: unknown): Executed | Retry {
    // The domain keeps appends under the limit; should one still be refused for size, say so as
    // the rule it is.
    if (error instanceof AppendTooLargeError)
      return refused(
        domainError(
          "rule_violated",
          "the command's events are too large for one append; send fewer numbers per command",
          [{ field: "phoneNumbers", reason: error.message }],
        ),
      );
    // The Command-Id is another command's, on this client's other stream (or another instance's
    // on this one): nothing was written. Refused if it is this command's; another command in
    // the same batch was: decide this one again.
    if (error instanceof CommandIdReusedError)
      return isClaimOf(identity, error.claim)
        ? refused(
            commandIdReused(error.claim, {
              command: error.first.command,
              streamId: error.first.streamId,
            }),
          )
        : RETRY;
    // The same command was answered without events before (on another instance, or before this
    // stream was last loaded): that answer stands.
    if (error instanceof CommandAnsweredError)
      return isClaimOf(identity, error.claim) ? repeatedAnswer(error.answer) : RETRY;
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

  /**
   * A decision that writes nothing, answered only if the store's stream is
   * where it was decided (or moved on by this lane's own appends since); a
   * no-op with a Command-Id takes the id with its reply, a refusal meets the
   * id's earlier use.
   */
  private async confirm(
    lane: Lane<State>,
    identity: CommandIdentity | undefined,
    turn: Extract<Turn<State, Event>, { kind: "decided" }>,
    reply: Reply<State, Event>,
  ): Promise<Executed | Retry> {
    const { on, decision, epoch } = turn;
    const stale = () => {
      lane.stale = true;
      return behind(lane.streamId, on.revision, lane.durable.revision);
    };
    if (lane.epoch !== epoch) return stale();
    const position = lane.durable.position;
    if (identity !== undefined && !isDomainError(decision)) {
      const answer = { reply: reply([], on.state, on.revision ?? -1n), position };
      try {
        const taken = await this.store.answerWithoutEvents(
          claimOf(identity),
          lane.streamId,
          lane.durable.revision,
          answer,
        );
        if (taken.kind === "written") return stale();
        lane.answered(identity, taken.kind === "taken" ? answer : taken.answer);
        return taken.kind === "taken"
          ? accepted(answer.reply, on.revision, position, false)
          : repeatedAnswer(taken.answer);
      } catch (error) {
        if (error instanceof ConcurrencyError) return stale();
        if (error instanceof CommandIdReusedError)
          return refused(
            commandIdReused(identity, {
              command: error.first.command,
              streamId: error.first.streamId,
            }),
          );
        throw error;
      }
    }
    const head = await this.headRevision(lane.streamId);
    if (lane.epoch !== epoch || !between(head, on.revision, lane.durable.revision)) return stale();
    if (!isDomainError(decision))
      return accepted(reply([], on.state, on.revision ?? -1n), on.revision, position, false);
    if (identity === undefined) return refused(decision);
    // A refusal now may be the repeat of a command answered before (the state moved on), or come
    // under another command's id.
    const first = await this.store.claimed(identity.clientId, identity.commandId);
    if (first === undefined) return refused(decision);
    if (first.fingerprint !== identity.fingerprint)
      return refused(
        commandIdReused(identity, { command: first.command, streamId: first.streamId }),
      );
    return first.answer === undefined ? refused(decision) : repeatedAnswer(first.answer);
  }

  /** The stream's last revision in the store (undefined: no stream). */
  private async headRevision(streamId: string): Promise<bigint | undefined> {
    let head: bigint | undefined;
    for await (const event of this.store.read(streamId, { direction: "backwards", limit: 1 }))
      head = event.revision;
    return head;
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

/** Whether the store's last revision, `head`, is `from` or one of this lane's own since, up to `to`. */
const between = (
  head: bigint | undefined,
  from: bigint | undefined,
  to: bigint | undefined,
): boolean =>
  head === undefined ? from === undefined : head >= (from ?? -1n) && head <= (to ?? -1n);

const accepted = (
  reply: unknown,
  revision: bigint | undefined,
  position: Position,
  repeated: boolean,
): Executed => ({ kind: "accepted", reply, revision, position, repeated });
const refused = (error: DomainError): Executed => ({ kind: "refused", error });
const repeatedAnswer = (answer: CommandAnswer): Executed =>
  accepted(answer.reply, undefined, answer.position, true);

const isClaimOf = (identity: CommandIdentity | undefined, claim: CommandClaim): boolean =>
  identity !== undefined &&
  identity.clientId === claim.clientId &&
  identity.commandId === claim.commandId;

export type { DomainError };
