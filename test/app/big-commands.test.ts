import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import { type EventStore, MAX_APPEND_BYTES } from "../../src/ports/event-store.js";
import { collect } from "../adapters/event-store/contract.js";
import { type RunningDouble, start } from "../support/eventstoredb-double.js";
import { seedBody } from "../support/decider-specification.js";

/**
 * DESIGN.md: any command whose request fits the NATS max payload (1 MiB) with
 * at most 10,000 numbers is one atomic append on every store with its default
 * settings (EventStoreDB, and so its double here: 1 MiB per append).
 */
const dir = mkdtempSync(join(tmpdir(), "campaigns-big-"));
let double: RunningDouble;
beforeAll(async () => {
  double = await start();
});
afterAll(async () => {
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

const NATS_MAX_PAYLOAD = 1024 * 1024;
const handlerOn = (store: EventStore) =>
  new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => new Date("2030-10-01T08:00:00Z"),
  });
const mobile = (i: number) => `0771${String(i).padStart(7, "0")}`;

/** The case: 10,000 numbers, each with a short name and one parameter (its events took 1,097,847 bytes as lists of objects). */
const namedAndParameterised = Array.from({ length: 10_000 }, (_, i) => ({
  number: mobile(i),
  name: `N${i}`,
  parameters: [{ parameter: 1, value: `v${i}` }],
}));
/** The hardest case for the event size: names only (the fewest field names saved), the request as close to 1 MiB as fits. */
const namesFillingOneMiB = (() => {
  const target = NATS_MAX_PAYLOAD - 512;
  const body = (length: number, longer = 0) => ({
    id: "filled",
    ...seedBody(),
    phoneNumbers: Array.from({ length: 10_000 }, (_, i) => ({
      number: mobile(i),
      name: `${i}`.padEnd(i < longer ? length + 1 : length, "n"),
    })),
  });
  const size = (b: object) => Buffer.byteLength(JSON.stringify(b));
  let length = 1;
  while (size(body(length + 1)) <= target) length++;
  return body(length, target - size(body(length)));
})();

const stores: [string, () => EventStore][] = [
  ["memory", () => new MemoryEventStore()],
  ["sqlite", () => new SqliteEventStore(join(dir, `${Math.random()}.sqlite`))],
  [
    "eventstoredb (double, 1 MiB MaxAppendSize)",
    () => new EventStoreDbEventStore(double.connectionString),
  ],
];

describe.each(stores)("big commands on %s", (_name, open) => {
  it("accepts the create of 10,000 numbers with a short name and a parameter each as one append, and replays it", async () => {
    const store = open();
    const handler = handlerOn(store);
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
    const body = {
      id: `big-${Math.random().toString(36).slice(2)}`,
      ...seedBody(),
      phoneNumbers: namedAndParameterised,
    };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(750_000);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(NATS_MAX_PAYLOAD);

    const result = await handler.handle({
      name: "create-campaign",
      clientId: "acme",
      body,
      commandId: `big-${body.id}`,
    });
    expect(result).toMatchObject({ ok: true, revision: 1n });
    const stored = await collect(store.read(`campaign-${body.id}`));
    expect(stored.map((e) => e.type)).toEqual(["CampaignCreated", "PhoneNumbersAdded"]);
    expect(stored[1]!.data).toMatchObject({
      numbers: { columns: ["number", "e164", "name", "parameters"] },
    });

    // Another process reading the stream from the store decides on all 10,000 numbers: each is now
    // a duplicate.
    const again = await handlerOn(store).handle({
      name: "add-phone-numbers",
      clientId: "acme",
      body: { id: body.id, phoneNumbers: namedAndParameterised.slice(0, 3) },
    });
    expect(again).toMatchObject({
      ok: true,
      reply: {
        added: 0,
        duplicates: [{ index: 0, e164: "+447710000000" }, { index: 1 }, { index: 2 }],
      },
    });
    await store.close();
  });

  it("accepts a create whose request fills the NATS max payload with named numbers", async () => {
    const store = open();
    const handler = handlerOn(store);
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
    const body = { ...namesFillingOneMiB, id: `full-${Math.random().toString(36).slice(2)}` };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(NATS_MAX_PAYLOAD - 1024);
    const result = await handler.handle({ name: "create-campaign", clientId: "acme", body });
    expect(result).toMatchObject({ ok: true, revision: 1n });
    const stored = await collect(store.read(`campaign-${body.id}`));
    const appended = stored.reduce(
      (bytes, e) =>
        bytes +
        Buffer.byteLength(e.type) +
        Buffer.byteLength(JSON.stringify(e.data)) +
        Buffer.byteLength(JSON.stringify(e.metadata)),
      0,
    );
    expect(appended).toBeLessThanOrEqual(MAX_APPEND_BYTES);
    await store.close();
  });
});
