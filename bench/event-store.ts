/**
 * The sqlite event store (WAL, synchronous=FULL) on a real file: appends per
 * second sequentially and under concurrency (where group commit shares one
 * fsync between the appends of one tick), and subscription catch-up speed.
 * The file goes under BENCH_DATA_DIR or the OS temp dir; fsync cost depends
 * entirely on that disk, so quote the figures with the machine and disk.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { ExpectedRevision, NewEvent } from "../src/ports/event-store.js";
import { SqliteEventStore } from "../src/adapters/event-store/sqlite.js";
import { perSecond, type Row } from "./fixtures.js";

/** Shaped like a command's event: a small body and the full metadata envelope. */
const event = (i: number): NewEvent => ({
  eventId: randomUUID(),
  type: "AttemptOutcomeRecorded",
  data: {
    campaignId: "c-bench",
    number: `+4477${String(10_000_000 + i)}`,
    attempt: 1,
    outcome: "answered",
    at: "2030-10-01T09:00:00.000Z",
  },
  metadata: {
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    clientId: "bench",
  },
});

/** Awaits one append after another on one stream, for `budgetMs` or `max` appends. */
async function sequential(
  store: SqliteEventStore,
  perAppend: number,
  budgetMs: number,
  max: number,
) {
  const stream = `campaign-${randomUUID()}`;
  let expected: ExpectedRevision = "no_stream";
  let n = 0;
  const began = performance.now();
  const elu = performance.eventLoopUtilization();
  while (n < max && performance.now() - began < budgetMs) {
    expected = (
      await store.append(
        stream,
        Array.from({ length: perAppend }, (_, i) => event(n * perAppend + i)),
        expected,
      )
    ).nextRevision;
    n += 1;
  }
  return { n, ms: performance.now() - began, busy: busyPercent(elu) };
}

/** How much of the time the event loop (which would be handling commands) was busy since `since`. */
const busyPercent = (since: ReturnType<typeof performance.eventLoopUtilization>): number =>
  Math.round(performance.eventLoopUtilization(since).utilization * 100);

export async function benchEventStore(): Promise<Row[]> {
  const dir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), "bench-event-store-"));
  const rows: Row[] = [];
  const store = new SqliteEventStore(join(dir, "events.sqlite"));
  try {
    await sequential(store, 1, 200, 200); // warm up: schema, statements, page cache

    for (const perAppend of [1, 3]) {
      const { n, ms, busy } = await sequential(store, perAppend, 3_000, 20_000);
      rows.push({
        name: `sqlite: sequential appends, ${perAppend} event${perAppend > 1 ? "s" : ""} each`,
        value: perSecond(n, ms),
        unit: "appends/s",
        note: `${n} awaited appends with expected revision, one fsync each; event loop busy ${busy}%`,
      });
    }

    {
      const writers = 64;
      const perWriter = 100;
      const began = performance.now();
      const elu = performance.eventLoopUtilization();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const stream = `campaign-${randomUUID()}`;
          let expected: ExpectedRevision = "no_stream";
          for (let i = 0; i < perWriter; i++)
            expected = (await store.append(stream, [event(w * perWriter + i)], expected))
              .nextRevision;
        }),
      );
      rows.push({
        name: `sqlite: ${writers} concurrent appenders, distinct streams`,
        value: perSecond(writers * perWriter, performance.now() - began),
        unit: "appends/s",
        note: `${writers} x ${perWriter} single-event appends; group commit; event loop busy ${busyPercent(elu)}%`,
      });
    }

    {
      const total = 100_000;
      const batch = 500;
      const prefix = `campaign-catchup-${randomUUID()}-`;
      const from = await store.headPosition();
      const appends: Promise<unknown>[] = [];
      for (let b = 0; b < total / batch; b++) {
        appends.push(
          store.append(
            `${prefix}${b}`,
            Array.from({ length: batch }, (_, i) => event(b * batch + i)),
            "no_stream",
          ),
        );
      }
      await Promise.all(appends);
      const began = performance.now();
      const subscription = store.subscribe({ from, streamPrefixes: ["campaign-"] });
      let received = 0;
      for await (const _ of subscription) if (++received === total) break;
      rows.push({
        name: "sqlite: subscription catch-up",
        value: perSecond(received, performance.now() - began),
        unit: "events/s",
        note: `${received.toLocaleString("en-GB")} events, pages of 1,000, JSON parsed`,
      });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
