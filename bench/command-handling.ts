/**
 * Command handling (load cached state, decide, append to sqlite) on a fresh
 * campaign and on one with 100,000 numbers and 300,000 attempt outcomes:
 * the second must be no slower once loaded, because no command re-reads the stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../src/adapters/event-store/memory.js";
import type { EventStore } from "../src/ports/event-store.js";
import { SqliteEventStore } from "../src/adapters/event-store/sqlite.js";
import { CommandHandler } from "../src/app/command-handler.js";
import { campaignProjections } from "../src/projections/campaign-projections.js";
import type { RecordedEvent } from "../src/ports/event-store.js";
import { campaignLog, writeLogs } from "./generate.js";
import { heapUsed } from "./heap.js";
import { campaignBody, perSecond, type Row } from "./fixtures.js";

const clock = () => new Date("2030-10-01T12:00:00Z");

async function attemptsPerSecond(
  handler: CommandHandler,
  campaignId: string,
  numbers: string[],
  attemptNumber: number,
): Promise<number> {
  const began = performance.now();
  for (const number of numbers) {
    const result = await handler.handle({
      name: "record-attempt-outcome",
      clientId: "bench",
      body: {
        id: campaignId,
        number,
        attemptNumber,
        outcome: 6,
        occurredAt: "2030-10-01T11:00:00Z",
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  }
  return perSecond(numbers.length, performance.now() - began);
}

export async function benchCommandHandling(): Promise<Row[]> {
  return [...(await onStore("memory")), ...(await onStore("sqlite"))];
}

/** Memory isolates the handler's own cost (what caching saves); sqlite adds the durable append. */
async function onStore(kind: "memory" | "sqlite"): Promise<Row[]> {
  const dir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), "bench-commands-"));
  const store: EventStore =
    kind === "memory" ? new MemoryEventStore() : new SqliteEventStore(join(dir, "events.sqlite"));
  const ok = (result: Awaited<ReturnType<CommandHandler["handle"]>>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  };
  try {
    const rows: Row[] = [];
    // The big campaign's log is written first, so both campaigns are measured on the same database.
    const written = await writeLogs(
      store,
      [{ campaignId: "big", clientId: "bench", batches: campaignLog("big", "bench", 100_000, 3) }],
      1,
    );
    const handler = new CommandHandler(store, {
      defaultRegion: "GB",
      defaultTimeZone: "Europe/London",
      clock,
    });
    ok(
      await handler.handle({
        name: "register-call-flow",
        clientId: "bench",
        body: { callFlowId: 1, name: "Main" },
      }),
    );
    ok(
      await handler.handle({
        name: "register-cli",
        clientId: "bench",
        body: { cliId: 1, number: "01632960001" },
      }),
    );

    const heapBefore = heapUsed();
    let began = performance.now();
    ok(await handler.handle({ name: "pause-campaign", clientId: "bench", body: { id: "big" } }));
    rows.push({
      name: `${kind}: first command on a campaign of ${written.toLocaleString("en-GB")} events`,
      value: Math.round(performance.now() - began),
      unit: "ms",
      note: "loads the stream once per process: the cost of reloading an evicted 100,000-number campaign",
    });
    rows.push({
      name: `${kind}: command side, heap per number held`,
      value: Math.round((heapUsed() - heapBefore) / 100_000),
      unit: "bytes",
      note: "a 100,000-number campaign's decided state and command index",
    });
    if (kind === "sqlite") rows.push(await projectionHeapPerNumber(store, "campaign-big"));
    ok(await handler.handle({ name: "resume-campaign", clientId: "bench", body: { id: "big" } }));

    // Fresh numbers in each (completed numbers take no more attempts), measured alternately, best
    // of two rounds.
    const rates = { fresh: 0, big: 0 };
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "bench",
        body: { id: "fresh", ...campaignBody(2, 900_000) },
      }),
    );
    for (let round = 0; round < 2; round++) {
      for (const id of ["fresh", "big"] as const) {
        const phoneNumbers = campaignBody(
          1_500,
          500_000 + round * 10_000 + (id === "big" ? 5_000 : 0),
        ).phoneNumbers;
        ok(
          await handler.handle({
            name: "add-phone-numbers",
            clientId: "bench",
            body: { id, phoneNumbers },
          }),
        );
        began = performance.now();
        rates[id] = Math.max(
          rates[id],
          await attemptsPerSecond(
            handler,
            id,
            phoneNumbers.map((n) => n.number),
            1,
          ),
        );
      }
    }
    rows.push({
      name: `${kind}: record-attempt-outcome, fresh campaign`,
      value: rates.fresh,
      unit: "cmds/s",
      note: kind === "sqlite" ? "sequential, one fsync each" : "sequential",
    });
    rows.push({
      name: `${kind}: record-attempt-outcome, 100,000-number campaign`,
      value: rates.big,
      unit: "cmds/s",
      note: `${Math.round((rates.big / rates.fresh) * 100)}% of fresh (target >= 100%)`,
    });
    return rows;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the projections' in-memory models of one campaign hold, per number: all of them evolved over its whole stream. */
async function projectionHeapPerNumber(store: EventStore, streamId: string): Promise<Row> {
  const events: RecordedEvent[] = [];
  for await (const event of store.read(streamId)) events.push(event);
  const before = heapUsed();
  const models: unknown[] = campaignProjections.map(() => undefined);
  for (const event of events) {
    const projected = {
      type: event.type,
      data: event.data,
      position: event.position,
      revision: event.revision,
      recordedAt: event.recordedAt.toISOString(),
      clientId: "bench",
      campaignId: "big",
    };
    campaignProjections.forEach(
      (projection, i) => (models[i] = projection.evolve(models[i], projected)),
    );
  }
  const bytes = heapUsed() - before;
  // Both stay reachable until after the measurement (or the collector would take the events back
  // mid-way).
  if (models.some((m) => m === undefined) || events.length === 0)
    throw new Error("a projection has no model");
  return {
    name: "projections: heap per number held",
    value: Math.round(bytes / 100_000),
    unit: "bytes",
    note: "summary, detail and statistics models of a 100,000-number campaign",
  };
}
