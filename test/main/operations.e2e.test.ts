/**
 * CONTRACT.md "Operations": /healthz, /readyz and /metrics on OPS_PORT (and on
 * HTTP_PORT), readiness through a NATS outage, metrics and $SRV.STATS after
 * refused requests.
 */
import type { NamedEndpointStats } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CampaignRequestError } from "../../src/client/campaigns-client.js";
import { freePort, type RunningNatsServer, startNatsServer } from "../support/nats-server.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstance,
  type TestInstance,
} from "../support/instance.js";

let nats: RunningNatsServer;
let svc: TestInstance;
let ops: string;

beforeAll(async () => {
  nats = await startNatsServer();
  svc = await startTestInstance(nats.url, {
    OPS_PORT: "0",
    HTTP_PORT: String(await freePort()),
    API_KEYS: "k:acme",
  });
  ops = `http://127.0.0.1:${svc.instance.ops!.port}`;
  await registerDefaults(svc.client("acme"));
});
afterAll(async () => {
  await svc?.stop();
  await nats?.stop();
});

const get = async (url: string) => {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
};
const readiness = async () => {
  const { status, text } = await get(`${ops}/readyz`);
  return { status, body: JSON.parse(text) as { ready: boolean; reasons: string[] } };
};
async function eventually<T>(
  probe: () => Promise<T>,
  until: (value: T) => boolean,
  withinMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** One sample of the Prometheus text, by its name and labels as printed. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("health and readiness", () => {
  it("answers /healthz and /readyz on OPS_PORT and on HTTP_PORT, without an API key", async () => {
    expect((await get(`${ops}/healthz`)).status).toBe(200);
    expect(await readiness()).toEqual({ status: 200, body: { ready: true, reasons: [] } });
    const gateway = `http://127.0.0.1:${svc.instance.http!.port}`;
    expect((await get(`${gateway}/readyz`)).status).toBe(200);
    expect((await get(`${gateway}/metrics`)).text).toContain("campaigns_requests_total");
  });
});

describe("metrics and $SRV.STATS", () => {
  it("count a refused command by its code, and time the whole asynchronous handling", async () => {
    const acme = svc.client("acme");
    const refused = await acme
      .createCampaign({ ...seedPostBody(), startTime: "25:00" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CampaignRequestError);
    const code = (refused as CampaignRequestError).code;
    await acme.createCampaign({ id: "ops-1", ...seedPostBody() });
    // A read that waits for a position the log will not reach answers 503 after its wait (5 s).
    await expect(acme.getCampaign({ id: "ops-1", minPosition: 10n ** 12n })).rejects.toMatchObject({
      code: "unavailable",
    });

    const metrics = await get(`${ops}/metrics`);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect(
      sample(
        metrics.text,
        `campaigns_requests_total{kind="command",name="create-campaign",code="${code}",transport="nats"}`,
      ),
    ).toBe(1);
    expect(
      sample(
        metrics.text,
        `campaigns_requests_total{kind="command",name="create-campaign",code="ok",transport="nats"}`,
      ),
    ).toBe(1);
    expect(
      sample(
        metrics.text,
        `campaigns_request_duration_seconds_count{kind="command",name="create-campaign"}`,
      ),
    ).toBe(2);
    expect(
      sample(
        metrics.text,
        `campaigns_request_duration_seconds_bucket{le="1",kind="query",name="get-campaign"}`,
      ),
    ).toBe(0);
    expect(sample(metrics.text, "campaigns_in_flight_requests")).toBe(0);
    expect(sample(metrics.text, "campaigns_projection_lag_events")).toBeGreaterThanOrEqual(0);
    expect(
      sample(metrics.text, "campaigns_event_store_append_duration_seconds_count"),
    ).toBeGreaterThanOrEqual(3); // directory x2, campaign
    expect(metrics.text).toContain("process_cpu_seconds_total");

    let endpoints: NamedEndpointStats[] = [];
    for await (const stats of await svc.nc.services.client().stats("campaigns"))
      endpoints = stats.endpoints ?? [];
    const create = endpoints.find((e) => e.name === "cmd-create-campaign")!;
    expect(create).toMatchObject({ num_requests: 2, num_errors: 1 });
    expect(create.last_error).toMatch(new RegExp(`^${code}: `));
    const read = endpoints.find((e) => e.name === "query-get-campaign")!;
    expect(read).toMatchObject({ num_requests: 1, num_errors: 1 });
    expect(read.average_processing_time).toBeGreaterThanOrEqual(4.5e9); // nanoseconds: the whole wait, not the synchronous start
  }, 30_000);
});

describe("readiness through a NATS outage (last: it restarts the server)", () => {
  it("says 503 with the reason while NATS is away, and 200 again once it is back", async () => {
    const { port, storeDir } = nats;
    await nats.stop({ keepStore: true });
    const away = await eventually(readiness, (r) => r.status === 503);
    expect(away.status).toBe(503);
    expect(away.body.ready).toBe(false);
    expect(away.body.reasons.join(" ")).toMatch(/^nats: not connected/);
    expect((await get(`${ops}/healthz`)).status).toBe(200); // alive all the same: no restart wanted

    nats = await startNatsServer({ restart: { port, storeDir } });
    const back = await eventually(readiness, (r) => r.status === 200);
    expect(back).toEqual({ status: 200, body: { ready: true, reasons: [] } });
  }, 60_000);
});
