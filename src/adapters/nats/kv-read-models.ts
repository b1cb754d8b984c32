import {
  ErrorCode,
  type KV,
  type KvEntry,
  KvWatchInclude,
  type NatsConnection,
  type NatsError,
} from "nats";
import {
  type ReadModelBucket,
  type ReadModelChange,
  type ReadModelStore,
  type ReadModelWatch,
  readModelBuckets,
} from "../../ports/read-model-store.js";
import { toJson } from "../../contract/wire.js";
import { JetStreamAssets } from "./jetstream-assets.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const valueOf = <T>(entry: KvEntry | null): T | undefined =>
  !entry || entry.operation !== "PUT" || entry.value.length === 0
    ? undefined
    : (JSON.parse(decoder.decode(entry.value)) as T);

/** Read models in JetStream KV: one bucket per model, JSON values, history 1 (the latest is what matters). */
export class KvReadModels implements ReadModelStore, ReadModelWatch {
  private constructor(
    private readonly buckets: Record<ReadModelBucket, KV>,
    private readonly nc: NatsConnection,
    readonly maxValueBytes: number,
  ) {}

  /** Opens (creating when missing) every bucket of `readModelBuckets` through `assets`, so each has the deployment's replicas. */
  static async open(
    nc: NatsConnection,
    assets: JetStreamAssets = new JetStreamAssets(nc),
  ): Promise<KvReadModels> {
    const entries = await Promise.all(
      Object.entries(readModelBuckets).map(
        async ([bucket, name]) => [bucket, await assets.kv(name, { history: 1 })] as const,
      ),
    );
    // Leave headroom under max_payload for the KV message's own headers.
    const maxValueBytes = (nc.info?.max_payload ?? 1024 * 1024) - 4096;
    return new KvReadModels(
      Object.fromEntries(entries) as Record<ReadModelBucket, KV>,
      nc,
      maxValueBytes,
    );
  }

  async get<T>(bucket: ReadModelBucket, key: string): Promise<T | undefined> {
    return valueOf<T>(await this.buckets[bucket].get(key));
  }

  /** A KV watch (an ordered consumer on the bucket's stream): the last value, then each change as the server sends it. */
  async *watch<T>(
    bucket: ReadModelBucket,
    key: string,
    signal: AbortSignal,
  ): AsyncIterable<T | undefined> {
    if (signal.aborted) return;
    const watcher = await this.buckets[bucket].watch({ key });
    const stop = () => watcher.stop();
    signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const entry of watcher) yield valueOf<T>(entry);
    } finally {
      signal.removeEventListener("abort", stop);
      watcher.stop();
    }
  }

  async put(bucket: ReadModelBucket, key: string, value: unknown): Promise<void> {
    if (value === undefined) await this.buckets[bucket].delete(key);
    else await this.putJson(bucket, key, toJson(value));
  }

  async putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void> {
    await this.buckets[bucket].put(key, encoder.encode(json));
  }

  /** New writes and deletes of the client's keys (`<client>.>`), from now on. */
  async watchClient(
    clientId: string,
    buckets: readonly ReadModelBucket[],
    onChange: (change: ReadModelChange) => void,
  ): Promise<{ stop(): void }> {
    const watches = await Promise.all(
      buckets.map(async (bucket) => {
        const iterator = await this.buckets[bucket].watch({
          key: `${clientId}.>`,
          include: KvWatchInclude.UpdatesOnly,
        });
        void (async () => {
          for await (const entry of iterator)
            onChange({ bucket, campaignId: entry.key.split(".")[1] ?? "" });
        })().catch(() => undefined); // a watch ends with its connection; the page reconnects
        return iterator;
      }),
    );
    return { stop: () => watches.forEach((iterator) => iterator.stop()) };
  }

  /**
   * The keys under a prefix, by a walk of direct gets (each asks for the next
   * message on `<prefix>>` from a sequence on). Any replica answers a direct
   * get, so listing needs neither a consumer nor a JetStream leader: on
   * nats-server 2.9 a cluster that lost the node leading its meta group takes
   * up to about ten seconds to create a consumer again. (2.11's batched direct
   * get would fetch them in one request.) A bucket without direct gets is
   * listed with a consumer, as nats.js does.
   */
  async keys(bucket: ReadModelBucket, prefix: string): Promise<string[]> {
    const root = `$KV.${readModelBuckets[bucket]}.`;
    const api = `$JS.API.DIRECT.GET.KV_${readModelBuckets[bucket]}`;
    const keys: string[] = [];
    for (let seq = 1; ;) {
      let msg;
      try {
        msg = await this.nc.request(
          api,
          JSON.stringify({ seq, next_by_subj: `${root}${prefix}>` }),
        );
      } catch (err) {
        if ((err as NatsError).code === ErrorCode.NoResponders && seq === 1) break;
        throw err;
      }
      const headers = msg.headers;
      if (headers?.code === 404) return keys; // no further message
      const subject = headers?.get("Nats-Subject");
      const next = Number(headers?.get("Nats-Sequence"));
      if (!subject || !Number.isSafeInteger(next))
        throw new Error(
          `direct get on ${api}: ${headers?.code ?? ""} ${headers?.description ?? ""}`,
        );
      // One message a key (history 1): its last value, or a delete marker.
      const operation = headers?.get("KV-Operation");
      if (operation !== "DEL" && operation !== "PURGE") keys.push(subject.slice(root.length));
      seq = next + 1;
    }
    for await (const key of await this.buckets[bucket].keys(`${prefix}>`)) keys.push(key);
    return keys;
  }
}
