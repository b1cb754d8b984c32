import type { KV, NatsConnection } from "nats";
import { type ReadModelBucket, type ReadModelStore, readModelBuckets } from "../../ports/read-model-store.js";
import { toJson } from "../../contract/wire.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Read models in JetStream KV: one bucket per model, JSON values, history 1 (the latest is what matters). */
export class KvReadModels implements ReadModelStore {
  private constructor(
    private readonly buckets: Record<ReadModelBucket, KV>,
    readonly maxValueBytes: number,
  ) {}

  static async open(nc: NatsConnection): Promise<KvReadModels> {
    const js = nc.jetstream();
    const entries = await Promise.all(
      Object.entries(readModelBuckets).map(async ([bucket, name]) => [bucket, await js.views.kv(name, { history: 1 })] as const),
    );
    // Leave headroom under max_payload for the KV message's own headers.
    const maxValueBytes = (nc.info?.max_payload ?? 1024 * 1024) - 4096;
    return new KvReadModels(Object.fromEntries(entries) as Record<ReadModelBucket, KV>, maxValueBytes);
  }

  async get<T>(bucket: ReadModelBucket, key: string): Promise<T | undefined> {
    const entry = await this.buckets[bucket].get(key);
    if (!entry || entry.operation !== "PUT" || entry.value.length === 0) return undefined;
    return JSON.parse(decoder.decode(entry.value)) as T;
  }

  async put(bucket: ReadModelBucket, key: string, value: unknown): Promise<void> {
    if (value === undefined) await this.buckets[bucket].delete(key);
    else await this.putJson(bucket, key, toJson(value));
  }

  async putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void> {
    await this.buckets[bucket].put(key, encoder.encode(json));
  }

  async keys(bucket: ReadModelBucket, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.buckets[bucket].keys(`${prefix}>`)) keys.push(key);
    return keys;
  }
}
