/**
 * The event store contract: every adapter (memory, sqlite, eventstoredb)
 * runs this suite unchanged. Streams get unique names per test so a shared
 * server (a real EventStoreDB) does not need cleaning.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AppendTooLargeError,
  ConcurrencyError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  StoreRejectedError,
  type Subscription,
} from "../../../src/ports/event-store.js";

export const newEvent = (
  type: string,
  data: unknown = {},
  metadata: NewEvent["metadata"] = {},
): NewEvent => ({ eventId: randomUUID(), type, data, metadata });

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The next `n` events of a subscription, failing after `timeoutMs` rather than hanging. */
export async function take(
  subscription: Subscription,
  n: number,
  timeoutMs = 5000,
): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const out: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<"timeout">((r) =>
        setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now())),
      ),
    ]);
    if (next === "timeout")
      throw new Error(`only ${out.length} of ${n} events arrived within ${timeoutMs} ms`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

export function describeEventStoreContract(name: string, open: () => Promise<EventStore>): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    const stream = (label: string) => `contract-${label}-${randomUUID()}`;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it("appends several events atomically to a new stream and reads them back in order", async () => {
      const s = stream("new");
      const result = await store.append(
        s,
        [newEvent("A", { n: 1 }), newEvent("B", { n: 2 }), newEvent("C", { n: 3 })],
        "no_stream",
      );
      expect(result.nextRevision).toBe(2n);
      const events = await collect(store.read(s));
      expect(events.map((e) => [e.type, e.revision, e.data])).toEqual([
        ["A", 0n, { n: 1 }],
        ["B", 1n, { n: 2 }],
        ["C", 2n, { n: 3 }],
      ]);
      expect(events.at(-1)!.position).toBe(result.position);
      expect(
        events[0]!.position < events[1]!.position && events[1]!.position < events[2]!.position,
      ).toBe(true);
      expect(typeof events[0]!.revision).toBe("bigint");
      expect(events[0]!.recordedAt).toBeInstanceOf(Date);
    });

    it("keeps event ids and metadata", async () => {
      const s = stream("meta");
      const metadata = {
        commandId: "cmd-1",
        correlationId: "corr-1",
        causationId: "cause-1",
        clientId: "client-a",
      };
      const event = newEvent("A", { x: "y" }, metadata);
      await store.append(s, [event], "no_stream");
      const [read] = await collect(store.read(s));
      expect(read!.eventId).toBe(event.eventId);
      expect(read!.streamId).toBe(s);
      expect(read!.metadata).toMatchObject(metadata);
    });

    it("refuses no_stream on an existing stream with a typed concurrency error and writes nothing", async () => {
      const s = stream("exists");
      await store.append(s, [newEvent("A")], "no_stream");
      const failure = await store
        .append(s, [newEvent("B"), newEvent("C")], "no_stream")
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConcurrencyError);
      expect(failure).toMatchObject({ streamId: s, expected: "no_stream", actual: 0n });
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A"]);
    });

    it("checks an exact expected revision", async () => {
      const s = stream("exact");
      await store.append(s, [newEvent("A"), newEvent("B")], "no_stream");
      await expect(store.append(s, [newEvent("X")], 0n)).rejects.toMatchObject({
        name: "ConcurrencyError",
        expected: 0n,
        actual: 1n,
      });
      const ok = await store.append(s, [newEvent("C")], 1n);
      expect(ok.nextRevision).toBe(2n);
      await expect(store.append(stream("missing"), [newEvent("X")], 0n)).rejects.toMatchObject({
        name: "ConcurrencyError",
        actual: "no_stream",
      });
    });

    it("checks the event at the expected revision when given one, where the adapter can", async (ctx) => {
      if (!store.checksLastEventId) ctx.skip();
      const s = stream("condition");
      const first = newEvent("A");
      await store.append(s, [first], "no_stream");
      // Another writer's event now holds revision 1, where ours was meant to be: an append built on
      // ours must fail.
      const ours = newEvent("B");
      await store.append(s, [newEvent("theirs")], 0n);
      await expect(
        store.append(s, [newEvent("C")], 1n, { lastEventId: ours.eventId }),
      ).rejects.toMatchObject({ name: "ConcurrencyError", expected: 1n });
      await expect(
        store.append(s, [newEvent("C")], 0n, { lastEventId: first.eventId }),
      ).rejects.toMatchObject({ name: "ConcurrencyError", actual: 1n });
      const ok = await store.append(s, [newEvent("C")], 0n + 1n, {
        lastEventId: (await collect(store.read(s)))[1]!.eventId,
      });
      expect(ok.nextRevision).toBe(2n);
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A", "theirs", "C"]);
    });

    it("appends with any whether or not the stream exists", async () => {
      const s = stream("any");
      expect((await store.append(s, [newEvent("A")], "any")).nextRevision).toBe(0n);
      expect((await store.append(s, [newEvent("B")], "any")).nextRevision).toBe(1n);
    });

    it("lets exactly one of several concurrent appends with the same expected revision win", async () => {
      const s = stream("race");
      await store.append(s, [newEvent("A")], "no_stream");
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.append(s, [newEvent(`B${i}`), newEvent(`C${i}`)], 0n),
        ),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === "rejected")
          expect(r.reason).toMatchObject({ name: "ConcurrencyError", expected: 0n, actual: 2n });
      const types = (await collect(store.read(s))).map((e) => e.type);
      expect(types).toHaveLength(3);
      expect(types[1]!.slice(1)).toBe(types[2]!.slice(1)); // both events of the winner, none of the losers
    });

    it("acknowledges a retried append of the same event ids without writing them twice", async () => {
      const s = stream("retry");
      const first = [newEvent("A"), newEvent("B")];
      const written = await store.append(s, first, "no_stream");
      expect(await store.append(s, first, "no_stream")).toEqual(written);
      const second = [newEvent("C")];
      const next = await store.append(s, second, 1n);
      expect(await store.append(s, second, 1n)).toEqual(next);
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A", "B", "C"]);
    });

    it("acknowledges a retried append with any when it was the stream's last append", async () => {
      const s = stream("retry-any");
      await store.append(s, [newEvent("A")], "any");
      const tail = [newEvent("B"), newEvent("C")];
      const written = await store.append(s, tail, "any");
      expect(await store.append(s, tail, "any")).toEqual(written);
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A", "B", "C"]);
    });

    it("reads forwards and backwards from a revision with a limit", async () => {
      const s = stream("read");
      await store.append(
        s,
        Array.from({ length: 10 }, (_, i) => newEvent(`E${i}`)),
        "no_stream",
      );
      expect((await collect(store.read(s, { from: 3n, limit: 4 }))).map((e) => e.type)).toEqual([
        "E3",
        "E4",
        "E5",
        "E6",
      ]);
      expect(
        (await collect(store.read(s, { direction: "backwards", limit: 3 }))).map((e) => e.type),
      ).toEqual(["E9", "E8", "E7"]);
      expect(
        (await collect(store.read(s, { direction: "backwards", from: 2n }))).map((e) => e.type),
      ).toEqual(["E2", "E1", "E0"]);
      expect(await collect(store.read(s, { from: 10n }))).toEqual([]);
    });

    it("reads a stream that does not exist as empty", async () => {
      expect(await collect(store.read(stream("none")))).toEqual([]);
      expect(await collect(store.read(stream("none"), { direction: "backwards" }))).toEqual([]);
    });

    it("refuses an append over 1 MiB and writes nothing", async () => {
      const s = stream("big");
      const big = newEvent("Big", { blob: "x".repeat(1024 * 1024 + 1) });
      await expect(store.append(s, [big], "any")).rejects.toBeInstanceOf(AppendTooLargeError);
      expect(await collect(store.read(s))).toEqual([]);
    });

    it("subscribes to the global log from a position (exclusive), catching up then following live", async () => {
      const prefix = `sub${randomUUID().slice(0, 8)}-`;
      const first = await store.append(`${prefix}a`, [newEvent("A1"), newEvent("A2")], "no_stream");
      await store.append(`${prefix}b`, [newEvent("B1")], "no_stream");
      const subscription = store.subscribe({ from: first.position, streamPrefixes: [prefix] });
      try {
        const caughtUp = await take(subscription, 1);
        expect(caughtUp.map((e) => e.type)).toEqual(["B1"]);
        await store.append(`${prefix}a`, [newEvent("A3")], 1n);
        await store.append(stream("other"), [newEvent("NotMine")], "no_stream");
        await store.append(`${prefix}c`, [newEvent("C1")], "no_stream");
        const live = await take(subscription, 2);
        expect(live.map((e) => e.type)).toEqual(["A3", "C1"]);
        expect(live[0]!.position < live[1]!.position).toBe(true);
      } finally {
        await subscription.close();
      }
    });

    it("delivers every event of the log once, in order, from the start", async () => {
      const prefix = `all${randomUUID().slice(0, 8)}-`;
      for (let i = 0; i < 5; i++)
        await store.append(`${prefix}${i % 2}`, [newEvent(`E${i}`)], "any");
      const subscription = store.subscribe({ streamPrefixes: [prefix] });
      try {
        const events = await take(subscription, 5);
        expect(events.map((e) => e.type)).toEqual(["E0", "E1", "E2", "E3", "E4"]);
      } finally {
        await subscription.close();
      }
    });

    it("subscribes from the position of an event inside a multi-event append", async () => {
      const prefix = `mid${randomUUID().slice(0, 8)}-`;
      await store.append(
        `${prefix}a`,
        [newEvent("E0"), newEvent("E1"), newEvent("E2")],
        "no_stream",
      );
      const [first] = await collect(store.read(`${prefix}a`, { limit: 1 }));
      const subscription = store.subscribe({ from: first!.position, streamPrefixes: [prefix] });
      try {
        expect((await take(subscription, 2)).map((e) => e.type)).toEqual(["E1", "E2"]);
      } finally {
        await subscription.close();
      }
    });

    it("reaches a matching event promptly past a long run of events the prefix filter skips", async () => {
      const prefix = `sparse${randomUUID().slice(0, 8)}-`;
      const from = await store.headPosition();
      const noise = stream("noise");
      for (let i = 0; i < 5; i++)
        await store.append(
          noise,
          Array.from({ length: 2000 }, (_, j) => newEvent(`N${i * 2000 + j}`)),
          "any",
        );
      await store.append(`${prefix}a`, [newEvent("Wanted")], "no_stream");
      const subscription = store.subscribe({ from, streamPrefixes: [prefix] });
      try {
        expect((await take(subscription, 1, 1500)).map((e) => e.type)).toEqual(["Wanted"]);
      } finally {
        await subscription.close();
      }
    });

    it("ends the iteration when a subscription is closed", async () => {
      const subscription = store.subscribe({
        from: await store.headPosition(),
        streamPrefixes: [`closed-${randomUUID()}`],
      });
      const iterator = subscription[Symbol.asyncIterator]();
      const pending = iterator.next();
      await subscription.close();
      expect(await pending).toEqual({ done: true, value: undefined });
    });

    it("reports the head position of the global log", async () => {
      const written = await store.append(stream("head"), [newEvent("A")], "no_stream");
      expect(await store.headPosition()).toBeGreaterThanOrEqual(written.position);
    });

    it("has one identity, the same on every ask, that is not part of the log", async () => {
      const head = await store.headPosition();
      const subscription = store.subscribe({ from: head });
      const id = await store.identity();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.identity()).toBe(id);
      expect(await store.headPosition()).toBe(head);
      const marker = await store.append(stream("after-identity"), [newEvent("A")], "no_stream");
      const [next] = await take(subscription, 1);
      await subscription.close();
      expect(next!.position).toBe(marker.position); // the identity was not delivered before it
    });
  });
}
