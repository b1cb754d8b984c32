import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  EventStoreDbEventStore,
  type EventStoreDbSubscription,
  decodePosition,
  encodePosition,
} from "../../../src/adapters/event-store/eventstoredb.js";
import {
  AppendTooLargeError,
  ConcurrencyError,
  MAX_APPEND_BYTES,
  START,
  StoreRejectedError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
} from "../../../src/ports/event-store.js";
import { start, tombstone, type RunningDouble } from "../../support/eventstoredb-double.js";

/** Polls until `done` holds (5 s at most). */
const until = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};
const FAST_RESUBSCRIBE = { resubscribe: { initialDelayMs: 5, maxDelayMs: 50 } };

const event = (
  type: string,
  data: unknown = {},
  metadata: NewEvent["metadata"] = {},
): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata,
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** An append to and a read of a tombstoned stream are a refusal (409 conflict), never a failure a retry could mend. */
async function expectDeletedStreamRefused(
  store: EventStore,
  connectionString: string,
): Promise<void> {
  const stream = `campaign-${randomUUID()}`;
  await store.append(stream, [event("A")], "no_stream");
  await tombstone(connectionString, stream);
  for (const expected of [0n, "any", "no_stream"] as const) {
    const append = store.append(stream, [event("B")], expected);
    await expect(append).rejects.toBeInstanceOf(StoreRejectedError);
    await expect(append).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining(stream),
    });
  }
  const read = collect(store.read(stream));
  await expect(read).rejects.toBeInstanceOf(StoreRejectedError);
  await expect(read).rejects.toMatchObject({ code: "conflict" });
  // Another stream is untouched.
  const other = `campaign-${randomUUID()}`;
  await store.append(other, [event("C")], "no_stream");
  expect((await collect(store.read(other))).map((e) => e.type)).toEqual(["C"]);
}

