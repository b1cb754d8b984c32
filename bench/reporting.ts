/**
 * Reporting: results.csv of a 100,000-number campaign through the REST
 * gateway (time to first byte, total time, the service's memory while it
 * streams), and catch-up of each projection alone into KV, the timeline
 * beside the others.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { pino } from "pino";
import { KvReadModels } from "../src/adapters/nats/kv-read-models.js";
import { CampaignsClient, tenantConnectionOptions } from "../src/client/campaigns-client.js";
import { startInstance } from "../src/main/compose.js";
import { loadConfig } from "../src/main/config.js";
import { openEventStore } from "../src/main/open-event-store.js";
import { campaignProjections } from "../src/projections/campaign-projections.js";
import { projectionsConsumer } from "../src/projections/projector.js";
import { freePort, startNatsServer } from "../test/support/nats-server.js";
import { campaignBody, perSecond, type Row } from "./fixtures.js";
import { campaignLog, writeLogs } from "./generate.js";

const silent = pino({ level: "silent" });
const NUMBERS = 100_000;
const MiB = 2 ** 20;

export async function benchReporting(): Promise<Row[]> {
  const rows: Row[] = [];
  const nats = await startNatsServer();
  const dataDir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), "bench-reporting-"));
  try {
    rows.push(...(await resultsCsv(nats.url, dataDir)));
    rows.push(...(await catchUpPerProjection(nats.url, dataDir)));
  } finally {
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

async function resultsCsv(natsUrl: string, dataDir: string): Promise<Row[]> {
  const port = await freePort();
  const running = await startInstance(
    loadConfig({
      NATS_URL: natsUrl,
      DATA_DIR: join(dataDir, "service"),
      EVENT_STORE: "sqlite",
      HTTP_PORT: String(port),
      API_KEYS: "bench-key:bench",
    }),
    silent,
  );
  // As a tenant connects (its inbox prefix): one reply subscription for all requests, not one per
  // request.
  const nc = await connect({
    servers: natsUrl,
    noAsyncTraces: true,
    ...tenantConnectionOptions("bench"),
  });
  try {
    const client = new CampaignsClient(nc, "bench", 60_000);
    await client.registerCallFlow({ callFlowId: 1, name: "Main" });
    await client.registerCli({ cliId: 1, number: "01632960001" });
    await client.createCampaign({ id: "export", ...campaignBody(10_000, 0) });
    let position = 0n;
    for (let offset = 10_000; offset < NUMBERS; offset += 10_000)
      position = (
        await client.addPhoneNumbers({
          id: "export",
          phoneNumbers: campaignBody(10_000, offset).phoneNumbers,
        })
      ).position;
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 2_000; i++)
      position = (
        await client.recordAttemptOutcome({
          id: "export",
          number: campaignBody(1, i * 50).phoneNumbers[0]!.number,
          attemptNumber: 1,
          outcome: 6,
          occurredAt,
        })
      ).position;
    if (!(await running.projections.waitFor(position, 120_000)))
      throw new Error("projections did not catch up");

    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 10);
    const began = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/campaign/voice/export/results.csv`, {
      headers: { authorization: "Bearer bench-key" },
    });
    const reader = response.body!.getReader();
    let firstByte = 0;
    let bytes = 0;
    let lines = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (firstByte === 0) firstByte = performance.now() - began;
      bytes += value.length;
      for (const byte of value) if (byte === 10) lines++;
    }
    const total = performance.now() - began;
    clearInterval(sampler);
    if (lines !== NUMBERS + 1) throw new Error(`results.csv has ${lines} lines`);
    const note = `${(bytes / MiB).toFixed(1)} MiB, ${NUMBERS.toLocaleString("en-GB")} rows`;
    return [
      {
        name: `results.csv of a ${NUMBERS.toLocaleString("en-GB")}-number campaign: first byte`,
        value: Math.round(firstByte),
        unit: "ms",
        note: "REST, after one page of 1,000 numbers",
      },
      {
        name: `results.csv of a ${NUMBERS.toLocaleString("en-GB")}-number campaign: all of it`,
        value: Math.round(total),
        unit: "ms",
        note,
      },
      {
        name: "results.csv: service memory while streaming",
        value: Math.round((peakRss - baseline.rss) / MiB),
        unit: "MiB RSS +",
        note: `peak heap ${Math.round(peakHeap / MiB)} MiB (${Math.round((peakHeap - baseline.heapUsed) / MiB)} MiB above before); in-process service, the reader only counts bytes`,
      },
    ];
  } finally {
    await nc.close();
    await running.stop();
  }
}

async function catchUpPerProjection(natsUrl: string, dataDir: string): Promise<Row[]> {
  const store = await openEventStore({ kind: "sqlite", dataDir: join(dataDir, "catch-up") });
  const logs = Array.from({ length: 20 }, (_, c) => ({
    campaignId: `tl-${c}`,
    clientId: "bench",
    batches: campaignLog(`tl-${c}`, "bench", 1_666, 3, 3_000_000 + c * 2_000),
  }));
  const written = await writeLogs(store, logs, 10);
  const head = await store.headPosition();
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const rows: Row[] = [];
  try {
    const readModels = await KvReadModels.open(nc);
    for (const projection of [...campaignProjections, undefined]) {
      const name = projection?.name ?? "all together";
      const { consumer } = projectionsConsumer(store, readModels, silent, {
        checkpointKey: `bench-${name.replace(/ /g, "-")}`,
        ...(projection ? { projections: [projection] } : {}),
      });
      const began = performance.now();
      await consumer.start();
      await consumer.waitFor(head, 600_000);
      const elapsed = performance.now() - began;
      await consumer.stop();
      rows.push({
        name: `catch-up into KV, ${name}`,
        value: perSecond(written, elapsed),
        unit: "events/s",
        note: `${written.toLocaleString("en-GB")} events in ${(elapsed / 1000).toFixed(1)} s`,
      });
    }
  } finally {
    await nc.close();
    await store.close();
  }
  return rows;
}
