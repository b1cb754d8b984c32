import type { Logger } from "pino";
import type { EventStore, Position, RecordedEvent, Subscription } from "../ports/event-store.js";
import type { CampaignProjection, ProjectedEvent } from "./projection.js";
import type { ReadModelStore } from "../ports/read-model-store.js";

/** What the runner holds per campaign: each projection's model now and as last written. */
type Tracked = {
  clientId: string;
  revision: bigint;
  models: unknown[];
  written: unknown[];
  dirty: boolean;
};

export type RunnerOptions = {
  /** Key of the checkpoint in the checkpoints bucket. */
  checkpointKey?: string;
  /** Events applied before a flush is forced, even while more keep arriving. */
  batchSize?: number;
  /** Campaigns kept in memory; an evicted one is rebuilt from its own stream when next touched. */
  capacity?: number;
};

const CAMPAIGN_PREFIX = "campaign-";
const IDLE = Symbol("idle");
const FLUSH_MS = 50;
/**
 * While catching up on a backlog (a restart, a rebuild), batches are larger:
 * fewer rewrites of the same read models, and nobody is waiting on each event.
 */
const CATCH_UP_FLUSH_MS = 500;
const CATCH_UP_BATCH = 50_000;
const FLUSH_RETRY_MAX_MS = 5_000;
/**
 * Under load a flush (rewriting the touched pages of numbers) takes a while;
 * the next one waits this many times as long, so that writing read models
 * takes at most about a quarter of the process and more changes share each
 * write. Idle, reads see a command's effects within FLUSH_MS.
 */
const BUSY_FLUSH_FACTOR = 3;
/** However busy, a command's effects reach the read models within about this long. */
const MAX_FLUSH_MS = 1_000;

/**
 * Feeds the projections from the store's global log, from a checkpoint.
 * Per batch: apply events in memory, write each touched read model once
 * (coalesced), then the checkpoint. A campaign first touched mid-stream
 * (after a restart) is rebuilt from its own stream up to that event, so a
 * replayed event changes nothing and nothing is counted twice.
 */
