/**
 * The REST gateway against the real service and a real nats-server: the seed
 * documents' requests (000 and 001) as curl would send them, every route of
 * CONTRACT.md's REST table, problem+json errors with the NATS details.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CampaignRequestError,
  type CampaignsClient,
} from "../../../src/client/campaigns-client.js";
import { API_KEYS, type Gateway, http, startGatewayWithDefaults } from "../../support/gateway.js";

// Seed 000 "POST - Creates Campaign", the request body exactly as documented.
const SEED_POST_BODY = `{
	"name":"Test Campaign",
	"startDate": "2025-10-01",
	"startTime":"09:00",
	"finishTime":"12:00",
	"runoverDays":[
		{
			"date":"2025-10-02",
			"startTime":"09:00",
			"finishTime":"12:00"
		}
	],
	"callflow_Id":1,
	"cli_Id":1,
	"attempts":[
		{"interval":15, "attemptNumber":1}, 
		{"interval":60, "attemptNumber":2},
		{"interval":120, "attemptNumber":3}
	],
	"answerMachineDetected":0,
	"smsOnBusy":1,
	"phoneNumbers":[
		{
			"number":"07722123456",
			"name":"ben",
			"parameters": [ 
				{"value":"testing", "parameter":1}
			]
		},
		{
			"number":"07722734716",
			"name":"Dave"
		}
	]
}`;
const seedBody = () => JSON.parse(SEED_POST_BODY) as Record<string, any>;
/** What the seed's 201 and GET bodies hold besides the id (numbers as submitted; the service may add e164, timeZone). */
const seedFields = () => {
  const { phoneNumbers, attempts, ...settings } = seedBody();
  return {
    settings,
    attempts: attempts as { interval: number; attemptNumber: number }[],
    phoneNumbers: phoneNumbers as Record<string, unknown>[],
  };
};
const asSubmitted = (numbers: Record<string, unknown>[]) =>
  numbers.map(({ number, name, parameters }) => ({
    number,
    ...(name === undefined ? {} : { name }),
    ...(parameters === undefined ? {} : { parameters }),
  }));

let gw: Gateway;
let acme: CampaignsClient;
const acmeKey = API_KEYS.acme;
const globexKey = API_KEYS.globex;
const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) =>
  http(gw.base, method, path, options);
const now = () => new Date().toISOString();

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme", "globex"]);
  acme = gw.svc.client("acme");
});
afterAll(async () => {
  await gw?.stop();
});

const expectProblem = (result: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
  expect(result.status).toBe(status);
  expect(result.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(result.json).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    details: expect.any(Array),
  });
};

