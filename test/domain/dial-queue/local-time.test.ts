import { describe, expect, it } from "vitest";
import {
  type CampaignEvent,
  type CampaignState,
  campaignDecider,
  dialQueue,
  fold,
} from "../../../src/domain/index.js";
import {
  after,
  command,
  created,
  recordOutcome,
  seedWith,
  spec,
} from "../../support/decider-specification.js";
import { claimAt, claimed } from "./support.js";

const GB = "+447722123456";
const US = "+12125550123";
const day = (date: string, startTime = "09:00", finishTime = "12:00") => ({
  date,
  startTime,
  finishTime,
});
const numbers = (...phoneNumbers: object[]) => ({ phoneNumbers, smsOnBusy: 0 });
const handedOut = (log: readonly CampaignEvent[], now: string) =>
  claimed(claimAt(log, now).events());

describe("each number's clock", () => {
  it("is its country's zone when the country has one: a GB number in a New York campaign is called 09:00-12:00 London time", () => {
    const newYork = created(
      seedWith({ timeZone: "America/New_York", ...numbers({ number: GB }, { number: US }) }),
    );
    expect(newYork[1]).toMatchObject({
      data: { numbers: [{ e164: GB, timeZone: "Europe/London" }, { e164: US }] },
    });
    expect(handedOut(newYork, "2030-10-01T08:30:00.000Z")).toEqual([GB]); // 09:30 in London, 04:30 in New York
    expect(handedOut(newYork, "2030-10-01T13:30:00.000Z")).toEqual([US]); // 14:30 in London, 09:30 in New York
  });

  it("is the number's own timeZone when given; the campaign's when its country has several", () => {
    const london = created(
      seedWith(
        numbers({ number: US }, { number: "+12125550124", timeZone: "America/Los_Angeles" }),
      ),
    );
    expect(london[1]).toEqual({
      type: "PhoneNumbersAdded",
      data: {
        numbers: [
          { number: US, e164: US },
          { number: "+12125550124", e164: "+12125550124", timeZone: "America/Los_Angeles" },
        ],
        duplicates: [],
      },
    });
    expect(handedOut(london, "2030-10-01T08:30:00.000Z")).toEqual([US]); // 09:30 in London
    expect(handedOut(london, "2030-10-01T16:30:00.000Z")).toEqual(["+12125550124"]); // 09:30 in Los Angeles
  });

  it("refuses a number's timeZone that is not IANA (422)", () => {
    spec
      .given([])
      .when(command("create-campaign", seedWith(numbers({ number: GB, timeZone: "Mars/Olympus" }))))
      .thenFails("rule_violated", [{ field: "phoneNumbers.0.timeZone" }]);
  });

  it("schedules a retry in the number's own windows", () => {
    const log = created(
      seedWith(numbers({ number: GB }, { number: US, timeZone: "America/New_York" })),
    );
    spec
      .given(log)
      .when(
        recordOutcome({
          number: US,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T15:55:00.000Z",
        }),
      )
      .thenMatches([
        { data: { next: { status: "retry", dueAt: "2030-10-02T13:00:00.000Z" } } }, // next day 09:00 in New York
      ]);
  });

  it("never hands out a number whose own window is closed, though its retry is due", () => {
    const log = after(
      created(seedWith(numbers({ number: GB }, { number: US, timeZone: "America/New_York" }))),
      recordOutcome({
        number: US,
        attemptNumber: 1,
        outcome: 6,
        occurredAt: "2030-10-01T13:10:00.000Z",
      }),
    );
    // Its retry fell due at 13:25Z; at 15:30Z... (11:30 New York) it is handed out, at 16:05Z
    // (12:05 New York) not, though London's has long closed either way.
    expect(handedOut(log, "2030-10-01T15:30:00.000Z")).toEqual([US]);
    expect(handedOut(log, "2030-10-01T16:05:00.000Z")).toEqual([]);
  });

  it("follows each clock across its own change to summer time (New York on 2030-03-10, London on 03-31)", () => {
    const spring = created(
      seedWith({
        startDate: "2030-03-09",
        runoverDays: [day("2030-03-11")],
        ...numbers({ number: GB }, { number: US, timeZone: "America/New_York" }),
      }),
    );
    expect(handedOut(spring, "2030-03-09T14:30:00.000Z")).toEqual([US]); // 09:30 EST
    expect(handedOut(spring, "2030-03-11T13:30:00.000Z")).toEqual([US]); // 09:30 EDT (08:30 were DST ignored)
    expect(handedOut(spring, "2030-03-11T16:30:00.000Z")).toEqual([]); // 12:30 EDT (11:30 were DST ignored)
    expect(handedOut(spring, "2030-03-11T09:30:00.000Z")).toEqual([GB]); // 09:30 GMT
  });
});

