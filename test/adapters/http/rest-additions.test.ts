/**
 * A REST-only user: registers a call flow and a CLI, creates a first campaign,
 * and uses seed 001's printed forms (`POST /api/campaign/voice/:Id` with no
 * body as its DELETE, `//api/api/campaign/voice/:Id` as its GET single).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS, type Gateway, http, startGateway } from "../../support/gateway.js";
import { seedPostBody } from "../../support/instance.js";

let gw: Gateway;
const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) =>
  http(gw.base, method, path, options);
const acme = API_KEYS.acme;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.stop();
});

describe("call flows and CLIs over REST", () => {
  it("registers them with POST /api/call-flows and /api/clis, after which a first campaign can be created", async () => {
    const before = await call("POST", "/api/campaigns/voice", {
      key: acme,
      body: { ...seedPostBody(), id: "first" },
    });
    expect(before.status).toBe(422); // nothing registered yet

    const flow = await call("POST", "/api/call-flows", {
      key: acme,
      body: { callFlowId: 1, name: "Collections" },
    });
    expect(flow.status).toBe(200);
    expect(flow.json).toMatchObject({ callFlowId: 1 });
    expect(flow.headers.get("log-position")).toMatch(/^\d+$/);
    const cli = await call("POST", "/api/clis", {
      key: acme,
      body: { cliId: 1, number: "01632960001" },
    });
    expect(cli.status).toBe(200);
    expect(cli.json).toMatchObject({ cliId: 1 });

    const created = await call("POST", "/api/campaigns/voice", {
      key: acme,
      body: { ...seedPostBody(), id: "first" },
    });
    expect(created.status).toBe(201);
  });

  it("refuses a malformed registration with 400 and the fields named", async () => {
    const bad = await call("POST", "/api/call-flows", { key: acme, body: { callFlowId: "one" } });
    expect(bad.status).toBe(400);
    expect(bad.json.details.map((d: { field?: string }) => d.field)).toEqual(
      expect.arrayContaining(["callFlowId", "name"]),
    );
    expect((await call("POST", "/api/clis", { key: acme, body: { cliId: 2 } })).status).toBe(400);
    expect(
      (await call("POST", "/api/clis", { body: { cliId: 2, number: "01632960002" } })).status,
    ).toBe(401);
  });
});

describe("seed 001's printed forms", () => {
  it("GET //api/api/campaign/voice/:id is GET single", async () => {
    const single = await call("GET", "/api/campaign/voice/first", { key: acme });
    const printed = await call("GET", "//api/api/campaign/voice/first", { key: acme });
    expect(printed.status).toBe(200);
    expect(printed.json).toEqual(single.json);
    expect((await call("GET", "//api/api/campaign/voice/no-such", { key: acme })).status).toBe(404);
  });

  it("POST /api/campaign/voice/:id with no body deletes: 204, then 404; another client's is 404", async () => {
    await call("POST", "/api/campaigns/voice", {
      key: acme,
      body: { ...seedPostBody(), id: "doomed" },
    });
    expect(
      (await call("POST", "/api/campaign/voice/doomed", { key: API_KEYS.globex })).status,
    ).toBe(404);
    const deleted = await call("POST", "/api/campaign/voice/doomed", { key: acme });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("GET", "/api/campaign/voice/doomed", { key: acme })).status).toBe(404);
    expect((await call("POST", "/api/campaign/voice/doomed", { key: acme })).status).toBe(404);
    expect((await call("POST", "/api/campaigns/voice/no-such", { key: acme })).status).toBe(404);
  });

  it("still creates with POST .../true or .../false and a body (seed 000); another word with a body is 400", async () => {
    const created = await call("POST", "/api/campaign/voice/true", {
      key: acme,
      body: { ...seedPostBody(), id: "flagged" },
    });
    expect(created.status).toBe(201);
    const wrong = await call("POST", "/api/campaign/voice/flagged", {
      key: acme,
      body: { ...seedPostBody(), id: "other" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.details[0]).toMatchObject({ field: "ignoreInvalidPhoneNumbers" });
    expect((await call("GET", "/api/campaign/voice/flagged", { key: acme })).status).toBe(200); // untouched
  });
});

describe("position on the wire", () => {
  it("is a string of digits in the list, the statistics and the history alike", async () => {
    await call("POST", "/api/call-flows", {
      key: acme,
      body: { callFlowId: 1, name: "Collections" },
    });
    await call("POST", "/api/clis", { key: acme, body: { cliId: 1, number: "01632960001" } });
    const created = await call("POST", "/api/campaigns/voice", {
      key: acme,
      body: { ...seedPostBody(), id: "positioned" },
    });
    expect(created.status).toBe(201);
    const list = await call("GET", "/api/campaign/voice", { key: acme });
    const statistics = await call("GET", "/api/campaign/voice/positioned/statistics", {
      key: acme,
    });
    const history = await call("GET", "/api/campaign/voice/positioned/history", { key: acme });
    const positions = [
      list.json.find((c: { id: string }) => c.id === "positioned").position,
      statistics.json.position,
      ...history.json.events.map((e: { position: unknown }) => e.position),
    ];
    for (const position of positions) expect(position).toMatch(/^\d+$/);
    expect(history.json.events.at(-1).position).toBe(created.headers.get("log-position"));
  });
});
