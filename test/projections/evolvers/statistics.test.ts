import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type CampaignState,
  campaignDecider,
  outcomes,
  stages,
} from "../../../src/domain/index.js";
import { CampaignStatistics } from "../../../src/contract/read-models.js";
import { evolveStatistics, statisticsView } from "../../../src/projections/evolvers/index.js";
import { CAMPAIGN, CampaignLog, at, mobile, project, seedPostBody } from "./campaign-log.js";

const statisticsOf = (log: CampaignLog) => statisticsView(project(evolveStatistics, log.events)!);
const countsOf = (list: { code: number; count: number }[]) =>
  Object.fromEntries(list.filter((c) => c.count > 0).map((c) => [c.code, c.count]));

/** The partition, computed from the domain's own state. */
const partitionFromDomain = (log: CampaignLog | CampaignState) => {
  const state = log instanceof CampaignLog ? log.state : log;
  const numbers = state.status === "absent" ? [] : [...state.numbers.values()];
  const result = (name: string) =>
    numbers.filter((p) => p.next.status === "completed" && p.next.result === name).length;
  return {
    total: numbers.length,
    pending: numbers.filter((p) => p.next.status !== "completed").length,
    completed: result("contacted") + result("message_left") + result("failed") + result("excluded"),
    exhausted: result("exhausted"),
    optedOut: result("opted_out"),
  };
};

/** Folds the log event by event, checking after each that the statistics' partition is the domain's; returns the model. */
const expectDomainPartitionAfterEachEvent = (log: CampaignLog) => {
  let model: ReturnType<typeof evolveStatistics> = undefined;
  let state = campaignDecider.initialState();
  for (const event of log.events) {
    model = evolveStatistics(model, event);
    state = campaignDecider.evolve(state, event);
    expect(statisticsView(model!).numbers).toEqual(partitionFromDomain(state));
  }
  return model;
};

/** Eight numbers (A..H = mobile(1..8)) and one invalid number, ignored. */
const scenario = () => {
  const log = new CampaignLog();
  log.create({
    ...seedPostBody(),
    ignoreInvalidPhoneNumbers: true,
    phoneNumbers: [
      ...Array.from({ length: 8 }, (_, i) => ({ number: mobile(i + 1) })),
      { number: "123" },
    ],
  });
  const [A, B, C, D, E, F, , H] = Array.from({ length: 8 }, (_, i) => mobile(i + 1));
  log.stage(A!, 1, 1, at(0)); // CorrectCallee
  log.stage(A!, 1, 10, at(1)); // Answered
  log.outcome(A!, 1, 1, at(2)); // Answered -> contacted
  log.outcome(B!, 1, 3, at(0)); // Busy on the first call -> SMS, retry
  log.outcome(B!, 2, 6, at(20)); // NoAnswer -> retry
  log.outcome(B!, 3, 6, at(90)); // NoAnswer on the last attempt -> exhausted
  log.outcome(C!, 1, 5, at(3)); // AnswerphoneMessageLeft -> message_left
  log.stage(D!, 1, 14, at(1)); // OptOut
  log.outcome(D!, 1, 1, at(2)); // Answered, but opted out
  log.outcome(E!, 1, 2, at(4)); // Unobtainable -> failed
  log.outcome(F!, 1, 11, at(5)); // ExcludedNumber -> excluded
  log.outcome(H!, 1, 6, at(6)); // NoAnswer -> retry; G never called
  return log;
};

