import { describe, expect, it } from "vitest";
import { command, seedWith, spec } from "../../support/decider-specification.js";

const createWith = (phoneNumbers: object[], extra: object = {}) =>
  command("create-campaign", seedWith({ phoneNumbers, ...extra }));
const mobiles = (count: number, extra: object = {}) =>
  Array.from({ length: count }, (_, i) => ({
    number: `0771${String(i).padStart(7, "0")}`,
    ...extra,
  }));

describe("create-campaign: phone numbers", () => {
  it("needs one or more (400)", () => {
    spec
      .given([])
      .when(createWith([]))
      .thenFails("invalid_request", [{ field: "phoneNumbers" }]);
  });

  it("skips and reports a number given twice in two formats", () => {
    spec
      .given([])
      .when(
        createWith([
          { number: "07722123456", name: "first" },
          { number: "+447722123456", name: "second" },
        ]),
      )
      .thenMatches([
        { type: "CampaignCreated" },
        {
          type: "PhoneNumbersAdded",
          data: {
            numbers: [{ number: "07722123456", e164: "+447722123456", name: "first" }],
            duplicates: [{ index: 1, number: "+447722123456", e164: "+447722123456" }],
          },
        },
      ]);
  });

  describe("parameters", () => {
    const withParameters = (parameters: object[]) =>
      createWith([{ number: "07722123456", parameters }]);

    it("are numbered 1 to 9: parameter 10 is refused naming its path (400)", () => {
      spec
        .given([])
        .when(withParameters([{ parameter: 10, value: "x" }]))
        .thenFails("invalid_request", [{ field: "phoneNumbers.0.parameters.0.parameter" }]);
      spec
        .given([])
        .when(withParameters([{ parameter: 0, value: "x" }]))
        .thenFails("invalid_request", [{ field: "phoneNumbers.0.parameters.0.parameter" }]);
    });

    it("may each appear once per number (422)", () => {
      spec
        .given([])
        .when(
          withParameters([
            { parameter: 2, value: "x" },
            { parameter: 2, value: "y" },
          ]),
        )
        .thenFails("rule_violated", [
          {
            field: "phoneNumbers.0.parameters",
            index: 0,
            number: "07722123456",
            reason: "each parameter 1..9 may appear once",
          },
        ]);
    });

    it("are kept in parameter order", () => {
      spec
        .given([])
        .when(
          withParameters([
            { parameter: 9, value: "nine" },
            { parameter: 1, value: "one" },
          ]),
        )
        .thenMatches([
          {},
          {
            data: {
              numbers: [
                {
                  parameters: [
                    { parameter: 1, value: "one" },
                    { parameter: 9, value: "nine" },
                  ],
                },
              ],
            },
          },
        ]);
    });
  });

  describe("invalid numbers", () => {
    const phoneNumbers = [
      { number: "07722123456" },
      { number: "12345" },
      { number: "not a number" },
    ];

    it("reject the whole command with one detail per invalid number: index, number, reason (422)", () => {
      const error = spec.given([]).when(createWith(phoneNumbers)).thenFails("rule_violated");
      expect(error.details).toEqual([
        {
          field: "phoneNumbers.1.number",
          index: 1,
          number: "12345",
          reason: "not a valid number for its region",
        },
        {
          field: "phoneNumbers.2.number",
          index: 2,
          number: "not a number",
          reason: "not a phone number",
        },
      ]);
    });

    it("are dropped, and kept for audit, when ignoreInvalidPhoneNumbers is true", () => {
      spec
        .given([])
        .when(createWith(phoneNumbers, { ignoreInvalidPhoneNumbers: true }))
        .thenMatches([
          { type: "CampaignCreated" },
          {
            type: "PhoneNumbersAdded",
            data: { numbers: [{ e164: "+447722123456" }], duplicates: [] },
          },
          {
            type: "InvalidPhoneNumbersIgnored",
            data: {
              ignored: [
                { index: 1, number: "12345", reason: "not a valid number for its region" },
                { index: 2, number: "not a number", reason: "not a phone number" },
              ],
            },
          },
        ]);
    });

    it("leave no campaign when none is valid (422)", () => {
      spec
        .given([])
        .when(createWith([{ number: "123" }], { ignoreInvalidPhoneNumbers: true }))
        .thenFails("rule_violated", [{ field: "phoneNumbers", reason: "no valid number" }]);
    });
  });

  describe("limits", () => {
    it("take 10,000 numbers in one command", () => {
      const [, added] = spec
        .given([])
        .when(createWith(mobiles(10_000)))
        .events();
      expect(added?.type === "PhoneNumbersAdded" && added.data.numbers.length).toBe(10_000);
    });

    it("refuse more than 10,000 numbers in one command (400)", () => {
      spec
        .given([])
        .when(createWith(mobiles(10_001)))
        .thenFails("invalid_request", [
          {
            field: "phoneNumbers",
            reason: "at most 10000 numbers per command; send larger lists in chunks",
          },
        ]);
    });

    it("refuse a command whose events would not fit one append under 1 MiB (422)", () => {
      spec
        .given([])
        .when(createWith(mobiles(10_000, { name: "n".repeat(100) })))
        .thenFails("rule_violated", [{ field: "phoneNumbers" }]);
    });
  });
});
