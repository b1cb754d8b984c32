import { describe, it } from "vitest";
import {
  type AttemptReport,
  after,
  created,
  recordOutcome,
  seedWith,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const NO_ANSWER = 6;
const report = (attemptNumber: number, occurredAt: string): AttemptReport => ({
  number: BEN,
  attemptNumber,
  outcome: NO_ANSWER,
  occurredAt,
});
const day = (date: string, startTime = "09:00", finishTime = "12:00") => ({
  date,
  startTime,
  finishTime,
});
const dueAfter = (
  given: ReturnType<typeof created>,
  attempt: AttemptReport,
  attemptNumber: number,
  dueAt: string,
) =>
  spec
    .given(given)
    .when(recordOutcome(attempt))
    .thenMatches([{ data: { next: { status: "retry", attemptNumber, dueAt } } }]);
const exhaustedAfter = (given: ReturnType<typeof created>, attempt: AttemptReport) =>
  spec
    .given(given)
    .when(recordOutcome(attempt))
    .thenMatches([{ data: { next: { status: "completed", result: "exhausted" } } }]);

// Seed campaign: 2030-10-01 and runover 2030-10-02, both 09:00-12:00 Europe/London (BST:
// 08:00Z-11:00Z); intervals 15, 60, 120.
const campaign = created(seedWith({ smsOnBusy: 0 }));

describe("record-attempt-outcome: when the retry is due", () => {
  it("is the attempt's interval after occurredAt, inside the window", () => {
    dueAfter(campaign, report(1, "2030-10-01T08:30:00.000Z"), 2, "2030-10-01T08:45:00.000Z");
  });

  it("uses the interval of the attempt just made", () => {
    const log = after(campaign, recordOutcome(report(1, "2030-10-01T08:30:00.000Z")));
    dueAfter(log, report(2, "2030-10-01T08:50:00.000Z"), 3, "2030-10-01T09:50:00.000Z");
  });

  it("moves to the window's opening when it falls before it", () => {
    dueAfter(campaign, report(1, "2030-10-01T06:00:00.000Z"), 2, "2030-10-01T08:00:00.000Z");
  });

  it("moves to the next runover day's start when it falls after the finish time (the finish is exclusive)", () => {
    dueAfter(campaign, report(1, "2030-10-01T10:50:00.000Z"), 2, "2030-10-02T08:00:00.000Z");
    dueAfter(campaign, report(1, "2030-10-01T10:45:00.000Z"), 2, "2030-10-02T08:00:00.000Z");
    dueAfter(campaign, report(1, "2030-10-01T10:44:00.000Z"), 2, "2030-10-01T10:59:00.000Z");
  });

  it("uses a runover day's own window", () => {
    dueAfter(
      created(seedWith({ runoverDays: [day("2030-10-02", "14:00", "16:00")] })),
      report(1, "2030-10-01T10:55:00.000Z"),
      2,
      "2030-10-02T13:00:00.000Z",
    );
  });

  it("skips to a later runover day when the nearer one has closed", () => {
    const spread = created(seedWith({ runoverDays: [day("2030-10-05"), day("2030-10-02")] }));
    dueAfter(spread, report(1, "2030-10-02T10:55:00.000Z"), 2, "2030-10-05T08:00:00.000Z");
  });

  describe("across a change of clocks", () => {
    it("keeps a 09:00 start at 09:00 on the wall clock: 09:00Z in winter after BST ends", () => {
      const autumn = created(
        seedWith({ startDate: "2030-10-26", runoverDays: [day("2030-10-28")] }),
      );
      dueAfter(autumn, report(1, "2030-10-26T10:55:00.000Z"), 2, "2030-10-28T09:00:00.000Z");
    });

    it("keeps a 09:00 start at 09:00 on the wall clock: 08:00Z in summer after BST starts", () => {
      const spring = created(
        seedWith({ startDate: "2030-03-30", runoverDays: [day("2030-03-31")] }),
      );
      dueAfter(spring, report(1, "2030-03-30T11:55:00.000Z"), 2, "2030-03-31T08:00:00.000Z");
    });

    it("counts the interval in elapsed minutes, not wall-clock minutes", () => {
      // 00:50 GMT + 15 minutes is 02:05 BST on 2030-03-31, inside a 00:30-04:00 window.
      const night = created(
        seedWith({
          startDate: "2030-03-31",
          startTime: "00:30",
          finishTime: "04:00",
          runoverDays: [],
        }),
      );
      dueAfter(night, report(1, "2030-03-31T00:50:00.000Z"), 2, "2030-03-31T01:05:00.000Z");
    });

    it("never falls in a window the clocks skip", () => {
      // 01:10-01:50 does not exist in London on 2030-03-31.
      const skipped = created(
        seedWith({
          startDate: "2030-03-30",
          runoverDays: [day("2030-03-31", "01:10", "01:50"), day("2030-04-01")],
        }),
      );
      dueAfter(skipped, report(1, "2030-03-30T11:55:00.000Z"), 2, "2030-04-01T08:00:00.000Z");
    });

    it("follows the campaign's own zone for a number whose country has several (a GB number keeps London's: test/domain/campaign/local-time.test.ts)", () => {
      const US = "+12125550123";
      const newYork = created(
        seedWith({ timeZone: "America/New_York", phoneNumbers: [{ number: US }] }),
      );
      dueAfter(
        newYork,
        { ...report(1, "2030-10-01T15:55:00.000Z"), number: US },
        2,
        "2030-10-02T13:00:00.000Z",
      );
    });
  });

  describe("never: the number is completed as exhausted", () => {
    it("when no calling window is left", () => {
      exhaustedAfter(campaign, report(1, "2030-10-02T10:55:00.000Z"));
    });

    it("when its last attempt is used", () => {
      const log = after(
        campaign,
        recordOutcome(report(1, "2030-10-01T08:00:00.000Z")),
        recordOutcome(report(2, "2030-10-01T08:20:00.000Z")),
      );
      exhaustedAfter(log, report(3, "2030-10-01T09:30:00.000Z"));
    });

    it("after its only attempt when the campaign lists none", () => {
      exhaustedAfter(created(seedWith({ attempts: [] })), report(1, "2030-10-01T08:30:00.000Z"));
    });
  });
});
