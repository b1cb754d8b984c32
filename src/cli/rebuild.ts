/** `campaigns rebuild [projection]`: the composition root's rebuild, with a progress bar on stderr. */
import type { Logger } from "pino";
import type { Config } from "../main/config.js";
import { rebuildReadModels, type RebuildResult, UnknownProjection } from "../main/rebuild.js";
import { type Output, type ProgressBar, progressBar } from "./progress-bar.js";
import { UsageError } from "./usage.js";

export async function rebuildCommand(
  config: Config,
  only: string | undefined,
  logger: Logger,
  err: Output,
): Promise<RebuildResult> {
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