export class ProjectionRunner {
  private readonly campaigns = new Map<string, Tracked>();
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private checkpointValue: Position = 0n;
  private applied: Position = 0n;
  private waiters: { position: Position; resolve: (reached: boolean) => void }[] = [];
  private readonly batchSize: number;
  /** The head of the log at start: until it is applied, the runner is catching up. */
  private backlogEnd: Position = 0n;
  private readonly capacity: number;
  private readonly checkpointKey: string;
  private stopping = false;
  private lastFlushMs = 0;
  eventsApplied = 0;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: readonly CampaignProjection<unknown>[],
    private readonly logger: Logger,
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.capacity = options.capacity ?? 10_000;
    this.checkpointKey = options.checkpointKey ?? "projections";
  }

  /** The last position whose effects are in the read models. */
  get checkpoint(): Position {
    return this.checkpointValue;
  }

  async lag(): Promise<bigint> {
    const head = await this.store.headPosition();
    return head > this.checkpointValue ? head - this.checkpointValue : 0n;
  }

  async start(): Promise<void> {
    const saved = await this.readModels.get<string>("checkpoints", this.checkpointKey);
    this.backlogEnd = await this.store.headPosition();
    let from = saved === undefined ? 0n : BigInt(saved);
    if (from > this.backlogEnd) {
      // Read models of another store (a wiped DATA_DIR, EVENT_STORE=memory restarted): following on from there would skip
      // everything this store holds. Project it all again; keys of campaigns this store never had are left as they are.
      this.logger.warn({ checkpoint: from.toString(), head: this.backlogEnd.toString() }, "read-model checkpoint is ahead of the event store; projecting from the start");
      from = 0n;
    }
    this.checkpointValue = this.applied = from;
    this.subscription = this.store.subscribe({ from: this.checkpointValue });
    this.running = this.pump(this.subscription).catch((err: unknown) => {
      this.logger.error({ err }, "projections stopped");
    });
  }

  /** Stops at a checkpoint: everything applied is written first. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.running;
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }

  /** Resolves true once the read models include `position`, false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.checkpointValue >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve: (reached: boolean) => { clearTimeout(timer); resolve(reached); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private async pump(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let pendingEvents = 0;
    // Unwritten events are flushed at most FLUSH_MS after the first of them, or at batchSize: one timer per batch.
    let deadline: Promise<typeof IDLE> | undefined;
    let next = iterator.next();
    for (;;) {
      const result = deadline ? await Promise.race([next, deadline]) : await next;
      const catchingUp = this.applied < this.backlogEnd;
      if (result === IDLE || (!result.done && pendingEvents >= (catchingUp ? CATCH_UP_BATCH : this.batchSize))) {
        await this.flush();
        pendingEvents = 0;
        deadline = undefined;
        if (result === IDLE) continue;
      }
      if (result.done) break;
      next = iterator.next();
      await this.apply(result.value);
      pendingEvents++;
      deadline ??= idleAfter(this.applied < this.backlogEnd ? CATCH_UP_FLUSH_MS : Math.min(MAX_FLUSH_MS, Math.max(FLUSH_MS, this.lastFlushMs * BUSY_FLUSH_FACTOR)));
    }
    await this.flush();
  }

  private async apply(event: RecordedEvent): Promise<void> {
    this.applied = event.position;
    if (!event.streamId.startsWith(CAMPAIGN_PREFIX)) return;
    const campaignId = event.streamId.slice(CAMPAIGN_PREFIX.length);
    let tracked = this.campaigns.get(campaignId);
    if (tracked && event.revision <= tracked.revision) return; // already applied: a replay changes nothing
    if (!tracked || event.revision > tracked.revision + 1n) tracked = await this.rebuild(campaignId, event, tracked);
    if (!tracked) return;
    this.evolve(tracked, campaignId, event);
    tracked.dirty = true;
    this.eventsApplied++;
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
  private async rebuild(campaignId: string, event: RecordedEvent, known: Tracked | undefined): Promise<Tracked | undefined> {
    const clientId = known?.clientId ?? clientOf(event);
    if (clientId === undefined) {
      this.logger.warn({ streamId: event.streamId }, "campaign event without a client id; not projected");
      return undefined;
    }
    const tracked: Tracked = known ?? { clientId, revision: -1n, models: this.projections.map(() => undefined), written: [], dirty: false };
    if (event.revision > tracked.revision + 1n) {
      for await (const earlier of this.store.read(event.streamId, { from: tracked.revision + 1n, limit: Number(event.revision - tracked.revision - 1n) })) {
        this.evolve(tracked, campaignId, earlier);
      }
    }
    // What the read models hold already (written before the restart) equals the rebuilt models.
    tracked.models = tracked.models.map((m, i) => (m === undefined ? m : (this.projections[i]!.settled?.(m) ?? m)));
    if (known === undefined) tracked.written = [...tracked.models];
    this.campaigns.set(campaignId, tracked);
    return tracked;
  }

  /**
   * Writes until it succeeds: a read-model store that is briefly away (NATS
   * reconnecting, say) delays the projections but does not stop them. Once
   * stop() is asked for, a failing flush gives up: the checkpoint stays where
   * it was, and the events since are applied again after a restart (the
   * position guard keeps that harmless).
   */
  private async flush(): Promise<void> {
    // Paced by live flushes only: a catch-up batch is large by design.
    const live = this.applied >= this.backlogEnd;
    for (let attempt = 0; ; attempt++) {
      const began = performance.now(); // the cost of writing, not of waiting out a failure
      try {
        await this.flushOnce();
        this.lastFlushMs = live ? performance.now() - began : 0;
        return;
      } catch (err) {
        if (this.stopping) throw err;
        const delayMs = Math.min(FLUSH_RETRY_MAX_MS, 50 * 2 ** attempt);
        this.logger.warn({ err, attempt, delayMs }, "read models not written; retrying");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async flushOnce(): Promise<void> {
    const writes: Promise<void>[] = [];
    const flushed: { tracked: Tracked; before: unknown[]; after: unknown[] }[] = [];
    for (const [campaignId, tracked] of this.campaigns) {
      if (!tracked.dirty) continue;
      const after = tracked.models;
      const before = tracked.written;
      this.projections.forEach((p, i) => writes.push(p.write(this.readModels, tracked.clientId, campaignId, before[i], after[i])));
      flushed.push({ tracked, before, after });
      tracked.models = after.map((m, i) => (m === undefined ? m : (this.projections[i]!.settled?.(m) ?? m)));
      tracked.written = [...tracked.models];
      tracked.dirty = false;
    }
    try {
      await Promise.all(writes);
    } catch (err) {
      // Not all written: the next try writes the same changes again (puts are idempotent).
      for (const { tracked, before, after } of flushed) Object.assign(tracked, { models: after, written: before, dirty: true });
      throw err;
    }
    if (this.applied > this.checkpointValue) {
      await this.readModels.put("checkpoints", this.checkpointKey, this.applied.toString());
      this.checkpointValue = this.applied;
    }
    this.waiters = this.waiters.filter((w) => (w.position <= this.checkpointValue ? (w.resolve(true), false) : true));
    this.evict();
  }

  private evict(): void {
    for (const campaignId of this.campaigns.keys()) {
      if (this.campaigns.size <= this.capacity) break;
      this.campaigns.delete(campaignId);
    }
  }
}

const clientOf = (event: RecordedEvent): string | undefined => {
  const fromMetadata = event.metadata.clientId;
  if (typeof fromMetadata === "string") return fromMetadata;
  const fromData = (event.data as { clientId?: unknown }).clientId;
  return typeof fromData === "string" ? fromData : undefined;
};

const idleAfter = (ms: number): Promise<typeof IDLE> => new Promise((resolve) => setTimeout(() => resolve(IDLE), ms));
