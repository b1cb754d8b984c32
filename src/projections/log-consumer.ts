import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { retry } from "../lib/retry.js";
import type { CheckpointStore } from "../ports/checkpoint-store.js";
import type { EventStore, Position, RecordedEvent, Subscription } from "../ports/event-store.js";
import { PositionWaiters } from "./position-waiters.js";

/**
 * What a log consumer feeds: the read-model projector, the event relay (after
 * Emmett's projector and reactor, two kinds of one processor). It takes events
 * one by one and, when the consumer says so, makes their effects durable;
 * only then does the consumer move the checkpoint past them.
 */
export interface LogHandler {
  /** Key of its checkpoint in the checkpoint store. */
  readonly checkpointKey: string;
  /** Only events of streams starting with one of these reach it (all when absent). */
  readonly streamPrefixes?: readonly string[];
  /** Ready to take events (e.g. the relay's JetStream stream exists). */
  start?(): Promise<void>;
  /** Takes one event; may wait for room (backpressure), not for the effects to be durable. */
  handle(event: RecordedEvent, signal: AbortSignal): Promise<void>;
  /** Makes the effects of every event taken so far durable; throws if it could not (the consumer retries). */
  flush(signal: AbortSignal): Promise<void>;
}

/** When unwritten effects are flushed. */
export type Pacing = {
  /** Live and idle: this long after the first unwritten event. */
  flushMs: number;
  /** Live, however busy: no longer than this. */
  maxFlushMs: number;
  /** Live: a flush is forced after this many events, even while more keep arriving. */
  batchSize: number;
  /**
   * Under load the next flush waits this many times as long as the last live
   * one took, so that flushing takes at most about 1/(1+factor) of the time and
   * more changes share each write.
   */
  busyFactor: number;
  /** While catching up on a backlog (a restart, a rebuild) batches are larger: nobody waits on each event. */
  catchUpFlushMs: number;
  catchUpBatch: number;
};

export const DEFAULT_PACING: Pacing = {
  flushMs: 50,
  maxFlushMs: 1_000,
  batchSize: 5_000,
  busyFactor: 3,
  catchUpFlushMs: 500,
  catchUpBatch: 50_000,
};

/** A flush that fails (the store briefly away) is retried this way until it lands or stop() is asked for. */
const FLUSH_RETRY = { initialMs: 50, maxMs: 5_000 };
const IDLE = Symbol("idle");

/**
 * The one consumer of the store's global log: loads its handler's checkpoint
 * (a checkpoint ahead of the store's head, left by another store, starts over
 * from zero), follows the log from there (catch-up, then live), hands each
 * event to the handler, flushes paced by the flushes' cost, retries a failed
 * flush with backoff, then saves the checkpoint. Depends on ports only, so it
 * runs wherever the ports are (the service under its lease, a rebuild, a worker).
 */
export class LogConsumer {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly waiters = new PositionWaiters();
  private checkpointValue: Position = 0n;
  private handled: Position = 0n;
  /** The head of the log at start: until it is handled, the consumer is catching up. */
  private backlogEnd: Position = 0n;
  private lastFlushMs = 0;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly handler: LogHandler,
    private readonly logger: Logger,
    private readonly pacing: Pacing = DEFAULT_PACING,
  ) {}

  /** The last position whose effects are durable (the saved checkpoint). */
  get checkpoint(): Position {
    return this.checkpointValue;
  }

  async start(): Promise<void> {
    await this.handler.start?.();
    const saved = await this.checkpoints.load(this.handler.checkpointKey);
    this.backlogEnd = await this.store.headPosition();
    let from = saved ?? 0n;
    if (from > this.backlogEnd) {
      // Effects of another store (a wiped DATA_DIR, EVENT_STORE=memory restarted): following on
      // from there would skip everything this store holds. Start over; keys of campaigns this store
      // never had are left as they are.
      this.logger.warn(
        { checkpoint: from.toString(), head: this.backlogEnd.toString() },
        "checkpoint is ahead of the event store; starting from the beginning",
      );
      from = 0n;
    }
    this.checkpointValue = this.handled = from;
    this.waiters.reached(from);
    this.subscription = this.store.subscribe({
      from,
      ...(this.handler.streamPrefixes ? { streamPrefixes: this.handler.streamPrefixes } : {}),
    });
    this.running = this.pump(this.subscription).catch((err: unknown) => {
      if (this.stopping.signal.aborted)
        this.logger.warn(
          { err, checkpoint: this.checkpointValue.toString() },
          "stopped before the last flush landed; the events since the checkpoint are handled again next time",
        );
      else this.logger.error({ err }, "log consumer stopped");
    });
  }

  /** Stops at a checkpoint: what was handled is flushed first (one try). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.close();
    await this.running;
    this.waiters.cancelAll();
  }

  /** Resolves true once the checkpoint reaches `position`, false after `timeoutMs` (or on stop). */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    return this.checkpointValue >= position
      ? Promise.resolve(true)
      : this.waiters.wait(position, timeoutMs);
  }

  private catchingUp(): boolean {
    return this.handled < this.backlogEnd;
  }

  private async pump(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let pendingEvents = 0;
    // Unflushed events are flushed at most a flush interval after the first of them, or at a
    // batch's size: one timer per batch.
    let deadline: Promise<typeof IDLE> | undefined;
    let next = iterator.next();
    for (;;) {
      const result = deadline ? await Promise.race([next, deadline]) : await next;
      const batch = this.catchingUp() ? this.pacing.catchUpBatch : this.pacing.batchSize;
      if (result === IDLE || (!result.done && pendingEvents >= batch)) {
        await this.flush();
        pendingEvents = 0;
        deadline = undefined;
        if (result === IDLE) continue;
      }
      if (result.done) break;
      next = iterator.next();
      await this.handler.handle(result.value, this.stopping.signal);
      this.handled = result.value.position;
      pendingEvents++;
      deadline ??= sleep(this.flushAfterMs(), IDLE);
    }
    await this.flush();
  }

  private flushAfterMs(): number {
    const { flushMs, maxFlushMs, busyFactor, catchUpFlushMs } = this.pacing;
    return this.catchingUp()
      ? catchUpFlushMs
      : Math.min(maxFlushMs, Math.max(flushMs, this.lastFlushMs * busyFactor));
  }

  /**
   * Flushes until it lands: a store that is briefly away (NATS reconnecting)
   * delays the consumer but does not stop it. Once stop() is asked for, a
   * failing flush gives up and the checkpoint stays where it was; the events
   * since are handled again after a restart.
   */
  private async flush(): Promise<void> {
    // Paced by live flushes only: a catch-up batch is large by design.
    const live = !this.catchingUp();
    const signal = this.stopping.signal;
    const cost = await retry(
      async () => {
        const began = performance.now(); // the cost of writing, not of waiting out a failure
        await this.handler.flush(signal);
        if (this.handled > this.checkpointValue) {
          await this.checkpoints.save(this.handler.checkpointKey, this.handled);
          this.checkpointValue = this.handled;
        }
        return performance.now() - began;
      },
      {
        ...FLUSH_RETRY,
        signal,
        onRetry: (err, attempt, delayMs) =>
          this.logger.warn({ err, attempt, delayMs }, "flush failed; retrying"),
      },
    );
    this.lastFlushMs = live ? cost : 0;
    this.waiters.reached(this.checkpointValue);
  }
}
