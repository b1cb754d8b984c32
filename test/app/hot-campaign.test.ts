import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { CommandHandler, type CommandResult } from "../../src/app/command-handler.js";
import { type RunningDouble, start, tombstone } from "../support/eventstoredb-double.js";
import { seedBody } from "../support/decider-specification.js";

/**
 * One campaign a dialler with many channels reports into, on EventStoreDB
 * (its double, each append answered 5 ms late, as an fsynced append is). The
 * store cannot take an append conditional on one in flight, so the commands
 * that queue on the campaign meanwhile go to it as one append.
 */
let double: RunningDouble;
let store: EventStoreDbEventStore;
let handler: CommandHandler;
beforeAll(async () => {
  double = await start({ appendLatencyMs: 5 });
  store = new EventStoreDbEventStore(double.connectionString);
  handler = new CommandHandler(store, {
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
});
afterAll(async () => {
  await store.close();
  await double.stop();
});

const mobile = (i: number) => `0771${String(i).padStart(7, "0")}`;
const campaignOf = async (id: string, numbers: number) => {
  const created = await handler.handle({
    name: "create-campaign",
    clientId: "acme",
    body: {
      id,
      ...seedBody(),
      phoneNumbers: Array.from({ length: numbers }, (_, i) => ({ number: mobile(i) })),
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
};
const outcome = (id: string, i: number, commandId: string) => ({
  name: "record-attempt-outcome",
  clientId: "acme",
  commandId,
  body: { id, number: mobile(i), attemptNumber: 1, outcome: 6, occurredAt: "2030-10-01T07:50:00Z" },
});
const accepted = (result: CommandResult) => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result;
};
const outcomeEvents = (campaign: string) =>
  double
    .events()
    .filter((e) => e.streamId === `campaign-${campaign}` && e.type === "AttemptOutcomeRecorded");

describe("a hot campaign on EventStoreDB", () => {
  it("appends commands that queue behind an append in flight together, each with its own revision and Command-Id", async () => {
    await campaignOf("hot", 200);
    const results = (
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => handler.handle(outcome("hot", i, `hot-${i}`))),
      )
    ).map(accepted);

    const revisions = results.map((r) => r.revision!).sort((a, b) => (a < b ? -1 : 1));
    expect(new Set(revisions).size).toBe(200);
    expect(revisions.at(-1)! - revisions[0]!).toBe(199n); // contiguous: nothing else was written between them
    const events = outcomeEvents("hot");
    expect(events.map((e) => (e.metadata as { commandId: string }).commandId).sort()).toEqual(
      results.map((_, i) => `hot-${i}`).sort(),
    );
    // A batch's events share the commit position of its append: 200 commands took far fewer appends
    // than 200.
    const appends = new Set(events.map((e) => e.commit)).size;
    expect(appends).toBeLessThan(40);

    // Each command's answer is its own: a repeat finds the same revision, writing nothing.
    const again = accepted(await handler.handle(outcome("hot", 7, "hot-7")));
    expect(again).toMatchObject({ repeated: true, revision: results[7]!.revision });
    expect(outcomeEvents("hot")).toHaveLength(200);
  });

  it("refuses only the command whose Command-Id another command holds; the rest of its batch is written", async () => {
    await campaignOf("shared", 30);
    accepted(
      await handler.handle({
        name: "register-cli",
        clientId: "acme",
        commandId: "taken",
        body: { cliId: 2, number: "01632960002" },
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        handler.handle(outcome("shared", i, i === 12 ? "taken" : `shared-${i}`)),
      ),
    );

    expect(results[12]).toMatchObject({ ok: false, error: { code: "command_id_reused" } });
    expect(results.filter((r) => r.ok)).toHaveLength(29);
    const written = outcomeEvents("shared").map(
      (e) => (e.metadata as { commandId: string }).commandId,
    );
    expect(written).toHaveLength(29);
    expect(written).not.toContain("taken");
  });

  it("refuses only the command whose Command-Id reservation an operator deleted; the rest of its batch is written", async () => {
    await campaignOf("deleted-claim", 30);
    accepted(
      await handler.handle({
        name: "register-cli",
        clientId: "acme",
        commandId: "deleted",
        body: { cliId: 3, number: "01632960003" },
      }),
    );
    const reservation = double
      .events()
      .find((e) => (e.data as { commandId?: unknown } | undefined)?.commandId === "deleted")!;
    await tombstone(double.connectionString, reservation.streamId);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        handler.handle(outcome("deleted-claim", i, i === 12 ? "deleted" : `deleted-claim-${i}`)),
      ),
    );

    expect(results[12]).toMatchObject({
      status: "rejected",
      reason: { name: "StoreRejectedError", code: "conflict" },
    });
    expect(results.filter((r) => r.status === "fulfilled" && r.value.ok)).toHaveLength(29);
    expect(outcomeEvents("deleted-claim")).toHaveLength(29);
  });
});
