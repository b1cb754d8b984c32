/** The projection runner keeps going through a read-model store that is briefly away, and writes what a healthy one holds. */
import { pino } from "pino";
import { expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import { campaignProjections } from "../../src/projections/campaign-projections.js";
import { MemoryReadModels } from "../support/memory-read-models.js";
import type { ReadModelBucket } from "../../src/ports/read-model-store.js";
import { ProjectionRunner } from "../../src/projections/runner.js";
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
  const handler = new CommandHandler(store, { defaultRegion: "GB", defaultTimeZone: "Europe/London", clock: () => new Date("2030-10-01T08:00:00Z") });
  await handler.handle({ name: "register-call-flow", clientId: "acme", body: { callFlowId: 1, name: "Main" } });
  await handler.handle({ name: "register-cli", clientId: "acme", body: { cliId: 1, number: "01632960001" } });
  await handler.handle({ name: "create-campaign", clientId: "acme", body: { id: "c-1", ...seedBody() } });
  return { store, handler };
}

it("retries failed read-model writes until they land, then reaches the head with the same read models", async () => {
  const { store, handler } = await campaignCreated();

  const flaky = new FlakyReadModels();
  const runner = new ProjectionRunner(store, flaky, campaignProjections, pino({ level: "silent" }));
  await runner.start();
  const first = await handler.handle({ name: "record-attempt-outcome", clientId: "acme", body: { id: "c-1", number: "07722123456", attemptNumber: 1, outcome: 6, occurredAt: "2030-10-01T07:59:00Z" } });
  expect(first.ok).toBe(true);
  const head = await store.headPosition();
  expect(await runner.waitFor(head, 1_500)).toBe(false); // nothing can be written yet (a catch-up batch waits 500 ms)
  expect(flaky.refused).toBeGreaterThan(1); // and it kept trying

  flaky.away = false;
  expect(await runner.waitFor(head, 10_000)).toBe(true);
  const later = await handler.handle({ name: "pause-campaign", clientId: "acme", body: { id: "c-1" } });
  expect(later.ok).toBe(true);
  expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
  await runner.stop();

  const healthy = new MemoryReadModels();
  const reference = new ProjectionRunner(store, healthy, campaignProjections, pino({ level: "silent" }));
  await reference.start();
  expect(await reference.waitFor(await store.headPosition(), 10_000)).toBe(true);
  await reference.stop();
  expect(flaky.buckets).toEqual(healthy.buckets);
  expect(flaky.buckets.get("summaries")?.size).toBe(1);
});

it("projects the whole log again when its checkpoint is ahead of the store (read models of another store)", async () => {
  const { store, handler } = await campaignCreated();
  const readModels = new MemoryReadModels();
  await readModels.put("checkpoints", "projections", "1000000"); // left by a store that held a million events

  const runner = new ProjectionRunner(store, readModels, campaignProjections, pino({ level: "silent" }));
  await runner.start();
  const head = await store.headPosition();
  expect(await runner.waitFor(head, 10_000)).toBe(true);
  await runner.stop();
  expect(await readModels.get("summaries", "acme.c-1")).toMatchObject({ id: "c-1", phoneNumberCount: 2 });
  expect(await readModels.get("checkpoints", "projections")).toBe(head.toString());
});
