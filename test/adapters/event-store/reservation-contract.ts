/**
 * The Command-Id reservation contract (src/ports/command-reservations.ts):
 * every adapter runs this suite. `ahead` says how the store keeps a
 * reservation with its events: written before them (EventStoreDB), or with
 * them, in the append's transaction (memory, SQLite).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConcurrencyError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  StoreRejectedError,
} from "../../../src/ports/event-store.js";
import {
  CommandAnsweredError,
  CommandIdReusedError,
  type CommandReservations,
  type Reservation,
} from "../../../src/ports/command-reservations.js";
import { collect } from "./contract.js";

type Store = EventStore & CommandReservations;

/** An event of the command holding `reservation`: its metadata carries the Command-Id. */
const eventOf = (reservation: Reservation, type: string): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: {},
  metadata: { clientId: reservation.clientId, commandId: reservation.commandId },
});

/** What the write side does: reserve, then append the command's events. */
async function reservedAppend(
  store: Store,
  reservation: Reservation,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
) {
  await store.reserve(reservation, streamId);
  return store.append(streamId, events, expected);
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

export function describeReservationContract(
  name: string,
  open: () => Promise<Store>,
  { ahead }: { ahead: boolean },
): void {
  describe(`reservation contract: ${name}`, () => {
    let store: Store;
    const stream = (label: string) => `reservations-${label}-${randomUUID()}`;
    const reservation = (commandId: string, fingerprint: string, command = "pause-campaign") => ({
      clientId: `client-${randomUUID()}`,
      commandId,
      command,
      fingerprint,
    });
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it("holds a Command-Id with its command's events: another command under it is refused on any stream, writing nothing", async () => {
      const first = reservation("cmd-1", "fp-attempt", "record-attempt-outcome");
      const [a, b] = [stream("a"), stream("b")];
      await reservedAppend(store, first, a, [eventOf(first, "A")], "no_stream");
      expect(await store.lookUp(first.clientId, "cmd-1")).toEqual({
        command: "record-attempt-outcome",
        fingerprint: "fp-attempt",
        streamId: a,
        answer: undefined,
      });
      const other = { ...first, command: "pause-campaign", fingerprint: "fp-pause" };
      for (const s of [b, a]) {
        const refused = await failure(
          reservedAppend(store, other, s, [eventOf(other, "B")], "any"),
        );
        expect(refused).toBeInstanceOf(CommandIdReusedError);
        expect(refused).toMatchObject({
          first: { command: "record-attempt-outcome", streamId: a },
        });
      }
      expect(await collect(store.read(b))).toEqual([]);
      expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A"]);
      // Another client's id of the same spelling is another id.
      const elsewhere = { ...other, clientId: `${first.clientId}-other` };
      await reservedAppend(store, elsewhere, b, [eventOf(elsewhere, "B")], "no_stream");
      expect((await collect(store.read(b))).map((e) => e.type)).toEqual(["B"]);
      expect(await store.lookUp(`client-${randomUUID()}`, "cmd-1")).toBeUndefined();
    });

    it("acknowledges the same command's append retried, and keeps its events from being stored twice", async () => {
      const mine = reservation("cmd-1", "fp-attempt");
      const [a, b] = [stream("again-a"), stream("again-b")];
      const events = [eventOf(mine, "A1"), eventOf(mine, "A2")];
      const written = await reservedAppend(store, mine, a, events, "no_stream");
      expect(await reservedAppend(store, mine, a, events, "no_stream")).toEqual(written);
      if (ahead) {
        // Written ahead, a reservation may be held without its events: the same command passes it
        // (its expected revision guards the stream).
        await reservedAppend(store, mine, a, [eventOf(mine, "X")], 1n);
        expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A1", "A2", "X"]);
        return;
      }
      // Written with them, a reservation held means the events are in: the same command appending
      // anything else, or the same event ids elsewhere, is refused.
      for (const [s, expected, appended] of [
        [b, "no_stream", [eventOf(mine, "X")]],
        [a, 1n, [eventOf(mine, "X")]],
        [a, "any", [eventOf(mine, "X")]],
        [b, "no_stream", events],
      ] as const) {
        const refused = await failure(reservedAppend(store, mine, s, appended, expected));
        expect(refused).toBeInstanceOf(StoreRejectedError);
        expect(refused).toMatchObject({ code: "conflict" });
      }
      expect(await collect(store.read(b))).toEqual([]);
      expect((await collect(store.read(a))).map((e) => e.type)).toEqual(["A1", "A2"]);
    });

    it("refuses, as a reused Command-Id, a resent append of the same event ids for another command", async () => {
      const mine = reservation("cmd-1", "fp-attempt");
      const s = stream("resent-other");
      // Event ids are derived from the Command-Id, so another body under it gives the same ids.
      const events = [eventOf(mine, "A")];
      await reservedAppend(store, mine, s, events, "no_stream");
      const other = { ...mine, fingerprint: "fp-another-body" };
      await expect(reservedAppend(store, other, s, events, "no_stream")).rejects.toBeInstanceOf(
        CommandIdReusedError,
      );
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A"]);
    });

    it("holds every Command-Id of one append of several commands' events", async () => {
      const clientId = `client-${randomUUID()}`;
      const of = (commandId: string, fingerprint: string) => ({
        clientId,
        commandId,
        command: "record-attempt-outcome",
        fingerprint,
      });
      const [a, b] = [stream("several-a"), stream("several-b")];
      const [one, two] = [of("cmd-1", "fp-1"), of("cmd-2", "fp-2")];
      await Promise.all([store.reserve(one, a), store.reserve(two, a)]);
      await store.append(a, [eventOf(one, "A1"), eventOf(two, "A2")], "no_stream");
      for (const taken of [of("cmd-1", "fp-other"), of("cmd-2", "fp-other")])
        await expect(
          reservedAppend(store, taken, b, [eventOf(taken, "B")], "no_stream"),
        ).rejects.toBeInstanceOf(CommandIdReusedError);
      expect(await collect(store.read(b))).toEqual([]);
    });

    it("confirms a Command-Id with the answer of a command that wrote nothing, where the stream stands as it was decided on", async () => {
      const noOp = reservation("no-op", "fp");
      const { clientId } = noOp;
      const s = stream("answered");
      await store.append(s, [eventOf(reservation("x", "x"), "A")], "no_stream");
      const answer = { reply: { id: "c-1", revision: 0 }, position: 7n };
      // The stream is elsewhere than the answer was decided on: nothing is taken.
      for (const revision of [undefined, 1n])
        await expect(store.confirm(noOp, s, revision, answer)).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      expect(await store.lookUp(clientId, "no-op")).toBeUndefined();
      expect(await store.confirm(noOp, s, 0n, answer)).toEqual({ kind: "taken" });
      expect(await store.lookUp(clientId, "no-op")).toEqual({
        command: "pause-campaign",
        fingerprint: "fp",
        streamId: s,
        answer,
      });
      // The same command again, on a stream moved on since, gets the first answer.
      await store.append(s, [eventOf(reservation("y", "y"), "B")], 0n);
      const later = { reply: { id: "c-1", revision: 1 }, position: 9n };
      expect(await store.confirm(noOp, s, 1n, later)).toEqual({ kind: "answered", answer });
      // Another command under the id is refused, and the same command's events are answered.
      const other = { ...noOp, command: "resume-campaign", fingerprint: "fp-resume" };
      await expect(store.confirm(other, s, 1n, later)).rejects.toBeInstanceOf(CommandIdReusedError);
      await expect(
        reservedAppend(store, other, s, [eventOf(other, "C")], 1n),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      const repeated = await failure(reservedAppend(store, noOp, s, [eventOf(noOp, "C")], 1n));
      expect(repeated).toBeInstanceOf(CommandAnsweredError);
      expect(repeated).toMatchObject({ answer });
      expect((await collect(store.read(s))).map((e) => e.type)).toEqual(["A", "B"]);
      // A stream that does not exist stands at no revision.
      const none = stream("answered-none");
      const onNone = { ...noOp, commandId: "on-none" };
      expect(await store.confirm(onNone, none, undefined, later)).toEqual({ kind: "taken" });
      // An id held with events is refused to another command's answer, and is the same command's
      // events.
      const written = { ...noOp, commandId: "written", fingerprint: "fp-written" };
      await reservedAppend(store, written, none, [eventOf(written, "D")], "no_stream");
      await expect(
        store.confirm({ ...written, fingerprint: "fp-x" }, none, 0n, later),
      ).rejects.toBeInstanceOf(CommandIdReusedError);
      // Held with its events, the same command is told so; held ahead of them, the store cannot tell
      // (the caller's index of the stream, current as the revision shows, can: it confirms only a
      // command it does not find there).
      expect(await store.confirm(written, none, 0n, later)).toEqual({
        kind: ahead ? "taken" : "written",
      });
    });
  });
}
