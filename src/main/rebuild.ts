/**
 * `campaigns rebuild [projection]`: rebuilds read models from the start of
 * the log. It opens the store named by the configuration directly, and runs a
 * ProjectionRunner over it with a checkpoint key of its own (so it starts at
 * zero and leaves the service's checkpoint alone) until it reaches the head
 * position read at the start; then it removes that checkpoint key. The read
 * models it writes are the ones the service serves: a running service keeps
 * applying new events meanwhile, and both write the same values.
 */
import { connect } from "nats";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { campaignProjections } from "../projections/campaign-projections.js";
import { ProjectionRunner } from "../projections/runner.js";
import { openEventStore } from "./open-event-store.js";
import { KvReadModels } from "../adapters/nats/kv-read-models.js";

/** No progress for this long means the runner has stopped (it logs why). */
const STALL_MS = 60_000;

export const projectionNamesForRebuild = () => campaignProjections.map((p) => p.name);

/** The projection named is not one of ours (a mistake on the command line). */
export class UnknownProjection extends Error {
  override readonly name = "UnknownProjection";
}

/** Told as the rebuild goes: positions done of the head read at the start, and the rate. */
export type RebuildProgress = { start(total: number, projections: readonly string[]): void; update(done: number, eventsPerSecond: string): void; finish(events: number, eventsPerSecond: string): void };

export type RebuildResult = { projections: string[]; events: number; head: bigint; seconds: number };

export async function rebuildReadModels(config: Config, only: string | undefined, logger: Logger, progress: RebuildProgress, pollMs = 200): Promise<RebuildResult> {
  const selected = only === undefined ? campaignProjections : campaignProjections.filter((p) => p.name === only);
  if (selected.length === 0) throw new UnknownProjection(`unknown projection "${only}"; one of: ${projectionNamesForRebuild().join(", ")}`);

  const store = await openEventStore({ kind: config.EVENT_STORE, dataDir: config.DATA_DIR, connectionString: config.EVENTSTORE_CONNECTION_STRING });
  const nc = await connect({ servers: config.NATS_URL, name: "campaigns-cli rebuild" });
  const checkpointKey = `rebuild-${process.pid}-${Date.now()}`;
  try {
    const readModels = await KvReadModels.open(nc);
    const runner = new ProjectionRunner(store, readModels, selected, logger, { checkpointKey });
    const head = await store.headPosition();
    const names = selected.map((p) => p.name);
    const started = performance.now();
    progress.start(Number(head), names);
    await runner.start();
    try {
      let last = runner.checkpoint;
      let lastMoved = performance.now();
      while (runner.checkpoint < head) {
        await new Promise((r) => setTimeout(r, pollMs));
        progress.update(Number(runner.checkpoint), eventsPerSecond(runner.eventsApplied, started));
        if (runner.checkpoint !== last) [last, lastMoved] = [runner.checkpoint, performance.now()];
        else if (performance.now() - lastMoved > STALL_MS) throw new Error(`the rebuild made no progress for ${STALL_MS / 1000} s at position ${last} (see the log above)`);
      }
    } finally {
      await runner.stop();
      await readModels.put("checkpoints", checkpointKey, undefined);
    }
    const seconds = (performance.now() - started) / 1000;
    progress.finish(runner.eventsApplied, eventsPerSecond(runner.eventsApplied, started));
    return { projections: names, events: runner.eventsApplied, head, seconds };
  } finally {
    await nc.drain();
    await store.close();
  }
}

const eventsPerSecond = (events: number, started: number) => {
  const seconds = (performance.now() - started) / 1000;
  return Math.round(seconds > 0 ? events / seconds : 0).toLocaleString("en-GB");
};
