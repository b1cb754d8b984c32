import type { ChildProcess } from "node:child_process";
import { connect, type NatsConnection } from "nats";
import type { Logger } from "pino";
import { openEventStore } from "./open-event-store.js";
import type { EventStore } from "../ports/event-store.js";
import type { CampaignHandlers } from "../app/handler-types.js";
import { startNatsEndpoints } from "../adapters/nats/endpoints.js";
import { type RunningHttpGateway, startHttpGateway } from "../adapters/http/server.js";
import { ensureEventsStream, relayConsumer } from "../adapters/nats/event-relay.js";
import { KvReadModels } from "../adapters/nats/kv-read-models.js";
import { Lease, openLeaseBucket } from "../adapters/nats/leadership.js";
import {
  JetStreamAssets,
  replicasMetadata,
  ReplicasRefusedError,
} from "../adapters/nats/jetstream-assets.js";
import { connectOrStartNats, serviceConnectionOptions } from "../adapters/nats/local-server.js";
import { queryNames } from "../contract/queries.js";
import { FollowedCheckpoint, type ProjectionProgress } from "../projections/progress.js";
import type { JoinLease } from "../ports/lease.js";
import { startConsumersThread } from "./consumers-thread.js";
import { checkpointsIn } from "../projections/checkpoints.js";
import { LeasedConsumers } from "../projections/leased-consumers.js";
import { projectionsConsumer } from "../projections/projector.js";
import type { CheckpointStore } from "../ports/checkpoint-store.js";
import type { ReadModelStore, ReadModelWatch } from "../ports/read-model-store.js";
import { CommandHandler } from "../app/command-handler.js";
import { type Config, ConfigError, redactNatsUrl } from "./config.js";
import {
  authRefusal,
  isNatsAuthFailure,
  isNotNats,
  natsSettings,
  notNatsRefusal,
} from "./nats-connection.js";
import { QueryHandler } from "../app/query-handler.js";
import { type RunningOpsServer, startOpsServer } from "../adapters/http/health-and-metrics.js";
import { createMetrics, type ServiceMetrics } from "./metrics.js";
import { readinessProbe } from "./readiness.js";
import { timedEventStore } from "./timed-event-store.js";
import { reservationsOf } from "../ports/command-reservations.js";
import { installContextPropagation } from "./tracing.js";
import { describeStore, refuseAnotherStore, storeMetadata } from "./store-guard.js";
import { listenRefusal } from "./listen-refusal.js";
import { type StartedOn, startUpLine } from "./start-up-line.js";
import { resolve } from "node:path";

export const VERSION = "0.1.0";

/** This instance's view of the projections: running here (it holds the lease) or followed from the checkpoint. */
export type InstanceProjections = ProjectionProgress & {
  readonly running: boolean;
  relayPosition(): bigint | undefined;
};

/** Events the read models and the relay are behind the store's head (for metrics); relay null where it does not run. */
export type ConsumerLag = { projections: number; relay: number | null };

export type RunningInstance = {
  handlers: CampaignHandlers;
  store: EventStore;
  projections: InstanceProjections;
  /** How far behind the projections and the relay are (the relay's only on the lease holder). */
  lag(): Promise<ConsumerLag>;
  /** The REST gateway, when HTTP_PORT is set. */
  http: RunningHttpGateway | undefined;
  /** Health and metrics, when OPS_PORT is not empty. */
  ops: RunningOpsServer | undefined;
  metrics: ServiceMetrics;
  stop(): Promise<void>;
};

/** What serve and rebuild share: the configured event store, NATS, and the read models and checkpoints in KV. */
export type Infrastructure = {
  store: EventStore;
  nc: NatsConnection;
  readModels: ReadModelStore & ReadModelWatch;
  checkpoints: CheckpointStore;
  /** Every JetStream asset is opened through this: the deployment's replicas (JS_REPLICAS). */
  assets: JetStreamAssets;
  /** A nats-server this process started (nothing answered at NATS_URL). */
  localServer: ChildProcess | undefined;
};

