/** Bad input of every kind gets a clear, typed error; nothing is written and the service keeps running. */
import { headers, type Msg } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  seedPostBody,
  startTestInstanceWithCampaign,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;
let created: bigint; // the create's log position: reads wait for the projections to reach it

beforeAll(async () => {
  ({ created, ...svc } = await startTestInstanceWithCampaign("c-1"));
});
afterAll(async () => {
  await svc?.stop();
});

const decoder = new TextDecoder();
const send = (subject: string, data: string | Uint8Array): Promise<Msg> =>
  svc.nc.request(subject, data, { timeout: 5000 });
const errorOf = (msg: Msg) => ({
  status: Number(msg.headers?.get("Nats-Service-Error-Code")),
  description: msg.headers?.get("Nats-Service-Error"),
  body: JSON.parse(decoder.decode(msg.data)) as {
    code: string;
    message: string;
    details: { field?: string; reason: string }[];
  },
});
const head = () => svc.instance.store.headPosition(); // unchanged head of the log = nothing written

describe("bad input", () => {
  it.each([
    ["non-JSON", "{not json"],
    ["non-JSON across lines (the parser's message quotes it)", "{\n  not json\n"],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    [
      "wrong types",
      JSON.stringify({
        id: "c-1",
        number: 7722123456,
        attemptNumber: "1",
        outcome: 1,
        occurredAt: "yesterday",
      }),
    ],
    [
      "an unknown field",
      JSON.stringify({
        id: "c-1",
        number: "07722123456",
        attemptNumber: 1,
        outcome: 1,
        occurredAt: new Date().toISOString(),
        colour: "red",
      }),
    ],
  ])("answers %s with 400 and the offending fields", async (_label, data) => {
    const before = await head();
    const error = errorOf(await send("campaigns.acme.cmd.record-attempt-outcome", data));
    expect(error.status).toBe(400);
    expect(error.body.code).toBe("invalid_request");
    expect(error.body.details.length).toBeGreaterThan(0);
    expect(error.body.message).toContain(error.description!.slice(0, 20));
    expect(await head()).toBe(before);
  });

  it("names each offending field", async () => {
    const error = errorOf(
      await send(
        "campaigns.acme.cmd.record-attempt-outcome",
        JSON.stringify({
          id: "c-1",
          number: 7722123456,
          attemptNumber: "1",
          outcome: 99,
          occurredAt: "yesterday",
        }),
      ),
    );
    expect(error.body.details.map((d) => d.field).sort()).toEqual([
      "attemptNumber",
      "number",
      "occurredAt",
      "outcome",
    ]);
  });

  it("refuses a payload over the server's max payload in the client, and the service keeps serving", async () => {
    const huge = new Uint8Array((svc.nc.info?.max_payload ?? 1024 * 1024) + 1);
    await expect(send("campaigns.acme.cmd.add-phone-numbers", huge)).rejects.toThrow(
      /MAX_PAYLOAD|payload/i,
    );
    expect(await svc.client("acme").getCampaign({ id: "c-1", minPosition: created })).toMatchObject(
      { id: "c-1" },
    );
  });

  it("accepts as one append a command that fits the max payload, however its events would have been spelled (DESIGN.md: big commands)", async () => {
    // Before events stored numbers as tables this was refused: its events took more than one
    // append.
    const phoneNumbers = Array.from({ length: 9000 }, (_, i) => ({
      number: `07725${String(i).padStart(6, "0")}`,
      name: "n".repeat(60),
    }));
    const reply = await svc.nc.request(
      "campaigns.acme.cmd.add-phone-numbers",
      JSON.stringify({ id: "c-1", phoneNumbers }),
      { timeout: 30_000 },
    );
    expect(reply.headers?.get("Nats-Service-Error-Code") ?? "").toBe("");
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({
      id: "c-1",
      added: 9000,
    });
    expect(
      (await svc.client("acme").getCampaignHistory({ id: "c-1" })).events.map((e) => e.type),
    ).toEqual(["CampaignCreated", "PhoneNumbersAdded", "PhoneNumbersAdded"]);
  });

  it("answers a subject without a tenant, or with an invalid one, with 400", async () => {
    expect(
      errorOf(await send("campaigns.cmd.create-campaign", JSON.stringify(seedPostBody()))).status,
    ).toBe(400);
    expect(
      errorOf(
        await send("campaigns.bad+tenant.cmd.create-campaign", JSON.stringify(seedPostBody())),
      ).body.details[0]!.field,
    ).toBe("subject");
  });

  it("answers an unknown outcome with the rule in the message and keeps the Correlation-Id out of errors' way", async () => {
    const h = headers();
    h.set("Correlation-Id", "corr-1");
    const msg = await svc.nc.request(
      "campaigns.acme.cmd.record-attempt-outcome",
      JSON.stringify({
        id: "c-1",
        number: "07722123456",
        attemptNumber: 1,
        outcome: 14,
        occurredAt: new Date().toISOString(),
      }),
      { timeout: 5000, headers: h },
    );
    expect(errorOf(msg).body.details[0]).toMatchObject({
      field: "outcome",
      reason: "outcome codes are 1 to 13",
    });
  });
});
