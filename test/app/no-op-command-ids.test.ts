/**
 * A Command-Id names one command for good, a no-op included: a command that
 * changed nothing (pause a paused campaign, a claim that found nothing due)
 * takes its id, its repeat answers the same reply whatever happened since,
 * and another command under the id is a 409, on every store, on another
 * instance and after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { MemoryEventStore } from "../../src/adapters/event-store/memory.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import type { CommandHandler } from "../../src/app/command-handler.js";
import type { EventStore } from "../../src/ports/event-store.js";
import { start as startDouble } from "../support/eventstoredb-double.js";
import { handlerOn, startRun } from "../support/two-instances.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-no-op-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store, a second connection to it (another instance), and the same store reopened (a restart). */
type Stores = {
  first: EventStore;
  other: () => EventStore;
  reopen: () => Promise<EventStore>;
  close: () => Promise<void>;
};

const stores: Record<string, () => Promise<Stores>> = {
  memory: async () => {
    const store = new MemoryEventStore();
    return {
      first: store,
      other: () => store,
      reopen: async () => store,
      close: () => store.close(),
    };
  },
  sqlite: async () => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.sqlite`);
    const opened: EventStore[] = [new SqliteEventStore(file)];
    const open = () => (opened.push(new SqliteEventStore(file)), opened.at(-1)!);
    return {
      first: opened[0]!,
      other: open,
      reopen: async () => (await opened[0]!.close(), open()),
      close: async () => void (await Promise.all(opened.map((s) => s.close()))),
    };
  },
  eventstoredb: async () => {
    const double = await startDouble();
    const opened: EventStore[] = [new EventStoreDbEventStore(double.connectionString)];
    const open = () => (
      opened.push(new EventStoreDbEventStore(double.connectionString)),
      opened.at(-1)!
    );
    return {
      first: opened[0]!,
      other: open,
      reopen: async () => (await opened[0]!.close(), open()),
      close: async () => {
        await Promise.all(opened.map((s) => s.close()));
        await double.stop();
      },
    };
  },
};

const command = (handler: CommandHandler, name: string, body: object, commandId?: string) =>
  handler.handle({
    name,
    clientId: "acme",
    body,
    ...(commandId === undefined ? {} : { commandId }),
  });

describe.each(Object.keys(stores))("a no-op's Command-Id (%s)", (kind) => {
  it("answers its repeat with the first reply whatever changed since, on another instance and after a restart, writing nothing", async () => {
    const store = await stores[kind]!();
    try {
      const first = handlerOn(store.first);
      const run = await startRun([first], "no-op");
      const body = { id: run.id };
      expect((await command(first, "pause-campaign", body)).ok).toBe(true);
      const noOp = await command(first, "pause-campaign", body, "pause-again");
      expect(noOp).toMatchObject({ ok: true, repeated: false });
      const reply = noOp.ok ? noOp.reply : undefined;
      expect((await command(first, "resume-campaign", body)).ok).toBe(true);
      const head = await store.first.headPosition();

      // The campaign is active now: a pause would write. The repeat answers the no-op's reply.
      const again = [
        await command(first, "pause-campaign", body, "pause-again"),
        await command(handlerOn(store.other()), "pause-campaign", body, "pause-again"),
      ];
      const reopened = await store.reopen();
      again.push(await command(handlerOn(reopened), "pause-campaign", body, "pause-again"));
      for (const repeat of again) expect(repeat).toMatchObject({ ok: true, reply, repeated: true });
      expect(await reopened.headPosition()).toBe(head);
      const after = await handlerOn(reopened).dialQueue("acme", run.id);
      expect(after).toMatchObject({ dueNow: run.numbers.length }); // still active

      // Even once the campaign is gone, the repeat is the repeat.
      const restarted = handlerOn(reopened);
      expect((await command(restarted, "delete-campaign", body)).ok).toBe(true);
      expect(await command(restarted, "pause-campaign", body, "pause-again")).toMatchObject({
        ok: true,
        reply,
      });
    } finally {
      await store.close();
    }
  }, 30_000);

  it("answers 409 command_id_reused for another command under a no-op's id, on any stream, writing nothing", async () => {
    const store = await stores[kind]!();
    try {
      const first = handlerOn(store.first);
      const run = await startRun([first], "reused");
      const body = { id: run.id };
      expect(await command(first, "resume-campaign", body, "no-op")).toMatchObject({ ok: true });
      const head = await store.first.headPosition();
      const reuses = [
        [first, "pause-campaign", body],
        [handlerOn(store.other()), "pause-campaign", body],
        [first, "resume-campaign", { id: "another" }],
        [first, "register-cli", { cliId: 2, number: "01632960002" }],
        [first, "add-exclusions", { numbers: [{ number: "07723000001" }] }],
      ] as const;
      for (const [handler, name, other] of reuses)
        expect(await command(handler, name, other, "no-op"), name).toMatchObject({
          ok: false,
          error: {
            code: "command_id_reused",
            details: [
              { field: "Command-Id", reason: "first used for resume-campaign on campaign reused" },
            ],
          },
        });
      expect(await store.first.headPosition()).toBe(head);
      expect(await handlerOn(store.first).dialQueue("acme", run.id)).toMatchObject({
        dueNow: run.numbers.length, // not paused
      });
    } finally {
      await store.close();
    }
  }, 30_000);

  it("keeps a claim that found nothing due: after a resume its repeat still claims nothing", async () => {
    const store = await stores[kind]!();
    try {
      const first = handlerOn(store.first);
      const run = await startRun([first], "nothing-due");
      const claim = { id: run.id, limit: 2 };
      expect((await command(first, "pause-campaign", { id: run.id })).ok).toBe(true);
      const nothing = await command(first, "claim-due-attempts", claim, "claim-1");
      expect(nothing).toMatchObject({ ok: true, reply: { id: run.id, claims: [] } });
      expect((await command(first, "resume-campaign", { id: run.id })).ok).toBe(true);
      const head = await store.first.headPosition();
      const other = handlerOn(store.other());
      for (const handler of [first, other])
        expect(await command(handler, "claim-due-attempts", claim, "claim-1")).toMatchObject({
          ok: true,
          reply: { id: run.id, claims: [] },
          repeated: true,
        });
      expect(
        await command(other, "claim-due-attempts", { ...claim, limit: 3 }, "claim-1"),
      ).toMatchObject({ ok: false, error: { code: "command_id_reused" } });
      expect(await store.first.headPosition()).toBe(head);
      // A new id claims as usual.
      const claimed = await command(other, "claim-due-attempts", claim, "claim-2");
      expect(claimed.ok && (claimed.reply as { claims: unknown[] }).claims).toHaveLength(2);
    } finally {
      await store.close();
    }
  }, 30_000);
});
