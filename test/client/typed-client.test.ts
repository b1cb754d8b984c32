/**
 * The typed client, imported from the package entry point, against the
 * running service; and the REST gateway and NATS seeing the same campaigns
 * through the same handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CampaignRequestError,
  CampaignsClient,
  CreateCampaignBody,
  RecordAttemptOutcomeBody,
  commandNames,
  commandSubject,
  errorStatus,
  queryNames,
  type CommandInput,
} from "../../src/index.js";
import { API_KEYS, type Gateway, http, startGateway } from "../support/gateway.js";
import { registerDefaults, seedPostBody } from "../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;

beforeAll(async () => {
  gw = await startGateway();
  acme = new CampaignsClient(gw.svc.nc, "acme");
  await registerDefaults(acme);
});
afterAll(async () => {
  await gw?.stop();
});

const rejection = async (promise: Promise<unknown>): Promise<CampaignRequestError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CampaignRequestError);
  return error as CampaignRequestError;
};

describe("the package entry point", () => {
  it("exports the client, the subjects and the domain's schemas", () => {
    expect(CreateCampaignBody.safeParse(seedPostBody()).success).toBe(true);
    expect(
      RecordAttemptOutcomeBody.safeParse({
        id: "x",
        number: "07722123456",
        attemptNumber: 1,
        outcome: 14,
        occurredAt: new Date().toISOString(),
      }).success,
    ).toBe(false);
    expect(commandNames).toEqual(
      expect.arrayContaining(["create-campaign", "add-phone-numbers", "register-cli"]),
    );
    expect(queryNames).toEqual(expect.arrayContaining(["get-campaign", "get-campaign-history"]));
    expect(commandSubject("acme", "create-campaign")).toBe("campaigns.acme.cmd.create-campaign");
    expect(errorStatus.rule_violated).toBe(422);
    expect(new CampaignRequestError(422, "rule_violated", "x", [])).toBeInstanceOf(Error);
  });
});

describe("CampaignsClient against the running service", () => {
  it("has one method per command and query, with typed replies and Log-Position", async () => {
    const body: CommandInput<"create-campaign"> = { ...seedPostBody(), id: "typed-1" };
    const created = await acme.createCampaign(body);
    expect(created.reply).toMatchObject({ id: "typed-1", name: "Test Campaign" });
    expect(created.position).toBeGreaterThan(0n);
    expect(created.commandId).toMatch(/^[0-9a-f-]{36}$/);

    const added = await acme.addPhoneNumbers({
      id: "typed-1",
      phoneNumbers: [{ number: "07712900001" }],
    });
    expect(added.reply).toEqual({
      id: "typed-1",
      added: 1,
      duplicates: [],
      ignoredPhoneNumbers: [],
    });
    const attempt = await acme.recordAttemptOutcome({
      id: "typed-1",
      number: "07712900001",
      attemptNumber: 1,
      outcome: 6,
      occurredAt: new Date().toISOString(),
    });
    expect(attempt.reply.next).toMatchObject({ status: "retry", attemptNumber: 2 });
    const stage = await acme.recordStageReached({
      id: "typed-1",
      number: "07712900001",
      attemptNumber: 1,
      stage: 10,
      occurredAt: new Date().toISOString(),
    });
    expect(stage.reply).toMatchObject({ stage: 10, stageName: "Answered" });
    expect((await acme.pauseCampaign({ id: "typed-1" })).reply).toMatchObject({ id: "typed-1" });
    expect((await acme.resumeCampaign({ id: "typed-1" })).reply).toMatchObject({ id: "typed-1" });
    const updated = await acme.updateCampaign({
      ...seedPostBody(),
      id: "typed-1",
      name: "Renamed",
    });

    const single = await acme.getCampaign({ id: "typed-1", minPosition: updated.position });
    expect(single.name).toBe("Renamed");
    const list = await acme.listCampaigns({ minPosition: updated.position });
    expect(list.find((c) => c.id === "typed-1")?.phoneNumberCount).toBe(2);
    const statistics = await acme.getCampaignStatistics({
      id: "typed-1",
      minPosition: updated.position,
    });
    expect(statistics).toMatchObject({ id: "typed-1" });
    const history = await acme.getCampaignHistory({ id: "typed-1" });
    expect(history.events.map((e) => e.type)).toContain("CampaignUpdated");
    const before = await acme.getCampaignStateAt({ id: "typed-1", revision: 0 });
    expect(before.name).toBe("Test Campaign");
    expect((await acme.deleteCampaign({ id: "typed-1" })).reply).toMatchObject({ id: "typed-1" });
  });

  it("generates a Command-Id unless given; a given one makes a retry return the first reply", async () => {
    const first = await acme.createCampaign(seedPostBody(), { commandId: "typed-retry-1" });
    const retry = await acme.createCampaign(seedPostBody(), { commandId: "typed-retry-1" });
    expect(first.commandId).toBe("typed-retry-1");
    expect(retry.reply).toEqual(first.reply);
    expect(retry.position).toBe(first.position);
    const other = await acme.createCampaign(seedPostBody());
    expect(other.reply.id).not.toBe(first.reply.id);
    expect(other.commandId).not.toBe(first.commandId);
  });

  it("throws CampaignRequestError with the contract's status, code and details", async () => {
    const missing = await rejection(acme.getCampaign({ id: "nope" }));
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    const invalid = await rejection(
      acme.createCampaign({ ...seedPostBody(), phoneNumbers: [{ number: "123" }] }),
    );
    expect(invalid).toMatchObject({ status: 422, code: "rule_violated" });
    expect(invalid.details).toEqual([
      { field: "phoneNumbers.0.number", index: 0, number: "123", reason: expect.any(String) },
    ]);
    const malformed = await rejection(
      acme.recordAttemptOutcome({
        id: "x",
        number: "1",
        attemptNumber: 0,
        outcome: 1,
        occurredAt: "yesterday",
      }),
    );
    expect(malformed).toMatchObject({ status: 400, code: "invalid_request" });
    expect(malformed.details.map((d) => d.field)).toEqual(
      expect.arrayContaining(["attemptNumber", "occurredAt"]),
    );
  });

  it("sees what the REST gateway wrote, and the gateway sees what it wrote: the same handlers", async () => {
    const viaRest = await http(gw.base, "POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "via-rest" },
    });
    expect(viaRest.status).toBe(201);
    const seen = await acme.getCampaign({
      id: "via-rest",
      minPosition: viaRest.headers.get("log-position")!,
    });
    expect(seen).toMatchObject({ id: "via-rest", name: "Test Campaign" });

    const viaNats = await acme.createCampaign({ ...seedPostBody(), id: "via-nats" });
    const read = await http(gw.base, "GET", "/api/campaign/voice/via-nats", {
      key: API_KEYS.acme,
      headers: { "Min-Position": viaNats.position.toString() },
    });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(await acme.getCampaign({ id: "via-nats" }));

    // A Command-Id used over NATS is the same idempotency key over REST.
    const overNats = await acme.addPhoneNumbers(
      { id: "via-nats", phoneNumbers: [{ number: "07712900002" }] },
      { commandId: "shared-key-1" },
    );
    const overRest = await http(gw.base, "POST", "/api/campaign/voice/via-nats/phone-numbers", {
      key: API_KEYS.acme,
      body: [{ number: "07712900002" }],
      headers: { "Idempotency-Key": "shared-key-1" },
    });
    expect(overRest.json).toEqual(overNats.reply);
    expect(overRest.headers.get("log-position")).toBe(overNats.position.toString());
  });
});