async function take(subscription: Subscription, n: number): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  while (out.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe("eventstoredb adapter: position encoding", () => {
  it("packs commit and prepare into one ordered bigint and back", () => {
    const positions = [
      { commit: 0n, prepare: 0n },
      { commit: 4096n, prepare: 4096n },
      { commit: 4096n, prepare: 4300n },
      { commit: 4500n, prepare: 4500n },
      { commit: 2n ** 64n - 2n, prepare: 2n ** 64n - 1n },
    ];
    const encoded = positions.map(encodePosition);
    expect([...encoded].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(encoded);
    expect(encoded.map(decodePosition)).toEqual(positions);
    expect(encodePosition({ commit: 0n, prepare: 0n })).toBe(START);
  });
});

describe("eventstoredb adapter against the protocol double", () => {
  let double: RunningDouble;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    double = await start();
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
  });
  afterAll(async () => {
    await store.close();
    await double.stop();
  });

  it("writes $correlationId and $causationId on the wire and maps them back on read", async () => {
    const stream = `campaign-${randomUUID()}`;
    const metadata = {
      correlationId: "corr-1",
      causationId: "cause-1",
      commandId: "cmd-1",
      clientId: "acme",
    };
    const sent = event("CampaignCreated", { name: "Spring" }, metadata);
    await store.append(stream, [sent], "no_stream");

    const onWire = double.events().find((e) => e.id === sent.eventId);
    expect(onWire?.streamId).toBe(stream);
    expect(onWire?.contentType).toBe("application/json");
    expect(onWire?.metadata).toEqual({
      $correlationId: "corr-1",
      $causationId: "cause-1",
      commandId: "cmd-1",
      clientId: "acme",
    });
    expect(onWire?.data).toEqual({ name: "Spring" });

    const [read] = await collect(store.read(stream));
    expect(read?.metadata).toEqual(metadata);
    expect(read?.eventId).toBe(sent.eventId);
  });

  it("turns a wrong expected revision into ConcurrencyError with the actual revision", async () => {
    const stream = `campaign-${randomUUID()}`;
    await store.append(stream, [event("A"), event("B")], "no_stream");

    const stale = store.append(stream, [event("C")], 0n);
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toMatchObject({ streamId: stream, expected: 0n, actual: 1n });

    await expect(store.append(stream, [event("C")], "no_stream")).rejects.toMatchObject({
      name: "ConcurrencyError",
      actual: 1n,
    });
    await expect(store.append(`campaign-${randomUUID()}`, [event("C")], 3n)).rejects.toMatchObject({
      name: "ConcurrencyError",
      actual: "no_stream",
    });
    expect((await collect(store.read(stream))).map((e) => e.type)).toEqual(["A", "B"]);
  });

  it("refuses an append over 1 MiB before sending anything", async () => {
    const stream = `campaign-${randomUUID()}`;
    const before = { ...double.stats, events: double.events().length };
    const big = "x".repeat(MAX_APPEND_BYTES / 4);
    const append = store.append(
      stream,
      [event("A", big), event("B", big), event("C", big), event("D", big)],
      "any",
    );
    await expect(append).rejects.toBeInstanceOf(AppendTooLargeError);
    await expect(append).rejects.toMatchObject({ streamId: stream, limit: MAX_APPEND_BYTES });
    expect(double.stats.batchAppends).toBe(before.batchAppends);
    expect(double.events().length).toBe(before.events);
    expect(await collect(store.read(stream))).toEqual([]);
  });

  it("acknowledges a retried append of the same event ids without writing them twice", async () => {
    const stream = `campaign-${randomUUID()}`;
    const events = [event("A"), event("B")];
    const first = await store.append(stream, events, "no_stream");
    const retry = await store.append(stream, events, "no_stream");
    expect(retry).toEqual(first);
    expect(await collect(store.read(stream))).toHaveLength(2);
  });

  it("reports the position of the last event written, which reads and headPosition agree with", async () => {
    const stream = `campaign-${randomUUID()}`;
    const result = await store.append(stream, [event("A"), event("B"), event("C")], "no_stream");
    expect(result.nextRevision).toBe(2n);
    const read = await collect(store.read(stream));
    expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(read.at(-1)?.position).toBe(result.position);
    // The events of one batch share a commit position and differ in prepare position.
    expect(new Set(read.map((e) => decodePosition(e.position).commit)).size).toBe(1);
    expect(read[0]!.position < read[1]!.position && read[1]!.position < read[2]!.position).toBe(
      true,
    );
    expect(await store.headPosition()).toBe(result.position);
  });

  it("reads forwards and backwards with from and limit, and a missing stream as empty", async () => {
    const stream = `campaign-${randomUUID()}`;
    await store.append(
      stream,
      ["A", "B", "C", "D", "E"].map((t) => event(t)),
      "no_stream",
    );
    const types = async (options: Parameters<EventStore["read"]>[1]) =>
      (await collect(store.read(stream, options))).map((e) => e.type);
    expect(await types({})).toEqual(["A", "B", "C", "D", "E"]);
    expect(await types({ from: 1n, limit: 2 })).toEqual(["B", "C"]);
    expect(await types({ direction: "backwards" })).toEqual(["E", "D", "C", "B", "A"]);
    expect(await types({ direction: "backwards", from: 2n, limit: 2 })).toEqual(["C", "B"]);
    expect(await types({ direction: "backwards", limit: 1 })).toEqual(["E"]);
    expect(await types({ from: 9n })).toEqual([]);
    expect(await collect(store.read(`campaign-${randomUUID()}`))).toEqual([]);
  });

  it("refuses an append (BatchAppend) to and a read of a tombstoned stream as StoreRejectedError conflict", async () => {
    const batchesBefore = double.stats.batchAppends;
    await expectDeletedStreamRefused(store, double.connectionString);
    expect(double.stats.batchAppends).toBeGreaterThan(batchesBefore);
  });

  it("refuses a Command-Id whose reservation stream was tombstoned, naming the way out", async () => {
    const claim = {
      clientId: "acme",
      commandId: randomUUID(),
      command: "pause-campaign",
      fingerprint: "f",
    };
    const stream = `campaign-${randomUUID()}`;
    await store.reserve(claim, stream);
    const reservation = double
      .events()
      .find((e) => (e.data as { commandId?: unknown } | undefined)?.commandId === claim.commandId)!;
    await tombstone(double.connectionString, reservation.streamId);
    const again = store.reserve(claim, stream);
    await expect(again).rejects.toBeInstanceOf(StoreRejectedError);
    await expect(again).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("new Command-Id"),
    });
    expect(await collect(store.read(stream))).toEqual([]);
  });

  it("stops the read call when the consumer stops early", async () => {
    const stream = `campaign-${randomUUID()}`;
    await store.append(
      stream,
      Array.from({ length: 200 }, (_, i) => event(`E${i}`)),
      "no_stream",
    );
    let seen = 0;
    for await (const _ of store.read(stream)) {
      seen += 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect((await collect(store.read(stream, { limit: 2 }))).length).toBe(2);
  });
});

