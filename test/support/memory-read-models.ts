import { EventEmitter, on } from "node:events";
import type { ReadModelBucket, ReadModelStore } from "../../src/ports/read-model-store.js";
import { toJson } from "../../src/contract/wire.js";

/** Read models in memory, as JSON text (what KV would hold): for rebuild comparisons and benchmarks. */
export class MemoryReadModels implements ReadModelStore {
  readonly buckets = new Map<ReadModelBucket, Map<string, string>>();
  readonly maxValueBytes = 1024 * 1024;
  writes = 0;
  private readonly changed = new EventEmitter();

  private bucket(name: ReadModelBucket): Map<string, string> {
    let bucket = this.buckets.get(name);
    if (!bucket) this.buckets.set(name, (bucket = new Map()));
    return bucket;
  }

  async get<T>(bucket: ReadModelBucket, key: string): Promise<T | undefined> {
    const value = this.bucket(bucket).get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  async put(bucket: ReadModelBucket, key: string, value: unknown): Promise<void> {
    this.writes++;
    if (value === undefined) this.bucket(bucket).delete(key);
    else this.bucket(bucket).set(key, toJson(value));
    this.changed.emit(`${bucket}/${key}`);
  }

  async putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void> {
    this.writes++;
    this.bucket(bucket).set(key, json);
    this.changed.emit(`${bucket}/${key}`);
  }

  /** The value now, then after each put, until `signal` aborts. */
  async *watch<T>(
    bucket: ReadModelBucket,
    key: string,
    signal: AbortSignal,
  ): AsyncIterable<T | undefined> {
    const changes = on(this.changed, `${bucket}/${key}`, { signal });
    if (this.bucket(bucket).has(key)) yield await this.get<T>(bucket, key);
    try {
      for await (const _ of changes) yield await this.get<T>(bucket, key);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async keys(bucket: ReadModelBucket, prefix: string): Promise<string[]> {
    return [...this.bucket(bucket).keys()].filter((key) => key.startsWith(prefix));
  }
}
