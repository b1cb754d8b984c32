/**
 * The soak: the service in its default configuration (its own process,
 * durable SQLite, projections and relay running) takes record-attempt-outcome
 * at 16 in flight for minutes on end, over 4 campaigns of 10,000 numbers, each
 * number getting attempt after attempt (round robin, so a campaign's history
 * grows all the time). Per interval: commands answered, rate, p99, the
 * service's resident memory and heap, its CPU and nats-server's per command.
 * The verdict row compares the last interval's rate with the first, the
 * memory of the last third with the middle third, and the worst p99.
 *
 *   npm run soak                       10 minutes, a row a minute (by hand)
 *   npm run soak -- --minutes 1 --interval 10   a short one (CI, a quick look)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { CampaignsClient, tenantConnectionOptions } from "../src/client/campaigns-client.js";
import { startNatsServer } from "../test/support/nats-server.js";
import { startChildProcess } from "./child-process.js";
import { mobile, phoneNumbers, type Row } from "./fixtures.js";
import { processCpuMs } from "./process-cpu.js";

export type SoakOptions = {
  minutes: number;
  /** Seconds per reported interval. */
  intervalSeconds: number;
  inFlight?: number;
  campaigns?: number;
  numbersPerCampaign?: number;
};

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** A campaign callable all day today and the next two days, with 100 attempts a number. */
const soakCampaign = (id: string, numbers: number, offset: number) => ({
  id,
  name: `Soak ${id}`,
  startDate: day(0),
  startTime: "00:00",
  finishTime: "23:59",
  runoverDays: [1, 2].map((d) => ({ date: day(d), startTime: "00:00", finishTime: "23:59" })),
  timeZone: "UTC",
  callflow_Id: 1,
  cli_Id: 1,
  attempts: Array.from({ length: 100 }, (_, i) => ({ attemptNumber: i + 1, interval: 1 })),
  answerMachineDetected: 0 as const,
  smsOnBusy: 0 as const,
  phoneNumbers: phoneNumbers(numbers, offset),
});

type Interval = {
  began: number;
  seconds: number;
  commands: number;
  latencies: number[];
  errors: number;
  rss: number;
  heapUsed: number;
  serviceCpuMs: number;
  natsCpuMs: number;
};

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const p99 = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!;
};

export async function benchSoak(options: SoakOptions): Promise<Row[]> {
  const inFlight = options.inFlight ?? 16;
  const campaigns = options.campaigns ?? 4;
  const perCampaign = options.numbersPerCampaign ?? 10_000;
  const nats = await startNatsServer();
  const dataDir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), "bench-soak-"));
  const service = await startChildProcess("service-process", {
    BENCH_SERVICE_ENV: JSON.stringify({
      NATS_URL: nats.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      OPS_PORT: "",
    }),
  });
  const nc = await connect({
    servers: nats.url,
    noAsyncTraces: true,
    ...tenantConnectionOptions("soak"),
  });
  const client = new CampaignsClient(nc, "soak", 30_000);
  const rows: Row[] = [];
  try {
    await client.registerCallFlow({ callFlowId: 1, name: "Main" });
    await client.registerCli({ cliId: 1, number: "01632960001" });
    for (let c = 0; c < campaigns; c++)
      await client.createCampaign(soakCampaign(`soak-${c}`, perCampaign, c * perCampaign));

    const total = campaigns * perCampaign;
    const intervals: Interval[] = [];
    let current: Interval | undefined;
    const measure = async (): Promise<
      Pick<Interval, "rss" | "heapUsed" | "serviceCpuMs" | "natsCpuMs">
    > => {
      const memory = JSON.parse(await service.ask("memory")) as { rss: number; heapUsed: number };
      return {
        ...memory,
        serviceCpuMs: Number(await service.ask("cpu")),
        natsCpuMs: processCpuMs(nats.pid),
      };
    };
    const fresh = async (): Promise<Interval> => ({
      began: performance.now(),
      seconds: 0,
      commands: 0,
      latencies: [],
      errors: 0,
      ...(await measure()),
    });
    current = await fresh();
    let sent = 0;
    const ends = Date.now() + options.minutes * 60_000;
    const close = async () => {
      const closing = current!;
      current = await fresh();
      intervals.push({
        ...closing,
        seconds: (current.began - closing.began) / 1000,
        rss: current.rss,
        heapUsed: current.heapUsed,
        serviceCpuMs: current.serviceCpuMs - closing.serviceCpuMs,
        natsCpuMs: current.natsCpuMs - closing.natsCpuMs,
      });
    };
    const tick = setInterval(() => void close(), options.intervalSeconds * 1000);
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < ends) {
          const i = sent++;
          const n = i % total;
          const c = Math.floor(n / perCampaign);
          const began = performance.now();
          try {
            await client.recordAttemptOutcome({
              id: `soak-${c}`,
              number: mobile(n),
              attemptNumber: Math.floor(i / total) + 1,
              outcome: 6,
              occurredAt: new Date().toISOString(),
            });
            current!.latencies.push(performance.now() - began);
            current!.commands++;
          } catch {
            current!.errors++;
          }
        }
      }),
    );
    clearInterval(tick);
    // The part of an interval left when the time ran out, when it is at least half of one.
    if ((performance.now() - current.began) / 1000 >= options.intervalSeconds / 2) await close();

    intervals.forEach((interval, i) => {
      const rate = Math.round(interval.commands / interval.seconds);
      rows.push({
        name: `soak interval ${i + 1} (${Math.round(interval.seconds)} s)`,
        value: rate,
        unit: "cmds/s",
        note: `p99 ${p99(interval.latencies).toFixed(1)} ms, service RSS ${mib(interval.rss)} MiB (heap ${mib(interval.heapUsed)} MiB), CPU a command: service ${(interval.serviceCpuMs / Math.max(1, interval.commands)).toFixed(2)} ms, nats-server ${(interval.natsCpuMs / Math.max(1, interval.commands)).toFixed(2)} ms${interval.errors ? `, ${interval.errors} errors` : ""}`,
      });
    });
    const third = Math.max(1, Math.floor(intervals.length / 3));
    const meanRss = (part: Interval[]) => part.reduce((sum, x) => sum + x.rss, 0) / part.length;
    const middle = meanRss(intervals.slice(third, intervals.length - third));
    const last = meanRss(intervals.slice(-third));
    const rateOf = (interval: Interval) => interval.commands / interval.seconds;
    const errors = intervals.reduce((sum, x) => sum + x.errors, 0);
    rows.push({
      name: `soak ${options.minutes} min, ${inFlight} in flight, ${campaigns} x ${perCampaign.toLocaleString("en-GB")} numbers: last interval vs first`,
      value: Math.round((rateOf(intervals.at(-1)!) / Math.max(1, rateOf(intervals[0]!))) * 100),
      unit: "%",
      note: `RSS last third ${mib(last)} MiB vs middle third ${mib(middle)} MiB (${Math.round((last / middle - 1) * 100)}%); worst interval p99 ${Math.max(...intervals.map((x) => p99(x.latencies))).toFixed(1)} ms; ${sent.toLocaleString("en-GB")} commands, ${errors} errors; target >= 80%, memory within 10%, p99 < 50 ms`,
    });
  } finally {
    await nc.close();
    await service.stop();
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
