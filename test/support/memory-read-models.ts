import type { ReadModelBucket, ReadModelStore } from "../../src/ports/read-model-store.js";
import { toJson } from "../../src/contract/wire.js";

/** Read models in memory, as JSON text (what KV would hold): for rebuild comparisons and benchmarks. */
export class MemoryReadModels implements ReadModelStore {
  readonly buckets = new Map<ReadModelBucket, Map<string, string>>();
  readonly maxValueBytes = 1024 * 1024;
  writes = 0;

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
  }

  async putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void> {
    this.writes++;
    this.bucket(bucket).set(key, json);
  }

  async keys(bucket: ReadModelBucket, prefix: string): Promise<string[]> {
    return [...this.bucket(bucket).keys()].filter((key) => key.startsWith(prefix));
  }
}