describe("wall-clock windows across a change of the clocks", () => {
  // London, 2030-10-27: the clocks go back at 02:00 BST (01:00Z) to 01:00 GMT, so 01:00-02:00
  // shows twice.
  /** A London campaign of one GB number, open 01:15-01:45 on `date` only. */
  const earlyHours = (date: string) =>
    created(
      seedWith({
        ...numbers({ number: GB }),
        startDate: date,
        startTime: "01:15",
        finishTime: "01:45",
        runoverDays: [],
      }),
    );
  const autumn = earlyHours("2030-10-27");

  it("both showings of a repeated hour are inside a window that covers it (01:30 BST and 01:30 GMT)", () => {
    expect(handedOut(autumn, "2030-10-27T00:30:00.000Z")).toEqual([GB]); // 01:30 BST
    expect(handedOut(autumn, "2030-10-27T01:30:00.000Z")).toEqual([GB]); // 01:30 GMT
    expect(handedOut(autumn, "2030-10-27T01:00:00.000Z")).toEqual([]); // 01:00 GMT: before 01:15
    expect(handedOut(autumn, "2030-10-27T00:50:00.000Z")).toEqual([]); // 01:50 BST: past 01:45
  });

  it("a retry after the first showing falls due in the second", () => {
    const log = after(
      autumn,
      recordOutcome({
        number: GB,
        attemptNumber: 1,
        outcome: 6,
        occurredAt: "2030-10-27T00:40:00Z",
      }),
    );
    // 15 minutes after 01:40 BST is 00:55Z (01:55 BST, outside); the window opens again at 01:15 GMT.
    expect(log.at(-1)).toMatchObject({
      data: { next: { status: "retry", dueAt: "2030-10-27T01:15:00.000Z" } },
    });
  });

  it("a skipped hour is in no window (01:15-01:45 on 2030-03-31, when 01:00 becomes 02:00)", () => {
    const spring = earlyHours("2030-03-31");
    for (const now of [
      "2030-03-31T00:30:00.000Z",
      "2030-03-31T01:00:00.000Z",
      "2030-03-31T01:30:00.000Z",
    ])
      expect(handedOut(spring, now)).toEqual([]);
  });
});

describe("excluded dates (holidays)", () => {
  it("no attempt falls due on one: first attempts wait for the next window", () => {
    const log = created(seedWith({ excludedDates: ["2030-10-01"], ...numbers({ number: GB }) }));
    expect(handedOut(log, "2030-10-01T08:30:00.000Z")).toEqual([]);
    expect(handedOut(log, "2030-10-02T08:30:00.000Z")).toEqual([GB]);
  });

  it("a retry skips it", () => {
    const log = created(
      seedWith({
        excludedDates: ["2030-10-02"],
        runoverDays: [day("2030-10-02"), day("2030-10-03")],
        ...numbers({ number: GB }),
      }),
    );
    spec
      .given(log)
      .when(
        recordOutcome({
          number: GB,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T10:55:00.000Z",
        }),
      )
      .thenMatches([{ data: { next: { status: "retry", dueAt: "2030-10-03T08:00:00.000Z" } } }]);
  });

  it("is a date on the number's own clock", () => {
    // 2030-10-02 09:00-12:00 in Sydney is 2030-10-01 23:00Z to 02:00Z the next day.
    const sydney = { number: "+61291234567", timeZone: "Australia/Sydney" };
    const open = "2030-10-01T23:30:00.000Z";
    expect(
      handedOut(created(seedWith({ runoverDays: [day("2030-10-02")], ...numbers(sydney) })), open),
    ).toEqual(["+61291234567"]);
    expect(
      handedOut(
        created(
          seedWith({
            runoverDays: [day("2030-10-02")],
            excludedDates: ["2030-10-02"],
            ...numbers(sydney),
          }),
        ),
        open,
      ),
    ).toEqual([]);
  });
});

