import type { Position } from "../ports/event-store.js";
import type { ReadModelStore } from "../ports/read-model-store.js";

/** How far the read models have got: what a query with `minPosition` waits on. */
export interface ProjectionProgress {
  /** The last position whose effects are in the read models (as far as this instance knows). */
  readonly checkpoint: Position;
  /** Resolves true once the read models include `position`, false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean>;
}

const POLL_MS = 20;

/**
 * The progress of projections another instance runs, read from the
 * checkpoint it writes after each flush: an instance that does not hold the
 * projections lease answers `minPosition` with this.
 */
export class FollowedCheckpoint implements ProjectionProgress {
  private value: Position = 0n;

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly checkpointKey = "projections",
  ) {}

  get checkpoint(): Position {
    return this.value;
  }

  async waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.value >= position) return true;
      const saved = await this.readModels.get<string>("checkpoints", this.checkpointKey).catch(() => undefined);
      if (saved !== undefined && BigInt(saved) > this.value) this.value = BigInt(saved);
      if (this.value >= position) return true;
      if (Date.now() + POLL_MS > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