/** Opens the store and NATS; `startNats`: start a local nats-server when nothing answers (serve), or fail (rebuild). */
export async function openInfrastructure(
  config: Config,
  logger: Logger,
  nats: { startNats: boolean; name: string },
  storeOptions: { appends: boolean } = { appends: true },
): Promise<Infrastructure> {
  const target = natsSettings(config); // a bad credential source stops here, before anything is opened
  const store = await openEventStore({
    kind: config.EVENT_STORE,
    dataDir: config.DATA_DIR,
    connectionString: config.EVENTSTORE_CONNECTION_STRING,
    logger: logger.child({ component: "event-store" }),
    appends: storeOptions.appends,
  });
  try {
    const { nc, localServer } = await (
      nats.startNats
        ? connectOrStartNats(target, config.DATA_DIR, logger)
        : connect(serviceConnectionOptions(target, nats.name)).then((nc) => ({
            nc,
            localServer: undefined,
          }))
    ).catch((err: unknown) => {
      // Only the connection itself: a JetStream request that times out later is not this.
      throw isNotNats(err) ? notNatsRefusal(target) : err;
    });
    const assets = new JetStreamAssets(nc, {
      replicas: config.JS_REPLICAS,
      logger: logger.child({ component: "jetstream" }),
    });
    // Every asset is opened (or brought to the replicas) at start, not only when first used, so
    // $SRV.INFO states the replicas of all of them.
    const readModels = await KvReadModels.open(nc, assets);
    await openLeaseBucket(assets, { ttlMs: config.PROJECTIONS_LEASE_MS });
    await ensureEventsStream(assets, eventsRetention(config));
    return { store, nc, readModels, checkpoints: checkpointsIn(readModels), assets, localServer };
  } catch (err) {
    await store.close();
    // A refused credential is a configuration error: one line naming the variable, no secret.
    if (isNatsAuthFailure(err)) throw authRefusal(target);
    if (err instanceof ReplicasRefusedError) {
      const shown = config.JS_REPLICAS === undefined ? "" : `=${config.JS_REPLICAS}`;
      throw new ConfigError(`invalid configuration: JS_REPLICAS${shown}: ${err.message}`);
    }
    throw err;
  }
}

/** Wires the store, command and query handling, projections, relay and the NATS endpoints. */
export async function startInstance(config: Config, logger: Logger): Promise<RunningInstance> {
  installContextPropagation();
  const infra = await openInfrastructure(config, logger, { startNats: true, name: "campaigns" });
  const { nc, readModels, localServer } = infra;
  // The lag gauges read `projections`, assigned below: they are only read on a scrape.
  const metrics = createMetrics({
    projectionLag: async () => (await projections.lag()).projections,
    relayLag: async () => (await projections.lag()).relay,
  });
  const store = timedEventStore(infra.store, metrics.appendTimer);
  // One store per deployment: refuse to join instances that use another one.
  const identity = {
    id: await store.identity(),
    description: describeStore(
      config.EVENT_STORE,
      config.DATA_DIR,
      config.EVENTSTORE_CONNECTION_STRING,
      (p) => resolve(p),
    ),
  };
  await refuseAnotherStore(nc, identity).catch(async (error: unknown) => {
    await nc.close();
    localServer?.kill("SIGTERM");
    await store.close();
    throw error;
  });
  const commands = new CommandHandler(store, {
    defaultRegion: config.DEFAULT_REGION,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
    // The timed store passes appends through; the reservations are the store's own.
    reservations: reservationsOf(infra.store),
  });

  // Projections and the relay run in one instance at a time (the lease holder); the others follow
  // its checkpoint for minPosition. CONSUMERS=thread: this process's holder is a worker thread of
  // its own, and this thread only follows.
  const projections = leasedConsumers(config, { ...infra, store }, logger);
  // The thread connects where this instance did: NATS_URL as configured (scheme, every server), or
  // the local server it started.
  const consumersThread =
    config.CONSUMERS === "thread"
      ? await startConsumersThread(
          config,
          localServer ? `nats://${nc.getServer()}` : config.NATS_URL,
        )
      : undefined;
  await projections.start(
    config.CONSUMERS === "here" ? joinLease(config, infra, logger) : undefined,
  );
  const queries = new QueryHandler(store, readModels, projections, commands, config.DEFAULT_REGION);

  const handlers: CampaignHandlers = {
    queryNames,
    // One line per request is logged by the transport that answers it (info when refused, debug
    // when accepted).
    async command(request) {
      const result = await commands.handle(request);
      if (!result.ok) return result;
      return { ok: true, reply: result.reply, position: result.position };
    },
    query: (request) => queries.handle(request),
    async stats() {
      const lag = await projections.lag();
      return {
        projections: {
          running: projections.running,
          checkpoint: projections.checkpoint.toString(),
          lag: String(lag.projections ?? 0n),
        },
        relay: { position: projections.checkpointOf("relay")?.toString() ?? null },
      };
    },
  };
  const service = await startNatsEndpoints(nc, handlers, {
    maxInFlight: config.MAX_IN_FLIGHT,
    logger,
    version: VERSION,
    metrics,
    metadata: { ...storeMetadata(identity), ...replicasMetadata(infra.assets) },
  });
  const probe = {
    readiness: readinessProbe({
      nc,
      store,
      checkpoint: () => projections.checkpoint,
      maxLag: config.READY_MAX_LAG,
    }),
    metrics: async () => ({
      contentType: metrics.registry.contentType,
      body: await metrics.registry.metrics(),
    }),
  };
  let ops: RunningOpsServer | undefined;
  const stopCore = async () => {
    await ops?.close();
    await service.drain();
    await projections.stop(); // stops projections and relay at a checkpoint, and hands the lease on
    await consumersThread?.stop();
    await nc.drain();
    await store.close();
    localServer?.kill("SIGTERM");
  };
  const http =
    config.HTTP_PORT === undefined
      ? undefined
      : await startHttpGateway(
          { port: config.HTTP_PORT, host: config.BIND_ADDRESS },
          {
            handlers,
            apiKeys: config.API_KEYS,
            logger,
            version: VERSION,
            watch: readModels,
            metrics,
            operations: probe,
          },
        ).catch(async (err: unknown) => {
          await stopCore(); // e.g. the port is taken: release NATS and the store before failing
          throw listenRefusal(err, "HTTP_PORT", config.HTTP_PORT!, config.BIND_ADDRESS);
        });
  ops =
    config.OPS_PORT === undefined
      ? undefined
      : await startOpsServer(
          { port: config.OPS_PORT, host: config.BIND_ADDRESS },
          probe,
          logger.child({ component: "ops" }),
        ).catch(async (err: unknown) => {
          await http?.close();
          await stopCore();
          throw listenRefusal(err, "OPS_PORT", config.OPS_PORT!, config.BIND_ADDRESS);
        });
  const started: StartedOn = {
    nats: localServer
      ? {
          started: true,
          url: `nats://${nc.getServer()}`,
          storeDir: resolve(config.DATA_DIR, "nats"),
        }
      : { started: false, url: redactNatsUrl(config.NATS_URL) },
    eventStore: identity.description,
    host: config.BIND_ADDRESS,
    httpPort: http?.port,
    opsPort: ops?.port,
  };
  logger.info(started, startUpLine(started));

  return {
    handlers,
    store,
    projections: {
      get checkpoint() {
        return projections.checkpoint;
      },
      waitFor: (position, timeoutMs) => projections.waitFor(position, timeoutMs),
      get running() {
        return projections.running;
      },
      relayPosition: () => projections.checkpointOf("relay"),
    },
    async lag() {
      const lag = await projections.lag();
      return {
        projections: Number(lag.projections ?? 0n),
        relay: lag.relay === undefined ? null : Number(lag.relay),
      };
    },
    http,
    ops,
    metrics,
    async stop() {
      await http?.close();
      await stopCore();
      logger.info("campaign service stopped");
    },
  };
}

