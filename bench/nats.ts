/**
 * The NATS path end to end with the durable sqlite store: record-attempt-outcome
 * at 1, 16 and 64 requests in flight beside a trivial echo endpoint on the same
 * nats-server (the ceiling), add-phone-numbers of 10,000 numbers until visible
 * in get-campaign, and projection catch-up over 1,000,000 events into KV. The
 * service and the echo endpoint run in a process of their own
 * (bench/service-process.ts), the load generator here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { pino } from "pino";
import { openEventStore } from "../src/main/open-event-store.js";
import { CampaignsClient, tenantConnectionOptions } from "../src/client/campaigns-client.js";
import { KvReadModels } from "../src/adapters/nats/kv-read-models.js";
import { projectionsConsumer } from "../src/projections/projector.js";
import { loadConfig } from "../src/main/config.js";
import { startNatsServer } from "../test/support/nats-server.js";
import { startChildProcess } from "./child-process.js";
import { processCpuMs } from "./process-cpu.js";
import { campaignBody, mobile, perSecond, type Row } from "./fixtures.js";
import { campaignLog, writeLogs } from "./generate.js";

const silent = pino({ level: "silent" });
const CAMPAIGNS = 8;
const NUMBERS_PER_CAMPAIGN = 4_000;

type Load = { throughput: number; p50: number; p99: number };

/** Runs `total` requests with `inFlight` outstanding at a time; latencies in ms. */
async function load(
  total: number,
  inFlight: number,
  send: (i: number) => Promise<unknown>,
): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await send(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - began;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 100) /
    100;
  return { throughput: perSecond(total, elapsed), p50: at(0.5), p99: at(0.99) };
}

export async function benchNats(): Promise<Row[]> {
  const rows: Row[] = [];
  const nats = await startNatsServer();
  const dataDir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), "bench-nats-"));
  // The consumers on the thread that answers commands (the default), then in a thread of their own;
  // each on a nats-server of its own, so that neither finds the other's read models and
  // checkpoints.
  for (const consumers of ["here", "thread"] as const) {
    const server = await startNatsServer();
    try {
      rows.push(
        ...(await commandPath(server.url, server.pid, join(dataDir, consumers), consumers)),
      );
    } finally {
      await server.stop();
    }
  }

  // Projection catch-up: 1,000,000 genuine events, 10 campaigns dialled at a time, into fresh KV
  // buckets. Minutes on a busy machine: BENCH_SKIP_CATCH_UP=1 leaves it out.
  if (process.env.BENCH_SKIP_CATCH_UP === "1") {
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
    return rows;
  }
  const store = await openEventStore({ kind: "sqlite", dataDir: join(dataDir, "catch-up") });
  const logs = Array.from({ length: 100 }, (_, c) => ({
    campaignId: `cu-${c}`,
    clientId: "bench",
    batches: campaignLog(`cu-${c}`, "bench", 1_666, 3, 2_000_000 + c * 2_000),
  }));
  const written = await writeLogs(store, logs, 10);
  const head = await store.headPosition();
  const kvConnection = await connect({ servers: nats.url, noAsyncTraces: true });
  const readModels = await KvReadModels.open(kvConnection);
  const runner = projectionsConsumer(store, readModels, silent, {
    checkpointKey: "bench-catch-up",
  }).consumer;
  const began = performance.now();
  await runner.start();
  await runner.waitFor(head, 600_000);
  const elapsed = performance.now() - began;
  await runner.stop();
  rows.push({
    name: `projection catch-up into KV, ${written.toLocaleString("en-GB")} events`,
    value: perSecond(written, elapsed),
    unit: "events/s",
    note: `${(elapsed / 1000).toFixed(1)} s; target >= 100,000`,
  });
  await kvConnection.close();
  await store.close();
  await nats.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return rows;
}

/** Issue 20's targets for the command rows. */
const targets = (inFlight: number): string =>
  inFlight === 1
    ? "; target: service <= 0.5 ms, nats-server <= 0.15 ms"
    : inFlight === 64
      ? "; target >= 25% of echo, p99 < 25 ms, service <= 0.15 ms"
      : "";

/**
 * Waits until the service's projections and relay have caught up with what was
 * written (a query that waits on the head position), so the CPU they spend on a
 * phase's commands is counted in that phase.
 */
async function settle(client: CampaignsClient, position: bigint): Promise<void> {
  await client.getCampaignStatistics({ id: "load-0", minPosition: position });
}

