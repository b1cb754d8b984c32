import { describe, it } from "vitest";
import { type NextStep } from "../../../src/domain/index.js";
import { created, recordOutcome, seedWith, spec } from "../../support/decider-specification.js";

// Seed campaign (without SMS): 2030-10-01 09:00-12:00 Europe/London (08:00Z-11:00Z); attempt 1's
// interval is 15 minutes.
const campaign = created(seedWith({ smsOnBusy: 0 }));
const occurredAt = "2030-10-01T08:30:00.000Z";
const retry: NextStep = {
  status: "retry",
  attemptNumber: 2,
  dueAt: "2030-10-01T08:45:00.000Z",
  leaveMessage: false,
};
const completed = (result: Extract<NextStep, { status: "completed" }>["result"]): NextStep => ({
  status: "completed",
  result,
});

// DESIGN.md's table: the seed's outcome codes 1..13 and what follows each.
const table: [number, string, NextStep][] = [
  [1, "Answered", completed("contacted")],
  [2, "Unobtainable", completed("failed")],
  [3, "Busy", retry],
  [4, "AnswerphoneMessageNotLeft", retry],
  [5, "AnswerphoneMessageLeft", completed("message_left")],
  [6, "NoAnswer", retry],
  [7, "Overflow", retry],
  [8, "OutOfTime", retry],
  [9, "Fax", completed("failed")],
  [10, "Unknown", retry],
  [11, "ExcludedNumber", completed("excluded")],
  [12, "NoConnection", retry],
  [13, "InvalidNumber", completed("failed")],
];

describe("record-attempt-outcome: outcome codes", () => {
  it.each(table)("%i %s -> %o", (outcome, outcomeName, next) => {
    spec
      .given(campaign)
      .when(recordOutcome({ number: "07722123456", attemptNumber: 1, outcome, occurredAt }))
      .then([
        {
          type: "AttemptOutcomeRecorded",
          data: { e164: "+447722123456", attemptNumber: 1, outcome, outcomeName, occurredAt, next },
        },
      ]);
  });

  it.each([0, 14, 1.5])("refuses code %s (400)", (outcome) => {
    spec
      .given(campaign)
      .when(recordOutcome({ number: "07722123456", attemptNumber: 1, outcome, occurredAt }))
      .thenFails("invalid_request", [{ field: "outcome" }]);
  });
});