/** The projections and the relay of one store, run while `joinLease`'s lease is held, else following the holder's checkpoint. */
function leasedConsumers(config: Config, infra: Infrastructure, logger: Logger): LeasedConsumers {
  const { store, nc, readModels, checkpoints, assets } = infra;
  return new LeasedConsumers(
    store,
    {
      projections: () =>
        projectionsConsumer(store, readModels, logger.child({ component: "projections" })).consumer,
      relay: () =>
        relayConsumer(nc, store, checkpoints, logger.child({ component: "relay" }), {
          retention: eventsRetention(config),
          assets,
        }),
    },
    new FollowedCheckpoint(checkpoints, logger.child({ component: "followed-checkpoint" })),
  );
}

const eventsRetention = (config: Config) => ({
  maxAgeSeconds: config.EVENTS_MAX_AGE,
  maxBytes: config.EVENTS_MAX_BYTES,
});

const joinLease =
  (config: Config, infra: Infrastructure, logger: Logger): JoinLease =>
  (onChange) =>
    Lease.join(
      infra.nc,
      "projections",
      { ttlMs: config.PROJECTIONS_LEASE_MS },
      onChange,
      logger.child({ component: "lease" }),
      infra.assets,
    );

/**
 * Only the projections and the relay, under the lease, with a store and a
 * NATS connection of their own (the entry of CONSUMERS=thread's worker; NATS_URL
 * names the server the instance is connected to).
 */
export async function startConsumers(
  config: Config,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  // The projections and the relay only read the log: no writer thread for a store that never
  // appends.
  const infra = await openInfrastructure(
    config,
    logger,
    { startNats: false, name: "campaigns-consumers" },
    { appends: false },
  );
  const consumers = leasedConsumers(config, infra, logger);
  await consumers.start(joinLease(config, infra, logger));
  return {
    async stop() {
      await consumers.stop();
      await infra.nc.drain();
      await infra.store.close();
    },
  };
}
