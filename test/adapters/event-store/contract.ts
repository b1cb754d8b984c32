/**
 * The event store contract: every adapter (memory, sqlite, eventstoredb)
 * runs this suite unchanged. Streams get unique names per test so a shared
 * server (a real EventStoreDB) does not need cleaning.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AppendTooLargeError,
  CommandAnsweredError,
  CommandIdReusedError,
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

    it("refuses the same command again where its claim is written with its events, on any stream, writing nothing", async () => {
      const claim = {
        clientId: `client-${randomUUID()}`,
        commandId: "cmd-1",
        command: "record-attempt-outcome",
        fingerprint: "fp-attempt",
      };
      const [a, b] = [stream("again-a"), stream("again-b")];
      const events = [newEvent("A1"), newEvent("A2")];
      const written = await store.append(a, events, "no_stream", { claims: [claim] });
      // Its own append retried is acknowledged.
      expect(await store.append(a, events, "no_stream", { claims: [claim] })).toEqual(written);
      if (store.claimAhead !== undefined) {
        // Taken ahead (EventStoreDB), a claim may be held without its events: the same command
        // passes it (its expected revision guards the stream).
        await store.append(a, [newEvent("X")], 1n, { claims: [claim] });
        expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A1", "A2", "X"]);
        return;
      }
      // Written with them, a claim held means the events are in: the same command appending
      // anything else is refused.
      for (const [s, expected] of [
        [b, "no_stream"],
        [a, 1n],
        [a, "any"],
      ] as const) {
        const refused = await store.append(s, [newEvent("X")], expected, { claims: [claim] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(StoreRejectedError);
        expect(refused).toMatchObject({ code: "conflict" });
      }
      // With the same event ids elsewhere, too: ids are not unique across streams, the claim is.
      await expect(
        store.append(b, events, "no_stream", { claims: [claim] }),
      ).rejects.toBeInstanceOf(StoreRejectedError);
      expect(await collect(store.read(b))).toEqual([]);
      expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A1", "A2"]);
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

    it("claims a Command-Id with the append's events: another command under it is refused on any stream, writing nothing", async () => {
      const clientId = `client-${randomUUID()}`;
      const claim = {
        clientId,
        commandId: "cmd-1",
        command: "record-attempt-outcome",
        fingerprint: "fp-attempt",
      };
      const [a, b] = [stream("claim-a"), stream("claim-b")];
      await store.append(a, [newEvent("A")], "no_stream", { claims: [claim] });
      const other = { ...claim, command: "pause-campaign", fingerprint: "fp-pause" };
      const refused = await store.append(b, [newEvent("B")], "no_stream", { claims: [other] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CommandIdReusedError);
      expect(refused).toMatchObject({ first: { command: "record-attempt-outcome", streamId: a } });
      expect(await collect(store.read(b))).toEqual([]);
      await expect(
        store.append(a, [newEvent("C")], 0n, { claims: [other] }),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A"]);
      // Another client's id of the same spelling is another id.
      await store.append(b, [newEvent("B")], "no_stream", {
        claims: [{ ...other, clientId: `${clientId}-other` }],
      });
      expect((await collect(store.read(b))).map((e) => e.type)).toEqual(["B"]);
    });

    it("refuses, as a reused Command-Id, a resent append of the same event ids that claims the id for another command", async () => {
      const clientId = `client-${randomUUID()}`;
      const claim = {
        clientId,
        commandId: "cmd-1",
        command: "record-attempt-outcome",
        fingerprint: "fp-attempt",
      };
      const s = stream("resent-other");
      const events = [newEvent("A")]; // event ids are derived from the Command-Id, so another body under it gives the same ids
      await store.append(s, events, "no_stream", { claims: [claim] });
      const other = { ...claim, fingerprint: "fp-another-body" };
      await expect(
        store.append(s, events, "no_stream", { claims: [other] }),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A"]);
    });

    it("claims every Command-Id of an append of several commands' events, refusing it whole for one taken by another command", async () => {
      const clientId = `client-${randomUUID()}`;
      const claim = (commandId: string, fingerprint: string) => ({
        clientId,
        commandId,
        command: "record-attempt-outcome",
        fingerprint,
      });
      const [a, b] = [stream("claims-a"), stream("claims-b")];
      await store.append(a, [newEvent("A1"), newEvent("A2")], "no_stream", {
        claims: [claim("cmd-1", "fp-1"), claim("cmd-2", "fp-2")],
      });
      const refused = await store
        .append(b, [newEvent("B1"), newEvent("B2")], "no_stream", {
          claims: [claim("cmd-3", "fp-3"), claim("cmd-2", "fp-other")],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(CommandIdReusedError);
      expect(refused).toMatchObject({ claim: { commandId: "cmd-2" }, first: { streamId: a } });
      expect(await collect(store.read(b))).toEqual([]);
      // Both ids of the first append are taken; the refused append's other command may still append
      // alone.
      await expect(
        store.append(b, [newEvent("B")], "no_stream", { claims: [claim("cmd-1", "fp-other")] }),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      await store.append(b, [newEvent("B3")], "no_stream", { claims: [claim("cmd-3", "fp-3")] });
      expect((await collect(store.read(b))).map((e) => e.type)).toEqual(["B3"]);
    });

    it("takes a Command-Id with the answer of a command that wrote nothing, where the stream stands as it was decided on", async () => {
      const clientId = `client-${randomUUID()}`;
      const claim = { clientId, commandId: "no-op", command: "pause-campaign", fingerprint: "fp" };
      const s = stream("answered");
      await store.append(s, [newEvent("A")], "no_stream");
      const answer = { reply: { id: "c-1", revision: 0 }, position: 7n };
      // The stream is elsewhere than the answer was decided on: nothing is taken.
      for (const revision of [undefined, 1n])
        await expect(store.answerWithoutEvents(claim, s, revision, answer)).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      expect(await store.claimed(clientId, "no-op")).toBeUndefined();
      expect(await store.answerWithoutEvents(claim, s, 0n, answer)).toEqual({ kind: "taken" });
      expect(await store.claimed(clientId, "no-op")).toEqual({
        command: "pause-campaign",
        fingerprint: "fp",
        streamId: s,
        answer,
      });
      // The same command again, on a stream moved on since, gets the first answer.
      await store.append(s, [newEvent("B")], 0n);
      const later = { reply: { id: "c-1", revision: 1 }, position: 9n };
      expect(await store.answerWithoutEvents(claim, s, 1n, later)).toEqual({
        kind: "answered",
        answer,
      });
      // Another command under the id is refused, as is the same command's append of events.
      const other = { ...claim, command: "resume-campaign", fingerprint: "fp-resume" };
      await expect(store.answerWithoutEvents(other, s, 1n, later)).rejects.toBeInstanceOf(
        CommandIdReusedError,
      );
      await expect(
        store.append(s, [newEvent("C")], 1n, { claims: [other] }),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      const repeated = await store.append(s, [newEvent("C")], 1n, { claims: [claim] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(repeated).toBeInstanceOf(CommandAnsweredError);
      expect(repeated).toMatchObject({ answer });
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A", "B"]);
      // A stream that does not exist stands at no revision.
      const none = stream("answered-none");
      expect(
        await store.answerWithoutEvents({ ...claim, commandId: "on-none" }, none, undefined, later),
      ).toEqual({ kind: "taken" });
      // An id taken with events is refused to another command's answer.
      const written = { ...claim, commandId: "written", fingerprint: "fp-written" };
      await store.append(none, [newEvent("D")], "no_stream", { claims: [written] });
      await expect(
        store.answerWithoutEvents({ ...written, fingerprint: "fp-x" }, none, 0n, later),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
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
