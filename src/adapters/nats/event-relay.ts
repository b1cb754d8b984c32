import { headers as natsHeaders, type JetStreamClient, type JetStreamManager, type JetStreamPublishOptions, type NatsConnection, type PubAck } from "nats";
import type { Logger } from "pino";
import type { ReadModelStore } from "../../ports/read-model-store.js";
import type { EventStore, RecordedEvent, Subscription } from "../../ports/event-store.js";
import { eventSubject, SUBJECT_ROOT } from "../../contract/subjects.js";
import { encodeJson } from "../../contract/wire.js";

export const EVENTS_STREAM = "CAMPAIGN_EVENTS";
/** Publishes in flight at once: enough to hide the ack round trip, few enough to bound memory. */
const WINDOW = 256;

export type RelayedEvent = {
  eventId: string;
  type: string;
  campaignId: string;
  clientId: string;
  revision: bigint;
  position: bigint;
  recordedAt: string;
  data: unknown;
  metadata: unknown;
};

/**
 * Relays every campaign event to the JetStream stream CAMPAIGN_EVENTS on
 * `campaigns.<client>.events.<campaignId>.<EventType>`, `Nats-Msg-Id` = event id.
 * Its checkpoint (key `relay` in the projections bucket) only passes an event
 * once it and every event before it are acknowledged; after a crash the
 * events since the checkpoint are published again and the stream's
 * duplicate window (10 minutes) drops the ones it already has.
 */
export class EventRelay {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private relayed = 0n;
  private saved = 0n;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: EventStore,
    private readonly checkpoints: ReadModelStore,
    private readonly logger: Logger,
  ) {}

  static async ensureStream(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.streams.info(EVENTS_STREAM);
    } catch {
      await jsm.streams.add({ name: EVENTS_STREAM, subjects: [`${SUBJECT_ROOT}.*.events.>`], duplicate_window: 10 * 60 * 1_000_000_000 });
    }
  }

  /** Last position relayed with everything before it. */
  get position(): bigint {
    return this.relayed;
  }

  async start(): Promise<void> {
    await EventRelay.ensureStream(await this.nc.jetstreamManager());
    const checkpoint = await this.checkpoints.get<string>("checkpoints", CHECKPOINT_KEY);
    const head = await this.store.headPosition();
    this.relayed = this.saved = checkpoint === undefined ? 0n : BigInt(checkpoint);
    if (this.relayed > head) {
      this.logger.warn({ checkpoint: this.relayed.toString(), head: head.toString() }, "relay checkpoint is ahead of the event store; relaying from the start");
      this.relayed = 0n; // saved stays ahead, so the first checkpoint save writes the new one
    }
    this.subscription = this.store.subscribe({ from: this.relayed, streamPrefixes: ["campaign-"] });
    this.timer = setInterval(() => void this.saveCheckpoint().catch((err: unknown) => this.logger.warn({ err }, "relay checkpoint not saved")), 1000);
    this.running = this.pump(this.nc.jetstream(), this.subscription).catch((err: unknown) => this.logger.error({ err }, "event relay stopped"));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.subscription?.close();
    await this.running;
    await this.saveCheckpoint();
  }

  /**
   * Up to WINDOW publishes in flight; the relayed position moves over the
   * acknowledged prefix as each ack lands, so the checkpoint (saved every
   * second) stays close behind even when traffic is light.
   */
  private async pump(js: JetStreamClient, subscription: Subscription): Promise<void> {
    const window: { position: bigint; acked: boolean }[] = [];
    let wake = () => {};
    let gaveUp = false;
    const settle = () => {
      while (window[0]?.acked) this.relayed = window.shift()!.position;
      wake();
    };
    for await (const event of subscription) {
      const relayed = toRelayed(event);
      if (relayed === undefined) continue;
      const h = natsHeaders();
      h.set("Event-Position", event.position.toString());
      h.set("Event-Type", event.type);
      const subject = eventSubject(relayed.clientId, relayed.campaignId, event.type);
      const entry = { position: event.position, acked: false };
      window.push(entry);
      publishUntilAcked(js, subject, encodeJson(relayed), { msgID: event.eventId, headers: h }, this.logger, () => this.stopping).then(
        () => {
          entry.acked = true;
          settle();
        },
        () => {
          gaveUp = true; // stopping: the checkpoint stays before this event, which is published again on restart
          wake();
        },
      );
      while (window.length >= WINDOW && !gaveUp) await new Promise<void>((resolve) => (wake = resolve));
    }
    while (window.length > 0 && !gaveUp) await new Promise<void>((resolve) => (wake = resolve));
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.relayed === this.saved) return;
    const position = this.relayed;
    await this.checkpoints.put("checkpoints", CHECKPOINT_KEY, position.toString());
    this.saved = position;
  }
}

const CHECKPOINT_KEY = "relay";

/** A failed publish is retried with the same msg id (the stream dedupes), so no event is skipped; on stop, retries end. */
async function publishUntilAcked(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  options: Partial<JetStreamPublishOptions>,
  logger: Logger,
  stopping: () => boolean,
): Promise<PubAck> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await js.publish(subject, data, options);
    } catch (err) {
      if (stopping()) throw err;
      logger.warn({ err, subject, attempt }, "event relay publish failed; retrying");
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
    }
  }
}

function toRelayed(event: RecordedEvent): RelayedEvent | undefined {
  const campaignId = event.streamId.slice("campaign-".length);
  const clientId = event.metadata.clientId ?? (event.data as { clientId?: string }).clientId;
  if (typeof clientId !== "string") return undefined;
  return {
    eventId: event.eventId,
    type: event.type,
    campaignId,
    clientId,
    revision: event.revision,
    position: event.position,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}

