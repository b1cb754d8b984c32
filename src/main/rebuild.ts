/**
 * `campaigns rebuild [projection]`: rebuilds read models from the start of
 * the log. It opens the store and read models as the service does (the one
 * composition root, compose.ts), and runs the projections' log consumer with
 * a checkpoint key of its own (so it starts at zero and leaves the service's
 * checkpoint alone) until it reaches the head position read at the start;
 * then it removes that checkpoint key. The read models it writes are the ones
 * the service serves: a running service keeps applying new events meanwhile,
 * and both write the same values.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { campaignProjections } from "../projections/campaign-projections.js";
import { projectionsConsumer } from "../projections/projector.js";
import { openInfrastructure } from "./compose.js";

/** No progress for this long means the consumer has stopped (it logs why). */
const STALL_MS = 60_000;

export const projectionNamesForRebuild = () => campaignProjections.map((p) => p.name);

/** The projection named is not one of ours (a mistake on the command line). */
export class UnknownProjection extends Error {
  override readonly name = "UnknownProjection";
}

/** Told as the rebuild goes: positions done of the head read at the start, and the rate. */
export type RebuildProgress = {
  start(total: number, projections: readonly string[]): void;
  update(done: number, eventsPerSecond: string): void;
  finish(events: number, eventsPerSecond: string): void;
};

export type RebuildResult = {
  projections: string[];
  events: number;
  head: bigint;
  seconds: number;
};

export async function rebuildReadModels(
  config: Config,
  only: string | undefined,
  logger: Logger,
  progress: RebuildProgress,
  pollMs = 200,
): Promise<RebuildResult> {
  const selected =
    only === undefined ? campaignProjections : campaignProjections.filter((p) => p.name === only);
  if (selected.length === 0)
    throw new UnknownProjection(
      `unknown projection "${only}"; one of: ${projectionNamesForRebuild().join(", ")}`,
    );

  const infra = await openInfrastructure(config, logger, {
    startNats: false,
    name: "campaigns-cli rebuild",
  });
  const checkpointKey = `rebuild-${process.pid}-${Date.now()}`;
  try {
    const { projector, consumer } = projectionsConsumer(infra.store, infra.readModels, logger, {
      projections: selected,
      checkpointKey,
    });
    const head = await infra.store.headPosition();
    const names = selected.map((p) => p.name);
    const started = performance.now();
    progress.start(Number(head), names);
    await consumer.start();
    try {
      let last = consumer.checkpoint;
      let lastMoved = performance.now();
      while (consumer.checkpoint < head) {
        await sleep(pollMs);
        progress.update(
          Number(consumer.checkpoint),
          eventsPerSecond(projector.eventsApplied, started),
        );
        if (consumer.checkpoint !== last)
          [last, lastMoved] = [consumer.checkpoint, performance.now()];
        else if (performance.now() - lastMoved > STALL_MS)
          throw new Error(
            `the rebuild made no progress for ${STALL_MS / 1000} s at position ${last} (see the log above)`,
          );
      }
    } finally {
      await consumer.stop();
      await infra.checkpoints.remove(checkpointKey);
    }
    const seconds = (performance.now() - started) / 1000;
    progress.finish(projector.eventsApplied, eventsPerSecond(projector.eventsApplied, started));
    return { projections: names, events: projector.eventsApplied, head, seconds };
  } finally {
    await infra.nc.drain();
    await infra.store.close();
  }
}

const eventsPerSecond = (events: number, started: number) => {
  const seconds = (performance.now() - started) / 1000;
  return Math.round(seconds > 0 ? events / seconds : 0).toLocaleString("en-GB");
};
