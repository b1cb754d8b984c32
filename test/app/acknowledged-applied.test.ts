/**
 * Acknowledged means applied, on every instance: two instances share one
 * store, each with its stream cache warmed, and take commands in turn at
 * random. A command that looks like a no-op on one instance's out-of-date copy
 * (pause what the other resumed, release what the other claimed, exclude what
 * the other removed) must still be decided on the stream as the store holds
 * it: after every acknowledged command, the store shows it applied.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventStoreDbEventStore } from "../../src/adapters/event-store/eventstoredb.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import type { EventStore } from "../../src/ports/event-store.js";
import { start as startDouble } from "../support/eventstoredb-double.js";
import {
  handlerOn,
  plain,
  randomCommand,
  seeded,
  storeReader,
  send,
  startRun,
} from "../support/two-instances.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-applied-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = 1_000;

/** 1,000 commands, each sent to one of the two instances at random, each checked in the store once acknowledged. */
async function noneLost(stores: readonly [EventStore, EventStore], id: string, seed: number) {
  const instances = stores.map(handlerOn);
  const run = await startRun(instances, id);
  const random = seeded(seed);
  const readers = stores.map((store) => storeReader(store, run));
  for (let i = 0; i < COMMANDS; i++) {
    const command = randomCommand(random, run.numbers.length);
    const on = random() < 0.5 ? 0 : 1;
    expect(await send(instances[on]!, run, command)).toMatchObject({ ok: true });
    expect(
      plain(await readers[(i + 1) % 2]!()),
      `command ${i} (${JSON.stringify(command)}, instance ${on}, seed ${seed})`,
    ).toEqual(plain(run.model));
  }
}

describe("an acknowledged command is applied, whichever of two instances answered it", () => {
  it("one SQLite file, two instances: 1,000 commands at random, none lost", async () => {
    const file = join(dir, "shared.sqlite");
    const stores = [new SqliteEventStore(file), new SqliteEventStore(file)] as const;
    try {
      await noneLost(stores, "applied-sqlite", 18);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 120_000);

  it("EventStoreDB (protocol double), two instances: 1,000 commands at random, none lost", async () => {
    const double = await startDouble();
    const stores = [
      new EventStoreDbEventStore(double.connectionString),
      new EventStoreDbEventStore(double.connectionString),
    ] as const;
    try {
      await noneLost(stores, "applied-esdb", 1018);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await double.stop();
    }
  }, 180_000);
});
