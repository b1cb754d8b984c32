/**
 * The dial queue over REST and the typed client, against the real service:
 * claims, releases, the queue's counts and both exclusion lists, and another
 * tenant's view of them (404 or empty). The service runs on the real clock,
 * so the campaign's window is today, all day.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CampaignRequestError,
  type CampaignsClient,
} from "../../../src/client/campaigns-client.js";
import { API_KEYS, type Gateway, http, startGatewayWithDefaults } from "../../support/gateway.js";
import { seedPostBody } from "../../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;
const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) =>
  http(gw.base, method, path, options);
const acmeKey = API_KEYS.acme;
const globexKey = API_KEYS.globex;

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Open all day today and tomorrow (London: the numbers are GB mobiles). */
const allDay = (phoneNumbers: { number: string; name?: string }[]) => ({
  ...seedPostBody(),
  startDate: day(0),
  startTime: "00:00",
  finishTime: "23:59",
  runoverDays: [{ date: day(1), startTime: "00:00", finishTime: "23:59" }],
  phoneNumbers,
});

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme", "globex"]);
  acme = gw.svc.client("acme");
});
afterAll(async () => {
  await gw?.stop();
});

describe("claims over REST", () => {
  it("POST .../claims hands attempts out, DELETE .../claims hands them back, GET .../dial-queue counts them", async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      body: allDay([{ number: "07722000001", name: "Ann" }, { number: "07722000002" }]),
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const claimed = await call("POST", `/api/campaign/voice/${id}/claims`, {
      key: acmeKey,
      body: { limit: 1, claimSeconds: 60 },
    });
    expect(claimed.status).toBe(200);
    expect(claimed.json).toMatchObject({
      id,
      claims: [
        {
          number: "07722000001",
          e164: "+447722000001",
          attemptNumber: 1,
          leaveMessage: false,
          name: "Ann",
          claimedUntil: expect.any(String),
          claimId: expect.any(String),
        },
      ],
    });
    expect(
      (await call("GET", `/api/campaign/voice/${id}/dial-queue`, { key: acmeKey })).json,
    ).toMatchObject({ id, dueNow: 1, claimed: 1, excluded: 0, completed: 0 });

    const released = await call("DELETE", `/api/campaigns/voice/${id}/claims`, {
      key: acmeKey,
      body: { numbers: ["+447722000001"] },
    });
    expect(released.json).toEqual({ id, released: 1, notHeld: [] });
    expect(
      (await call("GET", `/api/campaign/voice/${id}/dial-queue`, { key: acmeKey })).json,
    ).toMatchObject({ dueNow: 2, claimed: 0 });

    // Another tenant: the same routes are 404, with the same words as a missing campaign.
    for (const [method, path, body] of [
      ["POST", "claims", { limit: 1 }],
      ["DELETE", "claims", { numbers: ["07722000001"] }],
      ["GET", "dial-queue", undefined],
    ] as const) {
      const refused = await call(method, `/api/campaign/voice/${id}/${path}`, {
        key: globexKey,
        ...(body === undefined ? {} : { body }),
      });
      expect(refused.status).toBe(404);
    }
  });

  it("releases by claimId (a claim not held is listed in notHeld), and records a call made under a claim though its number was excluded mid-call: in statistics and both exports", async () => {
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      body: allDay([{ number: "07722000041", name: "Eve" }, { number: "07722000042" }]),
    });
    const id = created.json.id as string;
    const claimed = await call("POST", `/api/campaign/voice/${id}/claims`, {
      key: acmeKey,
      body: { limit: 2 },
    });
    const [eve, other] = claimed.json.claims as { number: string; claimId: string }[];
    const release = await call("DELETE", `/api/campaign/voice/${id}/claims`, {
      key: acmeKey,
      body: {
        claims: [
          { number: other!.number, claimId: other!.claimId },
          { number: eve!.number, claimId: "not-a-claim-of-this-number" },
        ],
      },
    });
    expect(release.json).toEqual({ id, released: 1, notHeld: ["07722000041"] });

    // While Eve's call is under way, she goes on the campaign's list for good.
    await call("POST", `/api/campaign/voice/${id}/exclusions`, {
      key: acmeKey,
      body: { numbers: [{ number: "07722000041", reason: "complaint" }] },
    });
    const outcome = {
      number: "07722000041",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: new Date(Date.now() - 1000).toISOString(),
    };
    const refused = await call("POST", `/api/campaign/voice/${id}/attempts`, {
      key: acmeKey,
      body: outcome,
    });
    expect(refused.status).toBe(409);
    const recorded = await call("POST", `/api/campaign/voice/${id}/attempts`, {
      key: acmeKey,
      body: { ...outcome, claimId: eve!.claimId },
    });
    expect(recorded.status).toBe(200);
    expect(recorded.json).toMatchObject({ next: { status: "completed", result: "excluded" } });
    const minPosition = recorded.headers.get("log-position")!;
    const statistics = await call(
      "GET",
      `/api/campaign/voice/${id}/statistics?minPosition=${minPosition}`,
      { key: acmeKey },
    );
    expect(statistics.json).toMatchObject({
      attemptsRecorded: 1,
      answerRate: 1,
      results: { excluded: 1 },
    });
    const csv = async (kind: string) =>
      parse(
        (
          await call("GET", `/api/campaign/voice/${id}/${kind}.csv`, {
            key: acmeKey,
            headers: { "min-position": minPosition },
          })
        ).text,
      ) as string[][];
    expect((await csv("results"))[1]).toEqual([
      "07722000041",
      "+447722000041",
      "Eve",
      "1",
      "1",
      "Answered",
      "excluded",
      "",
      outcome.occurredAt,
    ]);
    expect((await csv("attempts")).slice(1)).toEqual([
      ["07722000041", "+447722000041", "1", "1", "Answered", outcome.occurredAt, ""],
    ]);
  });

  it("refuses a limit out of range (400 problem) and writes nothing", async () => {
    const { reply } = await acme.createCampaign(allDay([{ number: "07722000003" }]));
    const refused = await call("POST", `/api/campaign/voice/${reply.id}/claims`, {
      key: acmeKey,
      body: { limit: 5000 },
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: "invalid_request", details: [{ field: "limit" }] });
    expect(await acme.getDialQueue({ id: reply.id })).toMatchObject({ dueNow: 1, claimed: 0 });
  });
});

