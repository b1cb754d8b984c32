/** The projections' log consumer keeps going through a read-model store that is briefly away, and writes what a healthy one holds. */
import { pino } from "pino";
import { expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import { MemoryReadModels } from "../support/memory-read-models.js";
import type { ReadModelBucket } from "../../src/ports/read-model-store.js";
import type { EventStore } from "../../src/ports/event-store.js";
import { projectionsConsumer } from "../../src/projections/projector.js";
import { seedBody } from "../support/decider-specification.js";

/** Refuses every write while `away` (as KV does while NATS reconnects). */
class FlakyReadModels extends MemoryReadModels {
  away = true;
  refused = 0;
  override async put(bucket: ReadModelBucket, key: string, value: unknown): Promise<void> {
    if (this.away) throw new Error(`refused (${++this.refused})`);
    return super.put(bucket, key, value);
  }
  override async putJson(bucket: ReadModelBucket, key: string, json: string): Promise<void> {
    if (this.away) throw new Error(`refused (${++this.refused})`);
    return super.putJson(bucket, key, json);
  }
}

/** A memory store holding acme's campaign c-1, and the command handler that created it. */
async function campaignCreated() {
  const store = new MemoryEventStore();
  const handler = new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => new Date("2030-10-01T08:00:00Z"),
  });
  await handler.handle({
    name: "register-call-flow",
    clientId: "acme",
    body: { callFlowId: 1, name: "Main" },
  });
  await handler.handle({
    name: "register-cli",
    clientId: "acme",
    body: { cliId: 1, number: "01632960001" },
  });
  await handler.handle({
    name: "create-campaign",
    clientId: "acme",
    body: { id: "c-1", ...seedBody() },
  });
  return { store, handler };
}

/** The read models a healthy store holds once a fresh consumer has projected the whole log. */
async function projectedAfresh(store: EventStore): Promise<MemoryReadModels> {
  const healthy = new MemoryReadModels();
  const reference = projectionsConsumer(store, healthy, pino({ level: "silent" })).consumer;
  await reference.start();
  expect(await reference.waitFor(await store.headPosition(), 10_000)).toBe(true);
  await reference.stop();
  return healthy;
}

it("retries failed read-model writes until they land, then reaches the head with the same read models", async () => {
  const { store, handler } = await campaignCreated();

  const flaky = new FlakyReadModels();
  const runner = projectionsConsumer(store, flaky, pino({ level: "silent" })).consumer;
  await runner.start();
  const first = await handler.handle({
    name: "record-attempt-outcome",
    clientId: "acme",
    body: {
      id: "c-1",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 6,
      occurredAt: "2030-10-01T07:59:00Z",
    },
  });
  expect(first.ok).toBe(true);
  const head = await store.headPosition();
  expect(await runner.waitFor(head, 1_500)).toBe(false); // nothing can be written yet (a catch-up batch waits 500 ms)
  expect(flaky.refused).toBeGreaterThan(1); // and it kept trying

  flaky.away = false;
  expect(await runner.waitFor(head, 10_000)).toBe(true);
  const later = await handler.handle({
    name: "pause-campaign",
    clientId: "acme",
    body: { id: "c-1" },
  });
  expect(later.ok).toBe(true);
  expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
  await runner.stop();

  expect(flaky.buckets).toEqual((await projectedAfresh(store)).buckets);
  expect(flaky.buckets.get("summaries")?.size).toBe(1);
});

it("projects the whole log again when its checkpoint is ahead of the store (read models of another store)", async () => {
  const { store, handler } = await campaignCreated();
  const readModels = new MemoryReadModels();
  await readModels.put("checkpoints", "projections", "1000000"); // left by a store that held a million events

  const runner = projectionsConsumer(store, readModels, pino({ level: "silent" })).consumer;
  await runner.start();
  const head = await store.headPosition();
  expect(await runner.waitFor(head, 10_000)).toBe(true);
  await runner.stop();
  expect(await readModels.get("summaries", "acme.c-1")).toMatchObject({
    id: "c-1",
    phoneNumberCount: 2,
  });
  expect(await readModels.get("checkpoints", "projections")).toBe(head.toString());
});

it("keeps the most recently used campaigns in memory, and one evicted is reloaded from its stream to the same read models", async () => {
  const { store, handler } = await campaignCreated();
  const reads: string[] = [];
  // The consumer's view of the store, noting which streams it reads (a campaign it has to reload).
  const observed: EventStore = {
    checksLastEventId: store.checksLastEventId,
    append: (...args) => store.append(...args),
    read: (streamId, options) => (reads.push(streamId), store.read(streamId, options)),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    identity: () => store.identity(),
    close: () => store.close(),
  };
  const readModels = new MemoryReadModels();
  const { consumer } = projectionsConsumer(observed, readModels, pino({ level: "silent" }), {
    capacity: 2,
  });
  await consumer.start();
  const settle = async () =>
    expect(await consumer.waitFor(await store.headPosition(), 10_000)).toBe(true);
  const command = async (name: string, body: object) =>
    expect((await handler.handle({ name, clientId: "acme", body })).ok).toBe(true);
  const attempt = (id: string, attemptNumber: number) => ({
    id,
    number: "07722123456",
    attemptNumber,
    outcome: 6,
    occurredAt: "2030-10-01T07:59:00Z",
  });

  await settle(); // c-1 known
  await command("create-campaign", { id: "c-2", ...seedBody() });
  await settle();
  await command("record-attempt-outcome", attempt("c-1", 1)); // c-1 is now the more recently used of the two
  await settle();
  await command("create-campaign", { id: "c-3", ...seedBody() }); // a third: c-2, the least recently used, makes room
  await settle();
  reads.length = 0;

  await command("record-attempt-outcome", attempt("c-1", 2));
  await settle();
  expect(reads).toEqual([]); // c-1 was kept: no reload (first-in-first-out would have dropped it)
  await command("pause-campaign", { id: "c-2" });
  await settle();
  expect(reads).toEqual(["campaign-c-2"]); // c-2 was evicted: reloaded from its own stream
  await consumer.stop();

  expect(readModels.buckets).toEqual((await projectedAfresh(store)).buckets);
  expect(await readModels.get("summaries", "acme.c-2")).toMatchObject({
    id: "c-2",
    status: "paused",
  });
});
