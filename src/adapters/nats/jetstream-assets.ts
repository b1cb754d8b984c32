import type {
  JetStreamManager,
  KV,
  KvOptions,
  NatsConnection,
  NatsError,
  StreamConfig,
  StreamInfo,
} from "nats";
import { setTimeout as sleep } from "node:timers/promises";
import { type Logger, pino } from "pino";

/** How many copies of each asset: JS_REPLICAS when set (explicit), else the default for the cluster. */
export type ReplicasSetting = { replicas?: number | undefined; logger?: Logger | undefined };

/** Servers of the cluster this connection sees: the client URLs the server advertises (its own included). */
export const serversSeen = (nc: NatsConnection): number =>
  Math.max(1, new Set(nc.info?.connect_urls ?? []).size);

/** JS_REPLICAS' default (CONTRACT.md): 3 on a cluster of three or more servers, else 1. */
export const defaultReplicas = (servers: number): number => (servers >= 3 ? 3 : 1);

/** NATS refused to create an asset with the replicas asked for (a configuration the deployment cannot hold). */
export class ReplicasRefusedError extends Error {
  override readonly name = "ReplicasRefusedError";
}

/** One asset: the stream behind it (a KV bucket's is `KV_<bucket>`) and how to open it with a replica count. */
type Asset = { stream: string; open(replicas: number): Promise<void> };

/**
 * Without nats.js' account-info probe before each manager: JetStream was checked once at connect,
 * and a cluster re-electing its meta leader leaves that probe unanswered for seconds.
 */
const NO_PROBE = { checkAPI: false };

const STREAM_NOT_FOUND = 10059;
export const isStreamNotFound = (err: unknown): boolean =>
  (err as NatsError | undefined)?.api_error?.err_code === STREAM_NOT_FOUND;

/**
 * Every JetStream asset the service creates (the read-model and checkpoint
 * buckets, the lease bucket, CAMPAIGN_EVENTS, and any bucket added later) is
 * opened through `ensure`, so each gets the deployment's replica count without
 * its caller thinking about it: created with it, or raised or lowered to it
 * when it exists. Without JS_REPLICAS the default only raises: a cluster seen
 * with a node down must not shrink assets made for three.
 */
export class JetStreamAssets {
  readonly replicas: number;
  private readonly explicit: boolean;
  private readonly logger: Logger;
  private jsm: Promise<JetStreamManager> | undefined;
  private readonly inForce = new Map<string, number>();

  constructor(
    readonly nc: NatsConnection,
    setting: ReplicasSetting = {},
  ) {
    this.explicit = setting.replicas !== undefined;
    this.replicas = setting.replicas ?? defaultReplicas(serversSeen(nc));
    this.logger = setting.logger ?? pino({ level: "silent" });
  }

  /** A KV bucket of the service (nats.js creates it when missing, with these options). */
  async kv(bucket: string, options: Partial<KvOptions> = {}): Promise<KV> {
    let kv: KV | undefined;
    await this.ensure({
      stream: `KV_${bucket}`,
      open: async (replicas) => {
        kv = await this.nc.jetstream(NO_PROBE).views.kv(bucket, { ...options, replicas });
      },
    });
    return kv!;
  }

  /** A stream of the service: created from `config` when missing, its limits brought to `config` when not. */
  async stream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    await this.ensure({
      stream: config.name,
      open: async (replicas) => {
        const jsm = await this.manager();
        const existing = await jsm.streams.info(config.name).catch((err: unknown) => {
          if (isStreamNotFound(err)) return undefined;
          throw err;
        });
        if (existing === undefined) await jsm.streams.add({ ...config, num_replicas: replicas });
        else if (differs(existing.config, config))
          await jsm.streams.update(config.name, { ...existing.config, ...config });
      },
    });
  }

  /** The replicas each asset opened here has, by stream name. */
  replicasInForce(): ReadonlyMap<string, number> {
    return this.inForce;
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager(NO_PROBE);
    return this.jsm;
  }

  /** The one way an asset is opened: created with the replicas, or brought to them. */
  private async ensure(asset: Asset): Promise<StreamInfo> {
    // A cluster still forming (or a node restarting) has too few peers for a while: wait that out.
    const placeBy = Date.now() + PLACEMENT_WAIT_MS;
    for (;;) {
      try {
        await asset.open(this.replicas);
        break;
      } catch (err) {
        if (this.replicas === 1 || !isReplicaRefusal(err)) throw err;
        if (isPlacementPending(err) && Date.now() < placeBy) {
          await sleep(500);
          continue;
        }
        throw new ReplicasRefusedError(
          `NATS refused to create ${asset.stream} with ${this.replicas} replicas ` +
            `(${(err as Error).message}): set JS_REPLICAS to at most the number of JetStream servers in the cluster`,
          { cause: err },
        );
      }
    }
    const jsm = await this.manager();
    let info = await jsm.streams.info(asset.stream);
    const have = info.config.num_replicas;
    if (have !== this.replicas && (this.explicit || have < this.replicas))
      info = await this.rescale(jsm, info);
    this.inForce.set(asset.stream, info.config.num_replicas);
    return info;
  }

  /** Raises or lowers an existing asset's replicas; where NATS refuses, says what the operator can do and goes on. */
  private async rescale(jsm: JetStreamManager, info: StreamInfo): Promise<StreamInfo> {
    const name = info.config.name;
    try {
      const updated = await jsm.streams.update(name, {
        ...info.config,
        num_replicas: this.replicas,
      });
      this.logger.info(
        { stream: name, from: info.config.num_replicas, to: this.replicas },
        "JetStream asset's replicas changed",
      );
      return updated;
    } catch (err) {
      this.logger.warn(
        { err, stream: name, replicas: info.config.num_replicas, wanted: this.replicas },
        `NATS would not change ${name}'s replicas; it keeps ${info.config.num_replicas} ` +
          `(docs/operations.md: "Replicas")`,
      );
      return info;
    }
  }
}

/**
 * What `$SRV.INFO` states: `js_replicas`, the fewest replicas any of the
 * service's assets has (the copies the deployment can count on), and
 * `js_replicas_wanted`, JS_REPLICAS or its default.
 */
export function replicasMetadata(assets: JetStreamAssets): Record<string, string> {
  const inForce = [...assets.replicasInForce().values()];
  return {
    js_replicas: String(inForce.length === 0 ? assets.replicas : Math.min(...inForce)),
    js_replicas_wanted: String(assets.replicas),
  };
}

const differs = (have: StreamConfig, want: Partial<StreamConfig>): boolean =>
  Object.entries(want).some(
    ([key, value]) => JSON.stringify(have[key as keyof StreamConfig]) !== JSON.stringify(value),
  );

/** Errors NATS gives for a replica count it cannot place (non-clustered mode, too few servers). */
const isReplicaRefusal = (err: unknown): boolean =>
  /replica|peers|insufficient resources|clustered/i.test((err as Error | undefined)?.message ?? "");
/** Too few servers now, which may change (a cluster forming), as opposed to a server that is not clustered. */
const isPlacementPending = (err: unknown): boolean =>
  /peers|insufficient resources/i.test((err as Error | undefined)?.message ?? "");
/** How long creation waits for enough servers to place an asset's replicas. */
const PLACEMENT_WAIT_MS = 10_000;