describe("eventstoredb adapter subscriptions against the protocol double", () => {
  let double: RunningDouble;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    double = await start();
  });
  afterEach(async () => {
    await store.close();
  });
  afterAll(async () => {
    await double.stop();
  });

  it("resubscribes after the double drops the subscription mid-catch-up, losing and repeating nothing", async () => {
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
    const expected: RecordedEvent[] = [];
    for (let batch = 0; batch < 30; batch += 1) {
      const campaign = `campaign-${randomUUID()}`;
      await store.append(
        campaign,
        Array.from({ length: 50 }, (_, i) => event("Numbered", { batch, i })),
        "no_stream",
      );
      await store.append(`other-${randomUUID()}`, [event("Noise")], "no_stream");
      expected.push(...(await collect(store.read(campaign))));
    }
    expected.sort((a, b) => (a.position < b.position ? -1 : 1));
    const subscriptionsBefore = double.stats.subscriptions;

    const subscription = store.subscribe({ streamPrefixes: ["campaign-"] });
    const received = await take(subscription, 400);
    expect(double.dropSubscriptions()).toBe(1);
    received.push(...(await take(subscription, 500)));
    expect(double.dropSubscriptions()).toBe(1);
    received.push(...(await take(subscription, expected.length - received.length)));
    await subscription.close();

    expect(double.stats.subscriptions - subscriptionsBefore).toBeGreaterThanOrEqual(3);
    expect(received.map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
    expect(received.map((e) => e.position)).toEqual(expected.map((e) => e.position));
    expect(received.every((e) => e.streamId.startsWith("campaign-"))).toBe(true);
  });

  it("resubscribes after a drop while live and delivers what was appended meanwhile", async () => {
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
    const from = await store.headPosition();
    const stream = `campaign-${randomUUID()}`;
    const subscription = store.subscribe({ from, streamPrefixes: ["campaign-"] });
    const first = take(subscription, 1);
    await store.append(stream, [event("Before")], "no_stream");
    expect((await first).map((e) => e.type)).toEqual(["Before"]);
    expect((subscription as EventStoreDbSubscription).caughtUp).toBe(true);

    expect(double.dropSubscriptions()).toBeGreaterThanOrEqual(1);
    await store.append(stream, [event("During")], 0n);
    await store.append(stream, [event("After")], 1n);
    expect((await take(subscription, 2)).map((e) => e.type)).toEqual(["During", "After"]);
    expect((subscription as EventStoreDbSubscription).resubscribed).toBeGreaterThanOrEqual(1);
    await subscription.close();
  });

  it("backs off further each time the server drops a subscription that delivered nothing, and says so", async () => {
    const drops: { attempt: number; delayMs: number }[] = [];
    store = new EventStoreDbEventStore(double.connectionString, {
      resubscribe: { initialDelayMs: 4, maxDelayMs: 10_000 },
      onSubscriptionDropped: ({ attempt, delayMs }) => drops.push({ attempt, delayMs }),
    });
    const subscription = store.subscribe({
      from: await store.headPosition(),
      streamPrefixes: [`campaign-${randomUUID()}`],
    });
    const pending = subscription[Symbol.asyncIterator]().next(); // starts it
    for (let drop = 1; drop <= 4; drop++) {
      await until(() => double.dropSubscriptions() > 0);
      await until(() => drops.length === drop);
    }
    await subscription.close();
    await pending;
    expect(drops.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
    // Jittered between half and all of 4, 8, 16, 32 ms.
    drops.forEach((d, i) => expect(d.delayMs).toBeGreaterThanOrEqual(2 * 2 ** i));
    expect(drops[3]!.delayMs).toBeGreaterThan(drops[0]!.delayMs);
  });

  it("starts after the given position (exclusive) and follows live appends", async () => {
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
    const stream = `campaign-${randomUUID()}`;
    const first = await store.append(stream, [event("One")], "no_stream");
    const subscription = store.subscribe({ from: first.position, streamPrefixes: [stream] });
    const pending = take(subscription, 2);
    await store.append(stream, [event("Two"), event("Three")], 0n);
    expect((await pending).map((e) => e.type)).toEqual(["Two", "Three"]);
    await subscription.close();
  });

  it("close() ends a pending next() as done", async () => {
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
    const subscription = store.subscribe({
      from: await store.headPosition(),
      streamPrefixes: [`campaign-${randomUUID()}`],
    });
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});

describe("eventstoredb adapter on the Streams.Append path (no BatchAppend advertised)", () => {
  let double: RunningDouble;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    double = await start({ batchAppend: false });
    store = new EventStoreDbEventStore(double.connectionString, FAST_RESUBSCRIBE);
  });
  afterAll(async () => {
    await store.close();
    await double.stop();
  });

  it("appends, detects a wrong expected revision and reads back", async () => {
    const stream = `campaign-${randomUUID()}`;
    const result = await store.append(
      stream,
      [event("A", { n: 1 }, { correlationId: "c" })],
      "no_stream",
    );
    expect(result.nextRevision).toBe(0n);
    await expect(store.append(stream, [event("B")], "no_stream")).rejects.toMatchObject({
      name: "ConcurrencyError",
      actual: 0n,
    });
    const read = await collect(store.read(stream));
    expect(read.map((e) => [e.type, e.data, e.metadata])).toEqual([
      ["A", { n: 1 }, { correlationId: "c" }],
    ]);
    expect(read[0]?.position).toBe(result.position);
    expect(double.stats.appendCalls).toBe(2);
    expect(double.stats.batchAppends).toBe(0);
  });

  it("refuses an append (Streams.Append) to and a read of a tombstoned stream as StoreRejectedError conflict", async () => {
    const callsBefore = double.stats.appendCalls;
    await expectDeletedStreamRefused(store, double.connectionString);
    expect(double.stats.appendCalls).toBeGreaterThan(callsBefore);
    expect(double.stats.batchAppends).toBe(0);
  });
});

