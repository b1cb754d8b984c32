import { describe, it } from "vitest";
import { stages } from "../../../src/domain/index.js";
import {
  after,
  created,
  recordOutcome,
  recordStage,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const at = "2030-10-01T08:30:00.000Z";
const stage = (code: number, attemptNumber = 1, occurredAt = at, number = BEN) =>
  recordStage({ number, attemptNumber, stage: code, occurredAt });
const campaign = created();
const noAnswerOnFirst = after(
  campaign,
  recordOutcome({
    number: BEN,
    attemptNumber: 1,
    outcome: 6,
    occurredAt: "2030-10-01T08:35:00.000Z",
  }),
);

describe("record-stage-reached", () => {
  it("records the stage against the number's current attempt, with its name", () => {
    spec
      .given(campaign)
      .when(stage(1))
      .then([
        {
          type: "StageReached",
          data: {
            e164: "+447722123456",
            attemptNumber: 1,
            stage: 1,
            stageName: "CorrectCallee",
            occurredAt: at,
          },
        },
      ]);
  });

  it.each(stages.map((name, code) => [code, name] as const).filter(([code]) => code !== 14))(
    "accepts stage %i (%s)",
    (code, stageName) => {
      spec
        .given(campaign)
        .when(stage(code))
        .then([
          {
            type: "StageReached",
            data: {
              e164: "+447722123456",
              attemptNumber: 1,
              stage: code,
              stageName,
              occurredAt: at,
            },
          },
        ]);
    },
  );

  it.each([21, -1])("refuses stage %s (400)", (code) => {
    spec
      .given(campaign)
      .when(stage(code))
      .thenFails("invalid_request", [{ field: "stage", reason: "stage codes are 0 to 20" }]);
  });

  it("refuses a stage that is not a whole number (400)", () => {
    spec
      .given(campaign)
      .when(stage(2.5))
      .thenFails("invalid_request", [{ field: "stage" }]);
  });

  it("records several stages per attempt, in the order they come", () => {
    const log = after(
      campaign,
      stage(1, 1, "2030-10-01T08:30:00.000Z"),
      stage(10, 1, "2030-10-01T08:30:10.000Z"),
    );
    spec
      .given(log)
      .when(stage(17, 1, "2030-10-01T08:30:20.000Z"))
      .thenMatches([
        { type: "StageReached", data: { stage: 17, stageName: "TransferredToPaymentLine" } },
      ]);
    spec
      .given(log)
      .when(stage(1, 1, "2030-10-01T08:30:30.000Z"))
      .thenMatches([{ type: "StageReached", data: { stage: 1 } }]);
  });

  describe("the attempt", () => {
    it("may be the one in progress or the one just recorded (stages and outcome arrive in either order)", () => {
      spec
        .given(noAnswerOnFirst)
        .when(stage(3, 1, "2030-10-01T08:36:00.000Z"))
        .thenMatches([{ data: { attemptNumber: 1 } }]);
      spec
        .given(noAnswerOnFirst)
        .when(stage(3, 2, "2030-10-01T08:50:00.000Z"))
        .thenMatches([{ data: { attemptNumber: 2 } }]);
    });

    it("may not be any other (409)", () => {
      spec
        .given(campaign)
        .when(stage(3, 2))
        .thenFails("conflict", [
          { field: "attemptNumber", number: BEN, reason: "current attempt is 1" },
        ]);
      spec
        .given(noAnswerOnFirst)
        .when(stage(3, 3))
        .thenFails("conflict", [{ field: "attemptNumber", reason: "current attempt is 1 or 2" }]);
    });

    it("of a completed number may only be its last", () => {
      const answered = after(
        campaign,
        recordOutcome({ number: BEN, attemptNumber: 1, outcome: 1, occurredAt: at }),
      );
      spec
        .given(answered)
        .when(stage(10, 1))
        .thenMatches([{ data: { attemptNumber: 1, stageName: "Answered" } }]);
      spec
        .given(answered)
        .when(stage(10, 2))
        .thenFails("conflict", [{ field: "attemptNumber", reason: "current attempt is 1" }]);
    });
  });

  describe("occurredAt", () => {
    it("may be up to five minutes ahead of now (clock skew), no further (422)", () => {
      const now = spec.with({ now: "2030-10-01T08:30:00.000Z" });
      now
        .given(campaign)
        .when(stage(1, 1, "2030-10-01T08:35:00.000Z"))
        .thenMatches([{ type: "StageReached", data: { occurredAt: "2030-10-01T08:35:00.000Z" } }]);
      now
        .given(campaign)
        .when(stage(1, 1, "2030-10-01T08:35:01.000Z"))
        .thenFails("rule_violated", [
          { field: "occurredAt", reason: "after now (2030-10-01T08:30:00.000Z)" },
        ]);
      // Nor is an opt-out from the future recorded.
      now
        .given(campaign)
        .when(stage(14, 1, "2030-10-01T09:30:00.000Z"))
        .thenFails("rule_violated", [{ field: "occurredAt" }]);
    });
  });

  describe("the number", () => {
    it("may be given in any format that normalises to the stored one", () => {
      spec
        .given(campaign)
        .when(stage(1, 1, at, "+44 7722 123456"))
        .thenMatches([{ data: { e164: "+447722123456" } }]);
    });

    it("must be in the campaign (404)", () => {
      spec
        .given(campaign)
        .when(stage(1, 1, at, "07722000009"))
        .thenFails("not_found", [{ field: "number", reason: "not in this campaign" }]);
    });
  });
});
