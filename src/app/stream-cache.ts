import type { AppendResult, EventStore, Position, RecordedEvent } from "../ports/event-store.js";

/** What one command wrote: enough to rebuild its reply when it is repeated. */
export type CommandRecord = {
  readonly clientId: string;
  readonly fromRevision: bigint;
  readonly toRevision: bigint;
  readonly position: Position;
};

/** A stream's decided state as of `revision`, kept between commands so that no command re-reads a long stream. */
export type CachedStream<State> = {
  readonly state: State;
  /** Last revision folded in; undefined while the stream does not exist. */
  readonly revision: bigint | undefined;
  /** Of the last event folded in; 0 while that event's append is in flight. */
  readonly position: Position;
  /** The id of the last event folded in: an append built on this state may require it (AppendCondition). */
  readonly lastEventId: string | undefined;
  /**
   * (client, Command-Id) -> what it wrote, rebuilt from event metadata, so
   * idempotency survives restarts. One map shared by every version of the stream.
   */
  readonly commands: Map<string, CommandRecord>;
  /**
   * Resolves true once every append folded into this state is durable, false
   * if any of them failed. Nothing decided on this state may be answered, and
   * no append built on it may reach the store, before it resolves true.
   */
  readonly settled: Promise<boolean>;
};

const SETTLED = Promise.resolve(true);

/** The index key: a Command-Id is only ever its own client's. */
export const commandKey = (clientId: string, commandId: string): string => `${clientId}\u0000${commandId}`;

/**
 * Decided state per stream. Besides the newest state (which may include
 * appends still in flight) it keeps the newest durable one: when an append
 * fails, the stream falls back to that and catches up from the store, and
 * every append built on the failed one fails with it (it waits for that one's
 * `settled`, or the store checks its last event id), so nothing is ever
 * written on top of a state that never existed.
 */
export class StreamCache<State> {
  private readonly streams = new Map<string, CachedStream<State>>();
  private readonly durable = new Map<string, CachedStream<State>>();

  constructor(
    private readonly store: EventStore,
    private readonly initialState: () => State,
    /** Folds a run of events into a state (the decider's evolve, or its faster replay). */
    private readonly replay: (state: State, events: readonly RecordedEvent[]) => State,
    private readonly capacity = 50_000,
  ) {}

  /** The cached stream, loaded on first use. */
  async get(streamId: string): Promise<CachedStream<State>> {
    const cached = this.streams.get(streamId);
    if (cached) return cached;
    const empty: CachedStream<State> = { state: this.initialState(), revision: undefined, position: 0n, lastEventId: undefined, commands: new Map(), settled: SETTLED };
    return this.catchUp(streamId, empty);
  }

  /** Folds in whatever was appended since the newest durable state (by another instance, say). */
  async refresh(streamId: string): Promise<CachedStream<State>> {
    const base = this.durable.get(streamId);
    return base ? this.catchUp(streamId, base) : this.get(streamId);
  }

  /** The newest durable position of a stream (for a reply that wrote nothing). */
  durablePosition(streamId: string): Position {
    return this.durable.get(streamId)?.position ?? 0n;
  }

  /**
   * Folds in events one command is appending on top of `from`: `append` is
   * the store's answer. Returns the state after them, with its `settled`.
   */
  applyPending(
    streamId: string,
    from: CachedStream<State>,
    events: readonly RecordedEvent[],
    append: Promise<AppendResult>,
    command: { clientId: string; commandId?: string | undefined },
  ): CachedStream<State> {
    const fromRevision = events[0]!.revision;
    const key = command.commandId === undefined ? undefined : commandKey(command.clientId, command.commandId);
    if (key !== undefined) from.commands.set(key, { clientId: command.clientId, fromRevision, toRevision: events.at(-1)!.revision, position: 0n });
    const after: CachedStream<State> = {
      state: this.replay(from.state, events),
      revision: events.at(-1)!.revision,
      position: 0n,
      lastEventId: events.at(-1)!.eventId,
      commands: from.commands,
      settled: append.then(
        (written) => {
          this.confirm(streamId, after, written, key === undefined ? undefined : { key, clientId: command.clientId, fromRevision });
          return true;
        },
        () => {
          this.fallBack(streamId);
          return false;
        },
      ),
    };
    this.remember(streamId, after);
    return after;
  }

  private confirm(streamId: string, after: CachedStream<State>, written: AppendResult, command: { key: string; clientId: string; fromRevision: bigint } | undefined): void {
    if (command) after.commands.set(command.key, { clientId: command.clientId, fromRevision: command.fromRevision, toRevision: written.nextRevision, position: written.position });
    const durable = this.durable.get(streamId);
    if (!durable || (durable.revision ?? -1n) >= written.nextRevision) return; // evicted, or already past it
    const confirmed = { ...after, position: written.position, settled: SETTLED };
    this.durable.set(streamId, confirmed);
    // The newest state is this one, or one that fell behind it (and would only conflict): either way, this is newer.
    const current = this.streams.get(streamId);
    if (current === after || (current?.revision ?? -1n) < written.nextRevision) this.streams.set(streamId, confirmed);
  }

  /** An append failed: forget everything decided after the newest durable state; the next command catches up from the store. */
  private fallBack(streamId: string): void {
    const durable = this.durable.get(streamId);
    if (!durable) return;
    const last = durable.revision ?? -1n;
    for (const [key, record] of durable.commands) if (record.position === 0n && record.toRevision > last) durable.commands.delete(key);
    this.streams.set(streamId, durable);
  }

  private async catchUp(streamId: string, from: CachedStream<State>): Promise<CachedStream<State>> {
    const start = from.revision === undefined ? 0n : from.revision + 1n;
    const events: RecordedEvent[] = [];
    for await (const event of this.store.read(streamId, { from: start, direction: "forwards" })) events.push(event);
    const last = events.at(-1);
    if (!last) {
      this.remember(streamId, from, from);
      return from;
    }
    for (const event of events) indexCommand(from.commands, event);
    const next: CachedStream<State> = {
      state: this.replay(from.state, events),
      revision: last.revision,
      position: last.position,
      lastEventId: last.eventId,
      commands: from.commands,
      settled: SETTLED,
    };
    this.remember(streamId, next, next);
    return next;
  }

  private remember(streamId: string, stream: CachedStream<State>, durable?: CachedStream<State>): void {
    if (durable) this.durable.set(streamId, durable);
    this.streams.delete(streamId); // re-insert: Map order doubles as recency for eviction
    this.streams.set(streamId, stream);
    if (this.streams.size > this.capacity) {
      const oldest = this.streams.keys().next().value as string;
      this.streams.delete(oldest);
      this.durable.delete(oldest);
    }
  }
}

const indexCommand = (commands: Map<string, CommandRecord>, event: RecordedEvent): void => {
  const { commandId, clientId } = event.metadata;
  if (typeof commandId !== "string" || typeof clientId !== "string") return;
  const key = commandKey(clientId, commandId);
  const known = commands.get(key);
  commands.set(key, { clientId, fromRevision: known?.fromRevision ?? event.revision, toRevision: event.revision, position: event.position });
};