/** record-attempt-outcome beside the echo ceiling, and a 10,000-number add until visible, with the consumers where `consumers` says. */
async function commandPath(
  natsUrl: string,
  natsPid: number,
  dataDir: string,
  consumers: "here" | "thread",
): Promise<Row[]> {
  const rows: Row[] = [];
  const byDefault = loadConfig({ EVENT_STORE: "sqlite" }).CONSUMERS === consumers;
  const label = `CONSUMERS=${consumers}${byDefault ? " (default)" : ""}`;
  const environment = {
    NATS_URL: natsUrl,
    DATA_DIR: dataDir,
    EVENT_STORE: "sqlite",
    LOG_LEVEL: "silent",
    OPS_PORT: "",
    CONSUMERS: consumers,
  };
  const service = await startChildProcess("service-process", {
    BENCH_SERVICE_ENV: JSON.stringify(environment),
  });
  const serviceCpuMs = async () => Number(await service.ask("cpu"));
  // As a tenant connects (its inbox prefix): one reply subscription for all requests, not one per
  // request.
  const nc = await connect({
    servers: natsUrl,
    noAsyncTraces: true,
    ...tenantConnectionOptions("bench"),
  });
  const client = new CampaignsClient(nc, "bench", 30_000);
  try {
    await client.registerCallFlow({ callFlowId: 1, name: "Main" });
    await client.registerCli({ cliId: 1, number: "01632960001" });
    for (let c = 0; c < CAMPAIGNS; c++) {
      await client.createCampaign({
        id: `load-${c}`,
        ...campaignBody(NUMBERS_PER_CAMPAIGN, c * NUMBERS_PER_CAMPAIGN),
      });
    }
    const used = new Array<number>(CAMPAIGNS).fill(0);
    const occurredAt = new Date().toISOString();
    let lastPosition = 0n;
    const attempt = async () => {
      const c = Math.floor(Math.random() * CAMPAIGNS);
      const number = mobile(c * NUMBERS_PER_CAMPAIGN + used[c]!++);
      const { position } = await client.recordAttemptOutcome({
        id: `load-${c}`,
        number,
        attemptNumber: 1,
        outcome: 6,
        occurredAt,
      });
      if (position > lastPosition) lastPosition = position;
    };
    const payload = new TextEncoder().encode(
      JSON.stringify({ id: "load-0", number: mobile(0), attemptNumber: 1, outcome: 6, occurredAt }),
    );
    await load(500, 16, () => nc.request("bench.echo", payload)); // warm up
    for (const [inFlight, total] of [
      [1, 1_500],
      [16, 8_000],
      [64, 16_000],
    ] as const) {
      const ceiling = await load(total, inFlight, () => nc.request("bench.echo", payload));
      const cpuBefore = await serviceCpuMs();
      const natsCpuBefore = processCpuMs(natsPid);
      const ownCpuBefore = process.cpuUsage();
      const command = await load(total, inFlight, attempt);
      const ownCpu = process.cpuUsage(ownCpuBefore);
      // Whatever the command caused afterwards (the projections' and relay's writes) counts too.
      await settle(client, lastPosition);
      const cpuPerCommand = ((await serviceCpuMs()) - cpuBefore) / total;
      const natsCpuPerCommand = (processCpuMs(natsPid) - natsCpuBefore) / total;
      const loadCpuPerCommand = (ownCpu.user + ownCpu.system) / 1000 / total;
      rows.push({
        name: `echo ceiling, ${inFlight} in flight`,
        value: ceiling.throughput,
        unit: "req/s",
        note: `p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`,
      });
      rows.push({
        name: `record-attempt-outcome, ${inFlight} in flight, ${label}`,
        value: command.throughput,
        unit: "cmds/s",
        note: `p50 ${command.p50} ms, p99 ${command.p99} ms, ${Math.round((command.throughput / ceiling.throughput) * 100)}% of echo; CPU a command: service ${cpuPerCommand.toFixed(2)} ms, nats-server ${natsCpuPerCommand.toFixed(2)} ms, load generator ${loadCpuPerCommand.toFixed(2)} ms${targets(inFlight)}`,
      });
    }

    // 10,000 numbers in one command, until get-campaign shows them.
    await client.createCampaign({ id: "bulk", ...campaignBody(1, 900_000) });
    const began = performance.now();
    const added = await client.addPhoneNumbers({
      id: "bulk",
      phoneNumbers: campaignBody(10_000, 800_000).phoneNumbers,
    });
    const acknowledged = performance.now() - began;
    const detail = await client.getWholeCampaign({ id: "bulk", minPosition: added.position });
    const visible = performance.now() - began;
    if (detail.phoneNumbers.length !== 10_001)
      throw new Error(`get-campaign shows ${detail.phoneNumbers.length} numbers`);
    rows.push({
      name: `add-phone-numbers 10,000: acknowledged, ${label}`,
      value: Math.round(acknowledged),
      unit: "ms",
    });
    rows.push({
      name: `add-phone-numbers 10,000: visible in get-campaign, ${label}`,
      value: Math.round(visible),
      unit: "ms",
      note: "target < 2,000 ms",
    });
  } finally {
    await nc.close();
    await service.stop();
  }
  return rows;
}