describe("seed 000: POST /api/campaigns/voice", () => {
  it("creates the seed's campaign: 201 with the seed's body and its id", async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      raw: SEED_POST_BODY,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toMatch(/^application\/json/);
    const { settings, attempts, phoneNumbers } = seedFields();
    expect(created.json).toMatchObject({ id: expect.any(String), ...settings });
    expect(created.json.attempts).toEqual(
      expect.arrayContaining(attempts.map((a) => expect.objectContaining(a))),
    );
    expect(asSubmitted(created.json.phoneNumbers)).toEqual(phoneNumbers);
    expect(Number(created.headers.get("log-position"))).toBeGreaterThan(0);
    expect(created.headers.get("location")).toBe(`/api/campaign/voice/${created.json.id}`);
  });

  it("accepts the singular form and a body without Content-Type (curl -d)", async () => {
    const singular = await call("POST", "/api/campaign/voice", {
      key: acmeKey,
      raw: SEED_POST_BODY,
    });
    expect(singular.status).toBe(201);
    const formEncoded = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      raw: SEED_POST_BODY,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(formEncoded.status).toBe(201);
  });

  it("/:ignoreInvalidPhoneNumbers = true drops invalid numbers and lists them; false refuses with one detail per number", async () => {
    const body = seedBody();
    body.phoneNumbers.push({ number: "12345" }, { number: "not a number", name: "x" });
    for (const path of ["/api/campaigns/voice/true", "/api/campaign/voice/true"]) {
      const created = await call("POST", path, { key: acmeKey, body });
      expect(created.status).toBe(201);
      expect(asSubmitted(created.json.phoneNumbers)).toEqual(seedFields().phoneNumbers);
      expect(created.json.ignoredPhoneNumbers).toEqual([
        { index: 2, number: "12345", reason: expect.any(String) },
        { index: 3, number: "not a number", reason: expect.any(String) },
      ]);
    }

    const refused = await call("POST", "/api/campaigns/voice/false", { key: acmeKey, body });
    expectProblem(refused, 422, "rule_violated");
    // The same details as the NATS error for the same command.
    const overNats = await acme.createCampaign(body as any).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(overNats).toBeInstanceOf(CampaignRequestError);
    expect(refused.json.details).toEqual((overNats as CampaignRequestError).details);
    expect(refused.json.details.map((d: any) => [d.index, d.number])).toEqual([
      [2, "12345"],
      [3, "not a number"],
    ]);

    expectProblem(
      await call("POST", "/api/campaigns/voice/perhaps", { key: acmeKey, body }),
      400,
      "invalid_request",
    );
  });

  it("refuses schema-invalid bodies with the NATS details, and unregistered call flows with 422", async () => {
    const body = { ...seedBody(), startTime: "9am", phoneNumbers: [] as unknown[] };
    const refused = await call("POST", "/api/campaigns/voice", { key: acmeKey, body });
    expectProblem(refused, 400, "invalid_request");
    const overNats = (await acme
      .createCampaign(body as any)
      .catch((e: unknown) => e)) as CampaignRequestError;
    expect(refused.json.details).toEqual(overNats.details);
    expect(refused.json.details.map((d: any) => d.field)).toEqual(
      expect.arrayContaining(["startTime", "phoneNumbers"]),
    );

    const unregistered = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      body: { ...seedBody(), callflow_Id: 99 },
    });
    expectProblem(unregistered, 422, "rule_violated");
    expect(unregistered.json.details).toContainEqual({
      field: "callflow_Id",
      reason: expect.stringContaining("99"),
    });
  });

  it("honours Idempotency-Key and Command-Id: a repeat returns the first reply and writes nothing", async () => {
    for (const header of ["Idempotency-Key", "Command-Id"]) {
      const key = `${header}-create-1`;
      const first = await call("POST", "/api/campaigns/voice", {
        key: acmeKey,
        raw: SEED_POST_BODY,
        headers: { [header]: key },
      });
      const again = await call("POST", "/api/campaigns/voice", {
        key: acmeKey,
        raw: SEED_POST_BODY,
        headers: { [header]: key },
      });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.json).toEqual(first.json);
      expect(again.headers.get("log-position")).toBe(first.headers.get("log-position"));
      const history = await call("GET", `/api/campaign/voice/${first.json.id}/history`, {
        key: acmeKey,
      });
      expect(history.json.events.map((e: any) => e.type)).toEqual([
        "CampaignCreated",
        "PhoneNumbersAdded",
      ]);
    }
  });

  it("answers malformed JSON, an empty body and a wrong shape with 400 problem+json", async () => {
    const malformed = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      raw: '{"name": "x",',
    });
    expectProblem(malformed, 400, "invalid_request");
    expect(malformed.json.details[0]).toMatchObject({
      field: "(body)",
      reason: expect.stringContaining("not JSON"),
    });
    // Seed 000's 201 example as written (it lacks a comma after the id).
    expectProblem(
      await call("POST", "/api/campaigns/voice", {
        key: acmeKey,
        raw: '{\n    "id": 1234578\n\t"name":"Test Campaign"}',
      }),
      400,
      "invalid_request",
    );
    expectProblem(
      await call("POST", "/api/campaigns/voice", { key: acmeKey, raw: "" }),
      400,
      "invalid_request",
    );
    expectProblem(
      await call("POST", "/api/campaigns/voice", { key: acmeKey, body: [1, 2] }),
      400,
      "invalid_request",
    );
    expectProblem(
      await call("PUT", "/api/campaign/voice/x", { key: acmeKey, raw: "nope" }),
      400,
      "invalid_request",
    );
    expectProblem(
      await call("POST", "/api/campaign/voice/x/attempts", { key: acmeKey, raw: "{" }),
      400,
      "invalid_request",
    );
  });
});