describe("eventstoredb adapter when the server's MaxAppendSize is smaller than ours", () => {
  it("maps the server's refusal to AppendTooLargeError and writes nothing", async () => {
    for (const batchAppend of [true, false]) {
      const double = await start({ maxAppendSize: 1_000, batchAppend });
      const store = new EventStoreDbEventStore(double.connectionString);
      try {
        const stream = `campaign-${randomUUID()}`;
        const append = store.append(stream, [event("Big", "y".repeat(2_000))], "any");
        await expect(append).rejects.toBeInstanceOf(AppendTooLargeError);
        await expect(append).rejects.toMatchObject({ limit: 1_000 });
        expect(double.events()).toEqual([]);
      } finally {
        await store.close();
        await double.stop();
      }
    }
  });
});

describe("eventstoredb adapter subscription flow control", () => {
  it("does not let the server run ahead of a consumer that stops pulling", async () => {
    const double = await start();
    const store = new EventStoreDbEventStore(double.connectionString);
    try {
      const payload = "z".repeat(2_000);
      for (let i = 0; i < 40; i += 1) {
        await store.append(
          `campaign-${randomUUID()}`,
          Array.from({ length: 100 }, () => event("Bulk", { payload })),
          "no_stream",
        );
      }
      const subscription = store.subscribe({ streamPrefixes: ["campaign-"] });
      expect(await take(subscription, 10)).toHaveLength(10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sentWhilePaused = double.stats.subscriptionEventsSent;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(double.stats.subscriptionEventsSent).toBe(sentWhilePaused);
      expect(sentWhilePaused).toBeLessThan(1_000); // about 90 here: stream buffers plus HTTP/2 windows
      expect(await take(subscription, 3_990)).toHaveLength(3_990);
      await subscription.close();
    } finally {
      await store.close();
      await double.stop();
    }
  });
});
