/**
 * The CLI reaches the service over NATS as the tenant does: NATS_URL (default
 * nats://127.0.0.1:4222) and its credentials, replies under the tenant's own inbox prefix
 * (docs/contract.md "Tenants and NATS permissions"). What cannot be reached is said in one line
 * naming NATS_URL.
 */
import { connect } from "nats";
import { CampaignsClient, tenantConnectionOptions } from "../client/campaigns-client.js";
import { TENANT } from "../contract/subjects.js";
import {
  authRefusal,
  isNatsAuthFailure,
  isNotNats,
  natsSettings,
  notNatsRefusal,
} from "../main/nats-connection.js";
import { UsageError } from "./usage.js";

const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

export function clientOf(client: string | undefined): string {
  if (client === undefined) throw new UsageError("--client <c> is required");
  if (!TENANT.test(client))
    throw new UsageError(`--client ${client}: 1 to 64 letters, digits, '-' or '_'`);
  return client;
}

export async function withClient<T>(
  env: Record<string, string | undefined>,
  clientId: string,
  run: (client: CampaignsClient) => Promise<T>,
): Promise<T> {
  const nats = natsSettings({ ...env, NATS_URL: env.NATS_URL || DEFAULT_NATS_URL });
  const nc = await connect({
    servers: nats.servers,
    ...nats.auth,
    ...tenantConnectionOptions(clientId),
    name: "campaigns-cli",
    timeout: 5000,
  }).catch((error: unknown) => {
    if (isNatsAuthFailure(error)) throw authRefusal(nats);
    if (isNotNats(error)) throw notNatsRefusal(nats);
    throw new Error(
      `cannot reach NATS at ${nats.shownServers} (${error instanceof Error ? error.message : String(error)}); is the service running? set NATS_URL to its NATS server`,
    );
  });
  try {
    return await run(new CampaignsClient(nc, clientId));
  } finally {
    await nc.drain().catch(() => undefined); // a connection the server closed is already gone
  }
}
