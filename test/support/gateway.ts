/**
 * The whole service with its REST gateway on a free port, against a real
 * nats-server, plus a fetch helper shaped like the seed's curl examples.
 */
import { CampaignRequestError } from "../../src/client/campaigns-client.js";
import { freePort, type RunningNatsServer, startNatsServer } from "./nats-server.js";
import { registerDefaults, startTestInstance, type TestInstance } from "./instance.js";

export type Gateway = {
  nats: RunningNatsServer;
  svc: TestInstance;
  base: string;
  stop(): Promise<void>;
};

export const API_KEYS = { acme: "acme-key-1", globex: "globex-key-1" } as const;

export async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const nats = await startNatsServer();
  const port = await freePort();
  const svc = await startTestInstance(nats.url, {
    HTTP_PORT: String(port),
    API_KEYS: `${API_KEYS.acme}:acme,${API_KEYS.globex}:globex`,
    ...env,
  });
  await untilNatsEndpointsAnswer(svc);
  return {
    nats,
    svc,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      await svc.stop();
      await nats.stop();
    },
  };
}

/** startGateway, then call flow 1 and CLI 1 registered for each of `clients` (registerDefaults), as a back office begins. */
export async function startGatewayWithDefaults(
  clients: readonly string[],
  env: Record<string, string> = {},
): Promise<Gateway> {
  const gw = await startGateway(env);
  try {
    for (const clientId of clients) await registerDefaults(gw.svc.client(clientId));
    return gw;
  } catch (error) {
    await gw.stop();
    throw error;
  }
}

/**
 * The service's endpoint subscriptions may reach the server a moment after
 * startInstance returns; a query answered proves the command endpoints (added
 * before the queries) are subscribed too.
 */
async function untilNatsEndpointsAnswer(svc: TestInstance): Promise<void> {
  const client = svc.client("readiness");
  for (let i = 0; ; i++) {
    try {
      await client.listCampaigns({}, { timeoutMs: 1000 });
      return;
    } catch (error) {
      if (error instanceof CampaignRequestError) return; // answered, if with an error
      if (i >= 50) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export type HttpResult = { status: number; headers: Headers; text: string; json: any };

/** `curl -X <method> <base><path> -H "Authorization: Bearer <key>" -d '<body>'`. */
export async function http(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {
    ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    ...options.headers,
  };
  const body =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
