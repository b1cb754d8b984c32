import type { Logger } from "pino";
import { openEventStore } from "../adapters/event-store/index.js";
import type { EventStore } from "../adapters/event-store/port.js";
import { type CampaignHandlers, startCampaignService } from "../adapters/nats/campaign-service.js";
import { type RunningHttpGateway, startHttpGateway } from "../adapters/http/server.js";
import { EventRelay } from "../adapters/nats/event-relay.js";
import { KvReadModels } from "../adapters/nats/kv-read-models.js";
import { connectOrStartNats } from "../adapters/nats/local-server.js";
import { campaignProjections } from "../projections/campaign-projections.js";
import { queryNames } from "../projections/queries.js";
import { ProjectionRunner } from "../projections/runner.js";
import { CommandHandler } from "./command-handler.js";
import type { Config } from "./config.js";
import { QueryHandler } from "./query-handler.js";

export const VERSION = "0.1.0";

export type RunningService = {
  handlers: CampaignHandlers;
  store: EventStore;
  projections: ProjectionRunner;
  relay: EventRelay;
  /** The REST gateway, when HTTP_PORT is set. */
  http: RunningHttpGateway | undefined;
  stop(): Promise<void>;
};

/** Wires the store, command and query handling, projections, relay and the NATS endpoints. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const store = await openEventStore({ kind: config.EVENT_STORE, dataDir: config.DATA_DIR, connectionString: config.EVENTSTORE_CONNECTION_STRING, logger: logger.child({ component: "event-store" }) });
  const { nc, localServer } = await connectOrStartNats(config.NATS_URL, config.DATA_DIR, logger);
  const readModels = await KvReadModels.open(nc);
  const commands = new CommandHandler(store, { defaultRegion: config.DEFAULT_REGION, defaultTimeZone: config.DEFAULT_TIME_ZONE });
  const projections = new ProjectionRunner(store, readModels, campaignProjections, logger.child({ component: "projections" }));
  const queries = new QueryHandler(store, readModels, projections);
  const relay = new EventRelay(nc, store, readModels, logger.child({ component: "relay" }));
  await projections.start();
  await relay.start();

  const handlers: CampaignHandlers = {
    queryNames,
    async command(request) {
      const result = await commands.handle(request);
      const log = logger.child({ clientId: request.clientId, commandId: request.commandId, correlationId: request.correlationId, command: request.name });
      if (!result.ok) {
        log.info({ code: result.error.code, message: result.error.message }, "command refused");
        return result;
      }
      log.debug({ position: result.position, repeated: result.repeated }, "command accepted");
      return { ok: true, reply: result.reply, position: result.position };
    },
    query: (request) => queries.handle(request),
    async stats() {
      return { projections: { checkpoint: projections.checkpoint.toString(), lag: (await projections.lag()).toString() }, relay: { position: relay.position.toString() } };
    },
  };
  const service = await startCampaignService(nc, handlers, { maxInFlight: config.MAX_IN_FLIGHT, logger, version: VERSION });
  const stopCore = async () => {
    await service.drain();
    await projections.stop();
    await relay.stop();
    await nc.drain();
    await store.close();
    localServer?.kill("SIGTERM");
  };
  const http = config.HTTP_PORT === undefined
    ? undefined
    : await startHttpGateway(config.HTTP_PORT, { handlers, apiKeys: config.API_KEYS, logger, version: VERSION }).catch(async (err: unknown) => {
        await stopCore(); // e.g. the port is taken: release NATS and the store before failing
        throw err;
      });
  logger.info({ nats: config.NATS_URL, eventStore: config.EVENT_STORE, httpPort: http?.port }, "campaign service started");

  return {
    handlers,
    store,
    projections,
    relay,
    http,
    async stop() {
      await http?.close();
      await stopCore();
      logger.info("campaign service stopped");
    },
  };
}
