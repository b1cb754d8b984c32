/** Read models rebuilt from zero equal the live ones; domain events reach the relay stream once each. */
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EVENTS_STREAM, relayConsumer } from "../../../src/adapters/nats/event-relay.js";
import { KvReadModels } from "../../../src/adapters/nats/kv-read-models.js";
import { MemoryReadModels } from "../../support/memory-read-models.js";
import { projectionsConsumer } from "../../../src/projections/projector.js";
import { checkpointsIn } from "../../../src/projections/checkpoints.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstanceWithNats,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;
let head: bigint;

beforeAll(async () => {
  svc = await startTestInstanceWithNats();
  const acme = svc.client("acme");
  await registerDefaults(acme);
  const occurredAt = new Date().toISOString();
  for (let c = 0; c < 3; c++) {
    const phoneNumbers = Array.from({ length: 1500 }, (_, i) => ({
      number: `0772${c}${String(i).padStart(6, "0")}`,
    }));
    await acme.createCampaign({ id: `p-${c}`, ...seedPostBody(), phoneNumbers });
    for (let i = 0; i < 20; i++)
      await acme.recordAttemptOutcome({
        id: `p-${c}`,
        number: phoneNumbers[i * 70]!.number,
        attemptNumber: 1,
        outcome: (i % 13) + 1,
        occurredAt,
      });
    await acme.recordStageReached({
      id: `p-${c}`,
      number: phoneNumbers[1]!.number,
      attemptNumber: 1,
      stage: 14,
      occurredAt,
    });
  }
  await acme.updateCampaign({ id: "p-1", ...seedPostBody() });
  head = (await acme.deleteCampaign({ id: "p-2" })).position;
  expect(await svc.instance.projections.waitFor(head, 10_000)).toBe(true);
});
afterAll(async () => {
  await svc?.stop();
});

it("rebuilds from zero to exactly the live read models", async () => {
  const store = svc.instance.store; // whichever store the suite runs on
  const rebuilt = new MemoryReadModels();
  const runner = projectionsConsumer(store, rebuilt, pino({ level: "silent" })).consumer;
  await runner.start();
  expect(await runner.waitFor(head, 10_000)).toBe(true);
  await runner.stop();

  const live = await KvReadModels.open(svc.nc);
  for (const bucket of [
    "summaries",
    "details",
    "numbers",
    "statistics",
    "timelines",
    "attempts",
  ] as const) {
    const liveKeys = (await live.keys(bucket, "acme.")).sort();
    expect((await rebuilt.keys(bucket, "acme.")).sort(), bucket).toEqual(liveKeys);
    for (const key of liveKeys)
      expect(await live.get(bucket, key), `${bucket} ${key}`).toEqual(
        await rebuilt.get(bucket, key),
      );
  }
  expect(await live.keys("summaries", "acme.")).toHaveLength(2); // p-2 was deleted
  expect(await live.get("timelines", "acme.p-0")).toMatchObject({ months: [expect.any(String)] });
  expect(await live.keys("timelines", "acme.p-0.")).toHaveLength(1); // this month's hours
  expect(await live.keys("numbers", "acme.p-0.")).toHaveLength(2); // 1,500 numbers in pages of 1,000
  expect(await live.keys("numbers", "acme.p-1.")).toHaveLength(1); // replaced by the seed's two numbers
});

it("relays every campaign event to JetStream once, on its documented subject", async () => {
  const history = await Promise.all(
    ["p-0", "p-1", "p-2"].map((id) => svc.client("acme").getCampaignHistory({ id, limit: 1000 })),
  );
  const expected = history.flatMap((h) => h.events).length;
  const jsm = await svc.nc.jetstreamManager();
  const deadline = Date.now() + 10_000;
  let info = await jsm.streams.info(EVENTS_STREAM);
  while (info.state.messages < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    info = await jsm.streams.info(EVENTS_STREAM);
  }
  expect(info.state.messages).toBe(expected);
  const created = await jsm.streams.getMessage(EVENTS_STREAM, {
    last_by_subj: "campaigns.acme.events.p-0.CampaignCreated",
  });
  expect(created.header.get("Event-Position")).toBe(String(history[0]!.events[0]!.position));
  expect(created.header.get("Nats-Msg-Id")).toBe(created.json<{ eventId: string }>().eventId);
  expect(created.json<{ type: string; campaignId: string; clientId: string }>()).toMatchObject({
    type: "CampaignCreated",
    campaignId: "p-0",
    clientId: "acme",
  });

  // A relay that lost its checkpoint publishes everything again: the stream keeps one copy of each
  // event (deduplicated by event id).
  const again = relayConsumer(
    svc.nc,
    svc.instance.store,
    checkpointsIn(new MemoryReadModels()),
    pino({ level: "silent" }),
  );
  await again.start();
  const replayedUpTo = Date.now() + 10_000;
  while (again.checkpoint < head && Date.now() < replayedUpTo)
    await new Promise((r) => setTimeout(r, 50));
  await again.stop();
  expect(again.checkpoint).toBe(head);
  expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(expected);
});

it("keeps the relay checkpoint close behind under light traffic", async () => {
  const checkpoints = await KvReadModels.open(svc.nc);
  const deadline = Date.now() + 10_000;
  let saved = await checkpoints.get<string>("checkpoints", "relay");
  while (saved !== head.toString() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    saved = await checkpoints.get<string>("checkpoints", "relay");
  }
  expect(saved).toBe(head.toString()); // a few dozen events, far fewer than the relay's publish window
});
