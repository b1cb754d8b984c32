import type { Position } from "../ports/event-store.js";

/** A stream's decided state as of `revision`. */
export type StreamVersion<State> = {
  readonly state: State;
  /** Last revision folded in; undefined while the stream does not exist. */
  readonly revision: bigint | undefined;
  /** Of the last event folded in; 0 while that event's append is in flight. */
  readonly position: Position;
  /** The id of the last event folded in: an append built on this version may require it (AppendCondition). */
  readonly lastEventId: string | undefined;
  /**
   * Resolves true once every append folded into this version is durable,
   * false if any of them failed. Nothing decided on it may be answered, and
   * no append built on it may reach the store, before it resolves true.
   */
  readonly settled: Promise<boolean>;
};
