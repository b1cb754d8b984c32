import { describe, it } from "vitest";
import {
  after,
  created,
  recordOutcome,
  recordStage,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const OPT_OUT = 14;
const stage = (code: number, attemptNumber: number, occurredAt: string) =>
  recordStage({ number: BEN, attemptNumber, stage: code, occurredAt });
const outcome = (attemptNumber: number, code: number, occurredAt: string) =>
  recordOutcome({ number: BEN, attemptNumber, outcome: code, occurredAt });
const campaign = created();
const optedOut = after(campaign, stage(OPT_OUT, 1, "2030-10-01T08:30:00.000Z"));

describe("OptOut (stage 14)", () => {
  it("opts the number out", () => {
    spec
      .given(campaign)
      .when(stage(OPT_OUT, 1, "2030-10-01T08:30:00.000Z"))
      .then([
        {
          type: "StageReached",
          data: {
            e164: "+447722123456",
            attemptNumber: 1,
            stage: 14,
            stageName: "OptOut",
            occurredAt: "2030-10-01T08:30:00.000Z",
          },
        },
        {
          type: "NumberOptedOut",
          data: { e164: "+447722123456", attemptNumber: 1, occurredAt: "2030-10-01T08:30:00.000Z" },
        },
      ]);
  });

  it("opts it out once: a second OptOut is only a stage", () => {
    spec
      .given(optedOut)
      .when(stage(OPT_OUT, 1, "2030-10-01T08:31:00.000Z"))
      .thenMatches([{ type: "StageReached", data: { stage: 14 } }]);
  });

  it("still takes the call's own later stages and outcome; the number stays opted out", () => {
    spec
      .given(optedOut)
      .when(stage(6, 1, "2030-10-01T08:31:00.000Z"))
      .thenMatches([{ type: "StageReached", data: { stageName: "CallCenterHungUp" } }]);
    spec
      .given(optedOut)
      .when(outcome(1, 6, "2030-10-01T08:32:00.000Z"))
      .then([
        {
          type: "AttemptOutcomeRecorded",
          data: {
            e164: "+447722123456",
            attemptNumber: 1,
            outcome: 6,
            outcomeName: "NoAnswer",
            occurredAt: "2030-10-01T08:32:00.000Z",
            next: { status: "completed", result: "opted_out" },
          },
        },
      ]);
  });

  it("refuses every further attempt (409)", () => {
    spec
      .given(optedOut)
      .when(outcome(2, 1, "2030-10-01T09:00:00.000Z"))
      .thenFails("conflict", [{ field: "number", reason: "completed: opted_out" }]);
    const callEnded = after(optedOut, outcome(1, 1, "2030-10-01T08:32:00.000Z"));
    spec
      .given(callEnded)
      .when(outcome(2, 1, "2030-10-01T09:00:00.000Z"))
      .thenFails("conflict", [{ reason: "completed: opted_out" }]);
    spec
      .given(callEnded)
      .when(stage(1, 2, "2030-10-01T09:00:00.000Z"))
      .thenFails("conflict", [{ field: "attemptNumber" }]);
  });

  it("cancels a retry already scheduled when it arrives after the call's outcome", () => {
    const retryDue = after(campaign, outcome(1, 6, "2030-10-01T08:30:00.000Z"));
    const log = after(retryDue, stage(OPT_OUT, 1, "2030-10-01T08:31:00.000Z"));
    spec
      .given(log)
      .when(outcome(2, 1, "2030-10-01T09:00:00.000Z"))
      .thenFails("conflict", [{ reason: "completed: opted_out" }]);
  });

  it("overrides a result already reached in that call", () => {
    const answered = after(campaign, outcome(1, 1, "2030-10-01T08:30:00.000Z"));
    spec
      .given(answered)
      .when(stage(OPT_OUT, 1, "2030-10-01T08:31:00.000Z"))
      .thenMatches([
        { type: "StageReached" },
        { type: "NumberOptedOut", data: { attemptNumber: 1 } },
      ]);
  });

  it("leaves the campaign's other numbers alone", () => {
    spec
      .given(optedOut)
      .when(
        recordOutcome({
          number: "07722734716",
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:40:00.000Z",
        }),
      )
      .thenMatches([
        { data: { e164: "+447722734716", next: { status: "retry", attemptNumber: 2 } } },
      ]);
  });
});
