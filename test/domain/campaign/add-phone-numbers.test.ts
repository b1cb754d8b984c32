import { describe, it } from "vitest";
import {
  after,
  command,
  created,
  recordOutcome,
  spec,
} from "../../support/decider-specification.js";

const add = (phoneNumbers: object[], extra: object = {}) =>
  command("add-phone-numbers", { phoneNumbers, ...extra });
const mobiles = (count: number, extra: object = {}) =>
  Array.from({ length: count }, (_, i) => ({
    number: `0771${String(i).padStart(7, "0")}`,
    ...extra,
  }));

describe("add-phone-numbers", () => {
  it("adds new numbers in E.164, with their names and parameters", () => {
    spec
      .given(created())
      .when(
        add([
          { number: "07722 000001", name: "Ann", parameters: [{ parameter: 2, value: "£10" }] },
        ]),
      )
      .then([
        {
          type: "PhoneNumbersAdded",
          data: {
            numbers: [
              {
                number: "07722 000001",
                e164: "+447722000001",
                name: "Ann",
                parameters: [{ parameter: 2, value: "£10" }],
              },
            ],
            duplicates: [],
          },
        },
      ]);
  });

  it("skips and reports numbers already in the campaign, in whatever format they come", () => {
    spec
      .given(created())
      .when(add([{ number: "+447722123456" }, { number: "07722000001" }]))
      .then([
        {
          type: "PhoneNumbersAdded",
          data: {
            numbers: [{ number: "07722000001", e164: "+447722000001" }],
            duplicates: [{ index: 0, number: "+447722123456", e164: "+447722123456" }],
          },
        },
      ]);
  });

  it("skips and reports numbers repeated within the list", () => {
    spec
      .given(created())
      .when(add([{ number: "07722000001" }, { number: "+44 7722 000001" }]))
      .then([
        {
          type: "PhoneNumbersAdded",
          data: {
            numbers: [{ number: "07722000001", e164: "+447722000001" }],
            duplicates: [{ index: 1, number: "+44 7722 000001", e164: "+447722000001" }],
          },
        },
      ]);
  });

  it("is idempotent when the same chunk comes again: everything is a duplicate", () => {
    const chunk = add([{ number: "07722000001" }, { number: "07722000002" }]);
    spec
      .given(after(created(), chunk))
      .when(chunk)
      .thenMatches([{ data: { numbers: [], duplicates: [{ index: 0 }, { index: 1 }] } }]);
  });

  it("starts added numbers at their first attempt", () => {
    const log = after(created(), add([{ number: "07722000001" }]));
    spec
      .given(log)
      .when(
        recordOutcome({
          number: "07722000001",
          attemptNumber: 2,
          outcome: 1,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      )
      .thenFails("conflict", [{ reason: "expected 1" }]);
  });

  it("rejects invalid numbers with one detail each (422), or ignores them when asked", () => {
    const phoneNumbers = [{ number: "07722000001" }, { number: "999" }];
    spec
      .given(created())
      .when(add(phoneNumbers))
      .thenFails("rule_violated", [{ field: "phoneNumbers.1.number", index: 1, number: "999" }]);
    spec
      .given(created())
      .when(add(phoneNumbers, { ignoreInvalidPhoneNumbers: true }))
      .thenMatches([
        { type: "PhoneNumbersAdded", data: { numbers: [{ e164: "+447722000001" }] } },
        {
          type: "InvalidPhoneNumbersIgnored",
          data: {
            ignored: [{ index: 1, number: "999", reason: "not a valid number for its region" }],
          },
        },
      ]);
  });

  it("needs one or more numbers, at most 10,000 (400)", () => {
    spec
      .given(created())
      .when(add([]))
      .thenFails("invalid_request", [{ field: "phoneNumbers" }]);
    spec
      .given(created())
      .when(add(mobiles(10_001)))
      .thenFails("invalid_request", [{ field: "phoneNumbers" }]);
  });

  it("refuses a chunk whose events would not fit one append under 1 MiB (422)", () => {
    spec
      .given(created())
      .when(add(mobiles(10_000, { name: "n".repeat(100) })))
      .thenFails("rule_violated", [
        {
          field: "phoneNumbers",
          reason: "too large for one atomic append; split into smaller chunks",
        },
      ]);
    spec
      .given(created())
      .when(add(mobiles(5_000, { name: "n".repeat(100) })))
      .thenMatches([{ type: "PhoneNumbersAdded" }]);
  });
});
