/**
 * The one log consumer behind the service: the projections and the relay resume
 * from their own checkpoints after a restart, their lag is readable, and an
 * instance that does not run them follows the holder's checkpoint by a KV watch.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvReadModels } from "../../../src/adapters/nats/kv-read-models.js";
import { checkpointsIn } from "../../../src/projections/checkpoints.js";
import { FollowedCheckpoint } from "../../../src/projections/progress.js";
import { until } from "../../support/until.js";
import { connectedNatsServerForFile } from "../../support/nats-server.js";
import {
  e2eStoreEnv,
  registerDefaults,
  seedPostBody,
  startTestInstance,
  type TestInstance,
} from "../../support/instance.js";

const nats = connectedNatsServerForFile();

describe("the followed checkpoint", () => {
  it("follows every checkpoint the holder writes without being asked, and wakes a waiting query when one passes its position", async () => {
    const readModels = await KvReadModels.open(nats.nc);
    const checkpoints = checkpointsIn(readModels);
    const followed = new FollowedCheckpoint(
      checkpoints,
      pino({ level: "silent" }),
      "followed-test",
    );
    await checkpoints.save("followed-test", 5n);
    followed.start();
    await until(() => followed.checkpoint === 5n); // no waitFor: the watch brings it
    const waiting = followed.waitFor(9n, 10_000);
    await checkpoints.save("followed-test", 7n);
    await until(() => followed.checkpoint === 7n);
    await checkpoints.save("followed-test", 9n);
    expect(await waiting).toBe(true);
    // The holder rebuilding from zero (its read models lost with NATS' state) removes the checkpoint,
    // then writes lower ones: followed down, so minPosition waits for the rebuild.
    await checkpoints.remove("followed-test");
    await until(() => followed.checkpoint === 0n);
    await checkpoints.save("followed-test", 3n);
    await until(() => followed.checkpoint === 3n);
    const unreached = followed.waitFor(100n, 10_000);
    await followed.stop();
    expect(await unreached).toBe(false); // stopping answers the waiting query at once
  });
});

describe("a restarted service", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "campaigns-consumers-"));
  let store: Awaited<ReturnType<typeof e2eStoreEnv>>;
  let env: Record<string, string>;
  let b: TestInstance | undefined;
  beforeAll(async () => {
    store = await e2eStoreEnv(); // one store outlives both services
    env = { ...store.env, DATA_DIR: dataDir, PROJECTIONS_LEASE_MS: "1000" };
  });
  afterAll(async () => {
    await b?.stop();
    await store?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("resumes the projections and the relay from their checkpoints: nothing before them is written or published again", async () => {
    const a = await startTestInstance(nats.url, env);
    const acme = a.client("acme");
    await registerDefaults(acme);
    await acme.createCampaign({ ...seedPostBody(), id: "r-1" });
    await acme.createCampaign({ ...seedPostBody(), id: "r-2" });
    await until(async () => {
      const lag = await a.instance.lag();
      return lag.projections === 0 && lag.relay === 0;
    });
    const summaries = await nats.nc.jetstream().views.kv("campaign-summaries");
    const untouched = (await summaries.get("acme.r-2"))!.revision;
    const relayCheckpoint = a.instance.projections.relayPosition()!;
    await a.stop();

    const published: string[] = [];
    const relayed = nats.nc.subscribe("campaigns.acme.events.>", {
      callback: (_err, msg) => void published.push(msg.subject),
    });
    b = await startTestInstance(nats.url, env);
    await until(() => b!.instance.projections.running);
    const { position } = await b.client("acme").recordAttemptOutcome({
      id: "r-1",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: new Date().toISOString(),
    });
    expect(
      await b.client("acme").getCampaignStatistics({ id: "r-1", minPosition: position }),
    ).toMatchObject({ attemptsRecorded: 1 });
    await until(async () => (await b!.instance.lag()).relay === 0);
    await nats.nc.flush();
    relayed.unsubscribe();

    const history = await b.client("acme").getCampaignHistory({ id: "r-1", limit: 1000 });
    const newest = history.events
      .filter((e) => BigInt(e.position) > relayCheckpoint)
      .map((e) => `campaigns.acme.events.r-1.${e.type}`);
    expect(published).toEqual(newest); // the relay published only what came after its checkpoint
    expect(published.length).toBeGreaterThan(0);
    expect((await summaries.get("acme.r-2"))!.revision).toBe(untouched); // the projections rewrote nothing before theirs
    expect(await b.instance.lag()).toEqual({ projections: 0, relay: 0 });
  });
});
