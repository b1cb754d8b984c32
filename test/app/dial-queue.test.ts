import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import type { EventStore } from "../../src/ports/event-store.js";
import type { ExclusionList } from "../../src/domain/index.js";
import { start as startDouble } from "../support/eventstoredb-double.js";
import { seedBody } from "../support/decider-specification.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-dial-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A clock the test moves. Inside the seed's first window (09:00-12:00 London = 08:00-11:00Z). */
const clock = { now: new Date("2030-10-01T08:30:00Z") };
const handlerOn = (store: EventStore) =>
  new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => clock.now,
  });

const ok = <T extends { ok: boolean }>(result: T) => {
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result as Extract<T, { ok: true }>;
};
type Claims = { claims: { e164: string; attemptNumber: number; claimedUntil: string }[] };

const mobile = (i: number) => `07722${String(i).padStart(6, "0")}`;
const phoneNumbers = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ number: mobile(i) }));

async function campaignOn(handler: CommandHandler, id: string, numbers = 2, clientId = "acme") {
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
  ok(
    await handler.handle({
      name: "create-campaign",
      clientId,
      body: {
        ...seedBody(),
        id,
        smsOnBusy: 0,
        phoneNumbers: numbers === 2 ? seedBody().phoneNumbers : phoneNumbers(numbers),
      },
    }),
  );
}
const claim = async (
  handler: CommandHandler,
  id: string,
  limit: number,
  commandId?: string,
  clientId = "acme",
) =>
  ok(
    await handler.handle({
      name: "claim-due-attempts",
      clientId,
      body: { id, limit },
      ...(commandId === undefined ? {} : { commandId }),
    }),
  ).reply as Claims;

/** A new campaign of the seed's numbers (Ben first) on `handler`: Ben is kept out by the client's list. */
async function expectNewCampaignKeepsBenOut(handler: CommandHandler, id: string) {
  const created = ok(
    await handler.handle({
      name: "create-campaign",
      clientId: "acme",
      body: { ...seedBody(), id },
    }),
  );
  expect(created.reply).toMatchObject({
    excluded: [{ index: 0, number: "07722123456", list: "client" }],
  });
}

/** Two instances (two handlers, two store connections) claim at once, again and again, until nothing is left. */
async function claimTogether(
  first: CommandHandler,
  second: CommandHandler,
  id: string,
): Promise<string[][]> {
  const taken: string[][] = [[], []];
  for (let round = 0; round < 40; round++) {
    const replies = await Promise.all(
      [first, second].flatMap((handler, i) =>
        [7, 5].map((limit) =>
          claim(handler, id, limit).then((r) => taken[i]!.push(...r.claims.map((c) => c.e164))),
        ),
      ),
    );
    if (replies.every((count, i) => count === (i === 0 ? 0 : replies[i - 1]))) break;
  }
  return taken;
}

/** A campaign of `numbers` numbers on store `a`, claimed to the end by two instances on `a` and `b` at once: every attempt goes to one caller only. */
async function claimEachOnce(
  a: EventStore,
  b: EventStore,
  id: string,
  numbers: number,
): Promise<string[][]> {
  const [first, second] = [handlerOn(a), handlerOn(b)];
  await campaignOn(first, id, numbers);
  const [fromFirst, fromSecond] = await claimTogether(first, second, id);
  const all = [...fromFirst!, ...fromSecond!];
  expect(new Set(all).size).toBe(all.length);
  expect(all.length).toBe(numbers);
  return [fromFirst!, fromSecond!];
}