describe("seed 001: GET, PUT, DELETE", () => {
  let id: string;
  beforeAll(async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      body: { ...seedBody(), id: "seed-001" },
    });
    expect(created.status).toBe(201);
    id = created.json.id;
  });

  it("GET /api/campaign/voice lists the client's campaigns with phoneNumberCount and without phoneNumbers (both forms)", async () => {
    for (const path of ["/api/campaign/voice", "/api/campaigns/voice"]) {
      const list = await call("GET", path, { key: acmeKey });
      expect(list.status).toBe(200);
      expect(Array.isArray(list.json)).toBe(true);
      const item = list.json.find((c: any) => c.id === id);
      expect(item).toMatchObject({ id, ...seedFields().settings, phoneNumberCount: 2 });
      expect(item).not.toHaveProperty("phoneNumbers");
    }
  });

  it("GET /api/campaign/voice/:id returns the seed's body (both forms, and the seed's // typo); 404 otherwise", async () => {
    for (const path of [
      `/api/campaign/voice/${id}`,
      `/api/campaigns/voice/${id}`,
      `//api/campaign/voice/${id}`,
    ]) {
      const single = await call("GET", path, { key: acmeKey });
      expect(single.status).toBe(200);
      expect(single.json).toMatchObject({ id, ...seedFields().settings });
      expect(asSubmitted(single.json.phoneNumbers)).toEqual(seedFields().phoneNumbers);
    }
    expectProblem(
      await call("GET", "/api/campaign/voice/no-such-campaign", { key: acmeKey }),
      404,
      "not_found",
    );
  });

  it("PUT replaces the campaign: 204 and no body; the GET shows the replacement; 404 for an unknown id", async () => {
    const replacement = {
      ...seedBody(),
      name: "Test Campaign (replaced)",
      phoneNumbers: [{ number: "07722123456", name: "ben" }],
    };
    const put = await call("PUT", `/api/campaign/voice/${id}`, { key: acmeKey, body: replacement });
    expect(put.status).toBe(204);
    expect(put.text).toBe("");
    expect(Number(put.headers.get("log-position"))).toBeGreaterThan(0);
    const single = await call("GET", `/api/campaign/voice/${id}`, { key: acmeKey });
    expect(single.json).toMatchObject({ id, name: "Test Campaign (replaced)" });
    expect(asSubmitted(single.json.phoneNumbers)).toEqual([{ number: "07722123456", name: "ben" }]);

    expectProblem(
      await call("PUT", "/api/campaign/voice/no-such-campaign", {
        key: acmeKey,
        raw: SEED_POST_BODY,
      }),
      404,
      "not_found",
    );
    expectProblem(
      await call("PUT", `/api/campaign/voice/${id}`, {
        key: acmeKey,
        body: { ...seedBody(), id: "another" },
      }),
      400,
      "invalid_request",
    );
    // ?ignoreInvalidPhoneNumbers=true on a replacement with an invalid number.
    const lenient = await call("PUT", `/api/campaign/voice/${id}?ignoreInvalidPhoneNumbers=true`, {
      key: acmeKey,
      body: { ...seedBody(), phoneNumbers: [...seedBody().phoneNumbers, { number: "123" }] },
    });
    expect(lenient.status).toBe(204);
  });

  it("DELETE: 204, then 404 for GET, PUT and a second DELETE; the history stays", async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      raw: SEED_POST_BODY,
    });
    const doomed = created.json.id as string;
    const deleted = await call("DELETE", `/api/campaign/voice/${doomed}`, { key: acmeKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expectProblem(
      await call("GET", `/api/campaign/voice/${doomed}`, { key: acmeKey }),
      404,
      "not_found",
    );
    expectProblem(
      await call("DELETE", `/api/campaign/voice/${doomed}`, { key: acmeKey }),
      404,
      "not_found",
    );
    expectProblem(
      await call("PUT", `/api/campaign/voice/${doomed}`, { key: acmeKey, raw: SEED_POST_BODY }),
      404,
      "not_found",
    );
    const list = await call("GET", "/api/campaign/voice", { key: acmeKey });
    expect(list.json.map((c: any) => c.id)).not.toContain(doomed);
    const history = await call("GET", `/api/campaign/voice/${doomed}/history`, { key: acmeKey });
    expect(history.json.events.map((e: any) => e.type)).toEqual([
      "CampaignCreated",
      "PhoneNumbersAdded",
      "CampaignDeleted",
    ]);
  });
});

