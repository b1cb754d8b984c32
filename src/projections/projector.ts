import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { EventStore, RecordedEvent } from "../ports/event-store.js";
import type { ReadModelStore } from "../ports/read-model-store.js";
import { campaignProjections } from "./campaign-projections.js";
import { checkpointsIn } from "./checkpoints.js";
import { LogConsumer, type LogHandler } from "./log-consumer.js";
import type { CampaignProjection, ProjectedEvent } from "./projection.js";
import { upcastStored } from "./upcast-stored.js";

/** What the projector holds per campaign: each projection's model now and as last written. */
type Tracked = {
  clientId: string;
  revision: bigint;
  models: unknown[];
  written: unknown[];
};

export type ProjectorOptions = {
  /** Key of the checkpoint; `projections` for the service, one of its own for a rebuild. */
  checkpointKey?: string;
  /** Campaigns kept in memory (least recently used go first); an evicted one is rebuilt from its own stream when next touched. */
  capacity?: number;
};

const CAMPAIGN_PREFIX = "campaign-";

/**
 * The read-model handler of the log consumer: applies each event to the
 * campaign's models in memory and, at a flush, writes each touched read model
 * once (coalesced). A campaign first met mid-stream (after a restart or an
 * eviction) is rebuilt from its own stream up to that event, and events at or
 * below a campaign's revision are skipped, so a replayed event changes nothing
 * and nothing is counted twice.
 */
export class Projector implements LogHandler {
  readonly checkpointKey: string;
  private readonly campaigns: LRUCache<string, Tracked>;
  /** Changed since the last flush; kept here too, so an eviction before the flush loses nothing. */
  private readonly dirty = new Map<string, Tracked>();
  /** Campaign events applied (skipped replays not counted): a rebuild's progress. */
  eventsApplied = 0;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: readonly CampaignProjection<unknown>[],
    private readonly logger: Logger,
    options: ProjectorOptions = {},
  ) {
    this.checkpointKey = options.checkpointKey ?? "projections";
    this.campaigns = new LRUCache({ max: options.capacity ?? 10_000 });
  }

  async handle(event: RecordedEvent): Promise<void> {
    if (!event.streamId.startsWith(CAMPAIGN_PREFIX)) return;
    const campaignId = event.streamId.slice(CAMPAIGN_PREFIX.length);
    let tracked = this.campaigns.get(campaignId) ?? this.dirty.get(campaignId);
    if (tracked && event.revision <= tracked.revision) return; // already applied: a replay changes nothing
    if (!tracked || event.revision > tracked.revision + 1n)
      tracked = await this.rebuild(campaignId, event, tracked);
    if (!tracked) return;
    this.evolve(tracked, campaignId, await upcastStored(this.store, event));
    this.campaigns.set(campaignId, tracked); // now the most recently used
    this.dirty.set(campaignId, tracked);
    this.eventsApplied++;
  }

  /** Writes every touched read model; on failure the same changes are written again next time (puts are idempotent). */
  async flush(): Promise<void> {
    const writes: Promise<void>[] = [];
    const flushed: { tracked: Tracked; before: unknown[]; after: unknown[] }[] = [];
    for (const [campaignId, tracked] of this.dirty) {
      const after = tracked.models;
      const before = tracked.written;
      this.projections.forEach((p, i) =>
        writes.push(p.write(this.readModels, tracked.clientId, campaignId, before[i], after[i])),
      );
      flushed.push({ tracked, before, after });
      tracked.models = this.settled(after);
      tracked.written = [...tracked.models];
    }
    const touched = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(writes);
    } catch (err) {
      for (const { tracked, before, after } of flushed)
        Object.assign(tracked, { models: after, written: before });
      for (const [campaignId, tracked] of touched) this.dirty.set(campaignId, tracked);
      throw err;
    }
  }

  private settled(models: unknown[]): unknown[] {
    return models.map((m, i) => (m === undefined ? m : (this.projections[i]!.settled?.(m) ?? m)));
  }

  private evolve(tracked: Tracked, campaignId: string, event: RecordedEvent): void {
    const projected: ProjectedEvent = {
      type: event.type,
      data: event.data,
      position: event.position,
      revision: event.revision,
      recordedAt: event.recordedAt.toISOString(),
      clientId: tracked.clientId,
      campaignId,
    };
    tracked.models = this.projections.map((p, i) => p.evolve(tracked.models[i], projected));
    tracked.revision = event.revision;
  }

  /** Folds the campaign's own stream up to (not including) `event`: what was written before a restart or eviction. */
  private async rebuild(
    campaignId: string,
    event: RecordedEvent,
    known: Tracked | undefined,
  ): Promise<Tracked | undefined> {
    const clientId = known?.clientId ?? clientOf(event);
    if (clientId === undefined) {
      this.logger.warn(
        { streamId: event.streamId },
        "campaign event without a client id; not projected",
      );
      return undefined;
    }
    const tracked: Tracked = known ?? {
      clientId,
      revision: -1n,
      models: this.projections.map(() => undefined),
      written: [],
    };
    if (event.revision > tracked.revision + 1n) {
      for await (const earlier of this.store.read(event.streamId, {
        from: tracked.revision + 1n,
        limit: Number(event.revision - tracked.revision - 1n),
      })) {
        this.evolve(tracked, campaignId, await upcastStored(this.store, earlier));
      }
    }
    // What the read models hold already (written before the restart) equals the rebuilt models.
    tracked.models = this.settled(tracked.models);
    if (known === undefined) tracked.written = [...tracked.models];
    return tracked;
  }
}

const clientOf = (event: RecordedEvent): string | undefined => {
  const fromMetadata = event.metadata.clientId;
  if (typeof fromMetadata === "string") return fromMetadata;
  const fromData = (event.data as { clientId?: unknown }).clientId;
  return typeof fromData === "string" ? fromData : undefined;
};

/** The projector on its own log consumer, its checkpoint beside the read models. */
export function projectionsConsumer(
  store: EventStore,
  readModels: ReadModelStore,
  logger: Logger,
  options: ProjectorOptions & { projections?: readonly CampaignProjection<unknown>[] } = {},
): { projector: Projector; consumer: LogConsumer } {
  const projector = new Projector(
    store,
    readModels,
    options.projections ?? campaignProjections,
    logger,
    options,
  );
  return {
    projector,
    consumer: new LogConsumer(store, checkpointsIn(readModels), projector, logger),
  };
}