describe("retry rules", () => {
  const rules = {
    retryRules: [
      { outcome: 3, interval: 5 },
      { outcome: 7, retry: false },
    ],
  };
  const log = created(seedWith({ ...rules, ...numbers({ number: GB }) }));

  it("an interval per outcome replaces the attempt's", () => {
    spec
      .given(log)
      .when(
        recordOutcome({
          number: GB,
          attemptNumber: 1,
          outcome: 3,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      )
      .thenMatches([
        {
          data: { next: { status: "retry", attemptNumber: 2, dueAt: "2030-10-01T08:35:00.000Z" } },
        },
      ]);
    spec
      .given(log)
      .when(
        recordOutcome({
          number: GB,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      )
      .thenMatches([
        {
          data: { next: { status: "retry", attemptNumber: 2, dueAt: "2030-10-01T08:45:00.000Z" } },
        },
      ]);
  });

  it("retry: false ends the number (exhausted)", () => {
    spec
      .given(log)
      .when(
        recordOutcome({
          number: GB,
          attemptNumber: 1,
          outcome: 7,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      )
      .thenMatches([{ data: { next: { status: "completed", result: "exhausted" } } }]);
  });

  it("refuses a rule for an outcome that completes the number, or two rules for one outcome (422)", () => {
    spec
      .given([])
      .when(command("create-campaign", seedWith({ retryRules: [{ outcome: 1, interval: 5 }] })))
      .thenFails("rule_violated", [{ field: "retryRules.0.outcome" }]);
    spec
      .given([])
      .when(
        command(
          "create-campaign",
          seedWith({
            retryRules: [
              { outcome: 3, interval: 5 },
              { outcome: 3, retry: false },
            ],
          }),
        ),
      )
      .thenFails("rule_violated", [{ field: "retryRules.1.outcome" }]);
  });
});

describe("get-dial-queue's counts", () => {
  it("partition the numbers by where they stand now", () => {
    const phoneNumbers = [
      "07722000001",
      "07722000002",
      "07722000003",
      "07722000004",
      "07722000005",
    ].map((number) => ({ number }));
    let log = created(seedWith({ phoneNumbers, smsOnBusy: 0 }));
    log = after(
      log,
      recordOutcome({
        number: "07722000001",
        attemptNumber: 1,
        outcome: 6,
        occurredAt: "2030-10-01T08:20:00.000Z",
      }),
    ); // retry due 08:35Z
    log = after(
      log,
      recordOutcome({
        number: "07722000002",
        attemptNumber: 1,
        outcome: 1,
        occurredAt: "2030-10-01T08:20:00.000Z",
      }),
    ); // completed
    log = after(log, command("add-exclusions", { numbers: [{ number: "07722000003" }] })); // excluded
    log = [...log, ...claimAt(log, "2030-10-01T08:25:00.000Z", 1).events()]; // 07722000004 claimed until 08:35Z
    const state = fold(campaignDecider.evolve, campaignDecider.initialState(), log) as Exclude<
      CampaignState,
      { status: "absent" }
    >;
    expect(dialQueue(state, "2030-10-01T08:30:00.000Z")).toEqual({
      id: "camp-1",
      status: "active",
      dueNow: 1,
      claimed: 1,
      waitingForWindow: 0,
      waitingForRetry: 1,
      excluded: 1,
      completed: 1,
      nextDueAt: "2030-10-01T08:00:00.000Z",
    });
    expect(dialQueue(state, "2030-10-01T11:30:00.000Z")).toMatchObject({
      dueNow: 0,
      claimed: 0,
      waitingForWindow: 3,
      waitingForRetry: 0,
      nextDueAt: "2030-10-02T08:00:00.000Z",
    });
  });
});
