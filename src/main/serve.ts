/** `npm start` / `campaigns serve`: the whole service, configured from the environment. */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./config.js";
import { startInstance, VERSION } from "./compose.js";
import { createLogger } from "./logger.js";
import { startTracing } from "./tracing.js";

export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const tracing = await startTracing(process.env, VERSION);
  if (tracing.enabled) logger.info("exporting traces over OTLP (OTEL_* variables)");
  const running = await startInstance(config, logger).catch((err: unknown) => {
    // A refused credential is a configuration error: one plain line naming the variable, no secret.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, "could not start");
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: draining requests, checkpointing projections");
    running
      .stop()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "unclean stop");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

// Run when started as a program (npm start, node dist/main/serve.js), not when imported by the CLI.
const invoked = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (invoked === fileURLToPath(import.meta.url)) await serve();
