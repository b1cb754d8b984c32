/**
 * Any one node of a three-node NATS cluster lost under load (kill -9), the
 * leader of the service's assets first, then the JetStream meta leader:
 * commands keep being acknowledged, queries answer again within 5 s, the
 * projections and the relay resume by themselves with every acknowledged
 * command counted once and relayed once, and a node that returns rejoins with
 * no action by the service.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JetStreamManager, type NatsConnection } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EVENTS_STREAM } from "../../src/adapters/nats/event-relay.js";
import { LEASE_BUCKET } from "../../src/adapters/nats/leadership.js";
import { CampaignsClient } from "../../src/client/campaigns-client.js";
import { loadConfig } from "../../src/main/config.js";
import { type RunningInstance, startInstance } from "../../src/main/compose.js";
import { readModelBuckets } from "../../src/ports/read-model-store.js";
import { registerDefaults, seedPostBody } from "../support/instance.js";
import { type ClusterNode, type NatsCluster, startNatsCluster } from "../support/nats-cluster.js";
import { until } from "../support/until.js";

const ASSETS = [
  ...Object.values(readModelBuckets).map((bucket) => `KV_${bucket}`),
  `KV_${LEASE_BUCKET}`,
  EVENTS_STREAM,
];
/** How long queries may stay unanswered after a node is lost (the bound). */
const QUERIES_BACK_MS = 5_000;
/** Campaigns, and numbers in each: the writers record one outcome per number, paced to about 200 a second. */
const CAMPAIGNS = ["loss-1", "loss-2", "loss-3", "loss-4"];
const NUMBERS = 4_000;
const PACE_MS = 30;
const numberOf = (i: number) => `07725${String(i).padStart(6, "0")}`;

let cluster: NatsCluster;
let service: RunningInstance;
let observer: NatsConnection; // the service's user: streams, buckets, the lease
let tenant: NatsConnection;
let jsm: JetStreamManager; // no account-info probe, which a cluster re-electing its meta leader leaves unanswered
const dataDir = mkdtempSync(join(tmpdir(), "campaigns-node-loss-"));