describe("campaign statistics", () => {
  it("lists all 13 outcomes, all 21 stages and every attempt number, even before any call", () => {
    const log = new CampaignLog();
    log.create();
    const statistics = statisticsOf(log);
    expect(statistics.outcomes).toEqual(
      outcomes.map(({ code, name }) => ({ code, name, count: 0 })),
    );
    expect(statistics.stages).toEqual(stages.map((name, code) => ({ code, name, count: 0 })));
    expect(statistics.stages[4]).toEqual({ code: 4, name: "CorrectColleeHungUp", count: 0 });
    expect(
      statistics.perAttempt.map((a) => [a.attemptNumber, a.attempts, a.byOutcome.length]),
    ).toEqual([
      [1, 0, 13],
      [2, 0, 13],
      [3, 0, 13],
    ]);
    expect(statistics).toMatchObject({
      id: CAMPAIGN,
      position: log.events.at(-1)!.position.toString(),
      numbers: { total: 2, pending: 2, completed: 0, exhausted: 0, optedOut: 0 },
      results: {
        contacted: 0,
        message_left: 0,
        failed: 0,
        excluded: 0,
        exhausted: 0,
        opted_out: 0,
      },
      attemptsRecorded: 0,
      smsRequested: 0,
      ignoredInvalidNumbers: 0,
      answerRate: null,
      contactRate: null,
    });
    expect(CampaignStatistics.parse(statistics)).toEqual(statistics);
  });

  it("counts outcomes, stages, attempts, numbers by state, results and rates", () => {
    const log = scenario();
    const statistics = statisticsOf(log);
    expect(countsOf(statistics.outcomes)).toEqual({ 1: 2, 2: 1, 3: 1, 5: 1, 6: 3, 11: 1 });
    expect(countsOf(statistics.stages)).toEqual({ 1: 1, 10: 1, 14: 1 });
    expect(
      statistics.perAttempt.map((a) => ({
        attemptNumber: a.attemptNumber,
        attempts: a.attempts,
        byOutcome: countsOf(a.byOutcome),
      })),
    ).toEqual([
      { attemptNumber: 1, attempts: 7, byOutcome: { 1: 2, 2: 1, 3: 1, 5: 1, 6: 1, 11: 1 } },
      { attemptNumber: 2, attempts: 1, byOutcome: { 6: 1 } },
      { attemptNumber: 3, attempts: 1, byOutcome: { 6: 1 } },
    ]);
    expect(statistics.numbers).toEqual({
      total: 8,
      pending: 2,
      completed: 4,
      exhausted: 1,
      optedOut: 1,
    });
    expect(statistics.numbers).toEqual(partitionFromDomain(log));
    const { total, ...parts } = statistics.numbers;
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(total);
    expect(statistics.results).toEqual({
      contacted: 1,
      message_left: 1,
      failed: 1,
      excluded: 1,
      exhausted: 1,
      opted_out: 1,
    });
    expect(statistics).toMatchObject({
      attemptsRecorded: 9,
      smsRequested: 1,
      ignoredInvalidNumbers: 1,
      numbersAttempted: 7,
      numbersAnswered: 2,
      answerRate: 2 / 9,
      contactRate: 2 / 7,
    });
    expect(CampaignStatistics.parse(statistics)).toEqual(statistics);
  });

  it("counts numbers added later as pending", () => {
    const log = scenario();
    log.run("add-phone-numbers", {
      phoneNumbers: [{ number: mobile(20) }, { number: mobile(1) }, { number: mobile(21) }],
    });
    expect(statisticsOf(log).numbers).toEqual({
      total: 10,
      pending: 4,
      completed: 4,
      exhausted: 1,
      optedOut: 1,
    });
    expect(statisticsOf(log).numbers).toEqual(partitionFromDomain(log));
  });

  it("on update, keeps the progress of numbers whose E.164 remains; attempt counts stay cumulative", () => {
    const log = scenario();
    log.run("update-campaign", {
      ...seedPostBody(),
      attempts: [{ attemptNumber: 1, interval: 30 }],
      phoneNumbers: [{ number: "+447722000001" }, { number: mobile(7) }, { number: mobile(9) }],
    });
    const statistics = statisticsOf(log);
    expect(statistics.numbers).toEqual({
      total: 3,
      pending: 2,
      completed: 1,
      exhausted: 0,
      optedOut: 0,
    });
    expect(statistics.numbers).toEqual(partitionFromDomain(log));
    expect(statistics.results).toMatchObject({ contacted: 1, exhausted: 0, opted_out: 0 });
    expect(statistics).toMatchObject({
      attemptsRecorded: 9,
      numbersAttempted: 1,
      numbersAnswered: 1,
      contactRate: 1,
      answerRate: 2 / 9,
    });
    // One attempt per number now, but attempts 2 and 3 were recorded: they stay listed.
    expect(statistics.perAttempt.map((a) => a.attemptNumber)).toEqual([1, 2, 3]);
  });

  it("follows the domain's partition through every event", () => {
    const log = scenario();
    log.run("update-campaign", {
      ...seedPostBody(),
      phoneNumbers: [
        { number: mobile(2) },
        { number: mobile(4) },
        { number: mobile(8) },
        { number: mobile(30) },
      ],
    });
    log.outcome(mobile(8), 2, 1, at(40));
    log.run("add-phone-numbers", { phoneNumbers: [{ number: mobile(31) }] });
    const model = expectDomainPartitionAfterEachEvent(log);
    expect(statisticsView(model!).numbers).toEqual({
      total: 5,
      pending: 2,
      completed: 1,
      exhausted: 1,
      optedOut: 1,
    });
  });

  it("on update, ends as exhausted the retries no calling window is left for, as the domain does", () => {
    const log = new CampaignLog();
    log.create({ ...seedPostBody(), phoneNumbers: [{ number: mobile(1) }, { number: mobile(2) }] });
    log.outcome(mobile(1), 1, 6, at(170)); // 15 minutes later is past the finish: due on the runover day
    log.outcome(mobile(2), 1, 6, at(10)); // due the same morning
    log.run("update-campaign", {
      ...seedPostBody(),
      runoverDays: [],
      phoneNumbers: [{ number: mobile(1) }, { number: mobile(2) }],
    });
    expect(statisticsOf(log).numbers).toEqual({
      total: 2,
      pending: 1,
      completed: 0,
      exhausted: 1,
      optedOut: 0,
    });
    expect(statisticsOf(log).numbers).toEqual(partitionFromDomain(log));
    // The one still pending is re-planned again by a later update, from its own last attempt.
    log.run("update-campaign", {
      ...seedPostBody(),
      runoverDays: [],
      finishTime: "09:20",
      phoneNumbers: [{ number: mobile(1) }, { number: mobile(2) }],
    });
    expect(statisticsOf(log).numbers).toEqual({
      total: 2,
      pending: 0,
      completed: 0,
      exhausted: 2,
      optedOut: 0,
    });
    expect(statisticsOf(log).numbers).toEqual(partitionFromDomain(log));
  });

  it("on update, ends as exhausted the numbers whose next attempt is beyond the new maximum, as the domain does", () => {
    const log = scenario();
    const kept = {
      ...seedPostBody(),
      phoneNumbers: Array.from({ length: 8 }, (_, i) => ({ number: mobile(i + 1) })),
    };
    // H's next attempt is 2: still pending with two attempts, exhausted with one.
    log.run("update-campaign", {
      ...kept,
      attempts: [
        { attemptNumber: 1, interval: 30 },
        { attemptNumber: 2, interval: 30 },
      ],
    });
    expect(statisticsOf(log).numbers).toEqual({
      total: 8,
      pending: 2,
      completed: 4,
      exhausted: 1,
      optedOut: 1,
    });
    log.run("update-campaign", { ...kept, attempts: [{ attemptNumber: 1, interval: 30 }] });
    const statistics = statisticsOf(log);
    expect(statistics.numbers).toEqual({
      total: 8,
      pending: 1,
      completed: 4,
      exhausted: 2,
      optedOut: 1,
    });
    expect(statistics.results).toEqual({
      contacted: 1,
      message_left: 1,
      failed: 1,
      excluded: 1,
      exhausted: 2,
      opted_out: 1,
    });
    // Re-planning changes no attempt counts or flags.
    expect(statistics).toMatchObject({
      attemptsRecorded: 9,
      numbersAttempted: 7,
      numbersAnswered: 2,
    });
    // G's first attempt is its last now; allowing more attempts later revives neither G nor H.
    log.outcome(mobile(7), 1, 6, at(100));
    log.run("update-campaign", {
      ...kept,
      phoneNumbers: [...kept.phoneNumbers, { number: mobile(9) }],
    });
    log.outcome(mobile(9), 1, 6, at(101));
    expect(statisticsOf(log).numbers).toEqual({
      total: 9,
      pending: 1,
      completed: 4,
      exhausted: 3,
      optedOut: 1,
    });

    expectDomainPartitionAfterEachEvent(log);
  });

  it("is gone once the campaign is deleted; pause and resume only move its position", () => {
    const log = scenario();
    const before = statisticsOf(log);
    log.run("pause-campaign", {});
    log.run("resume-campaign", {});
    expect(statisticsOf(log)).toEqual({
      ...before,
      position: log.events.at(-1)!.position.toString(),
    });
    log.run("delete-campaign", {});
    expect(project(evolveStatistics, log.events)).toBeUndefined();
  });

  it("ignores a replayed event: one at or before its position changes nothing", () => {
    const log = scenario();
    const model = project(evolveStatistics, log.events)!;
    for (const event of log.events) expect(evolveStatistics(model, event)).toBe(model);
    const replayedTwice = log.events.reduce(
      (m, event) => evolveStatistics(evolveStatistics(m, event), event),
      undefined as ReturnType<typeof evolveStatistics>,
    );
    expect(statisticsView(replayedTwice!)).toEqual(statisticsView(model));
  });

  it("has a JSON Schema generated from its zod schema", () => {
    const json = z.toJSONSchema(CampaignStatistics) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties)).toEqual(
      expect.arrayContaining([
        "outcomes",
        "stages",
        "perAttempt",
        "numbers",
        "results",
        "answerRate",
        "contactRate",
      ]),
    );
  });
});