describe("exclusion lists over REST and the typed client", () => {
  it("the client's list: POST adds, GET pages in E.164 order, DELETE removes; other tenants see none of it", async () => {
    const added = await call("POST", "/api/exclusions", {
      key: acmeKey,
      body: {
        numbers: [
          { number: "07722000012", reason: "complaint" },
          { number: "07722000011" },
          { number: "nope" },
        ],
      },
    });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({
      added: 2,
      alreadyExcluded: 0,
      invalid: [{ index: 2, number: "nope", reason: expect.any(String) }],
    });
    const first = await call("GET", "/api/exclusions?limit=1", { key: acmeKey });
    expect(first.json).toEqual({
      numbers: [{ number: "07722000011", e164: "+447722000011", addedAt: expect.any(String) }],
      next: "+447722000011",
    });
    const second = await call(
      "GET",
      `/api/exclusions?limit=1&after=${encodeURIComponent(first.json.next)}`,
      { key: acmeKey },
    );
    expect(second.json).toMatchObject({
      numbers: [{ e164: "+447722000012", reason: "complaint" }],
    });
    expect(second.json.next).toBeUndefined();
    expect((await call("GET", "/api/exclusions", { key: globexKey })).json).toEqual({
      numbers: [],
    });

    // A campaign created afterwards keeps them out.
    const created = await call("POST", "/api/campaigns/voice", {
      key: acmeKey,
      body: allDay([{ number: "07722000011" }, { number: "07722000013" }]),
    });
    expect(created.json.excluded).toEqual([{ index: 0, number: "07722000011", list: "client" }]);

    expect(
      (
        await call("DELETE", "/api/exclusions", {
          key: acmeKey,
          body: { numbers: ["07722000011"] },
        })
      ).json,
    ).toEqual({ removed: 1 });
    expect((await acme.listExclusions()).numbers.map((n) => n.e164)).toEqual(["+447722000012"]);
  });

  it("a campaign's own list: its numbers on it (here until 2099) are held back and never claimed", async () => {
    const { reply } = await acme.createCampaign(
      allDay([{ number: "07722000021" }, { number: "07722000022" }]),
    );
    const added = await call("POST", `/api/campaign/voice/${reply.id}/exclusions`, {
      key: acmeKey,
      body: { numbers: [{ number: "07722000021", expiresAt: "2099-01-01T00:00:00Z" }] },
    });
    expect(added.json).toEqual({ added: 1, alreadyExcluded: 0, invalid: [] });
    expect(
      (await call("GET", `/api/campaign/voice/${reply.id}/exclusions`, { key: acmeKey })).json,
    ).toMatchObject({
      numbers: [{ e164: "+447722000021", expiresAt: "2099-01-01T00:00:00.000Z" }],
    });
    const { reply: claimed } = await acme.claimDueAttempts({ id: reply.id, limit: 10 });
    expect(claimed.claims.map((c) => c.e164)).toEqual(["+447722000022"]);
    expect(await acme.getDialQueue({ id: reply.id })).toMatchObject({
      excluded: 1,
      claimed: 1,
      dueNow: 0,
    });
    // Another tenant cannot read or change it.
    expect(
      (await call("GET", `/api/campaign/voice/${reply.id}/exclusions`, { key: globexKey })).status,
    ).toBe(404);
    expect(
      (
        await call("DELETE", `/api/campaign/voice/${reply.id}/exclusions`, {
          key: globexKey,
          body: { numbers: ["07722000021"] },
        })
      ).status,
    ).toBe(404);
    await expect(
      gw.svc.client("globex").releaseClaims({ id: reply.id, numbers: ["07722000022"] }),
    ).rejects.toBeInstanceOf(CampaignRequestError);
  });

  it("a claim repeated with the same Command-Id gets the same claims back", async () => {
    const { reply } = await acme.createCampaign(
      allDay([{ number: "07722000031" }, { number: "07722000032" }, { number: "07722000033" }]),
    );
    const first = await acme.claimDueAttempts(
      { id: reply.id, limit: 1 },
      { commandId: "claim-once" },
    );
    const again = await acme.claimDueAttempts(
      { id: reply.id, limit: 1 },
      { commandId: "claim-once" },
    );
    expect(again.reply).toEqual(first.reply);
    expect(await acme.getDialQueue({ id: reply.id })).toMatchObject({ claimed: 1, dueNow: 2 });
  });
});
