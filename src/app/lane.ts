import type { AppendResult, CommandAnswer, NewEvent, Position } from "../ports/event-store.js";
import { type CommandIdentity, commandKey } from "./command-origin.js";
import type { CommandRecord } from "./command-index.js";
import type { AppendBatch } from "./append-batch.js";
import type { StreamVersion } from "./stream-version.js";

const SETTLED = Promise.resolve(true);

/**
 * One stream in this process: its newest version (which may include appends
 * still in flight), its newest durable one, the commands written to it, and
 * the turns commands take on it, one at a time.
 *
 * Turns are a promise chain; on a store that cannot pipeline, the appends
 * decided while one is in flight gather in `batch` and go as one.
 */
export class Lane<State> {
  newest: StreamVersion<State>;
  durable: StreamVersion<State>;
  /** (client, Command-Id) -> what it wrote, rebuilt from event metadata, so idempotency survives restarts. */
  readonly commands = new Map<string, CommandRecord>();
  /** Set when the store may hold events this lane has not folded in: the next turn catches up first. */
  stale = true;
  /**
   * Moves on each time events this lane did not write are folded in (a catch-up that found some):
   * while it stands, every revision between a version and `durable` is this lane's own append.
   */
  epoch = 0;
  /** Commands under way on this stream. */
  users = 0;
  /** The append waiting for the one in flight, which commands decided meanwhile join (stores without `checksLastEventId`). */
  batch: AppendBatch<State> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly streamId: string,
    initialState: State,
  ) {
    this.newest = this.durable = {
      state: initialState,
      revision: undefined,
      position: 0n,
      lastEventId: undefined,
      settled: SETTLED,
    };
  }

  /** Runs `task` once every turn taken before it has finished. */
  turn<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The store's events since the durable version are folded in: both versions move to `version`. */
  caughtUp(version: StreamVersion<State>): void {
    if (version !== this.durable) this.epoch++;
    this.newest = this.durable = version;
    this.stale = false;
  }

  /**
   * Folds in `events` (decided on `from`, giving `state`) whose `append` is in
   * flight; the result becomes the newest version, with its `settled`.
   */
  applyPending(
    from: StreamVersion<State>,
    state: State,
    events: readonly NewEvent[],
    append: Promise<AppendResult>,
    identity: CommandIdentity | undefined,
  ): StreamVersion<State> {
    const fromRevision = from.revision === undefined ? 0n : from.revision + 1n;
    const toRevision = fromRevision + BigInt(events.length - 1);
    const key = identity && commandKey(identity.clientId, identity.commandId);
    const record = {
      fromRevision,
      toRevision,
      position: 0n,
      name: identity?.name,
      fingerprint: identity?.fingerprint,
    };
    if (key !== undefined) this.commands.set(key, record);
    const after: StreamVersion<State> = {
      state,
      revision: toRevision,
      position: 0n,
      lastEventId: events.at(-1)!.eventId,
      settled: append.then(
        (written) => {
          if (key !== undefined)
            this.commands.set(key, {
              ...record,
              toRevision: written.nextRevision,
              position: written.position,
            });
          this.confirm(after, written);
          return true;
        },
        () => {
          this.fallBack();
          return false;
        },
      ),
    };
    this.newest = after;
    if (this.batch?.tip === from) this.batch.tip = after;
    return after;
  }

  /** A command answered without events, its Command-Id taken with `answer`: a repeat here answers the same. */
  answered(identity: CommandIdentity, answer: CommandAnswer): void {
    this.commands.set(commandKey(identity.clientId, identity.commandId), {
      fromRevision: -1n,
      toRevision: -1n,
      position: answer.position,
      name: identity.name,
      fingerprint: identity.fingerprint,
      answer,
    });
  }

  private confirm(after: StreamVersion<State>, written: AppendResult): void {
    if ((this.durable.revision ?? -1n) >= written.nextRevision) return; // already past it
    const confirmed = { ...after, position: written.position, settled: SETTLED };
    this.durable = confirmed;
    // The newest version is this one, or one that fell behind it (and would only conflict): either
    // way, this is newer.
    if (this.newest === after || (this.newest.revision ?? -1n) < written.nextRevision)
      this.newest = confirmed;
  }

  /** An append failed: forget everything decided after the newest durable version; the next turn catches up from the store. */
  private fallBack(): void {
    const last = this.durable.revision ?? -1n;
    for (const [key, record] of this.commands)
      if (record.answer === undefined && record.position === 0n && record.toRevision > last)
        this.commands.delete(key);
    this.newest = this.durable;
    this.stale = true;
  }
}
