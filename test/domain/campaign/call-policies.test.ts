import { describe, expect, it } from "vitest";
import { campaignDecider, fold } from "../../../src/domain/index.js";
import {
  type AttemptReport,
  after,
  created,
  recordOutcome,
  recordStage,
  seedWith,
  spec,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const [BUSY, NO_ANSWER, MESSAGE_NOT_LEFT] = [3, 6, 4];
const report = (attemptNumber: number, outcome: number, occurredAt: string): AttemptReport => ({
  number: BEN,
  attemptNumber,
  outcome,
  occurredAt,
});
const twoMisses = [
  recordOutcome(report(1, NO_ANSWER, "2030-10-01T08:00:00.000Z")),
  recordOutcome(report(2, NO_ANSWER, "2030-10-01T08:20:00.000Z")),
];
const typesAfter = (given: ReturnType<typeof created>, attempt: AttemptReport) =>
  spec
    .given(given)
    .when(recordOutcome(attempt))
    .events()
    .map((e) => e.type);

describe("SMS on busy", () => {
  const withSms = (smsOnBusy: number) => created(seedWith({ smsOnBusy }));

  it("policy 1 requests an SMS, with the number's name and parameters, when the first call is busy", () => {
    spec
      .given(withSms(1))
      .when(recordOutcome(report(1, BUSY, "2030-10-01T08:30:00.000Z")))
      .thenMatches([
        { type: "AttemptOutcomeRecorded", data: { next: { status: "retry" } } },
        {
          type: "SmsRequested",
          data: {
            e164: "+447722123456",
            number: BEN,
            name: "ben",
            parameters: [{ value: "testing", parameter: 1 }],
            attemptNumber: 1,
            policy: 1,
            occurredAt: "2030-10-01T08:30:00.000Z",
          },
        },
      ]);
  });

  it("policy 1 requests none when a later call is busy, nor when the first call is not busy", () => {
    expect(
      typesAfter(after(withSms(1), twoMisses[0]!), report(2, BUSY, "2030-10-01T08:30:00.000Z")),
    ).toEqual(["AttemptOutcomeRecorded"]);
    expect(typesAfter(withSms(1), report(1, NO_ANSWER, "2030-10-01T08:30:00.000Z"))).toEqual([
      "AttemptOutcomeRecorded",
    ]);
  });

  it("policy 2 requests an SMS when the last call is busy and the number completes", () => {
    spec
      .given(after(withSms(2), ...twoMisses))
      .when(recordOutcome(report(3, BUSY, "2030-10-01T09:30:00.000Z")))
      .thenMatches([
        {
          type: "AttemptOutcomeRecorded",
          data: { next: { status: "completed", result: "exhausted" } },
        },
        { type: "SmsRequested", data: { attemptNumber: 3, policy: 2 } },
      ]);
  });

  it("policy 2 counts a busy call after which no window is left as the last call", () => {
    expect(typesAfter(withSms(2), report(1, BUSY, "2030-10-02T10:55:00.000Z"))).toEqual([
      "AttemptOutcomeRecorded",
      "SmsRequested",
    ]);
  });

  it("policy 2 requests none when an earlier call is busy", () => {
    expect(typesAfter(withSms(2), report(1, BUSY, "2030-10-01T08:30:00.000Z"))).toEqual([
      "AttemptOutcomeRecorded",
    ]);
  });

  it("policy 0 never requests one", () => {
    expect(typesAfter(withSms(0), report(1, BUSY, "2030-10-01T08:30:00.000Z"))).toEqual([
      "AttemptOutcomeRecorded",
    ]);
    expect(
      typesAfter(after(withSms(0), ...twoMisses), report(3, BUSY, "2030-10-01T09:30:00.000Z")),
    ).toEqual(["AttemptOutcomeRecorded"]);
  });

  it("is never sent to a number that opted out during the call", () => {
    const optedOut = after(
      withSms(1),
      recordStage({
        number: BEN,
        attemptNumber: 1,
        stage: 14,
        occurredAt: "2030-10-01T08:29:00.000Z",
      }),
    );
    spec
      .given(optedOut)
      .when(recordOutcome(report(1, BUSY, "2030-10-01T08:30:00.000Z")))
      .thenMatches([
        {
          type: "AttemptOutcomeRecorded",
          data: { next: { status: "completed", result: "opted_out" } },
        },
      ]);
  });
});

describe("AnswerPhoneMessage policy (answerMachineDetected)", () => {
  const withPolicy = (answerMachineDetected: number, attempts?: object[]) =>
    created(seedWith({ answerMachineDetected, ...(attempts ? { attempts } : {}) }));
  const firstAttempt = (given: ReturnType<typeof created>) => {
    const state = fold(campaignDecider.evolve, campaignDecider.initialState(), given);
    return state.status === "absent" ? undefined : state.numbers.get("+447722123456")?.next;
  };
  const leaveMessageOnRetries = (given: ReturnType<typeof created>) =>
    after(
      given,
      recordOutcome(report(1, MESSAGE_NOT_LEFT, "2030-10-01T08:00:00.000Z")),
      recordOutcome(report(2, MESSAGE_NOT_LEFT, "2030-10-01T08:20:00.000Z")),
    )
      .slice(given.length)
      .map((e) =>
        e.type === "AttemptOutcomeRecorded" && e.data.next.status === "retry"
          ? [e.data.next.attemptNumber, e.data.next.leaveMessage]
          : undefined,
      );

  it("0: never leave a message", () => {
    expect(firstAttempt(withPolicy(0))).toEqual({
      status: "pending",
      attemptNumber: 1,
      leaveMessage: false,
    });
    expect(leaveMessageOnRetries(withPolicy(0))).toEqual([
      [2, false],
      [3, false],
    ]);
  });

  it("1: leave one on the first call only", () => {
    expect(firstAttempt(withPolicy(1))).toEqual({
      status: "pending",
      attemptNumber: 1,
      leaveMessage: true,
    });
    expect(leaveMessageOnRetries(withPolicy(1))).toEqual([
      [2, false],
      [3, false],
    ]);
  });

  it("2: leave one on the last call only", () => {
    expect(firstAttempt(withPolicy(2))).toEqual({
      status: "pending",
      attemptNumber: 1,
      leaveMessage: false,
    });
    expect(leaveMessageOnRetries(withPolicy(2))).toEqual([
      [2, false],
      [3, true],
    ]);
  });

  it("2 with a single attempt: the first call is the last", () => {
    expect(firstAttempt(withPolicy(2, []))).toEqual({
      status: "pending",
      attemptNumber: 1,
      leaveMessage: true,
    });
  });
});
