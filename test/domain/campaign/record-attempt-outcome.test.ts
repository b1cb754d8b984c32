import { describe, it } from "vitest";
import {
  type AttemptReport,
  after,
  created,
  recordOutcome,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const report = (
  attemptNumber: number,
  outcome: number,
  occurredAt: string,
  number = BEN,
): AttemptReport => ({ number, attemptNumber, outcome, occurredAt });
const campaign = created();
const noAnswerOnFirst = after(campaign, recordOutcome(report(1, 6, "2030-10-01T08:30:00.000Z")));

describe("record-attempt-outcome", () => {
  describe("takes only the number's next attempt", () => {
    it("refuses any other attempt number (409)", () => {
      spec
        .given(campaign)
        .when(recordOutcome(report(2, 6, "2030-10-01T08:30:00.000Z")))
        .thenFails("conflict", [{ field: "attemptNumber", number: BEN, reason: "expected 1" }]);
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(3, 6, "2030-10-01T09:00:00.000Z")))
        .thenFails("conflict", [{ field: "attemptNumber", reason: "expected 2" }]);
    });

    it("takes the next one", () => {
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(2, 1, "2030-10-01T09:00:00.000Z")))
        .thenMatches([
          {
            type: "AttemptOutcomeRecorded",
            data: {
              attemptNumber: 2,
              outcome: 1,
              next: { status: "completed", result: "contacted" },
            },
          },
        ]);
    });
  });

  describe("a repeat of the last attempt", () => {
    it("is a no-op when exact, however its time is written", () => {
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:30:00.000Z")))
        .thenNothingHappens();
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(1, 6, "2030-10-01T09:30:00+01:00")))
        .thenNothingHappens();
    });

    it("is refused when its outcome or time differ (409)", () => {
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(1, 1, "2030-10-01T08:30:00.000Z")))
        .thenFails("conflict", [
          {
            field: "attemptNumber",
            reason: "already recorded as outcome 6 at 2030-10-01T08:30:00.000Z",
          },
        ]);
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:31:00.000Z")))
        .thenFails("conflict", [{ field: "attemptNumber" }]);
    });

    it("of a completed number is still a no-op", () => {
      const answered = after(campaign, recordOutcome(report(1, 1, "2030-10-01T08:30:00.000Z")));
      spec
        .given(answered)
        .when(recordOutcome(report(1, 1, "2030-10-01T08:30:00.000Z")))
        .thenNothingHappens();
    });
  });

  it("refuses any attempt on a completed number (409)", () => {
    const answered = after(campaign, recordOutcome(report(1, 1, "2030-10-01T08:30:00.000Z")));
    spec
      .given(answered)
      .when(recordOutcome(report(2, 6, "2030-10-01T09:30:00.000Z")))
      .thenFails("conflict", [{ field: "number", reason: "completed: contacted" }]);
    const exhausted = after(campaign, recordOutcome(report(1, 6, "2030-10-02T10:55:00.000Z")));
    spec
      .given(exhausted)
      .when(recordOutcome(report(2, 6, "2030-10-02T10:58:00.000Z")))
      .thenFails("conflict", [{ reason: "completed: exhausted" }]);
  });

  describe("occurredAt", () => {
    it("may be up to five minutes ahead of now (clock skew), no further (422)", () => {
      const now = spec.with({ now: "2030-10-01T08:30:00.000Z" });
      now
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:35:00.000Z")))
        .thenMatches([{ data: { occurredAt: "2030-10-01T08:35:00.000Z" } }]);
      now
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:35:01.000Z")))
        .thenFails("rule_violated", [
          { field: "occurredAt", reason: "after now (2030-10-01T08:30:00.000Z)" },
        ]);
    });

    it("may not precede the previous attempt (422)", () => {
      spec
        .given(noAnswerOnFirst)
        .when(recordOutcome(report(2, 6, "2030-10-01T08:00:00.000Z")))
        .thenFails("rule_violated", [{ field: "occurredAt" }]);
    });

    it("is an ISO-8601 instant with an offset (400), stored in UTC", () => {
      spec
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01 08:30")))
        .thenFails("invalid_request", [{ field: "occurredAt" }]);
      spec
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:30:00")))
        .thenFails("invalid_request", [{ field: "occurredAt" }]);
      spec
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T09:30:00+01:00")))
        .thenMatches([{ data: { occurredAt: "2030-10-01T08:30:00.000Z" } }]);
    });
  });

  describe("the number", () => {
    it("may be given in any format that normalises to the stored one", () => {
      for (const number of ["+447722123456", "+44 (0)7722 123456", "0044 7722 123 456"])
        spec
          .given(campaign)
          .when(recordOutcome(report(1, 6, "2030-10-01T08:30:00.000Z", number)))
          .thenMatches([{ data: { e164: "+447722123456" } }]);
    });

    it("must be in the campaign (404)", () => {
      spec
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:30:00.000Z", "07700900999")))
        .thenFails("not_found", [
          { field: "number", number: "07700900999", reason: "not in this campaign" },
        ]);
    });

    it("must be a phone number (400)", () => {
      spec
        .given(campaign)
        .when(recordOutcome(report(1, 6, "2030-10-01T08:30:00.000Z", "ben")))
        .thenFails("invalid_request", [{ field: "number", number: "ben" }]);
    });
  });

  it("records each number's attempts independently", () => {
    spec
      .given(noAnswerOnFirst)
      .when(recordOutcome(report(1, 1, "2030-10-01T08:40:00.000Z", "07722734716")))
      .thenMatches([
        {
          data: {
            e164: "+447722734716",
            attemptNumber: 1,
            next: { status: "completed", result: "contacted" },
          },
        },
      ]);
  });
});
