import { getMaxListeners, setMaxListeners } from "node:events";
import { headers as natsHeaders, type JetStreamClient, type NatsConnection } from "nats";
import type { Logger } from "pino";
import { retry } from "../../lib/retry.js";
import type { CheckpointStore } from "../../ports/checkpoint-store.js";
import type { EventStore, RecordedEvent } from "../../ports/event-store.js";
import {
  DEFAULT_PACING,
  LogConsumer,
  type LogHandler,
  type Pacing,
} from "../../projections/log-consumer.js";
import { eventSubject, SUBJECT_ROOT } from "../../contract/subjects.js";
import { encodeJson } from "../../contract/wire.js";
import { JetStreamAssets } from "./jetstream-assets.js";
import { PublishesPerTurn } from "./publishes-per-turn.js";

export const EVENTS_STREAM = "CAMPAIGN_EVENTS";
/** Publishes in flight at once: enough to hide the ack round trip, few enough to bound memory. */
const WINDOW = 256;
/** A failed publish is retried with the same msg id (the stream dedupes), so no event is skipped; on stop, retries end. */
const PUBLISH_RETRY = { initialMs: 50, maxMs: 2_000 };

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

/** CAMPAIGN_EVENTS limits (EVENTS_MAX_AGE, EVENTS_MAX_BYTES): the event store keeps every event; the stream is a feed. */
export type EventsRetention = { maxAgeSeconds: number; maxBytes: number };
/** Without a configuration (tests, tools): no limits, as JetStream's defaults. */
const UNLIMITED: EventsRetention = { maxAgeSeconds: 0, maxBytes: -1 };

/** CAMPAIGN_EVENTS as the service wants it: the relay's subjects, its duplicate window, the retention configured. */
export const eventsStreamConfig = (retention: EventsRetention = UNLIMITED) => ({
  name: EVENTS_STREAM,
  subjects: [`${SUBJECT_ROOT}.*.events.>`],
  duplicate_window: 10 * 60 * 1_000_000_000,
  max_age: retention.maxAgeSeconds * 1_000_000_000,
  max_bytes: retention.maxBytes,
});

/** Creates the stream, or brings an existing one's limits (and replicas) to the configured ones. */
export async function ensureEventsStream(
  assets: JetStreamAssets,
  retention?: EventsRetention,
): Promise<void> {
  await assets.stream(eventsStreamConfig(retention));
}

/**
 * The relay, a handler on the log consumer: publishes every campaign event to
 * the JetStream stream CAMPAIGN_EVENTS on
 * `campaigns.<client>.events.<campaignId>.<EventType>`, `Nats-Msg-Id` = event
 * id, up to WINDOW publishes in flight. A flush waits for every publish to be
 * acknowledged, so its checkpoint (key `relay`) only passes an event once it
 * and every event before it are; after a crash the events since the
 * checkpoint are published again and the stream's duplicate window
 * (10 minutes) drops the ones it already has.
 */
export class RelayPublisher implements LogHandler {
  readonly checkpointKey = "relay";
  readonly streamPrefixes = ["campaign-"];
  private js: JetStreamClient | undefined;
  private inFlight = 0;
  private gaveUp = false;
  private wake = () => {};
  private readonly turn = new PublishesPerTurn();

  constructor(
    private readonly assets: JetStreamAssets,
    private readonly logger: Logger,
    private readonly retention?: EventsRetention,
  ) {}

  async start(): Promise<void> {
    await ensureEventsStream(this.assets, this.retention);
    this.js = this.assets.nc.jetstream();
  }

  async handle(event: RecordedEvent, signal: AbortSignal): Promise<void> {
    // Each publish retrying (NATS away) waits on the stop signal: up to WINDOW at once.
    if (getMaxListeners(signal) < WINDOW + 16) setMaxListeners(WINDOW + 16, signal);
    const relayed = toRelayed(event);
    if (relayed === undefined) return;
    const h = natsHeaders();
    h.set("Event-Position", event.position.toString());
    h.set("Event-Type", event.type);
    // The span of the command that wrote the event, so a consumer's work joins the same trace.
    if (typeof event.metadata.traceparent === "string")
      h.set("traceparent", event.metadata.traceparent);
    const subject = eventSubject(relayed.clientId, relayed.campaignId, event.type);
    const data = encodeJson(relayed);
    this.inFlight++;
    this.turn.add(() =>
      retry(() => this.js!.publish(subject, data, { msgID: event.eventId, headers: h }), {
        ...PUBLISH_RETRY,
        signal,
        onRetry: (err, attempt) =>
          this.logger.warn({ err, subject, attempt }, "event relay publish failed; retrying"),
      }).then(
        () => {
          this.inFlight--;
          this.wake();
        },
        () => {
          this.gaveUp = true; // stopping: the checkpoint stays before this event, which is published again on restart
          this.wake();
        },
      ),
    );
    while (this.inFlight >= WINDOW && !this.gaveUp)
      await new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Waits for every publish to be acknowledged. */
  async flush(): Promise<void> {
    while (this.inFlight > 0 && !this.gaveUp)
      await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.gaveUp) throw new Error("relay stopped before every publish was acknowledged");
  }
}

/** Checkpointed about once a second, as events come: a relay's flush is only the wait for acks. */
const RELAY_PACING: Pacing = { ...DEFAULT_PACING, flushMs: 1_000, catchUpFlushMs: 1_000 };

/** The relay on its own log consumer; its stream is opened through `assets` (the deployment's replicas). */
export function relayConsumer(
  nc: NatsConnection,
  store: EventStore,
  checkpoints: CheckpointStore,
  logger: Logger,
  options: { retention?: EventsRetention; assets?: JetStreamAssets } = {},
): LogConsumer {
  return new LogConsumer(
    store,
    checkpoints,
    new RelayPublisher(options.assets ?? new JetStreamAssets(nc), logger, options.retention),
    logger,
    RELAY_PACING,
  );
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
