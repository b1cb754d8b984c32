import { headers } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CampaignRequestError,
  type CampaignsClient,
} from "../../../src/client/campaigns-client.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstanceWithNats,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;
let acme: CampaignsClient;

beforeAll(async () => {
  svc = await startTestInstanceWithNats();
  acme = svc.client("acme");
  await registerDefaults(acme);
});
afterAll(async () => {
  await svc?.stop();
});

const now = () => new Date().toISOString();
const rejection = async (promise: Promise<unknown>): Promise<CampaignRequestError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CampaignRequestError))
    throw new Error(`expected a CampaignRequestError, got ${String(error)}`);
  return error;
};

describe("the seed's API over NATS", () => {
  it("creates the seed's campaign and reads back the seed's GET bodies", async () => {
    const created = await acme.createCampaign({ id: "seed-1", ...seedPostBody() });
    const { phoneNumbers, ...settings } = seedPostBody();
    expect(created.reply).toMatchObject({
      id: "seed-1",
      ...settings,
      phoneNumbers: phoneNumbers.map((n) => expect.objectContaining(n)),
    });
    expect(created.position).toBeGreaterThan(0n);

    const single = await acme.getCampaign({ id: "seed-1", minPosition: created.position });
    expect(single).toMatchObject({ id: "seed-1", ...settings });
    expect(
      single.phoneNumbers.map(({ number, name, parameters }) => ({
        number,
        name,
        ...(parameters ? { parameters } : {}),
      })),
    ).toEqual(phoneNumbers);

    const list = await acme.listCampaigns({ minPosition: created.position });
    const item = list.find((c) => c.id === "seed-1");
    expect(item).toMatchObject({ id: "seed-1", ...settings, phoneNumberCount: 2 });
    expect(item).not.toHaveProperty("phoneNumbers");
  });

  it("records outcomes and stages and shows them in the statistics", async () => {
    await acme.createCampaign({ id: "stats-1", ...seedPostBody() });
    const busy = await acme.recordAttemptOutcome({
      id: "stats-1",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 3,
      occurredAt: now(),
    });
    expect(busy.reply).toMatchObject({
      id: "stats-1",
      number: "07722123456",
      attemptNumber: 1,
      next: { status: "retry", attemptNumber: 2 },
    });
    const stage = await acme.recordStageReached({
      id: "stats-1",
      number: "+447722734716",
      attemptNumber: 1,
      stage: 14,
      occurredAt: now(),
    });
    expect(stage.reply).toMatchObject({ id: "stats-1", stage: 14 });
    const answered = await acme.recordAttemptOutcome({
      id: "stats-1",
      number: "07722734716",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: now(),
    });
    expect(answered.reply.next).toEqual({ status: "completed", result: "opted_out" });

    const statistics = (await acme.getCampaignStatistics({
      id: "stats-1",
      minPosition: answered.position,
    })) as Record<string, any>;
    expect(statistics.attemptsRecorded).toBe(2);
    expect(statistics.smsRequested).toBe(1);
    expect(statistics.outcomes.find((o: any) => o.code === 3)).toMatchObject({
      name: "Busy",
      count: 1,
    });
    expect(statistics.stages.find((s: any) => s.code === 14)).toMatchObject({
      name: "OptOut",
      count: 1,
    });
    expect(statistics.numbers).toMatchObject({ total: 2, pending: 1, optedOut: 1 });
    expect(statistics.answerRate).toBe(0.5);
  });

  it("replays a campaign's history and its state at a revision, even after deletion", async () => {
    // Numbers of their own: the campaign above opted +447722734716 out, which put it on acme's
    // exclusion list.
    await acme.createCampaign({
      id: "audit-1",
      ...seedPostBody(),
      phoneNumbers: [{ number: "07722900001" }, { number: "07722900002" }],
    });
    await acme.pauseCampaign({ id: "audit-1" });
    const deleted = await acme.deleteCampaign({ id: "audit-1" });
    expect(deleted.reply).toEqual({ id: "audit-1", revision: 3 });

    const history = await acme.getCampaignHistory({ id: "audit-1", limit: 2 });
    expect(history.events.map((e) => e.type)).toEqual(["CampaignCreated", "PhoneNumbersAdded"]);
    expect(history.nextRevision).toBe(2);
    const rest = await acme.getCampaignHistory({ id: "audit-1", fromRevision: 2 });
    expect(rest.events.map((e) => [e.revision, e.type])).toEqual([
      [2, "CampaignPaused"],
      [3, "CampaignDeleted"],
    ]);
    expect(rest.nextRevision).toBeNull();
    expect(rest.events[0]!.metadata).toMatchObject({ clientId: "acme" });

    const before = await acme.getCampaignStateAt({ id: "audit-1", revision: 2 });
    expect(before).toMatchObject({ id: "audit-1", name: "Test Campaign", status: "paused" });
    expect(before.phoneNumbers).toHaveLength(2);
    expect((await rejection(acme.getCampaignStateAt({ id: "audit-1", revision: 3 }))).status).toBe(
      404,
    );
    expect(
      (await rejection(acme.getCampaign({ id: "audit-1", minPosition: deleted.position }))).status,
    ).toBe(404);
  });

  it("writes once for the same Command-Id and returns the first reply", async () => {
    await acme.createCampaign({ id: "idem-1", ...seedPostBody() });
    const body = { id: "idem-1", phoneNumbers: [{ number: "07722000111" }] };
    const first = await acme.addPhoneNumbers(body, { commandId: "same-command" });
    const again = await acme.addPhoneNumbers(body, { commandId: "same-command" });
    expect(again.reply).toEqual(first.reply);
    expect(again.position).toBe(first.position);
    const history = await acme.getCampaignHistory({ id: "idem-1" });
    expect(history.events.filter((e) => e.type === "PhoneNumbersAdded")).toHaveLength(2);
  });

  it("reads `command-id` as `Command-Id`, and answers 409 command_id_reused for another command under a used id, writing nothing", async () => {
    await acme.createCampaign({ id: "idem-2", ...seedPostBody() });
    await acme.createCampaign({ id: "idem-3", ...seedPostBody() });
    const body = { id: "idem-2", phoneNumbers: [{ number: "07722000222" }] };
    const send = async (subject: string, payload: object, name: string) => {
      const h = headers();
      h.set(name, "lower-case-1");
      const reply = await svc.nc.request(
        subject,
        new TextEncoder().encode(JSON.stringify(payload)),
        { headers: h, timeout: 5000 },
      );
      return {
        status: reply.headers?.get("Nats-Service-Error-Code"),
        body: JSON.parse(new TextDecoder().decode(reply.data)),
      };
    };
    const first = await send("campaigns.acme.cmd.add-phone-numbers", body, "Command-Id");
    const again = await send("campaigns.acme.cmd.add-phone-numbers", body, "command-id");
    expect(again).toEqual(first);
    const reused = await send("campaigns.acme.cmd.pause-campaign", { id: "idem-3" }, "COMMAND-ID");
    expect(reused).toMatchObject({
      status: "409",
      body: {
        code: "command_id_reused",
        details: [
          { field: "Command-Id", reason: "first used for add-phone-numbers on campaign idem-2" },
        ],
      },
    });
    const [two, three] = [
      await acme.getCampaignHistory({ id: "idem-2" }),
      await acme.getCampaignHistory({ id: "idem-3" }),
    ];
    expect(two.events.filter((e) => e.type === "PhoneNumbersAdded")).toHaveLength(2);
    expect(three.events.map((e) => e.type)).not.toContain("CampaignPaused");
  });

  it("answers the services framework's PING, INFO and STATS with projection lag", async () => {
    const stats = JSON.parse(
      new TextDecoder().decode((await svc.nc.request("$SRV.STATS.campaigns")).data),
    );
    expect(stats.name).toBe("campaigns");
    expect(stats.endpoints.some((e: any) => e.subject === "campaigns.*.cmd.create-campaign")).toBe(
      true,
    );
    expect(stats.endpoints[0].data.projections).toHaveProperty("lag");
    const ping = JSON.parse(
      new TextDecoder().decode((await svc.nc.request("$SRV.PING.campaigns")).data),
    );
    expect(ping.name).toBe("campaigns");
  });
});

