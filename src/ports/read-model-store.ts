/**
 * Where read models live. The NATS adapter keeps them in JetStream KV
 * buckets (so reporting consumers can `watch` them); the projector and the
 * queries only see this port.
 */
export const readModelBuckets = {
  summaries: "campaign-summaries",
  details: "campaign-details",
  numbers: "campaign-numbers",
  statistics: "campaign-statistics",
  timelines: "campaign-timelines",
  attempts: "campaign-attempts",
  checkpoints: "campaign-projections",
} as const;
export type ReadModelBucket = keyof typeof readModelBuckets;

export interface ReadModelStore {
  get<T>(bucket: ReadModelBucket, key: string): Promise<T | undefined>;
  /** `undefined` removes the key (a delete marker watchers see). */
  put(bucket: ReadModelBucket, key: string, value: unknown): Promise<void>;
  /** Like put, for a value already serialised to JSON (saves a second stringify of large pages). */
  putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void>;
  /** Keys under a prefix such as `<client>.` */
  keys(bucket: ReadModelBucket, prefix: string): Promise<string[]>;
  /**
   * The key's value now (when it has one) and after every change, until `signal`
   * aborts; `undefined` for a delete. Ends (or throws) if the store drops the watch.
   */
  watch<T>(bucket: ReadModelBucket, key: string, signal: AbortSignal): AsyncIterable<T | undefined>;
  /** Largest value the store accepts, in bytes. */
  readonly maxValueBytes: number;
}

/** A campaign's read model changed (written or removed). */
export type ReadModelChange = { readonly bucket: ReadModelBucket; readonly campaignId: string };

/** Watches a client's read models (KV watch): what live pages follow. `stop` ends the watch. */
export interface ReadModelWatch {
  watchClient(
    clientId: string,
    buckets: readonly ReadModelBucket[],
    onChange: (change: ReadModelChange) => void,
  ): Promise<{ stop(): void }>;
}

/** `<client>.<campaignId>`, the key CONTRACT.md fixes. */
export const modelKey = (clientId: string, campaignId: string) => `${clientId}.${campaignId}`;
export const pageKey = (clientId: string, campaignId: string, page: number) =>
  `${clientId}.${campaignId}.${page}`;
