import { describe, expect, it } from "vitest";
import {
  type CampaignEvent,
  campaignDecider,
  fold,
  replayCampaign,
} from "../../../src/domain/index.js";
import {
  after,
  command,
  created,
  recordOutcome,
  recordStage,
  seedBody,
  seedWith,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const DAVE = "07722734716";
const update = (body: object) => command("update-campaign", body);
// Ben's first attempt got no answer: his next is attempt 2.
const benTriedOnce = after(
  created(),
  recordOutcome({
    number: BEN,
    attemptNumber: 1,
    outcome: 6,
    occurredAt: "2030-10-01T08:30:00.000Z",
  }),
);
/** Each number's next step (by E.164) in the state folded from `events`: what the dialler is told to do next. */
const nextSteps = (events: readonly CampaignEvent[]) => {
  const state = fold(campaignDecider.evolve, campaignDecider.initialState(), events);
  if (state.status === "absent") throw new Error("expected a campaign");
  return Object.fromEntries([...state.numbers].map(([e164, progress]) => [e164, progress.next]));
};
const oneAttempt = [{ attemptNumber: 1, interval: 15 }];
const twoAttempts = [
  { attemptNumber: 1, interval: 15 },
  { attemptNumber: 2, interval: 60 },
];

describe("update-campaign", () => {
  it("replaces the settings and the numbers in full", () => {
    const { phoneNumbers: _numbers, ...settings } = seedWith({ name: "Renamed", smsOnBusy: 0 });
    const body = {
      ...settings,
      phoneNumbers: [{ number: "+447722123456", name: "Ben" }, { number: "07722000001" }],
    };
    spec
      .given(created())
      .when(update(body))
      .then([
        {
          type: "CampaignUpdated",
          data: {
            settings: { ...settings, timeZone: "Europe/London" },
            numbers: [
              { number: "+447722123456", e164: "+447722123456", name: "Ben" },
              { number: "07722000001", e164: "+447722000001" },
            ],
            duplicates: [],
            replanned: [],
          },
        },
      ]);
  });

  it("keeps the progress of numbers that stay (matched by E.164), starts new ones afresh, drops the rest", () => {
    const log = after(
      benTriedOnce,
      update(
        seedWith({ phoneNumbers: [{ number: "+44 7722 123456" }, { number: "07722000001" }] }),
      ),
    );
    const at = "2030-10-01T09:00:00.000Z";
    spec
      .given(log)
      .when(recordOutcome({ number: BEN, attemptNumber: 2, outcome: 1, occurredAt: at }))
      .thenMatches([
        { data: { attemptNumber: 2, next: { status: "completed", result: "contacted" } } },
      ]);
    spec
      .given(log)
      .when(recordOutcome({ number: BEN, attemptNumber: 1, outcome: 1, occurredAt: at }))
      .thenFails("conflict", [
        { reason: "already recorded as outcome 6 at 2030-10-01T08:30:00.000Z" },
      ]);
    spec
      .given(log)
      .when(recordOutcome({ number: "07722000001", attemptNumber: 1, outcome: 1, occurredAt: at }))
      .thenMatches([{ data: { attemptNumber: 1 } }]);
    spec
      .given(log)
      .when(recordOutcome({ number: DAVE, attemptNumber: 1, outcome: 1, occurredAt: at }))
      .thenFails("not_found", [{ field: "number", number: DAVE }]);
  });

  it("keeps an opted-out number opted out", () => {
    const optedOut = after(
      created(),
      recordStage({
        number: BEN,
        attemptNumber: 1,
        stage: 14,
        occurredAt: "2030-10-01T08:30:00.000Z",
      }),
    );
    const log = after(optedOut, update(seedBody()));
    spec
      .given(log)
      .when(
        recordOutcome({
          number: BEN,
          attemptNumber: 2,
          outcome: 1,
          occurredAt: "2030-10-01T09:00:00.000Z",
        }),
      )
      .thenFails("conflict", [{ reason: "completed: opted_out" }]);
  });

  it("uses the new windows and intervals for the next retry", () => {
    const log = after(
      created(),
      update(
        seedWith({
          attempts: [
            { attemptNumber: 1, interval: 30 },
            { attemptNumber: 2, interval: 30 },
          ],
          runoverDays: [],
        }),
      ),
    );
    spec
      .given(log)
      .when(
        recordOutcome({
          number: BEN,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:00:00.000Z",
        }),
      )
      .thenMatches([
        {
          data: { next: { status: "retry", attemptNumber: 2, dueAt: "2030-10-01T08:30:00.000Z" } },
        },
      ]);
    spec
      .given(log)
      .when(
        recordOutcome({
          number: BEN,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T10:45:00.000Z",
        }),
      )
      .thenMatches([{ data: { next: { status: "completed", result: "exhausted" } } }]);
  });

  describe("re-plans the numbers it keeps under the new settings", () => {
    it("ends a number whose next attempt is beyond the new maximum: exhausted, its next attempt refused (409)", () => {
      const log = after(benTriedOnce, update(seedWith({ attempts: oneAttempt })));
      expect(nextSteps(log)["+447722123456"]).toEqual({ status: "completed", result: "exhausted" });
      const at = "2030-10-01T09:00:00.000Z";
      spec
        .given(log)
        .when(recordOutcome({ number: BEN, attemptNumber: 2, outcome: 1, occurredAt: at }))
        .thenFails("conflict", [{ field: "number", reason: "completed: exhausted" }]);
      spec
        .given(log)
        .when(recordStage({ number: BEN, attemptNumber: 2, stage: 1, occurredAt: at }))
        .thenFails("conflict", [{ field: "attemptNumber", reason: "current attempt is 1" }]);
      // Its last attempt is still its own: a repeat is a no-op, a late stage lands.
      spec
        .given(log)
        .when(
          recordOutcome({
            number: BEN,
            attemptNumber: 1,
            outcome: 6,
            occurredAt: "2030-10-01T08:30:00.000Z",
          }),
        )
        .thenNothingHappens();
      spec
        .given(log)
        .when(recordStage({ number: BEN, attemptNumber: 1, stage: 11, occurredAt: at }))
        .thenMatches([{ type: "StageReached" }]);
      // Dave had no attempt yet: his first one is still to come.
      spec
        .given(log)
        .when(recordOutcome({ number: DAVE, attemptNumber: 1, outcome: 6, occurredAt: at }))
        .thenMatches([
          { data: { attemptNumber: 1, next: { status: "completed", result: "exhausted" } } },
        ]);
    });

    it("keeps a retry that is still within the new maximum, due when it was due", () => {
      const log = after(benTriedOnce, update(seedWith({ attempts: twoAttempts })));
      expect(nextSteps(log)["+447722123456"]).toEqual({
        status: "retry",
        attemptNumber: 2,
        dueAt: "2030-10-01T08:45:00.000Z",
        leaveMessage: false,
      });
      spec
        .given(log)
        .when(
          recordOutcome({
            number: BEN,
            attemptNumber: 2,
            outcome: 6,
            occurredAt: "2030-10-01T09:00:00.000Z",
          }),
        )
        .thenMatches([
          { data: { attemptNumber: 2, next: { status: "completed", result: "exhausted" } } },
        ]);
    });

    it("re-plans a kept retry from its last attempt with the new interval", () => {
      // Ben's attempt 1 was at 08:30Z with a 15-minute wait (due 08:45Z); the wait is now an hour.
      const log = after(
        benTriedOnce,
        update(
          seedWith({
            attempts: [
              { attemptNumber: 1, interval: 60 },
              { attemptNumber: 2, interval: 60 },
            ],
          }),
        ),
      );
      expect(nextSteps(log)["+447722123456"]).toEqual({
        status: "retry",
        attemptNumber: 2,
        dueAt: "2030-10-01T09:30:00.000Z",
        leaveMessage: false,
      });
    });

    // Ben's attempt 1 at 11:50 BST: his retry (15 minutes later) falls after the 12:00 finish, so
    // on the runover day at 09:00.
    const benTriedLate = after(
      created(),
      recordOutcome({
        number: BEN,
        attemptNumber: 1,
        outcome: 6,
        occurredAt: "2030-10-01T10:50:00.000Z",
      }),
    );

    it("moves a kept retry into the new calling windows", () => {
      expect(nextSteps(benTriedLate)["+447722123456"]).toMatchObject({
        dueAt: "2030-10-02T08:00:00.000Z",
      });
      const later = after(
        benTriedLate,
        update(
          seedWith({
            runoverDays: [{ date: "2030-10-02", startTime: "13:00", finishTime: "17:00" }],
          }),
        ),
      );
      expect(nextSteps(later)["+447722123456"]).toEqual({
        status: "retry",
        attemptNumber: 2,
        dueAt: "2030-10-02T12:00:00.000Z",
        leaveMessage: false,
      });
    });

    it("exhausts a kept retry that no calling window is left for: the dialler is never told to call outside the campaign's hours", () => {
      const log = after(benTriedLate, update(seedWith({ runoverDays: [] })));
      expect(nextSteps(log)["+447722123456"]).toEqual({ status: "completed", result: "exhausted" });
      spec
        .given(log)
        .when(
          recordOutcome({
            number: BEN,
            attemptNumber: 2,
            outcome: 1,
            occurredAt: "2030-10-01T10:59:00.000Z",
          }),
        )
        .thenFails("conflict", [{ reason: "completed: exhausted" }]);
      expect(nextSteps(log)["+447722734716"]).toEqual({
        status: "pending",
        attemptNumber: 1,
        leaveMessage: false,
      });
    });

    it("applies the new AnswerPhoneMessage policy to a pending first attempt", () => {
      expect(nextSteps(after(created(), update(seedWith({ answerMachineDetected: 1 }))))).toEqual({
        "+447722123456": { status: "pending", attemptNumber: 1, leaveMessage: true },
        "+447722734716": { status: "pending", attemptNumber: 1, leaveMessage: true },
      });
      const onFirstCall = after(created(seedWith({ answerMachineDetected: 1 })));
      expect(nextSteps(onFirstCall)["+447722123456"]).toMatchObject({ leaveMessage: true });
      expect(
        nextSteps(after(onFirstCall, update(seedWith({ answerMachineDetected: 0 }))))[
          "+447722123456"
        ],
      ).toMatchObject({ leaveMessage: false });
      // On the last call: with one attempt, the first is the last.
      expect(
        nextSteps(
          after(created(), update(seedWith({ answerMachineDetected: 2, attempts: oneAttempt }))),
        )["+447722123456"],
      ).toMatchObject({ leaveMessage: true });
    });

    it("applies the new AnswerPhoneMessage policy to a pending retry", () => {
      // On the last call: attempt 2 of 3 was not the last; of 2 it is.
      const onLastCall = after(
        created(seedWith({ answerMachineDetected: 2 })),
        recordOutcome({
          number: BEN,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      );
      expect(nextSteps(onLastCall)["+447722123456"]).toMatchObject({
        attemptNumber: 2,
        leaveMessage: false,
      });
      expect(
        nextSteps(
          after(onLastCall, update(seedWith({ answerMachineDetected: 2, attempts: twoAttempts }))),
        )["+447722123456"],
      ).toEqual({
        status: "retry",
        attemptNumber: 2,
        dueAt: "2030-10-01T08:45:00.000Z",
        leaveMessage: true,
      });
      const lastOfTwo = after(
        benTriedOnce,
        update(seedWith({ answerMachineDetected: 2, attempts: twoAttempts })),
      );
      expect(
        nextSteps(
          after(lastOfTwo, update(seedWith({ answerMachineDetected: 0, attempts: twoAttempts }))),
        )["+447722123456"],
      ).toMatchObject({ leaveMessage: false });
    });

    it("leaves completed numbers completed, even when more attempts are allowed", () => {
      const exhausted = after(
        created(seedWith({ attempts: oneAttempt })),
        recordOutcome({
          number: BEN,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      );
      expect(nextSteps(exhausted)["+447722123456"]).toEqual({
        status: "completed",
        result: "exhausted",
      });
      const log = after(exhausted, update(seedBody()));
      expect(nextSteps(log)["+447722123456"]).toEqual({ status: "completed", result: "exhausted" });
      spec
        .given(log)
        .when(
          recordOutcome({
            number: BEN,
            attemptNumber: 2,
            outcome: 1,
            occurredAt: "2030-10-01T09:00:00.000Z",
          }),
        )
        .thenFails("conflict", [{ reason: "completed: exhausted" }]);
    });

    it("folds to the same state on replay as event by event", () => {
      const log = after(
        benTriedOnce,
        update(seedWith({ answerMachineDetected: 1, attempts: oneAttempt })),
      );
      const replayed = replayCampaign(campaignDecider.initialState(), log);
      if (replayed.status === "absent") throw new Error("expected a campaign");
      expect(
        Object.fromEntries([...replayed.numbers].map(([e164, progress]) => [e164, progress.next])),
      ).toEqual(nextSteps(log));
    });
  });

  describe("carries the re-plan in the event, so evolvers fold it", () => {
    const longerWait = seedWith({
      attempts: [
        { attemptNumber: 1, interval: 60 },
        { attemptNumber: 2, interval: 60 },
      ],
    });

    it("lists the kept numbers whose next step changes, with that step, and no others", () => {
      const [updated] = spec.given(benTriedOnce).when(update(longerWait)).events();
      expect(updated).toMatchObject({
        type: "CampaignUpdated",
        data: {
          replanned: [
            {
              e164: "+447722123456",
              next: {
                status: "retry",
                attemptNumber: 2,
                dueAt: "2030-10-01T09:30:00.000Z",
                leaveMessage: false,
              },
            },
          ],
        },
      });
    });

    it("upcasts an update stored before it carried its re-plan: replayed, it folds to the state the rule gives", () => {
      const log = after(benTriedOnce, update(longerWait));
      const oldShaped = log.map((event) => {
        if (event.type !== "CampaignUpdated") return event;
        const { replanned: _replanned, ...data } = event.data;
        return { type: event.type, data };
      });
      expect(
        oldShaped.some((event) => event.type === "CampaignUpdated" && !("replanned" in event.data)),
      ).toBe(true);
      const replayed = replayCampaign(campaignDecider.initialState(), oldShaped);
      if (replayed.status === "absent") throw new Error("expected a campaign");
      expect(
        Object.fromEntries([...replayed.numbers].map(([e164, progress]) => [e164, progress.next])),
      ).toEqual(nextSteps(log));
      expect(replayed.numbers.get("+447722123456")?.next).toMatchObject({
        dueAt: "2030-10-01T09:30:00.000Z",
      });
    });
  });

  it("skips and reports duplicates, and rejects or ignores invalid numbers like create", () => {
    spec
      .given(created())
      .when(update(seedWith({ phoneNumbers: [{ number: BEN }, { number: "+447722123456" }] })))
      .thenMatches([
        {
          data: {
            numbers: [{ e164: "+447722123456" }],
            duplicates: [{ index: 1, number: "+447722123456", e164: "+447722123456" }],
          },
        },
      ]);
    const phoneNumbers = [{ number: BEN }, { number: "999" }];
    spec
      .given(created())
      .when(update(seedWith({ phoneNumbers })))
      .thenFails("rule_violated", [{ index: 1, number: "999" }]);
    spec
      .given(created())
      .when(update(seedWith({ phoneNumbers, ignoreInvalidPhoneNumbers: true })))
      .thenMatches([
        { type: "CampaignUpdated" },
        { type: "InvalidPhoneNumbersIgnored", data: { ignored: [{ index: 1, number: "999" }] } },
      ]);
  });

  it("checks the same settings rules as create", () => {
    spec
      .given(created())
      .when(update(seedWith({ callflow_Id: 99 })))
      .thenFails("rule_violated", [{ field: "callflow_Id" }]);
    spec
      .given(created())
      .when(update(seedWith({ startTime: "12:30" })))
      .thenFails("rule_violated", [{ field: "finishTime" }]);
    spec
      .given(created())
      .when(update(seedWith({ name: "" })))
      .thenFails("invalid_request", [{ field: "name" }]);
  });

  it("finds no campaign that was never created (404)", () => {
    spec
      .given([])
      .when(update(seedBody()))
      .thenFails("not_found", [{ field: "id" }]);
  });

  it("is a full replacement: an optional field left out takes its default, not its old value", () => {
    const [updated] = spec
      .given(created(seedWith({ timeZone: "America/New_York" })))
      .when(update(seedBody()))
      .events();
    expect(updated).toMatchObject({ data: { settings: { timeZone: "Europe/London" } } });
  });
});
