import type { Logger } from "pino";
import { openEventStore } from "./open-event-store.js";
import type { EventStore } from "../ports/event-store.js";
import type { CampaignHandlers } from "../app/handlers.js";
import { startCampaignService } from "../adapters/nats/endpoints.js";
import { type RunningHttpGateway, startHttpGateway } from "../adapters/http/server.js";
import { EventRelay } from "../adapters/nats/event-relay.js";
import { KvReadModels } from "../adapters/nats/kv-read-models.js";
import { Lease } from "../adapters/nats/leadership.js";
import { connectOrStartNats } from "../adapters/nats/local-server.js";
import { campaignProjections } from "../projections/campaign-projections.js";
import { queryNames } from "../contract/queries.js";
import { FollowedCheckpoint, type ProjectionProgress } from "../projections/progress.js";
import { ProjectionRunner } from "../projections/runner.js";
import { CommandHandler } from "../app/command-handler.js";
import type { Config } from "./config.js";
import { QueryHandler } from "../app/query-handler.js";

export const VERSION = "0.1.0";

/** This instance's view of the projections: running here (it holds the lease) or followed from the checkpoint. */
export type ServiceProjections = ProjectionProgress & { readonly running: boolean; relayPosition(): bigint | undefined };

export type RunningService = {
  handlers: CampaignHandlers;
  store: EventStore;
  projections: ServiceProjections;
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

  // Projections and the relay run in one instance at a time (the lease holder): two writers of the same
  // read models would put older values over newer ones. The others follow its checkpoint for minPosition.
  let runner: ProjectionRunner | undefined;
  let relay: EventRelay | undefined;
  const followed = new FollowedCheckpoint(readModels);
  const projections: ServiceProjections = {
    get checkpoint() {
      return runner?.checkpoint ?? followed.checkpoint;
    },
    waitFor: (position, timeoutMs) => (runner ?? followed).waitFor(position, timeoutMs),
    get running() {
      return runner !== undefined;
    },
    relayPosition: () => relay?.position,
  };
  const lease = await Lease.join(nc, "projections", { ttlMs: config.PROJECTIONS_LEASE_MS }, async (held) => {
    if (held) {
      runner = new ProjectionRunner(store, readModels, campaignProjections, logger.child({ component: "projections" }));
      relay = new EventRelay(nc, store, readModels, logger.child({ component: "relay" }));
      await runner.start();
      await relay.start();
    } else {
      const [stopping, stoppingRelay] = [runner, relay];
      runner = relay = undefined;
      await stopping?.stop();
      await stoppingRelay?.stop();
    }
  }, logger.child({ component: "lease" }));
  const queries = new QueryHandler(store, readModels, projections);

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
      const head = await store.headPosition();
      const checkpoint = projections.checkpoint;
      return {
        projections: { running: projections.running, checkpoint: checkpoint.toString(), lag: (head > checkpoint ? head - checkpoint : 0n).toString() },
        relay: { position: relay?.position.toString() ?? null },
      };
    },
  };
  const service = await startCampaignService(nc, handlers, { maxInFlight: config.MAX_IN_FLIGHT, logger, version: VERSION });
  const stopCore = async () => {
    await service.drain();
    await lease.stop(); // stops projections and relay at a checkpoint, and hands the lease on
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
    http,
    async stop() {
      await http?.close();
      await stopCore();
      logger.info("campaign service stopped");
    },
  };
}
