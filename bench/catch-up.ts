/**
 * Projection catch-up alone, for profiling: a genuine log (CATCH_UP_CAMPAIGNS
 * campaigns of 1,666 numbers, three rounds of attempts, about 10,000 events
 * each, 10 dialled at a time) projected by all five projections into fresh KV
 * buckets. With CATCH_UP_LOG_DIR the log is written once and reused by later
 * runs (kept out of the timing either way). CATCH_UP_KV=memory projects into
 * an in-memory read-model store instead: the projections' own cost, no NATS.
 * CATCH_UP_PROJECTIONS (names, comma-separated; empty for none) picks which run.
 *
 *   npx tsx bench/catch-up.ts
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { pino } from "pino";
import { KvReadModels } from "../src/adapters/nats/kv-read-models.js";
import { openEventStore } from "../src/main/open-event-store.js";
import { campaignProjections } from "../src/projections/campaign-projections.js";
import { projectionsConsumer } from "../src/projections/projector.js";
import type { ReadModelStore } from "../src/ports/read-model-store.js";
import { MemoryReadModels } from "../test/support/memory-read-models.js";
import { startNatsServer } from "../test/support/nats-server.js";
import { perSecond } from "./fixtures.js";
import { campaignLog, writeLogs } from "./generate.js";

const silent = pino({ level: "silent" });
const campaigns = Number(process.env.CATCH_UP_CAMPAIGNS ?? 20);
const kept = process.env.CATCH_UP_LOG_DIR;
const logDir = kept
  ? join(kept, `campaigns-${campaigns}`)
  : mkdtempSync(join(tmpdir(), "bench-catch-up-"));
const fresh = !existsSync(join(logDir, "events.sqlite"));
const store = await openEventStore({ kind: "sqlite", dataDir: logDir });
if (fresh) {
  const logs = Array.from({ length: campaigns }, (_, c) => ({
    campaignId: `cu-${c}`,
    clientId: "bench",
    batches: campaignLog(`cu-${c}`, "bench", 1_666, 3, 2_000_000 + c * 2_000),
  }));
  await writeLogs(store, logs, 10);
}
const head = await store.headPosition();
const nats = process.env.CATCH_UP_KV === "memory" ? undefined : await startNatsServer();
const nc = nats ? await connect({ servers: nats.url, noAsyncTraces: true }) : undefined;
try {
  const readModels: ReadModelStore = nc ? await KvReadModels.open(nc) : new MemoryReadModels();
  const names = process.env.CATCH_UP_PROJECTIONS?.split(",").filter((name) => name !== "");
  const projections =
    names === undefined
      ? campaignProjections
      : campaignProjections.filter((p) => names.includes(p.name));
  const { consumer } = projectionsConsumer(store, readModels, silent, {
    checkpointKey: "bench-catch-up",
    projections,
  });
  const began = performance.now();
  await consumer.start();
  if (!(await consumer.waitFor(head, 1_200_000))) throw new Error("catch-up did not finish");
  const elapsed = performance.now() - began;
  await consumer.stop();
  console.log(
    `catch-up into ${nc ? "KV" : "memory"}, ${projections.map((p) => p.name).join(", ") || "no projection"}: ${perSecond(Number(head), elapsed).toLocaleString("en-GB")} events/s (${head.toLocaleString("en-GB")} events in ${(elapsed / 1000).toFixed(1)} s)`,
  );
} finally {
  await nc?.close();
  await nats?.stop();
  await store.close();
  if (!kept) rmSync(logDir, { recursive: true, force: true });
}
