import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { type RunningDouble, start as startDouble } from "../support/eventstoredb-double.js";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import type { EventStore } from "../../src/ports/event-store.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import { decodeCampaignEvent } from "../../src/domain/index.js";
import { collect } from "../adapters/event-store/contract.js";
import { seedBody } from "../support/decider-specification.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-handler-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date("2030-10-01T08:00:00Z");
const handlerOn = (store: EventStore) =>
  new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => NOW,
  });

async function registered(handler: CommandHandler, clientId = "acme") {
  await handler.handle({
    name: "register-call-flow",
    clientId,
    body: { callFlowId: 1, name: "Main" },
  });
  await handler.handle({
    name: "register-cli",
    clientId,
    body: { cliId: 1, number: "01632960001" },
  });
}

const ok = <T extends { ok: boolean }>(result: T) => {
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result as Extract<T, { ok: true }>;
};

describe("command handling", () => {
  it("creates the seed's campaign and replies with the seed's 201 body and its id", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await registered(handler);
    const result = ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
      }),
    );
    expect(result.reply).toMatchObject({
      id: "c-1",
      name: "Test Campaign",
      phoneNumbers: [
        { number: "07722123456", name: "ben" },
        { number: "07722734716", name: "Dave" },
      ],
    });
    expect(result.position).toBe(4n);
  });

  it("refuses a campaign whose call flow the client has not registered, writing nothing", async () => {
    const store = new MemoryEventStore();
    const handler = handlerOn(store);
    const result = await handler.handle({
      name: "create-campaign",
      clientId: "acme",
      body: { id: "c-1", ...seedBody() },
    });
    expect(result).toMatchObject({ ok: false, error: { code: "rule_violated" } });
    expect(await store.headPosition()).toBe(0n);
  });

  it("returns the first reply for a repeated Command-Id and writes nothing, even after a restart", async () => {
    const file = join(dir, "idempotent.sqlite");
    const store = new SqliteEventStore(file);
    const handler = handlerOn(store);
    await registered(handler);
    const first = ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: seedBody(),
        commandId: "cmd-1",
      }),
    );
    const again = ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: seedBody(),
        commandId: "cmd-1",
      }),
    );
    expect(again.reply).toEqual(first.reply);
    expect(again.position).toBe(first.position);
    expect(again.repeated).toBe(true);
    const head = await store.headPosition();
    await store.close();

    const reopened = new SqliteEventStore(file);
    const restarted = ok(
      await handlerOn(reopened).handle({
        name: "create-campaign",
        clientId: "acme",
        body: seedBody(),
        commandId: "cmd-1",
      }),
    );
    expect(restarted.reply).toEqual(first.reply);
    expect(await reopened.headPosition()).toBe(head);
    await reopened.close();
  });

  it("loses no update when many commands hit one campaign at once, from two handler instances", async () => {
    const store = new SqliteEventStore(join(dir, "concurrent.sqlite"));
    const [a, b] = [handlerOn(store), handlerOn(store)];
    await registered(a);
    ok(
      await a.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
      }),
    );
    const adds = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).handle({
        name: "add-phone-numbers",
        clientId: "acme",
        body: { id: "c-1", phoneNumbers: [{ number: `07723${String(i).padStart(6, "0")}` }] },
      }),
    );
    const results = await Promise.all(adds);
    expect(results.every((r) => r.ok)).toBe(true);
    const added = (await collect(store.read("campaign-c-1"))).filter(
      (e) => e.type === "PhoneNumbersAdded",
    );
    expect(added).toHaveLength(41);
    expect(
      new Set(
        added.map(
          (e) => (decodeCampaignEvent(e).data as { numbers: { e164: string }[] }).numbers[0]!.e164,
        ),
      ).size,
    ).toBe(41);
    await store.close();
  });

  it("replies 400 naming the field for a body that does not match its schema, and 400 for an unknown command", async () => {
    const handler = handlerOn(new MemoryEventStore());
    expect(
      await handler.handle({
        name: "pause-campaign",
        clientId: "acme",
        body: { id: "x", extra: 1 },
      }),
    ).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    expect(
      await handler.handle({ name: "launch-rocket", clientId: "acme", body: {} }),
    ).toMatchObject({ ok: false, error: { code: "invalid_request" } });
  });

  it("does not re-read a long stream for each command", async () => {
    const store = new MemoryEventStore();
    let eventsRead = 0;
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      read: async function* (streamId: string, options?: Parameters<EventStore["read"]>[1]) {
        for await (const e of store.read(streamId, options)) {
          eventsRead++;
          yield e;
        }
      },
    });
    const handler = handlerOn(counting);
    await registered(handler);
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
      }),
    );
    for (let i = 0; i < 50; i++)
      ok(
        await handler.handle({
          name: "add-phone-numbers",
          clientId: "acme",
          body: { id: "c-1", phoneNumbers: [{ number: `07723${String(i).padStart(6, "0")}` }] },
        }),
      );
    const before = eventsRead;
    ok(
      await handler.handle({
        name: "record-attempt-outcome",
        clientId: "acme",
        body: {
          id: "c-1",
          number: "07722123456",
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:00:00Z",
        },
      }),
    );
    expect(eventsRead - before).toBe(0);
  });

  it("answers 422 when the store refuses an append for its size, writing nothing", async () => {
    const store = new MemoryEventStore(600); // a store with a far smaller append limit than the domain's budget
    const handler = handlerOn(store);
    await registered(handler);
    const head = await store.headPosition();
    const result = await handler.handle({
      name: "create-campaign",
      clientId: "acme",
      body: { id: "c-1", ...seedBody() },
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "rule_violated", details: [{ field: "phoneNumbers" }] },
    });
    expect(await store.headPosition()).toBe(head);
  });
});

