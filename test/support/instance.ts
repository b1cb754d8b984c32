/**
 * One whole instance of the campaign service in-process against a real nats-server (started by the
 * caller with startNatsServer), with a real store, plus clients for tenants.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { type Logger, pino } from "pino";
import { CampaignsClient } from "../../src/client/campaigns-client.js";
import { loadConfig } from "../../src/main/config.js";
import { type RunningInstance, startInstance } from "../../src/main/compose.js";
import { start as startDouble } from "./eventstoredb-double.js";
import { startNatsServer } from "./nats-server.js";
import { seedPostBody } from "./seed.js";

export type TestInstance = {
  instance: RunningInstance;
  nc: NatsConnection;
  natsUrl: string;
  dataDir: string;
  client(clientId: string): CampaignsClient;
  stop(): Promise<void>;
};

/**
 * The store the end-to-end suites run on: sqlite by default; with
 * E2E_EVENT_STORE=eventstoredb, EventStoreDB at EVENTSTORE_CONNECTION_STRING
 * or, when that is unset, the in-process protocol double.
 */
export async function e2eStoreEnv(): Promise<{
  env: Record<string, string>;
  stop: () => Promise<void>;
}> {
  if (process.env.E2E_EVENT_STORE !== "eventstoredb")
    return {
      env: { EVENT_STORE: process.env.E2E_EVENT_STORE ?? "sqlite" },
      stop: async () => undefined,
    };
  const real = process.env.EVENTSTORE_CONNECTION_STRING;
  if (real)
    return {
      env: { EVENT_STORE: "eventstoredb", EVENTSTORE_CONNECTION_STRING: real },
      stop: async () => undefined,
    };
  const double = await startDouble();
  return {
    env: { EVENT_STORE: "eventstoredb", EVENTSTORE_CONNECTION_STRING: double.connectionString },
    stop: () => double.stop(),
  };
}

export async function startTestInstance(
  natsUrl: string,
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<TestInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), "campaigns-service-"));
  const store = await e2eStoreEnv();
  // OPS_PORT off unless a test asks for it: many services run at once and would all want 9464.
  const config = loadConfig({
    NATS_URL: natsUrl,
    DATA_DIR: dataDir,
    OPS_PORT: "",
    ...store.env,
    ...env,
  });
  const instance = await startInstance(
    config,
    logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  );
  const nc = await connect({ servers: natsUrl });
  return {
    instance,
    nc,
    natsUrl,
    dataDir,
    client: (clientId) => new CampaignsClient(nc, clientId),
    async stop() {
      await nc.close();
      await instance.stop();
      await store.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A nats-server of its own and one instance on it; `stop` stops both. */
export async function startTestInstanceWithNats(
  env: Record<string, string> = {},
): Promise<TestInstance> {
  const nats = await startNatsServer();
  const instance = await startTestInstance(nats.url, env).catch(async (err: unknown) => {
    await nats.stop();
    throw err;
  });
  return {
    ...instance,
    async stop() {
      await instance.stop();
      await nats.stop();
    },
  };
}

export { seedPostBody };

/** Registers call flow 1 and CLI 1 for a client, as a back office would before creating campaigns. */
export async function registerDefaults(client: CampaignsClient): Promise<void> {
  await client.registerCallFlow({ callFlowId: 1, name: "Main" });
  await client.registerCli({ cliId: 1, number: "01632960001" });
}

/**
 * startTestInstanceWithNats with acme's defaults registered (registerDefaults)
 * and one seed campaign, `id`, created; `created` is the create's log position
 * (reads wait for the projections to reach it).
 */
export async function startTestInstanceWithCampaign(
  id: string,
): Promise<TestInstance & { created: bigint }> {
  const svc = await startTestInstanceWithNats();
  try {
    await registerDefaults(svc.client("acme"));
    return {
      ...svc,
      created: (await svc.client("acme").createCampaign({ id, ...seedPostBody() })).position,
    };
  } catch (err) {
    await svc.stop();
    throw err;
  }
}
