import type { EventStore, Position, RecordedEvent } from "../adapters/event-store/port.js";

/** What one command wrote: enough to rebuild its reply when it is repeated. */
export type CommandRecord = {
  readonly fromRevision: bigint;
  readonly toRevision: bigint;
  readonly position: Position;
  /** Settles when the command's append does; a repeat waits for it before reading the events back. */
  readonly durable?: Promise<void>;
};

/** A stream's decided state as of `revision`, kept between commands so that no command re-reads a long stream. */
export type CachedStream<State> = {
  readonly state: State;
  /** Last revision folded in; undefined while the stream does not exist. */
  readonly revision: bigint | undefined;
  readonly position: Position;
  /** Command-Id -> what it wrote, rebuilt from event metadata, so idempotency survives restarts. */
  readonly commands: Map<string, CommandRecord>;
};

export class StreamCache<State> {
  private readonly streams = new Map<string, CachedStream<State>>();

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
    const empty: CachedStream<State> = { state: this.initialState(), revision: undefined, position: 0n, commands: new Map() };
    return this.catchUp(streamId, empty);
  }

  /** Folds in whatever was appended since the cached revision (by another instance, say). */
  async refresh(streamId: string): Promise<CachedStream<State>> {
    return this.catchUp(streamId, await this.get(streamId));
  }

  /** Records events this process has appended, or is appending (`durable` settles when the append does). */
  apply(streamId: string, from: CachedStream<State>, events: readonly RecordedEvent[], durable?: Promise<void>): CachedStream<State> {
    const last = events.at(-1);
    if (!last) return from;
    for (const event of events) indexCommand(from.commands, event, durable);
    const next = { state: this.replay(from.state, events), revision: last.revision, position: last.position, commands: from.commands };
    this.remember(streamId, next);
    return next;
  }

  /** The append behind `after` is durable at `position`. */
  confirm(streamId: string, after: CachedStream<State>, position: Position, commandId: string | undefined): void {
    if (commandId !== undefined) {
      const record = after.commands.get(commandId);
      if (record) after.commands.set(commandId, { fromRevision: record.fromRevision, toRevision: record.toRevision, position });
    }
    const current = this.streams.get(streamId);
    if (current && current.revision === after.revision && current.position < position) this.streams.set(streamId, { ...current, position });
  }

  /**
   * The append behind `after` failed: go back to `before`, unless an earlier
   * failure already went back further. Commands recorded after `before` are forgotten.
   */
  revert(streamId: string, before: CachedStream<State>, after: CachedStream<State>): void {
    const current = this.streams.get(streamId);
    if (!current || (current.revision ?? -1n) < (after.revision ?? -1n)) return;
    for (const [commandId, record] of before.commands) if (record.toRevision > (before.revision ?? -1n)) before.commands.delete(commandId);
    this.streams.set(streamId, before);
  }

  private async catchUp(streamId: string, from: CachedStream<State>): Promise<CachedStream<State>> {
    const start = from.revision === undefined ? 0n : from.revision + 1n;
    const events: RecordedEvent[] = [];
    for await (const event of this.store.read(streamId, { from: start, direction: "forwards" })) events.push(event);
    return this.apply(streamId, from, events);
  }

  private remember(streamId: string, stream: CachedStream<State>): void {
    this.streams.delete(streamId); // re-insert: Map order doubles as recency for eviction
    this.streams.set(streamId, stream);
    if (this.streams.size > this.capacity) this.streams.delete(this.streams.keys().next().value as string);
  }
}

const indexCommand = (commands: Map<string, CommandRecord>, event: RecordedEvent, durable?: Promise<void>): void => {
  const commandId = event.metadata.commandId;
  if (typeof commandId !== "string") return;
  const known = commands.get(commandId);
  commands.set(commandId, { fromRevision: known?.fromRevision ?? event.revision, toRevision: event.revision, position: event.position, ...(durable ? { durable } : {}) });
};
