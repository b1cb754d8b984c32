/** Streams written before CampaignUpdated carried its re-plan keep replaying: the old shape is upcast where it is read. */
import { pino } from "pino";
import { expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import { campaignDetailAt } from "../../src/projections/campaign-projections.js";
import { projectionsConsumer } from "../../src/projections/projector.js";
import { MemoryReadModels } from "../support/memory-read-models.js";
import { collect } from "../adapters/event-store/contract.js";
import { seedBody } from "../support/decider-specification.js";

const BEN = "07722123456";
const handlerOn = (store: MemoryEventStore) =>
  new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => new Date("2030-10-01T08:00:00Z"),
  });

const HOUR_WAIT = [
  { attemptNumber: 1, interval: 60 },
  { attemptNumber: 2, interval: 60 },
];

/** Ben tried once (retry due 15 minutes later), then an update changes the attempts: his retry is re-planned. */
async function updatedCampaign(attempts: object[] = HOUR_WAIT) {
  const store = new MemoryEventStore();
  const handler = handlerOn(store);
  for (const [name, body] of [
    ["register-call-flow", { callFlowId: 1, name: "Main" }],
    ["register-cli", { cliId: 1, number: "01632960001" }],
    ["create-campaign", { id: "c-1", ...seedBody() }],
    [
      "record-attempt-outcome",
      { id: "c-1", number: BEN, attemptNumber: 1, outcome: 6, occurredAt: "2030-10-01T07:30:00Z" },
    ],
    ["update-campaign", { ...seedBody(), id: "c-1", attempts }],
  ] as const)
    expect((await handler.handle({ name, clientId: "acme", body })).ok).toBe(true);
  return store;
}

/** The same log, its CampaignUpdated in the shape stored before it carried `replanned`. */
async function asStoredBefore(store: MemoryEventStore): Promise<MemoryEventStore> {
  const old = new MemoryEventStore();
  for (const streamId of ["client-acme", "campaign-c-1"])
    for (const event of await collect(store.read(streamId))) {
      const { replanned, ...data } = event.data as { replanned?: unknown };
      if (event.type === "CampaignUpdated")
        expect(replanned).toEqual([{ e164: "+447722123456", next: expect.anything() }]);
      await old.append(
        streamId,
        [
          {
            eventId: event.eventId,
            type: event.type,
            data: event.type === "CampaignUpdated" ? data : event.data,
            metadata: event.metadata,
          },
        ],
        event.revision === 0n ? "no_stream" : event.revision - 1n,
      );
    }
  return old;
}

async function projected(store: MemoryEventStore) {
  const readModels = new MemoryReadModels();
  const runner = projectionsConsumer(store, readModels, pino({ level: "silent" })).consumer;
  await runner.start();
  expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
  await runner.stop();
  return readModels;
}

it("projects an old-shaped update's re-plan, as the new shape carries it", async () => {
  const current = await updatedCampaign();
  const old = await asStoredBefore(current);
  const [fromCurrent, fromOld] = [await projected(current), await projected(old)];
  expect(fromOld.buckets.get("numbers")).toEqual(fromCurrent.buckets.get("numbers"));
  expect(fromOld.buckets.get("statistics")).toEqual(fromCurrent.buckets.get("statistics"));
  const page = (await fromOld.get("numbers", "acme.c-1.0")) as {
    e164: string;
    progress: { next: unknown };
  }[];
  expect(page.find((n) => n.e164 === "+447722123456")?.progress.next).toMatchObject({
    status: "retry",
    dueAt: "2030-10-01T08:30:00.000Z",
  });
});

it("decides on an old-shaped update's re-plan after a restart, and replays it in the audit view", async () => {
  // One attempt only: Ben's retry is beyond the new maximum, so the update ends him as exhausted.
  const old = await asStoredBefore(await updatedCampaign([{ attemptNumber: 1, interval: 15 }]));
  const retry = await handlerOn(old).handle({
    name: "record-attempt-outcome",
    clientId: "acme",
    body: {
      id: "c-1",
      number: BEN,
      attemptNumber: 2,
      outcome: 6,
      occurredAt: "2030-10-01T08:00:00Z",
    },
  });
  expect(retry).toMatchObject({
    ok: false,
    error: { code: "conflict", details: [{ reason: "completed: exhausted" }] },
  });
  const audit = campaignDetailAt("acme", "c-1", await collect(old.read("campaign-c-1")));
  expect(audit?.phoneNumbers.find((n) => n.number === BEN)?.progress.next).toEqual({
    status: "completed",
    result: "exhausted",
  });
});
