/**
 * `campaigns rebuild [projection]`: the composition root's rebuild, with a progress bar on
 * stderr. It refuses a DATA_DIR that holds no store (run from the wrong folder, it would make an
 * empty one and "rebuild" nothing) unless asked to start one with --create.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../main/config.js";
import { rebuildReadModels, type RebuildResult, UnknownProjection } from "../main/rebuild.js";
import { type Output, type ProgressBar, progressBar } from "./progress-bar.js";
import { UsageError } from "./usage.js";

/** The store the configuration names, when it cannot be the service's: why, in one line. */
export function missingStore(config: Config): string | undefined {
  if (config.EVENT_STORE === "memory")
    return "EVENT_STORE=memory: the memory store lives inside the service's process; there is nothing to rebuild from here (set EVENT_STORE and DATA_DIR or EVENTSTORE_CONNECTION_STRING as the service has them)";
  const file = join(config.DATA_DIR, "events.sqlite");
  if (config.EVENT_STORE === "sqlite" && !existsSync(file))
    return `no event store in DATA_DIR=${config.DATA_DIR} (${resolve(file)} does not exist); set DATA_DIR to the service's data folder (its start-up line names the store), or pass --create to start an empty one`;
  return undefined;
}

export async function rebuildCommand(
  config: Config,
  only: string | undefined,
  logger: Logger,
  err: Output,
  create = false,
): Promise<RebuildResult> {
  const missing = missingStore(config);
  if (missing !== undefined && !(create && config.EVENT_STORE === "sqlite"))
    throw new UsageError(missing);
  let bar: ProgressBar | undefined;
  try {
    return await rebuildReadModels(config, only, logger, {
      start: (total, names) =>
        (bar = progressBar(err, `rebuild ${names.join(",")}`, total, "positions")),
      update: (done, rate) => bar?.update(done, `(${rate} events/s)`),
      finish: (events, rate) =>
        bar?.finish(`(${events.toLocaleString("en-GB")} campaign events, ${rate} events/s)`),
    });
  } catch (error) {
    throw error instanceof UnknownProjection ? new UsageError(error.message) : error;
  }
}
