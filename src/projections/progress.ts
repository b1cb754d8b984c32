import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { retry } from "../lib/retry.js";
import type { CheckpointStore } from "../ports/checkpoint-store.js";
import type { Position } from "../ports/event-store.js";
import { PositionWaiters } from "./position-waiters.js";

/** How far the read models have got: what a query with `minPosition` waits on. */
export interface ProjectionProgress {
  /** The last position whose effects are in the read models (as far as this instance knows). */
  readonly checkpoint: Position;
  /** Resolves true once the read models include `position`, false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean>;
}

/** A dropped watch (NATS reconnecting) is opened again this way. */
const REWATCH = { initialMs: 100, maxMs: 5_000 };
/** While a query waits, the checkpoint is also read this often (see `poll`). */
const POLL_MS = 250;

/**
 * The progress of projections another instance runs, from the checkpoint it
 * writes after each flush, watched (not polled): an instance that does not
 * hold the projections lease answers `minPosition` with this.
 */
export class FollowedCheckpoint implements ProjectionProgress {
  private value: Position = 0n;
  private readonly waiters = new PositionWaiters();
  private readonly stopping = new AbortController();
  private following: Promise<void> | undefined;
  private polling = false;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly logger: Logger,
    private readonly checkpointKey = "projections",
  ) {}

  get checkpoint(): Position {
    return this.value;
  }

  start(): void {
    const signal = this.stopping.signal;
    this.following = retry(
      async () => {
        for await (const saved of this.checkpoints.watch(this.checkpointKey, signal))
          this.follow(saved);
        if (!signal.aborted) throw new Error("checkpoint watch ended");
      },
      {
        ...REWATCH,
        signal,
        onRetry: (err, attempt, delayMs) =>
          this.logger.warn({ err, attempt, delayMs }, "checkpoint watch dropped; watching again"),
      },
    ).catch(
      (err: unknown) =>
        void (signal.aborted || this.logger.error({ err }, "checkpoint no longer followed")),
    );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.following;
    this.waiters.cancelAll();
  }

  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.value >= position) return Promise.resolve(true);
    const reached = this.waiters.wait(position, timeoutMs);
    void this.poll();
    return reached;
  }

  /**
   * The checkpoint as saved, down as well as up: it goes back when the holder
   * rebuilds the read models (lost with NATS' state), and a removed one is 0.
   */
  private follow(saved: Position | undefined): void {
    this.value = saved ?? 0n;
    this.waiters.reached(this.value);
  }

  /**
   * Reads the checkpoint while anyone waits, beside the watch: a watch is a
   * consumer, which a cluster that lost a node may take seconds to create
   * again, while a read is answered by any replica.
   */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.pending && !this.stopping.signal.aborted) {
        await sleep(POLL_MS);
        const saved = await this.checkpoints.load(this.checkpointKey).catch(() => false as const);
        if (saved !== false && this.waiters.pending) this.follow(saved);
      }
    } finally {
      this.polling = false;
    }
  }
}
