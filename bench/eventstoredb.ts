/**
 * Throughput of the eventstoredb adapter through the real `@eventstore/db-client`
 * against the in-process protocol double (test/support/eventstoredb-double.ts).
 * The double is not a server: these figures measure the adapter, the client and
 * gRPC on loopback, not EventStoreDB's storage. Takes well under 40 s.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { EventStoreDbEventStore } from "../src/adapters/event-store/eventstoredb.js";
import type { NewEvent } from "../src/ports/event-store.js";
import { CommandHandler } from "../src/app/command-handler.js";
import { start } from "../test/support/eventstoredb-double.js";
import { startChildProcess } from "./child-process.js";
import { campaignBody, mobile, perSecond, type Row } from "./fixtures.js";

const LABEL = "(double, not a server)";

const newEvent = (i: number): NewEvent => ({
  eventId: randomUUID(),
  type: "PhoneNumbersAdded",
  data: { campaignId: "bench", index: i, numbers: ["+447700900001", "+447700900002"] },
  metadata: {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    commandId: randomUUID(),
    clientId: "bench",
  },
});

export async function benchEventStoreDbDouble(): Promise<Row[]> {
  const results: Row[] = [];
  const double = await start();
  const store = new EventStoreDbEventStore(double.connectionString);
  try {
    // Warm up the connection, server-features probe and batch-append call.
    for (let i = 0; i < 200; i += 1)
      await store.append(`campaign-warmup-${i % 10}`, [newEvent(i)], "any");

    // Sequential single-event appends, each waiting for its acknowledgement.
    {
      const stream = `campaign-${randomUUID()}`;
      const budgetMs = 3_000;
      const began = performance.now();
      let n = 0;
      let revision: bigint | "no_stream" = "no_stream";
      while (performance.now() - began < budgetMs && n < 20_000) {
        revision = (await store.append(stream, [newEvent(n)], revision)).nextRevision;
        n += 1;
      }
      const seconds = (performance.now() - began) / 1000;
      results.push({
        name: `eventstoredb adapter: sequential single-event appends ${LABEL}`,
        value: Math.round(n / seconds),
        unit: "appends/s",
        note: `${n} appends with expected revision`,
      });
    }

    // 64 concurrent writers, each appending to its own stream.
    {
      const writers = 64;
      const perWriter = 150;
      const began = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const stream = `campaign-${randomUUID()}`;
          let revision: bigint | "no_stream" = "no_stream";
          for (let i = 0; i < perWriter; i += 1) {
            revision = (await store.append(stream, [newEvent(w * perWriter + i)], revision))
              .nextRevision;
          }
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      results.push({
        name: `eventstoredb adapter: 64 concurrent single-event appends ${LABEL}`,
        value: Math.round((writers * perWriter) / seconds),
        unit: "appends/s",
        note: `${writers} writers x ${perWriter} appends, one BatchAppend call shared`,
      });
    }

    // Catch-up of a filtered $all subscription over 50,000 events.
    {
      const total = 50_000;
      const batch = 100;
      const prefix = `campaign-catchup-${randomUUID()}-`;
      for (let i = 0; i < total / batch; i += 1) {
        await store.append(
          `${prefix}${i}`,
          Array.from({ length: batch }, (_, j) => newEvent(i * batch + j)),
          "no_stream",
        );
      }
      const began = performance.now();
      const subscription = store.subscribe({ streamPrefixes: [prefix] });
      let received = 0;
      for await (const _ of subscription) {
        received += 1;
        if (received === total) break;
      }
      await subscription.close();
      const seconds = (performance.now() - began) / 1000;
      results.push({
        name: `eventstoredb adapter: subscription catch-up ${LABEL}`,
        value: Math.round(received / seconds),
        unit: "events/s",
        note: `${received} events from the start of $all, stream-prefix filter`,
      });
    }
  } finally {
    await store.close();
    await double.stop();
  }
  results.push(await hotCampaign());
  return results;
}

/**
 * One campaign a dialler with many channels reports into: record-attempt-outcome
 * with 64 in flight, through the command handler and the adapter, against the
 * double answering each append 5 ms late (EventStoreDB's fsynced append).
 */
export async function hotCampaign(): Promise<Row> {
  const latencyMs = 5;
  const child = await startChildProcess("eventstoredb-double-process", {
    APPEND_LATENCY_MS: String(latencyMs),
  });
  const double = { connectionString: child.first, stop: child.stop };
  const store = new EventStoreDbEventStore(double.connectionString);
  const clock = () => new Date("2030-10-01T12:00:00Z");
  const handler = new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock,
  });
  const ok = (result: Awaited<ReturnType<CommandHandler["handle"]>>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  };
  try {
    const numbers = Number(process.env.BENCH_HOT_NUMBERS ?? 4_000);
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
    ok(
      await handler.handle({
        name: "create-campaign",
        clientId: "bench",
        body: { id: "hot", ...campaignBody(numbers) },
      }),
    );
    let next = 0;
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = next++; i < numbers; i = next++) {
          const body = {
            id: "hot",
            number: mobile(i),
            attemptNumber: 1,
            outcome: 6,
            occurredAt: "2030-10-01T11:00:00Z",
          };
          ok(
            await handler.handle({
              name: "record-attempt-outcome",
              clientId: "bench",
              commandId: `hot-${i}`,
              body,
            }),
          );
        }
      }),
    );
    const elapsedMs = performance.now() - began;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      name: `eventstoredb adapter: one campaign, 64 in flight, ${latencyMs} ms per append ${LABEL}`,
      value: perSecond(numbers, elapsedMs),
      unit: "cmds/s",
      note: `record-attempt-outcome through the command handler, the double in its own process; target >= 2,000; CPU ${(cpuMs / numbers).toFixed(2)} ms per command (${Math.round((100 * cpuMs) / elapsedMs)}% of a core)`,
    };
  } finally {
    await store.close();
    await double.stop();
  }
}