describe("a campaign too big for one NATS reply", () => {
  it("is answered a page of 1,000 numbers at a time, and the pages add up to the whole", async () => {
    const phoneNumbers = Array.from({ length: 9_000 }, (_, i) => ({
      number: `07726${String(i).padStart(6, "0")}`,
      name: `customer number ${i}`,
      parameters: [{ parameter: 1, value: `account reference ${i}`.padEnd(100, ".") }],
    }));
    await acme.createCampaign({
      id: "big-1",
      ...seedPostBody(),
      phoneNumbers: phoneNumbers.slice(0, 4_500),
    });
    const added = await acme.addPhoneNumbers({
      id: "big-1",
      phoneNumbers: phoneNumbers.slice(4_500),
    });
    const first = await acme.getCampaign({ id: "big-1", minPosition: added.position });
    expect(first).toMatchObject({
      phoneNumberCount: 9_000,
      phoneNumbersPage: 0,
      phoneNumberPages: 9,
    });
    expect(first.phoneNumbers).toHaveLength(1_000);
    const whole = await acme.getWholeCampaign({ id: "big-1" });
    expect(whole.phoneNumbers.map((n) => n.number)).toEqual(phoneNumbers.map((n) => n.number));

    // Its history does not fit one reply either (each add is about 700 KB even stored compactly):
    // it comes in pages that fit, and they add up to the whole stream.
    const history = await acme.getCampaignHistory({ id: "big-1" });
    expect(history.nextRevision).not.toBeNull();
    const rest = await acme.getCampaignHistory({
      id: "big-1",
      fromRevision: history.nextRevision!,
    });
    expect(rest.nextRevision).toBeNull();
    const types = [...history.events, ...rest.events].map((e) => e.type);
    expect(types).toEqual(["CampaignCreated", "PhoneNumbersAdded", "PhoneNumbersAdded"]);
  });
});
