/**
 * The campaign timeline end to end: over REST and NATS (typed client) on the
 * night the clocks go back, and refilled by `campaigns rebuild timeline`.
 */
import { connect } from "nats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KvReadModels } from "../../../src/adapters/nats/kv-read-models.js";
import {
  CampaignRequestError,
  type CampaignsClient,
} from "../../../src/client/campaigns-client.js";
import { runCli } from "../../support/cli.js";
import { API_KEYS, type Gateway, http, startGatewayWithDefaults } from "../../support/gateway.js";
import { seedPostBody } from "../../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;
let position: bigint;

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme"]);
  acme = gw.svc.client("acme");
  await acme.createCampaign({ ...seedPostBody(), id: "night" });
  // 01:30 BST, then 01:30 GMT an hour later: 25 October 2026, the clocks go back at 02:00 BST.
  await acme.recordAttemptOutcome({
    id: "night",
    number: "07722123456",
    attemptNumber: 1,
    outcome: 3,
    occurredAt: "2026-10-25T00:30:00Z",
  });
  position = (
    await acme.recordAttemptOutcome({
      id: "night",
      number: "07722734716",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: "2026-10-25T01:30:00Z",
    })
  ).position;
});
afterAll(async () => {
  await gw?.stop();
});

const expectedHours = [
  {
    start: "2026-10-25T01:00:00+01:00",
    attempts: 1,
    outcomes: { Busy: 1 },
    stages: {},
    contacted: 0,
    smsRequested: 1,
  },
  {
    start: "2026-10-25T01:00:00+00:00",
    attempts: 1,
    outcomes: { Answered: 1 },
    stages: {},
    contacted: 1,
    smsRequested: 0,
  },
];

it("answers GET .../timeline?bucket=hour|day on the campaign's local clock", async () => {
  // The attempts went over NATS: Min-Position makes the gateway's read include them.
  const hours = await http(gw.base, "GET", "/api/campaign/voice/night/timeline?bucket=hour", {
    key: API_KEYS.acme,
    headers: { "min-position": position.toString() },
  });
  expect(hours.status).toBe(200);
  expect(hours.json).toEqual({
    id: "night",
    timeZone: "Europe/London",
    bucket: "hour",
    buckets: expectedHours,
  });
  const days = await http(gw.base, "GET", "/api/campaigns/voice/night/timeline?bucket=day", {
    key: API_KEYS.acme,
  });
  expect(days.json.buckets).toEqual([
    {
      start: "2026-10-25T00:00:00+01:00",
      attempts: 2,
      outcomes: { Busy: 1, Answered: 1 },
      stages: {},
      contacted: 1,
      smsRequested: 1,
    },
  ]);
  const later = await http(
    gw.base,
    "GET",
    "/api/campaign/voice/night/timeline?bucket=hour&from=2026-10-25T01:00:00Z",
    { key: API_KEYS.acme },
  );
  expect(later.json.buckets).toEqual([expectedHours[1]]);
  const unsaid = await http(gw.base, "GET", "/api/campaign/voice/night/timeline", {
    key: API_KEYS.acme,
  });
  expect(unsaid.status).toBe(200); // no bucket: hours
  expect(unsaid.json).toMatchObject({ bucket: "hour", buckets: expectedHours });
  const bad = await http(gw.base, "GET", "/api/campaign/voice/night/timeline?bucket=week", {
    key: API_KEYS.acme,
  });
  expect(bad.status).toBe(400);
  expect(bad.json.details).toEqual([expect.objectContaining({ field: "bucket" })]);
});

it("answers get-campaign-timeline over NATS with the typed client, and 404 for another client", async () => {
  expect(
    await acme.getCampaignTimeline({ id: "night", bucket: "hour", minPosition: position }),
  ).toEqual({ id: "night", timeZone: "Europe/London", bucket: "hour", buckets: expectedHours });
  await expect(
    gw.svc.client("globex").getCampaignTimeline({ id: "night", bucket: "hour" }),
  ).rejects.toMatchObject({
    status: 404,
    code: "not_found",
  } satisfies Partial<CampaignRequestError>);
});

it("is refilled from the log by `campaigns rebuild timeline`", { timeout: 60_000 }, async () => {
  const nc = await connect({ servers: gw.nats.url });
  try {
    const readModels = await KvReadModels.open(nc);
    for (const key of ["acme.night", ...(await readModels.keys("timelines", "acme.night."))])
      await readModels.put("timelines", key, undefined);
    await expect(acme.getCampaignTimeline({ id: "night", bucket: "hour" })).rejects.toMatchObject({
      status: 404,
    });
    const result = await runCli(["rebuild", "timeline"], {
      NATS_URL: gw.nats.url,
      DATA_DIR: gw.svc.dataDir,
      EVENT_STORE: "sqlite",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^rebuilt timeline: /);
    expect((await acme.getCampaignTimeline({ id: "night", bucket: "hour" })).buckets).toEqual(
      expectedHours,
    );
  } finally {
    await nc.close();
  }
});