describe("numbers, attempts, stages, statistics, history, state", () => {
  let id: string;
  beforeAll(async () => {
    // The seed's dates are past, which leaves no calling window for a retry: the same body a few
    // years on.
    const future = {
      ...seedBody(),
      startDate: "2030-10-01",
      runoverDays: [{ date: "2030-10-02", startTime: "09:00", finishTime: "12:00" }],
    };
    id = (
      await call("POST", "/api/campaigns/voice", { key: acmeKey, body: { ...future, id: "ops-1" } })
    ).json.id;
  });

  it("POST .../phone-numbers adds numbers: 200 with added, duplicates and ignored; a bare array works too", async () => {
    const added = await call("POST", `/api/campaign/voice/${id}/phone-numbers`, {
      key: acmeKey,
      body: {
        phoneNumbers: [
          { number: "07712900123", name: "Eve" },
          { number: "+447722123456" },
          { number: "999" },
        ],
        ignoreInvalidPhoneNumbers: true,
      },
    });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({
      id,
      added: 1,
      duplicates: [{ index: 1, number: "+447722123456", e164: "+447722123456" }],
      ignoredPhoneNumbers: [{ index: 2, number: "999", reason: expect.any(String) }],
    });
    expect(Number(added.headers.get("log-position"))).toBeGreaterThan(0);
    const bare = await call("POST", `/api/campaign/voice/${id}/phone-numbers`, {
      key: acmeKey,
      body: [{ number: "07712900124" }],
    });
    expect(bare.status).toBe(200);
    expect(bare.json.added).toBe(1);
    const strict = await call("POST", `/api/campaign/voice/${id}/phone-numbers`, {
      key: acmeKey,
      body: [{ number: "999" }],
    });
    expectProblem(strict, 422, "rule_violated");
    expect(strict.json.details).toEqual([
      { field: "phoneNumbers.0.number", index: 0, number: "999", reason: expect.any(String) },
    ]);
    const lenient = await call(
      "POST",
      `/api/campaign/voice/${id}/phone-numbers?ignoreInvalidPhoneNumbers=true`,
      { key: acmeKey, body: [{ number: "999" }] },
    );
    expect(lenient.json).toMatchObject({
      added: 0,
      ignoredPhoneNumbers: [{ index: 0, number: "999" }],
    });
    const single = await call("GET", `/api/campaign/voice/${id}`, { key: acmeKey });
    expect(single.json.phoneNumbers.map((n: any) => n.number)).toEqual([
      "07722123456",
      "07722734716",
      "07712900123",
      "07712900124",
    ]);
    const page = await call("GET", `/api/campaign/voice/${id}?phoneNumbersPage=0`, {
      key: acmeKey,
    });
    expect(page.json).toMatchObject({ phoneNumbersPage: 0, phoneNumberPages: 1 });
    expect(page.json.phoneNumbers).toHaveLength(4);
  });

  it("POST .../attempts and .../stages record outcomes and stages: 200 with the command's reply", async () => {
    const busy = await call("POST", `/api/campaign/voice/${id}/attempts`, {
      key: acmeKey,
      body: { number: "07722123456", attemptNumber: 1, outcome: 3, occurredAt: now() },
    });
    expect(busy.status).toBe(200);
    expect(busy.json).toMatchObject({
      id,
      number: "07722123456",
      e164: "+447722123456",
      attemptNumber: 1,
      next: { status: "retry", attemptNumber: 2 },
    });
    const stage = await call("POST", `/api/campaigns/voice/${id}/stages`, {
      key: acmeKey,
      body: { number: "+447722734716", attemptNumber: 1, stage: 14, occurredAt: now() },
    });
    expect(stage.status).toBe(200);
    expect(stage.json).toMatchObject({ id, stage: 14, stageName: "OptOut" });
    const badOutcome = await call("POST", `/api/campaign/voice/${id}/attempts`, {
      key: acmeKey,
      body: { number: "07722123456", attemptNumber: 2, outcome: 14, occurredAt: now() },
    });
    expectProblem(badOutcome, 400, "invalid_request");
    expect(badOutcome.json.details).toContainEqual({
      field: "outcome",
      reason: "outcome codes are 1 to 13",
    });
    const outOfOrder = await call("POST", `/api/campaign/voice/${id}/attempts`, {
      key: acmeKey,
      body: { number: "07722123456", attemptNumber: 3, outcome: 1, occurredAt: now() },
    });
    expect([409, 422]).toContain(outOfOrder.status);
    expect(outOfOrder.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it("GET .../statistics counts them (read-your-writes through the gateway)", async () => {
    const statistics = await call("GET", `/api/campaign/voice/${id}/statistics`, { key: acmeKey });
    expect(statistics.status).toBe(200);
    expect(statistics.json.outcomes.find((o: any) => o.code === 3)).toMatchObject({
      name: "Busy",
      count: 1,
    });
    expect(statistics.json.stages.find((s: any) => s.code === 14)).toMatchObject({
      name: "OptOut",
      count: 1,
    });
    expect(statistics.json.attemptsRecorded).toBe(1);
  });

  it("GET .../history pages with fromRevision and limit; bad values are 400", async () => {
    const first = await call("GET", `/api/campaign/voice/${id}/history?limit=2`, { key: acmeKey });
    expect(first.status).toBe(200);
    expect(first.json.events.map((e: any) => [e.revision, e.type])).toEqual([
      [0, "CampaignCreated"],
      [1, "PhoneNumbersAdded"],
    ]);
    expect(first.json.nextRevision).toBe(2);
    const rest = await call(
      "GET",
      `/api/campaign/voice/${id}/history?fromRevision=${first.json.nextRevision}&limit=1000`,
      { key: acmeKey },
    );
    expect(rest.json.events[0].revision).toBe(2);
    expect(rest.json.events.map((e: any) => e.type)).toEqual(
      expect.arrayContaining(["AttemptOutcomeRecorded", "StageReached", "NumberOptedOut"]),
    );
    expect(rest.json.nextRevision).toBeNull();
    expectProblem(
      await call("GET", `/api/campaign/voice/${id}/history?limit=abc`, { key: acmeKey }),
      400,
      "invalid_request",
    );
    expectProblem(
      await call("GET", `/api/campaign/voice/${id}/history?limit=0`, { key: acmeKey }),
      400,
      "invalid_request",
    );
  });

  it("pause, resume and the state at a revision", async () => {
    const paused = await call("POST", `/api/campaign/voice/${id}/pause`, { key: acmeKey });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ id, revision: expect.any(Number) });
    expect((await call("GET", `/api/campaign/voice/${id}`, { key: acmeKey })).json.status).toBe(
      "paused",
    );
    expect((await call("POST", `/api/campaign/voice/${id}/resume`, { key: acmeKey })).status).toBe(
      200,
    );
    const before = await call("GET", `/api/campaign/voice/${id}/state?revision=1`, {
      key: acmeKey,
    });
    expect(before.status).toBe(200);
    expect(before.json.phoneNumbers).toHaveLength(2);
    const atNow = await call(
      "GET",
      `/api/campaign/voice/${id}/state?at=${encodeURIComponent(now())}`,
      { key: acmeKey },
    );
    expect(atNow.json.phoneNumbers).toHaveLength(4);
    expectProblem(
      await call("GET", `/api/campaign/voice/${id}/state`, { key: acmeKey }),
      400,
      "invalid_request",
    );
  });

  it("an unknown route is a 404 problem", async () => {
    expectProblem(await call("GET", "/api/nothing-here", { key: acmeKey }), 404, "not_found");
  });
});