describe("claims across instances sharing a store", () => {
  it("never hand one attempt to two callers: one SQLite file, two instances", async () => {
    const file = join(dir, "shared.sqlite");
    const [a, b] = [new SqliteEventStore(file), new SqliteEventStore(file)];
    const [fromFirst, fromSecond] = await claimEachOnce(a, b, "shared", 200);
    expect(fromFirst!.length).toBeGreaterThan(0);
    expect(fromSecond!.length).toBeGreaterThan(0);
    await a.close();
    await b.close();
  }, 60_000);

  it("never hand one attempt to two callers: EventStoreDB (protocol double), two instances", async () => {
    const double = await startDouble();
    const [a, b] = [
      new EventStoreDbEventStore(double.connectionString),
      new EventStoreDbEventStore(double.connectionString),
    ];
    await claimEachOnce(a, b, "shared-esdb", 120);
    await a.close();
    await b.close();
    await double.stop();
  }, 60_000);

  it("survive a restart: claims are events, read back by a fresh instance", async () => {
    const file = join(dir, "restart.sqlite");
    const store = new SqliteEventStore(file);
    const handler = handlerOn(store);
    await campaignOn(handler, "restart", 3);
    const before = await claim(handler, "restart", 2);
    await store.close();
    const reopened = new SqliteEventStore(file);
    const after = await claim(handlerOn(reopened), "restart", 10);
    expect(after.claims.map((c) => c.e164)).toEqual([`+44${mobile(2).slice(1)}`]);
    expect(before.claims).toHaveLength(2);
    await reopened.close();
  });
});

describe("claim-due-attempts through the command path", () => {
  it("a Command-Id repeat gets the same claims back and claims nothing more", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "repeat", 5);
    const first = await claim(handler, "repeat", 2, "claim-1");
    const again = await claim(handler, "repeat", 2, "claim-1");
    expect(again).toEqual(first);
    const next = await claim(handler, "repeat", 10);
    expect(next.claims.map((c) => c.e164)).toEqual([
      "+447722000002",
      "+447722000003",
      "+447722000004",
    ]);
  });

  it("another client's campaign: claims, releases and its dial queue are 404", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "mine", 2, "acme");
    for (const name of ["claim-due-attempts", "release-claims"]) {
      const body =
        name === "claim-due-attempts"
          ? { id: "mine", limit: 1 }
          : { id: "mine", numbers: ["07722123456"] };
      expect(await handler.handle({ name, clientId: "intruder", body })).toMatchObject({
        ok: false,
        error: { code: "not_found" },
      });
    }
    expect(await handler.dialQueue("intruder", "mine")).toMatchObject({ code: "not_found" });
    expect(await handler.dialQueue("acme", "mine")).toMatchObject({ dueNow: 2 });
  });

  it("keeps each client's lists to itself", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "listed", 2, "acme");
    ok(
      await handler.handle({
        name: "add-exclusions",
        clientId: "acme",
        body: { numbers: [{ number: "07722000001", reason: "complaint" }] },
      }),
    );
    ok(
      await handler.handle({
        name: "add-exclusions",
        clientId: "acme",
        body: { campaignId: "listed", numbers: [{ number: "07722000002" }] },
      }),
    );
    expect((await handler.exclusionList("acme", undefined)) as unknown).toMatchObject({ size: 1 });
    expect((await handler.exclusionList("intruder", undefined)) as unknown).toMatchObject({
      size: 0,
    });
    expect(await handler.exclusionList("intruder", "listed")).toMatchObject({ code: "not_found" });
    expect(
      await handler.handle({
        name: "add-exclusions",
        clientId: "intruder",
        body: { campaignId: "listed", numbers: [{ number: "07722000003" }] },
      }),
    ).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("an opted-out number goes on the client's list, and the client's other campaigns stop calling it", async () => {
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "first");
    await campaignOn(handler, "second");
    const stage = {
      id: "first",
      number: "07722123456",
      attemptNumber: 1,
      stage: 14,
      occurredAt: "2030-10-01T08:29:00Z",
    };
    ok(
      await handler.handle({
        name: "record-stage-reached",
        clientId: "acme",
        body: stage,
        commandId: "stage-1",
      }),
    );
    ok(
      await handler.handle({
        name: "record-stage-reached",
        clientId: "acme",
        body: stage,
        commandId: "stage-1",
      }),
    ); // a repeat adds nothing
    const list = (await handler.exclusionList("acme", undefined)) as ExclusionList;
    expect([...list.values()]).toMatchObject([{ e164: "+447722123456", reason: "opt-out" }]);
    const claimed = await claim(handler, "second", 10);
    expect(claimed.claims.map((c) => c.e164)).toEqual(["+447722734716"]);
    expect(await handler.dialQueue("acme", "second")).toMatchObject({ excluded: 1, claimed: 1 });
    // A third campaign never admits it.
    await expectNewCampaignKeepsBenOut(handler, "third");
  });

  it("add-exclusions takes 10,000 numbers in one command, each on the list once", async () => {
    const handler = handlerOn(new MemoryEventStore());
    const numbers = phoneNumbers(10_000).map(({ number }) => ({ number, reason: "imported" }));
    const reply = ok(
      await handler.handle({ name: "add-exclusions", clientId: "acme", body: { numbers } }),
    ).reply;
    expect(reply).toEqual({ added: 10_000, alreadyExcluded: 0, invalid: [] });
    expect(
      ok(await handler.handle({ name: "add-exclusions", clientId: "acme", body: { numbers } }))
        .reply,
    ).toEqual({ added: 0, alreadyExcluded: 10_000, invalid: [] });
    expect(
      ok(
        await handler.handle({
          name: "remove-exclusions",
          clientId: "acme",
          body: { numbers: [mobile(1), mobile(2)] },
        }),
      ).reply,
    ).toEqual({ removed: 2 });
  });
});

