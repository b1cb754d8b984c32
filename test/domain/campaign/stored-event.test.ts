import { describe, expect, it } from "vitest";
import {
  type CampaignEvent,
  decodeCampaignEvent,
  encodeCampaignEvent,
  replayCampaign,
  campaignDecider,
} from "../../../src/domain/index.js";
import { storedBytes } from "../../../src/domain/campaign/append-size.js";
import {
  after,
  command,
  created,
  recordOutcome,
  seedWith,
} from "../../support/decider-specification.js";
import { seedContext } from "../../support/seed.js";

const add = (phoneNumbers: object[], extra: object = {}) =>
  command("add-phone-numbers", { phoneNumbers, ...extra });

/** Events as stored before tables: lists of objects (what stores written by earlier builds hold). */
const oldShaped = (events: readonly CampaignEvent[]) =>
  JSON.parse(JSON.stringify(events)) as { type: string; data: unknown }[];
const roundTrip = (events: readonly CampaignEvent[]) =>
  events.map((event) =>
    decodeCampaignEvent(JSON.parse(JSON.stringify(encodeCampaignEvent(event)))),
  );

describe("stored events", () => {
  const history = after(
    created(
      seedWith({
        phoneNumbers: [
          {
            number: "07722 000001",
            name: "Ann",
            parameters: [
              { parameter: 2, value: "£10" },
              { parameter: 1, value: "x" },
            ],
          },
          { number: "+447722000002" },
          { number: "07722000001" },
        ],
      }),
    ),
    add(
      [
        { number: "07722000003", parameters: [{ parameter: 9, value: "" }] },
        { number: "999" },
        { number: "+447722000002" },
      ],
      { ignoreInvalidPhoneNumbers: true },
    ),
    command("update-campaign", {
      ...seedWith({
        phoneNumbers: [{ number: "07722000003" }, { number: "07722000003" }, { number: "abc" }],
      }),
      ignoreInvalidPhoneNumbers: true,
    }),
    recordOutcome({
      number: "07722000003",
      attemptNumber: 1,
      outcome: 3,
      occurredAt: "2030-10-01T08:30:00.000Z",
    }),
  );

  it("keeps lists of numbers as tables: field names once, a row per number, e164 as digits, parameters as pairs", () => {
    const added = encodeCampaignEvent(history.find((e) => e.type === "PhoneNumbersAdded")!);
    expect(added.data).toEqual({
      numbers: {
        columns: ["number", "e164", "name", "parameters"],
        rows: [
          [
            "07722 000001",
            447722000001,
            "Ann",
            [
              [1, "x"],
              [2, "£10"],
            ],
          ],
          ["+447722000002", 447722000002],
        ],
      },
      duplicates: {
        columns: ["index", "number", "e164"],
        rows: [[2, "07722000001", 447722000001]],
      },
    });
    const ignored = encodeCampaignEvent(
      history.find((e) => e.type === "InvalidPhoneNumbersIgnored")!,
    );
    expect(ignored.data).toEqual({
      ignored: { columns: ["index", "number", "reason"], rows: [[1, "999", "not_valid"]] },
    });
  });

  it("leaves out columns no number uses and an empty duplicates list", () => {
    const events = campaignDecider.decide(
      command("create-campaign", seedWith({ phoneNumbers: [{ number: "07722000001" }] })) as never,
      campaignDecider.initialState(),
      seedContext("2030-10-01T08:00:00.000Z"),
    ) as CampaignEvent[];
    expect(encodeCampaignEvent(events[1]!).data).toEqual({
      numbers: { columns: ["number", "e164"], rows: [["07722000001", 447722000001]] },
    });
  });

  it("decodes to exactly the domain events it encoded, every type", () => {
    expect(new Set(history.map((e) => e.type)).size).toBeGreaterThanOrEqual(5);
    expect(roundTrip(history)).toEqual(history);
  });

  it("upcasts events stored before tables: they decode as they are and replay to the same state", () => {
    const stored = oldShaped(history);
    expect(stored.map(decodeCampaignEvent)).toEqual(history);
    const fromOld = replayCampaign(campaignDecider.initialState(), stored.map(decodeCampaignEvent));
    const fromNew = replayCampaign(
      campaignDecider.initialState(),
      history.map(encodeCampaignEvent).map(decodeCampaignEvent),
    );
    expect(fromNew).toEqual(fromOld);
  });

  it("reads a table by its own columns, so a column added later or in another order still decodes", () => {
    const decoded = decodeCampaignEvent({
      type: "PhoneNumbersAdded",
      data: {
        numbers: {
          columns: ["e164", "number", "futureColumn"],
          rows: [[447722000001, "07722000001", "kept"]],
        },
      },
    });
    expect(decoded.data).toEqual({
      numbers: [{ e164: "+447722000001", number: "07722000001", futureColumn: "kept" }],
      duplicates: [],
    });
  });

  it("stores 10,000 numbers with a name and a parameter in under 70% of the bytes of the objects, and fewer than its request", () => {
    const numbers = Array.from({ length: 10_000 }, (_, i) => ({
      number: `0771${String(i).padStart(7, "0")}`,
      name: `Customer ${i}`,
      parameters: [{ parameter: 1, value: `ref-${i}` }],
    }));
    const [, addedEvent] = created(seedWith({ phoneNumbers: numbers }));
    const objects = Buffer.byteLength(JSON.stringify(addedEvent!.data));
    const stored = storedBytes([addedEvent!]);
    expect(stored).toBeLessThan(objects * 0.7);
    expect(stored).toBeLessThan(Buffer.byteLength(JSON.stringify({ phoneNumbers: numbers })));
  });
});
