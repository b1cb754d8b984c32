/**
 * API keys and tenant isolation on every route of the gateway's table: no key
 * or an unknown key is a 401; a key only ever reaches its own client's
 * campaigns (another client's campaign is a 404, exactly like a missing one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../../src/adapters/http/operations.js";
import { API_KEYS, type Gateway, http, startGateway } from "../../support/gateway.js";
import { registerDefaults, seedPostBody } from "../../support/instance.js";

let gw: Gateway;
const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) =>
  http(gw.base, method, path, options);
const now = () => new Date().toISOString();

/** A plausible body for each operation, so that only the key decides the answer. */
const bodyFor = (operationId: string): unknown =>
  ({
    createCampaign: seedPostBody(),
    updateCampaign: { ...seedPostBody(), name: "hijacked" },
    addPhoneNumbers: { phoneNumbers: [{ number: "07712555000" }] },
    recordAttemptOutcome: {
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: now(),
    },
    recordStageReached: { number: "07722123456", attemptNumber: 1, stage: 1, occurredAt: now() },
    claimDueAttempts: { limit: 1 },
    releaseClaims: { numbers: ["07722123456"] },
    addExclusionsOfCampaign: { numbers: [{ number: "07722123456" }] },
    removeExclusionsOfCampaign: { numbers: ["07722123456"] },
  })[operationId];

const queries: Record<string, string> = {
  getCampaignStateAt: "?revision=0",
  getCampaignTimeline: "?bucket=day",
};
const queryFor = (operationId: string) => queries[operationId] ?? "";

const everyRoute = operations.flatMap((op) => op.paths.map((path) => ({ op, path })));

beforeAll(async () => {
  gw = await startGateway();
  await registerDefaults(gw.svc.client("acme"));
  await registerDefaults(gw.svc.client("globex"));
});
afterAll(async () => {
  await gw?.stop();
});

describe("authentication", () => {
  it.each(everyRoute.map(({ op, path }) => [`${op.method} ${path}`, op, path] as const))(
    "%s without a key, or with an unknown key, is 401 problem+json",
    async (_name, op, path) => {
      const url = path.replace(":id", "any-id").replace(":ignoreInvalidPhoneNumbers", "true");
      const attempts: Record<string, string>[] = [
        {},
        { authorization: "Bearer wrong-key" },
        { "x-api-key": "wrong-key" },
        { authorization: `Basic ${API_KEYS.acme}` },
      ];
      for (const headers of attempts) {
        const result = await call(op.method, url, {
          headers,
          ...(bodyFor(op.operationId) === undefined ? {} : { body: bodyFor(op.operationId) }),
        });
        expect(result.status).toBe(401);
        expect(result.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        expect(result.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(result.json).toMatchObject({
          status: 401,
          code: "unauthorized",
          title: "Unauthorized",
        });
      }
    },
  );

  it("takes the key from Authorization: Bearer or X-Api-Key", async () => {
    expect(
      (
        await call("GET", "/api/campaign/voice", {
          headers: { authorization: `Bearer ${API_KEYS.acme}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call("GET", "/api/campaign/voice", {
          headers: { authorization: `bearer ${API_KEYS.acme}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call("GET", "/api/campaign/voice", { headers: { "x-api-key": API_KEYS.acme } }))
        .status,
    ).toBe(200);
  });

  it("malformed JSON without a key is still a 401 (the key is checked first)", async () => {
    expect((await call("POST", "/api/campaigns/voice", { raw: "{" })).status).toBe(401);
  });

  it("/openapi.json needs no key", async () => {
    expect((await call("GET", "/openapi.json")).status).toBe(200);
  });
});

describe("tenant isolation", () => {
  let acmeId: string;
  let acmeBefore: unknown;
  beforeAll(async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "acme-private" },
    });
    expect(created.status).toBe(201);
    acmeId = created.json.id;
    acmeBefore = (await call("GET", `/api/campaign/voice/${acmeId}`, { key: API_KEYS.acme })).json;
  });

  // Create's `:id` is seed 000's ignoreInvalidPhoneNumbers flag (with a body); bodyless, it is seed
  // 001's printed DELETE (gateway.test.ts).
  const campaignRoutes = everyRoute.filter(
    ({ op, path }) => path.includes(":id") && op.operationId !== "createCampaign",
  );

  it.each(campaignRoutes.map(({ op, path }) => [`${op.method} ${path}`, op, path] as const))(
    "%s with globex's key on acme's campaign is 404",
    async (_name, op, path) => {
      const url = path.replace(":id", acmeId) + queryFor(op.operationId);
      const body = bodyFor(op.operationId);
      const asGlobex = await call(op.method, url, {
        key: API_KEYS.globex,
        ...(body === undefined ? {} : { body }),
      });
      expect(asGlobex.status).toBe(404);
      expect(asGlobex.json).toMatchObject({ code: "not_found" });
      // Indistinguishable from a campaign that does not exist at all.
      const missing = await call(
        op.method,
        path.replace(":id", "no-such-campaign") + queryFor(op.operationId),
        { key: API_KEYS.globex, ...(body === undefined ? {} : { body }) },
      );
      expect(missing.status).toBe(404);
      expect(asGlobex.json.detail).toBe(missing.json.detail.replace("no-such-campaign", acmeId));
    },
  );

  it("globex's list does not show acme's campaigns, and acme's campaign is untouched", async () => {
    const globexList = await call("GET", "/api/campaign/voice", { key: API_KEYS.globex });
    expect(globexList.json.map((c: any) => c.id)).not.toContain(acmeId);
    const acmeAfter = await call("GET", `/api/campaign/voice/${acmeId}`, { key: API_KEYS.acme });
    expect(acmeAfter.status).toBe(200);
    expect(acmeAfter.json).toEqual(acmeBefore);
    const history = await call("GET", `/api/campaign/voice/${acmeId}/history`, {
      key: API_KEYS.acme,
    });
    expect(history.json.events.map((e: any) => e.type)).toEqual([
      "CampaignCreated",
      "PhoneNumbersAdded",
    ]);
  });

  it("creating with acme's id as globex is a conflict that reveals nothing, and globex cannot hijack it", async () => {
    const clash = await call("POST", "/api/campaigns/voice", {
      key: API_KEYS.globex,
      body: { ...seedPostBody(), id: acmeId },
    });
    expect(clash.status).toBe(409);
    const unused = await call("POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "acme-second" },
    });
    expect(unused.status).toBe(201);
    const clashOwn = await call("POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "acme-second" },
    });
    expect(clashOwn.json.detail).toBe(clash.json.detail.replace(acmeId, "acme-second"));
  });
});