describe("claim identity, exclusions by strength (issue 18)", () => {
  const BEN = "+447722123456";
  const DAVE = "+447722734716";
  type ClaimsWithIds = { claims: { e164: string; claimId: string }[] };
  const at = (iso: string) => {
    clock.now = new Date(iso);
  };
  afterAll(() => at("2030-10-01T08:30:00Z"));

  it("a late release by a caller whose claim lapsed does not end another caller's claim: two instances, one SQLite file", async () => {
    at("2030-10-01T08:30:00Z");
    const file = join(dir, "stale-release.sqlite");
    const [a, b] = [new SqliteEventStore(file), new SqliteEventStore(file)];
    const [one, two] = [handlerOn(a), handlerOn(b)];
    await campaignOn(one, "stale", 2);
    // Caller X (on instance one) claims both numbers for 30 s, and is slow.
    const x = ok(
      await one.handle({
        name: "claim-due-attempts",
        clientId: "acme",
        body: { id: "stale", limit: 2, claimSeconds: 30 },
      }),
    ).reply as ClaimsWithIds;
    expect(x.claims.map((c) => c.e164)).toEqual([BEN, DAVE]);
    // X's claims lapse; caller Y (on instance two) claims both.
    at("2030-10-01T08:31:00Z");
    const y = (await claim(two, "stale", 2)) as unknown as ClaimsWithIds;
    expect(y.claims.map((c) => c.e164)).toEqual([BEN, DAVE]);
    expect(y.claims.map((c) => c.claimId)).not.toEqual(x.claims.map((c) => c.claimId));
    // X's late release names its own claims: nothing is released.
    const release = ok(
      await one.handle({
        name: "release-claims",
        clientId: "acme",
        body: {
          id: "stale",
          claims: x.claims.map((c) => ({ number: c.e164, claimId: c.claimId })),
        },
      }),
    ).reply;
    expect(release).toEqual({ id: "stale", released: 0, notHeld: [BEN, DAVE] });
    // Neither number goes to a third caller while Y dials it.
    expect((await claim(one, "stale", 10)).claims).toEqual([]);
    expect(await two.dialQueue("acme", "stale")).toMatchObject({ claimed: 2, dueNow: 0 });
    // Y's own release ends Y's claim on Ben.
    expect(
      ok(
        await two.handle({
          name: "release-claims",
          clientId: "acme",
          body: { id: "stale", claims: [{ number: BEN, claimId: y.claims[0]!.claimId }] },
        }),
      ).reply,
    ).toEqual({ id: "stale", released: 1, notHeld: [] });
    await a.close();
    await b.close();
  });

  it("an opt-out in a call replaces a temporary exclusion: the person is never called again once it would have expired", async () => {
    at("2030-10-01T08:30:00Z");
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "first");
    // "Call back later": a temporary client-wide entry for Ben, expiring in 5 s.
    ok(
      await handler.handle({
        name: "add-exclusions",
        clientId: "acme",
        body: {
          numbers: [{ number: BEN, reason: "call back later", expiresAt: "2030-10-01T08:30:05Z" }],
        },
      }),
    );
    // Ben's call reaches stage 14 (OptOut).
    ok(
      await handler.handle({
        name: "record-stage-reached",
        clientId: "acme",
        body: {
          id: "first",
          number: "07722123456",
          attemptNumber: 1,
          stage: 14,
          occurredAt: "2030-10-01T08:29:00Z",
        },
      }),
    );
    const list = (await handler.exclusionList("acme", undefined)) as ExclusionList;
    expect(list.get(BEN)).toMatchObject({ reason: "opt-out" });
    expect(list.get(BEN)).not.toHaveProperty("expiresAt");
    // Past the temporary entry's expiry: a new campaign does not admit Ben and claims only Dave.
    at("2030-10-01T08:40:00Z");
    await expectNewCampaignKeepsBenOut(handler, "second");
    expect((await claim(handler, "second", 10)).claims.map((c) => c.e164)).toEqual([DAVE]);
  });

  it("a permanent exclusion added over a temporary one replaces it; a temporary one over it changes nothing", async () => {
    at("2030-10-01T08:30:00Z");
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "before");
    const add = async (entry: object) =>
      ok(
        await handler.handle({
          name: "add-exclusions",
          clientId: "acme",
          body: { numbers: [entry] },
        }),
      ).reply;
    expect(await add({ number: BEN, expiresAt: "2030-10-01T08:30:05Z" })).toEqual({
      added: 1,
      alreadyExcluded: 0,
      invalid: [],
    });
    expect(await add({ number: "07722123456", reason: "complaint" })).toEqual({
      added: 1,
      alreadyExcluded: 0,
      invalid: [],
    });
    expect(await add({ number: BEN, expiresAt: "2031-01-01T00:00:00Z" })).toEqual({
      added: 0,
      alreadyExcluded: 1,
      invalid: [],
    });
    at("2030-10-01T08:40:00Z");
    await expectNewCampaignKeepsBenOut(handler, "after");
  });

  it("the outcome of a call made under a live claim is recorded though the number was excluded mid-call", async () => {
    at("2030-10-01T08:30:00Z");
    const handler = handlerOn(new MemoryEventStore());
    await campaignOn(handler, "midcall");
    const x = (await claim(handler, "midcall", 1)) as unknown as ClaimsWithIds;
    expect(x.claims.map((c) => c.e164)).toEqual([BEN]);
    // While X dials Ben, Ben goes on the client's list, and the campaign's next claim applies it.
    ok(
      await handler.handle({
        name: "add-exclusions",
        clientId: "acme",
        body: { numbers: [{ number: BEN, reason: "complaint" }] },
      }),
    );
    at("2030-10-01T08:31:00Z");
    expect((await claim(handler, "midcall", 10)).claims.map((c) => c.e164)).toEqual([DAVE]);
    const outcome = {
      id: "midcall",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: "2030-10-01T08:30:50Z",
    };
    expect(
      await handler.handle({ name: "record-attempt-outcome", clientId: "acme", body: outcome }),
    ).toMatchObject({ ok: false, error: { code: "conflict" } });
    const recorded = ok(
      await handler.handle({
        name: "record-attempt-outcome",
        clientId: "acme",
        body: { ...outcome, claimId: x.claims[0]!.claimId },
      }),
    ).reply;
    expect(recorded).toEqual({
      id: "midcall",
      number: "07722123456",
      e164: BEN,
      attemptNumber: 1,
      next: { status: "completed", result: "excluded" },
    });
  });
});
