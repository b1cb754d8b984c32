/**
 * JS_REPLICAS (CONTRACT.md "Running it"): every JetStream asset the service
 * creates has the deployment's replicas: 3 by default on a cluster of three,
 * 1 on a single server, JS_REPLICAS when set; existing assets are raised or
 * lowered to it at start, and $SRV.INFO states the replicas in force.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection, RequestStrategy } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_STREAM } from "../../src/adapters/nats/event-relay.js";
import { LEASE_BUCKET } from "../../src/adapters/nats/leadership.js";
import { loadConfig } from "../../src/main/config.js";
import { type RunningInstance, startInstance } from "../../src/main/compose.js";
import { readModelBuckets } from "../../src/ports/read-model-store.js";
import { startNatsCluster, type NatsCluster } from "../support/nats-cluster.js";
import { startNatsServer } from "../support/nats-server.js";

/** Every asset the service creates: the read-model and checkpoint buckets, the lease bucket, the events stream. */
const ASSETS = [
  ...Object.values(readModelBuckets).map((bucket) => `KV_${bucket}`),
  `KV_${LEASE_BUCKET}`,
  EVENTS_STREAM,
].sort();

const silent = pino({ level: "silent" });
const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function start(natsUrl: string, env: Record<string, string> = {}): Promise<RunningInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), "campaigns-replicas-"));
  dataDirs.push(dataDir);
  return startInstance(
    loadConfig({ NATS_URL: natsUrl, DATA_DIR: dataDir, OPS_PORT: "", ...env }),
    silent,
  );
}

/** The replicas of each stream in the account, by name (names from the meta layer, then each stream's info). */
async function replicasOf(nc: NatsConnection): Promise<Record<string, number>> {
  const jsm = await nc.jetstreamManager();
  const streams: Record<string, number> = {};
  for await (const name of jsm.streams.names())
    streams[name] = (await jsm.streams.info(name)).config.num_replicas;
  return streams;
}

async function serviceMetadata(nc: NatsConnection): Promise<Record<string, string>[]> {
  const found: Record<string, string>[] = [];
  const infos = await nc.services
    .client({ strategy: RequestStrategy.JitterTimer, maxWait: 2000, jitter: 300 })
    .info("campaigns");
  for await (const info of infos) found.push(info.metadata ?? {});
  return found;
}

const all = (n: number) => Object.fromEntries(ASSETS.map((name) => [name, n]));

describe("on a cluster of three", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await cluster.serviceConnection();
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it("creates every asset with three replicas by default and says so in $SRV.INFO", async () => {
    const service = await start(cluster.natsUrl, cluster.serviceEnv);
    try {
      expect(await replicasOf(nc)).toEqual(all(3));
      expect(await serviceMetadata(nc)).toEqual([
        expect.objectContaining({ js_replicas: "3", js_replicas_wanted: "3" }),
      ]);
    } finally {
      await service.stop();
    }
  });

  it("lowers existing assets to JS_REPLICAS=1 at start, and raises them again to the default", async () => {
    const lowered = await start(cluster.natsUrl, { ...cluster.serviceEnv, JS_REPLICAS: "1" });
    try {
      expect(await replicasOf(nc)).toEqual(all(1));
      expect(await serviceMetadata(nc)).toEqual([
        expect.objectContaining({ js_replicas: "1", js_replicas_wanted: "1" }),
      ]);
    } finally {
      await lowered.stop();
    }
    const raised = await start(cluster.natsUrl, cluster.serviceEnv);
    try {
      expect(await replicasOf(nc)).toEqual(all(3));
    } finally {
      await raised.stop();
    }
  });
});

describe("on a single server", () => {
  it("creates every asset with one replica by default, and refuses JS_REPLICAS=3 in one line naming it", async () => {
    const nats = await startNatsServer();
    try {
      const service = await start(nats.url);
      const nc = await connect({ servers: nats.url });
      try {
        expect(await replicasOf(nc)).toEqual(all(1));
        expect(await serviceMetadata(nc)).toEqual([
          expect.objectContaining({ js_replicas: "1", js_replicas_wanted: "1" }),
        ]);
      } finally {
        await service.stop();
      }
      // A fresh server: the assets would be created with three replicas, which one server cannot hold.
      await nc.close();
      const fresh = await startNatsServer();
      try {
        const refused = await start(fresh.url, { JS_REPLICAS: "3" }).then(
          async (s) => {
            await s.stop();
            return undefined;
          },
          (err: Error) => err,
        );
        expect(refused?.name).toBe("ConfigError");
        expect(refused?.message).toMatch(/^invalid configuration: JS_REPLICAS=3: NATS refused/);
        expect(refused?.message).not.toContain("\n");
      } finally {
        await fresh.stop();
      }
    } finally {
      await nats.stop();
    }
  });
});
