import type { EventStore, Position } from "../ports/event-store.js";
import type { JoinLease, Lease } from "../ports/lease.js";
import type { LogConsumer } from "./log-consumer.js";
import type { FollowedCheckpoint, ProjectionProgress } from "./progress.js";

/** The consumers run under the lease, by name; `projections` is the one `minPosition` waits on. */
export type ConsumerFactories = { projections: () => LogConsumer } & Record<
  string,
  () => LogConsumer
>;

/**
 * Log consumers behind a lease: they run in one instance at a time (two
 * writers of the same read models would put older values over newer ones).
 * The holder starts them when it takes the lease and stops them at a
 * checkpoint when it loses or hands it back; every other instance follows the
 * holder's projections checkpoint to answer `minPosition`.
 */
export class LeasedConsumers implements ProjectionProgress {
  private consumers: Map<string, LogConsumer> | undefined;
  private lease: Lease | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly factories: ConsumerFactories,
    private readonly followed: FollowedCheckpoint,
  ) {}

  /** Follows the holder's checkpoint and, given a lease to join, runs the consumers whenever it holds it. */
  async start(joinLease: JoinLease | undefined): Promise<void> {
    this.followed.start();
    this.lease = await joinLease?.((held) => (held ? this.startConsumers() : this.stopConsumers()));
  }

  /** Stops the consumers at a checkpoint and hands the lease on. */
  async stop(): Promise<void> {
    await this.lease?.stop();
    await this.followed.stop();
  }

  /** Whether this instance holds the lease (runs the consumers). */
  get running(): boolean {
    return this.consumers !== undefined;
  }

  get checkpoint(): Position {
    return this.consumers?.get("projections")!.checkpoint ?? this.followed.checkpoint;
  }

  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    return (this.consumers?.get("projections") ?? this.followed).waitFor(position, timeoutMs);
  }

  /** A consumer's checkpoint, when it runs here. */
  checkpointOf(name: string): Position | undefined {
    return this.consumers?.get(name)?.checkpoint;
  }

  /**
   * How far behind the store's head each consumer is, in positions (events on
   * SQLite and memory, where positions count events). The projections' lag is
   * known on every instance (a follower reads the holder's checkpoint); the
   * others' only where they run, undefined elsewhere.
   */
  async lag(): Promise<Record<string, bigint | undefined>> {
    const head = await this.store.headPosition();
    const behind = (checkpoint: Position | undefined) =>
      checkpoint === undefined ? undefined : head > checkpoint ? head - checkpoint : 0n;
    return Object.fromEntries(
      Object.keys(this.factories).map((name) => [
        name,
        behind(name === "projections" ? this.checkpoint : this.checkpointOf(name)),
      ]),
    );
  }

  private async startConsumers(): Promise<void> {
    const consumers = new Map(
      Object.entries(this.factories).map(([name, make]) => [name, make()] as const),
    );
    this.consumers = consumers;
    await Promise.all([...consumers.values()].map((c) => c.start()));
  }

  private async stopConsumers(): Promise<void> {
    const stopping = this.consumers;
    this.consumers = undefined;
    await Promise.all([...(stopping?.values() ?? [])].map((c) => c.stop()));
  }
}
