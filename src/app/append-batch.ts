import { Buffer } from "node:buffer";
import { allOrFirstFailure } from "../lib/settle.js";
import {
  type AppendResult,
  CommandAnsweredError,
  type CommandClaim,
  CommandIdReusedError,
  MAX_APPEND_BYTES,
  type NewEvent,
} from "../ports/event-store.js";
import type { StreamVersion } from "./stream-version.js";

/** One command's part of a batch: its events, and its claim (sent with the append, or taken ahead of it). */
export type BatchEntry = {
  readonly events: readonly NewEvent[];
  readonly claim?: CommandClaim | undefined;
  /** The claim taken ahead (EventStore.claimAhead), which the append waits for. */
  readonly claimedAhead?: Promise<void> | undefined;
};

/**
 * Appends decided on one stream while the append they build on is in flight,
 * sent to the store together, as one append, once it is durable. For a store
 * that cannot take an append conditional on one still in flight
 * (EventStoreDB), a hot stream then costs one round trip per batch instead
 * of one per command. Each command keeps its own claim and its own revisions.
 */
export class AppendBatch<State> {
  private readonly events: NewEvent[] = [];
  private readonly claims: CommandClaim[] = [];
  private readonly claimsAhead: Promise<void>[] = [];
  /** The version the last command in the batch produced: only a command decided on it may join. */
  tip: StreamVersion<State>;
  /** Resolves with the whole append's result; rejects with the reason it failed. */
  private readonly written: Promise<AppendResult>;
  private open = true;
  private bytes = 0;

  /** Waits for `base` to be durable and the claims taken ahead, then sends everything joined by then with `send`. */
  constructor(
    base: StreamVersion<State>,
    send: (events: readonly NewEvent[], claims: readonly CommandClaim[]) => Promise<AppendResult>,
  ) {
    this.tip = base;
    this.written = base.settled.then(async (durable) => {
      this.open = false;
      if (!durable) throw new EarlierAppendFailed();
      // A Command-Id another command holds, or one answered without events already, refuses the
      // whole batch (its other commands decide again).
      await allOrFirstFailure(
        this.claimsAhead,
        (e) => e instanceof CommandIdReusedError || e instanceof CommandAnsweredError,
      );
      return send(this.events, this.claims);
    });
  }

  /**
   * Adds one command's entry, decided on `on`, if the batch has not been
   * sent, `on` is its tip, and the append stays under the store's size limit
   * (the first command always joins: its own size is the store's to judge).
   * Returns that command's share of the result, or undefined when it cannot join.
   */
  join(on: StreamVersion<State>, entry: BatchEntry): Promise<AppendResult> | undefined {
    if (!this.open || on !== this.tip || on.revision === undefined) return undefined;
    const bytes = sizeOf(entry.events);
    if (this.events.length > 0 && this.bytes + bytes > BATCH_BYTES) return undefined;
    this.bytes += bytes;
    this.events.push(...entry.events);
    if (entry.claimedAhead !== undefined) {
      entry.claimedAhead.catch(() => undefined); // reported through the batch, even if it never gets as far as sending
      this.claimsAhead.push(entry.claimedAhead);
    } else if (entry.claim !== undefined) this.claims.push(entry.claim);
    const nextRevision = on.revision + BigInt(entry.events.length);
    // The batch's position is that of its last event: a reader waiting for it has this command's
    // events too.
    return this.written.then((written) => ({ nextRevision, position: written.position }));
  }
}

/** An append on the same stream before this one failed, so this one, decided on top of it, is never sent. */
export class EarlierAppendFailed extends Error {
  constructor() {
    super("an earlier append on this stream failed");
  }
}

/**
 * Half the store's limit by the adapters' measure, so that the store's own
 * framing of many small events never takes a batch over: a command that
 * fits alone is never refused for the company it kept.
 */
const BATCH_BYTES = MAX_APPEND_BYTES / 2;

const sizeOf = (events: readonly NewEvent[]): number =>
  events.reduce(
    (bytes, e) =>
      bytes +
      Buffer.byteLength(e.type) +
      Buffer.byteLength(JSON.stringify(e.data ?? null)) +
      Buffer.byteLength(JSON.stringify(e.metadata ?? {})),
    0,
  );