describe.each([
  ["a store that checks the last event id (appends pipelined)", true],
  ["a store that checks only revisions (each append waits for the one before)", false],
])("command handling while an append is in flight, on %s", (_label, checksLastEventId) => {
  const BEN = "07722123456";
  const attempt = (attemptNumber: number, commandId?: string) => ({
    name: "record-attempt-outcome",
    clientId: "acme",
    body: {
      id: "c-1",
      number: BEN,
      attemptNumber,
      outcome: 6,
      occurredAt: `2030-10-01T07:5${attemptNumber}:00Z`,
    },
    ...(commandId === undefined ? {} : { commandId }),
  });

  /**
   * A store on which another instance pauses c-1 just before this process's
   * first attempt append reaches it, so that append conflicts. Appends reach
   * the store in the order they were sent, as over one connection.
   */
  async function raced() {
    const store = new MemoryEventStore();
    let raceOnce = true;
    let inOrder: Promise<unknown> = Promise.resolve();
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      checksLastEventId,
      append: (
        streamId: string,
        ...rest: Parameters<EventStore["append"]> extends [string, ...infer R] ? R : never
      ) => {
        const sent = inOrder.then(async () => {
          if (raceOnce && rest[0][0]?.type === "AttemptOutcomeRecorded") {
            raceOnce = false;
            await store.append(
              streamId,
              [{ eventId: "", type: "CampaignPaused", data: {}, metadata: { clientId: "acme" } }],
              "any",
            );
          }
          return store.append(streamId, ...rest);
        });
        inOrder = sent.catch(() => undefined);
        return sent;
      },
    });
    const handler = handlerOn(racing);
    await registered(handler);
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
      }),
    );
    const attemptsInStore = async () =>
      (await collect(store.read("campaign-c-1")))
        .filter((e) => e.type === "AttemptOutcomeRecorded")
        .map((e) => (e.data as { attemptNumber: number }).attemptNumber);
    return { handler, store, attemptsInStore };
  }

  it("never writes a command decided on top of an append that then failed", async () => {
    const { handler, attemptsInStore } = await raced();
    // Attempt 2 is decided on the state after attempt 1, whose append is about to conflict.
    const [first, second] = await Promise.all([
      handler.handle(attempt(1)),
      handler.handle(attempt(2)),
    ]);
    expect(first.ok).toBe(true);
    const stored = await attemptsInStore();
    expect(stored[0]).toBe(1); // attempt 2 never lands without attempt 1 before it
    if (second.ok) expect(stored).toEqual([1, 2]);
    else expect(second.error.code).toBe("conflict");
  });

  it("answers a no-op only once the state it was decided on is durable", async () => {
    const { handler, attemptsInStore } = await raced();
    // The exact repeat finds attempt 1 already in the (not yet durable) state: its answer must wait
    // for that append.
    const [, repeat] = await Promise.all([handler.handle(attempt(1)), handler.handle(attempt(1))]);
    expect(repeat.ok).toBe(true);
    expect(await attemptsInStore()).toEqual([1]);
    if (repeat.ok) expect(repeat.position).toBeGreaterThan(0n);
  });

  it("answers a repeated Command-Id with the first write's position, waiting for it", async () => {
    const { handler, attemptsInStore } = await raced();
    const [first, repeat] = await Promise.all([
      handler.handle(attempt(1, "a-1")),
      handler.handle(attempt(1, "a-1")),
    ]);
    expect(ok(repeat).position).toBe(ok(first).position);
    expect(ok(repeat).position).toBeGreaterThan(0n);
    expect(await attemptsInStore()).toEqual([1]);
  });

  it("answers 409 command_id_reused for another command under a used Command-Id on the same campaign, writing nothing", async () => {
    const { handler, store } = await raced();
    ok(await handler.handle(attempt(1, "a-1")));
    const head = await store.headPosition();
    const stage = await handler.handle({
      name: "record-stage-reached",
      clientId: "acme",
      body: {
        id: "c-1",
        number: BEN,
        attemptNumber: 1,
        stage: 3,
        occurredAt: "2030-10-01T07:51:00Z",
      },
      commandId: "a-1",
    });
    expect(stage).toMatchObject({
      ok: false,
      error: {
        code: "command_id_reused",
        details: [
          { field: "Command-Id", reason: "first used for record-attempt-outcome on campaign c-1" },
        ],
      },
    });
    expect(await store.headPosition()).toBe(head);
  });

  it("does not treat another client's Command-Id as a repeat: it gets 404, not the owner's reply", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await registered(handler);
    await registered(handler, "globex");
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
        commandId: "create-1",
      }),
    );
    const probe = await handler.handle({
      name: "create-campaign",
      clientId: "globex",
      body: { id: "c-1", ...seedBody() },
      commandId: "create-1",
    });
    expect(probe).toMatchObject({ ok: false, error: { code: "conflict" } });
    const pause = await handler.handle({
      name: "pause-campaign",
      clientId: "globex",
      body: { id: "c-1" },
      commandId: "create-1",
    });
    expect(pause).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe.each([
  ["memory", "memory"],
  ["sqlite", "sqlite"],
  ["eventstoredb (protocol double)", "eventstoredb"],
] as const)("Command-Id for good, across a client's streams, on %s", (_label, kind) => {
  let double: RunningDouble | undefined;
  beforeAll(async () => {
    if (kind === "eventstoredb") double = await startDouble();
  });
  afterAll(async () => {
    await double?.stop();
  });
  /** A store, and how to get it back after a restart (memory keeps its instance: it has no restart). */
  function opened(): { store: EventStore; reopen: () => Promise<EventStore> } {
    if (kind === "memory") {
      const store = new MemoryEventStore();
      return { store, reopen: async () => store };
    }
    if (kind === "sqlite") {
      const file = join(dir, `command-ids-${randomUUID()}.sqlite`);
      const store = new SqliteEventStore(file);
      return { store, reopen: async () => (await store.close(), new SqliteEventStore(file)) };
    }
    const store = new EventStoreDbEventStore(double!.connectionString);
    return {
      store,
      reopen: async () => (
        await store.close(),
        new EventStoreDbEventStore(double!.connectionString)
      ),
    };
  }
  const attempt = {
    name: "record-attempt-outcome",
    clientId: "acme",
    body: {
      id: "c-1",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 6,
      occurredAt: "2030-10-01T07:51:00Z",
    },
    commandId: "cmd-1",
  };

  it("answers 409 command_id_reused naming the first use, on another campaign and on the directory, after a restart too, and writes nothing", async () => {
    const { store, reopen } = opened();
    const handler = handlerOn(store);
    await registered(handler);
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-1", ...seedBody() },
      }),
    );
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "acme",
        body: { id: "c-2", ...seedBody() },
      }),
    );
    const first = ok(await handler.handle(attempt));

    const restarted = handlerOn(await reopen());
    const reused = await restarted.handle({ ...attempt, body: { ...attempt.body, id: "c-2" } });
    expect(reused).toMatchObject({
      ok: false,
      error: {
        code: "command_id_reused",
        details: [
          { field: "Command-Id", reason: "first used for record-attempt-outcome on campaign c-1" },
        ],
      },
    });
    const directory = await restarted.handle({
      name: "register-call-flow",
      clientId: "acme",
      body: { callFlowId: 7, name: "Other" },
      commandId: "cmd-1",
    });
    expect(directory).toMatchObject({ ok: false, error: { code: "command_id_reused" } });
    const again = ok(await restarted.handle(attempt));
    expect(again).toMatchObject({ repeated: true, position: first.position, reply: first.reply });
    // Another client's cmd-1 is its own.
    await registered(restarted, "globex");
    ok(
      await restarted.handle({
        name: "register-call-flow",
        clientId: "globex",
        body: { callFlowId: 7, name: "Other" },
        commandId: "cmd-1",
      }),
    );

    const store2 = await reopen();
    const types = async (streamId: string) =>
      (await collect(store2.read(streamId))).map((e) => e.type);
    expect(await types("campaign-c-2")).not.toContain("AttemptOutcomeRecorded");
    expect(await types("campaign-c-1")).toEqual(expect.arrayContaining(["AttemptOutcomeRecorded"]));
    expect(
      (await types("campaign-c-1")).filter((t) => t === "AttemptOutcomeRecorded"),
    ).toHaveLength(1);
    expect(await types("client-acme")).toHaveLength(2);
    await store2.close();
  });

  it("treats the same body with its keys in another order as the same command", async () => {
    const { store } = opened();
    const handler = handlerOn(store);
    const clientId = `acme-${randomUUID().slice(0, 8)}`; // its own client: the double outlives a test
    await registered(handler, clientId);
    const body = { ...attempt.body, id: `c-${clientId}` };
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId,
        body: { id: body.id, ...seedBody() },
      }),
    );
    const first = ok(await handler.handle({ ...attempt, clientId, body }));
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(ok(await handler.handle({ ...attempt, clientId, body: reordered }))).toMatchObject({
      repeated: true,
      position: first.position,
    });
    await store.close();
  });
});
