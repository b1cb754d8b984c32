import type { Position } from "./event-store.js";

/**
 * Where a log consumer keeps its checkpoint: the last position whose effects
 * are durable. One key per consumer (`projections`, `relay`, a rebuild's own).
 */
export interface CheckpointStore {
  load(key: string): Promise<Position | undefined>;
  save(key: string, position: Position): Promise<void>;
  remove(key: string): Promise<void>;
  /** The checkpoint now and after each save, until `signal` aborts (how a standby instance follows the holder's). */
  watch(key: string, signal: AbortSignal): AsyncIterable<Position | undefined>;
}