beforeAll(async () => {
  cluster = await startNatsCluster();
  service = await startInstance(
    loadConfig({
      NATS_URL: cluster.natsUrl,
      ...cluster.serviceEnv,
      DATA_DIR: dataDir,
      OPS_PORT: "",
      CONSUMERS: "thread",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    }),
    pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  );
  observer = await cluster.serviceConnection();
  jsm = await observer.jetstreamManager({ checkAPI: false });
  tenant = await cluster.tenantConnection("acme");
});
afterAll(async () => {
  await tenant?.close();
  await observer?.close();
  await service?.stop();
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The node that leads most of the service's assets. */
async function leaderOfAssets(): Promise<ClusterNode> {
  const led = new Map<string, number>();
  for (const name of ASSETS) {
    const info = await jsm.streams.info(name).catch(() => undefined); // a busy cluster may not answer in time
    const leader = info?.cluster?.leader;
    if (leader) led.set(leader, (led.get(leader) ?? 0) + 1);
  }
  const [name] = [...led].sort((a, b) => b[1] - a[1])[0]!;
  return cluster.node(name);
}

/** Every asset has its three replicas, all current. */
async function allReplicasCurrent(): Promise<boolean> {
  try {
    for (const name of ASSETS) {
      const { cluster: c } = await jsm.streams.info(name);
      const followers = c?.replicas ?? [];
      if (!c?.leader || followers.length !== 2 || followers.some((r) => !r.current || r.offline))
        return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Writers that each record outcomes, one number after another, retrying a command with its Command-Id until it is acknowledged. */
function writers(acme: CampaignsClient, count: number) {
  const work = CAMPAIGNS.flatMap((id) =>
    Array.from({ length: NUMBERS }, (_, i) => ({ id, number: numberOf(i) })),
  ).sort((a, b) => a.number.localeCompare(b.number)); // the campaigns in turn
  const acked: { id: string; number: string; at: number; position: bigint }[] = [];
  let next = 0;
  let stopping = false;
  const one = async () => {
    while (!stopping && next < work.length) {
      const { id, number } = work[next++]!;
      const occurredAt = new Date().toISOString();
      for (;;) {
        try {
          const { position } = await acme.recordAttemptOutcome(
            { id, number, attemptNumber: 1, outcome: 6, occurredAt },
            { commandId: `${id}-${number}`, timeoutMs: 1_000 },
          );
          acked.push({ id, number, at: Date.now(), position });
          break;
        } catch (err) {
          // not acknowledged: retried with the same Command-Id (and body)
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
  };
  const running = Promise.all(Array.from({ length: count }, one));
  return {
    acked,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** Asks queries over and over; the times each kind was answered. */
function prober(acme: CampaignsClient) {
  const answered: Record<string, number[]> = { get: [], list: [], statistics: [] };
  let stopping = false;
  const loop = async (kind: string, ask: () => Promise<unknown>) => {
    while (!stopping) {
      try {
        await ask();
        answered[kind]!.push(Date.now());
      } catch {
        // unanswered (timed out or 503): the gap shows it
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const running = Promise.all([
    loop("get", () => acme.getCampaign({ id: "loss-1", phoneNumbersPage: 0 }, { timeoutMs: 1000 })),
    loop("list", () => acme.listCampaigns({}, { timeoutMs: 1000 })),
    loop("statistics", () => acme.getCampaignStatistics({ id: "loss-1" }, { timeoutMs: 1000 })),
  ]);
  return {
    answered,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** The longest time without an answer from `from` on (until the last answer), and the first answer after `from`. */
function longestGap(times: number[], from: number): { gap: number; first: number } {
  const after = times.filter((t) => t >= from);
  let gap = 0;
  let last = from;
  for (const t of after) [gap, last] = [Math.max(gap, t - last), t];
  return { gap, first: (after[0] ?? Infinity) - from };
}

/** Holders of the projections lease seen by reading it every 200 ms (a read any replica answers). */
function leaseWatch() {
  const holders: string[] = [];
  let stopping = false;
  const running = (async () => {
    const kv = await jsm.jetstream().views.kv(LEASE_BUCKET, { bindOnly: true });
    while (!stopping) {
      const holder = await kv.get("projections").then(
        (e) => (e?.operation === "PUT" ? e.string() : undefined),
        () => undefined,
      );
      if (holder !== undefined && holder !== holders.at(-1)) holders.push(holder);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    holders,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

it("loses nothing acknowledged when any one node is killed under load, and takes the node back", async () => {
  const acme = new CampaignsClient(tenant, "acme", 2_000);
  await registerDefaults(acme);
  for (const id of CAMPAIGNS)
    await acme.createCampaign({
      id,
      ...seedPostBody(),
      phoneNumbers: Array.from({ length: NUMBERS }, (_, i) => ({ number: numberOf(i) })),
    });
  await until(async () => (await service.lag()).projections === 0, 30_000);
  const lease = leaseWatch();
  const probes = prober(acme);
  const load = writers(acme, 8);

  for (const pick of [leaderOfAssets, () => cluster.metaLeader()]) {
    const before = load.acked.length;
    await until(() => load.acked.length >= before + 200, 30_000);
    const victim = await pick();
    const killedAt = Date.now();
    await victim.kill("SIGKILL");
    // Commands and queries carry on, then the node comes back with its store.
    await until(() => load.acked.some((a) => a.at > killedAt + 6_000), 60_000);
    // Each kind of query answered again within the bound, and no longer silent than that since.
    for (const [kind, times] of Object.entries(probes.answered)) {
      const { gap, first } = longestGap(times, killedAt);
      expect({ kind, first, gap, back: Math.max(first, gap) <= QUERIES_BACK_MS }).toMatchObject({
        kind,
        back: true,
      });
    }
    const acks = longestGap(
      load.acked.map((a) => a.at),
      killedAt,
    );
    expect(Math.max(acks.first, acks.gap)).toBeLessThanOrEqual(QUERIES_BACK_MS);
    await victim.start();
    await until(allReplicasCurrent, 60_000); // it rejoined and caught up, by itself
  }
  await load.stop();
  await probes.stop();
  await lease.stop();

  // Every acknowledged command is in the store once, counted once, relayed once.
  const last = load.acked.reduce((m, a) => (a.position > m ? a.position : m), 0n);
  const events: string[] = [];
  for (const id of CAMPAIGNS) {
    const acknowledged = load.acked.filter((a) => a.id === id).map((a) => a.number);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    const statistics = (await acme.getCampaignStatistics(
      { id, minPosition: last },
      { timeoutMs: 20_000 },
    )) as { attemptsRecorded: number };
    expect(statistics.attemptsRecorded).toBe(acknowledged.length);
    const history = await allHistory(acme, id);
    expect(history.filter((e) => e.type === "AttemptOutcomeRecorded")).toHaveLength(
      acknowledged.length,
    );
    events.push(...history.map((e) => String(e.position)));
  }
  // The relay runs in the consumers thread: its checkpoint (in KV) says how far it has got.
  const head = await service.store.headPosition();
  const checkpoints = await jsm.jetstream().views.kv("campaign-projections", { bindOnly: true });
  await until(
    async () =>
      BigInt(JSON.parse((await checkpoints.get("relay"))?.string() || "0") as string) >= head,
    20_000,
  );
  expect((await relayedPositions()).sort()).toEqual(events.sort());
  expect(lease.holders.length).toBeLessThanOrEqual(2); // one holder, at most one change
}, 240_000);

async function allHistory(acme: CampaignsClient, id: string) {
  const events: { type: string; position: string | bigint }[] = [];
  for (let from = 0; ;) {
    const page = await acme.getCampaignHistory({ id, fromRevision: from, limit: 1000 });
    events.push(...page.events);
    if (page.nextRevision === null) return events;
    from = Number(page.nextRevision);
  }
}

/** The `position` of every message in CAMPAIGN_EVENTS, a duplicate counted twice. */
async function relayedPositions(): Promise<string[]> {
  const js = jsm.jetstream();
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  const consumer = await js.consumers.get(EVENTS_STREAM);
  const positions: string[] = [];
  while (positions.length < state.messages) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    for await (const msg of batch)
      positions.push(String(msg.json<{ position: unknown }>().position));
  }
  return positions;
}
