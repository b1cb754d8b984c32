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
        for await (const saved of this.checkpoints.watch(this.checkpointKey, signal)) {
          if (saved !== undefined && saved > this.value) this.value = saved;
          this.waiters.reached(this.value);
        }
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
    return this.value >= position ? Promise.resolve(true) : this.waiters.wait(position, timeoutMs);
  }
}
