/**
 * Several instances on one store and one NATS: commands and queries are shared
 * by the queue group, projections and the relay run in exactly one of them (the
 * holder of a lease in KV), and another takes over when it goes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lease, LEASE_BUCKET } from "../../../src/adapters/nats/leadership.js";
import { until } from "../../support/until.js";
import { startNatsServer, type RunningNatsServer } from "../../support/nats-server.js";
import {
  e2eStoreEnv,
  registerDefaults,
  seedPostBody,
  startTestInstance,
  type TestInstance,
} from "../../support/instance.js";

let nats: RunningNatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe("the projections lease", () => {
  const silent = pino({ level: "silent" });
  const connections: NatsConnection[] = [];
  const join = async (held: boolean[], ttlMs = 1_000) => {
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    const lease = await Lease.join(
      nc,
      "test-lease",
      { ttlMs },
      async (now) => void held.push(now),
      silent,
    );
    return { nc, lease };
  };
  afterAll(async () => {
    for (const nc of connections) if (!nc.isClosed()) await nc.close();
  });

  it("has one holder; when it hands the lease back another takes it within a renewal", async () => {
    const [a, b] = [[] as boolean[], [] as boolean[]];
    const first = await join(a);
    const second = await join(b);
    expect([first.lease.held, second.lease.held]).toEqual([true, false]);
    await first.lease.stop();
    expect(a).toEqual([true, false]);
    await until(() => second.lease.held, 2_000);
    expect(b).toEqual([true]);
    await second.lease.stop();
  });

  it("keeps its holder when the bucket is lost with NATS' state: created anew and taken again, no change", async () => {
    const held: boolean[] = [];
    const holder = await join(held, 1_000);
    const jsm = await holder.nc.jetstreamManager();
    await jsm.streams.delete(`KV_${LEASE_BUCKET}`);
    const kv = await holder.nc.jetstream().views.kv(LEASE_BUCKET, { bindOnly: true });
    await until(async () => (await kv.get("test-lease").catch(() => null))?.operation === "PUT");
    await new Promise((r) => setTimeout(r, 600)); // renewals go on in the new bucket
    expect(holder.lease.held).toBe(true);
    expect(held).toEqual([true]); // never given up
    await holder.lease.stop();
  });

  it("passes to another once a holder that vanished (no renewals) has let the TTL run out, and not before", async () => {
    const [a, b] = [[] as boolean[], [] as boolean[]];
    const first = await join(a, 1_500);
    const second = await join(b, 1_500);
    const vanished = Date.now();
    await first.nc.close(); // as a kill -9 would: nothing is handed back
    await until(() => second.lease.held, 10_000);
    expect(Date.now() - vanished).toBeGreaterThanOrEqual(1_000); // it waited out the lease
    expect(first.lease.held).toBe(false); // the cut-off holder stepped down itself
    expect(a).toEqual([true, false]);
    await first.lease.stop();
    await second.lease.stop();
  });
});

describe("two service instances on one store", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "campaigns-instances-"));
  let store: Awaited<ReturnType<typeof e2eStoreEnv>>;
  let a: TestInstance;
  let b: TestInstance;
  beforeAll(async () => {
    store = await e2eStoreEnv();
    const env = { ...store.env, DATA_DIR: dataDir, PROJECTIONS_LEASE_MS: "1000" };
    a = await startTestInstance(nats.url, env);
    b = await startTestInstance(nats.url, env);
  });
  afterAll(async () => {
    await a?.stop().catch(() => undefined);
    await b?.stop();
    await store?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the projections in one of them, answers minPosition on both, and hands over when that one stops", async () => {
    expect([a.instance.projections.running, b.instance.projections.running]).toEqual([true, false]);
    const acme = b.client("acme");
    await registerDefaults(acme);
    // Commands and queries go to either instance (one queue group): every read sees its write.
    for (let i = 0; i < 10; i++) {
      const { position } = await acme.createCampaign({ ...seedPostBody(), id: `shared-${i}` });
      expect(await acme.getCampaign({ id: `shared-${i}`, minPosition: position })).toMatchObject({
        id: `shared-${i}`,
      });
    }
    expect(await b.instance.projections.waitFor(await b.instance.store.headPosition(), 5_000)).toBe(
      true,
    ); // the follower follows

    await a.stop();
    await until(() => b.instance.projections.running, 5_000);
    const { position } = await acme.recordAttemptOutcome({
      id: "shared-0",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: new Date().toISOString(),
    });
    const statistics = (await acme.getCampaignStatistics(
      { id: "shared-0", minPosition: position },
      { timeoutMs: 8_000 },
    )) as { attemptsRecorded: number };
    expect(statistics.attemptsRecorded).toBe(1);
    expect((await acme.listCampaigns()).map((c) => c.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `shared-${i}`).sort(),
    );
  });
});
