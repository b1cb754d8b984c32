import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type Campaign,
  type CampaignState,
  campaignDecider,
  seedPhoneNumber,
} from "../../../src/domain/index.js";
import { CampaignDetail, CampaignDetailHead } from "../../../src/contract/read-models.js";
import {
  type DetailModel,
  assembleDetail,
  detailBody,
  detailHead,
  detailPage,
  evolveDetail,
  settleDetail,
} from "../../../src/projections/evolvers/index.js";
import { pageDetail } from "./page-detail.js";
import {
  CAMPAIGN,
  CampaignLog,
  at,
  mobile,
  mobileE164,
  project,
  seedListItem,
  seedPhoneNumbers,
  seedPostBody,
} from "./campaign-log.js";

const detailOf = (log: CampaignLog) => project(evolveDetail, log.events);
const pending = { status: "pending", attemptNumber: 1, leaveMessage: false } as const;
const untouched = { attemptsMade: 0, next: pending, optedOut: false, lastOutcome: null };
const BEN = "07722123456";
const DAVE = "07722734716";

/** The detail's numbers agree with the domain's own state: same numbers, same order of E.164, same next step. */
const expectMirrorsDomain = (model: DetailModel, log: CampaignLog | CampaignState) => {
  const campaign = (log instanceof CampaignLog ? log.state : log) as Campaign;
  const body = detailBody(model);
  expect(body.phoneNumbers.map((p) => p.e164).sort()).toEqual([...campaign.numbers.keys()].sort());
  for (const phone of body.phoneNumbers) {
    const progress = campaign.numbers.get(phone.e164)!;
    const { progress: _progress, ...seedShape } = phone;
    expect(seedShape).toEqual(seedPhoneNumber(progress.entry));
    expect(phone.progress.next).toEqual(progress.next);
    expect(phone.progress.optedOut).toBe(
      progress.next.status === "completed" &&
        progress.next.result === "opted_out" &&
        progress.optedOutOn !== undefined,
    );
    expect(phone.progress.lastOutcome?.attemptNumber).toBe(progress.last?.attemptNumber);
  }
};

describe("campaign detail", () => {
  it("is the seed's GET single body after the seed's POST, each number with its E.164 form and progress", () => {
    const log = new CampaignLog();
    log.create();
    const body = detailBody(detailOf(log)!);
    expect(body).toEqual({
      ...seedListItem(CAMPAIGN, 2),
      timeZone: "Europe/London",
      status: "active",
      position: log.events.at(-1)!.position.toString(),
      phoneNumbers: [
        { ...seedPhoneNumbers()[0], e164: "+447722123456", progress: untouched },
        { ...seedPhoneNumbers()[1], e164: "+447722734716", progress: untouched },
      ],
    });
    // The seed's fields, in its order, then ours.
    expect(Object.keys(body)).toEqual([
      ...Object.keys(seedListItem(CAMPAIGN, 2)),
      "timeZone",
      "status",
      "position",
      "phoneNumbers",
    ]);
    expect(Object.keys(body.phoneNumbers[0]!)).toEqual([
      "number",
      "name",
      "parameters",
      "e164",
      "progress",
    ]);
    expect(CampaignDetail.parse(body)).toEqual(body);
  });

  it("tracks each number's progress: attempts made, the next step, the last outcome, opting out", () => {
    const log = new CampaignLog();
    log.create();
    log.outcome(BEN, 1, 6, at(10)); // NoAnswer: retry 15 minutes later
    log.outcome(DAVE, 1, 1, at(12)); // Answered: completed
    let model = detailOf(log)!;
    let [ben, dave] = detailBody(model).phoneNumbers;
    expect(ben!.progress).toEqual({
      attemptsMade: 1,
      next: { status: "retry", attemptNumber: 2, dueAt: at(25), leaveMessage: false },
      optedOut: false,
      lastOutcome: { attemptNumber: 1, outcome: 6, outcomeName: "NoAnswer", occurredAt: at(10) },
    });
    expect(dave!.progress).toMatchObject({
      attemptsMade: 1,
      next: { status: "completed", result: "contacted" },
      lastOutcome: { outcome: 1, outcomeName: "Answered" },
    });
    expectMirrorsDomain(model, log);

    // Ben opts out during his second call; that call's outcome still lands.
    log.stage(BEN, 2, 14, at(30));
    model = detailOf(log)!;
    expect(detailBody(model).phoneNumbers[0]!.progress).toMatchObject({
      attemptsMade: 1,
      optedOut: true,
      next: { status: "completed", result: "opted_out" },
    });
    log.outcome(BEN, 2, 1, at(31));
    model = detailOf(log)!;
    [ben, dave] = detailBody(model).phoneNumbers;
    expect(ben!.progress).toEqual({
      attemptsMade: 2,
      next: { status: "completed", result: "opted_out" },
      optedOut: true,
      lastOutcome: { attemptNumber: 2, outcome: 1, outcomeName: "Answered", occurredAt: at(31) },
    });
    expectMirrorsDomain(model, log);
  });

  it("appends added numbers in order, fresh", () => {
    const log = new CampaignLog();
    log.create();
    log.run("add-phone-numbers", {
      phoneNumbers: [{ number: mobile(1), name: "one" }, { number: BEN }, { number: mobile(2) }],
    });
    const body = detailBody(detailOf(log)!);
    expect(body.phoneNumberCount).toBe(4);
    expect(body.phoneNumbers.map((p) => p.number)).toEqual([BEN, DAVE, mobile(1), mobile(2)]);
    expect(body.phoneNumbers[2]).toEqual({
      number: mobile(1),
      name: "one",
      e164: mobileE164(1),
      progress: untouched,
    });
  });

  it("is replaced by an update: numbers kept by E.164 keep their progress, the rest start afresh", () => {
    const log = new CampaignLog();
    log.create();
    log.outcome(BEN, 1, 6, at(10));
    log.outcome(DAVE, 1, 2, at(11));
    log.run("update-campaign", {
      ...seedPostBody(),
      name: "Renamed",
      answerMachineDetected: 1,
      // Ben again, written another way and renamed; Dave dropped; a new number.
      phoneNumbers: [
        { number: mobile(7), name: "new" },
        { number: "+44 7722 123456", name: "Benjamin" },
      ],
    });
    const model = detailOf(log)!;
    const body = detailBody(model);
    expect(body).toMatchObject({ name: "Renamed", answerMachineDetected: 1, phoneNumberCount: 2 });
    expect(body.phoneNumbers).toEqual([
      {
        number: mobile(7),
        name: "new",
        e164: mobileE164(7),
        progress: { ...untouched, next: { ...pending, leaveMessage: true } },
      },
      {
        number: "+44 7722 123456",
        name: "Benjamin",
        e164: "+447722123456",
        progress: {
          attemptsMade: 1,
          next: { status: "retry", attemptNumber: 2, dueAt: at(25), leaveMessage: false },
          optedOut: false,
          lastOutcome: {
            attemptNumber: 1,
            outcome: 6,
            outcomeName: "NoAnswer",
            occurredAt: at(10),
          },
        },
      },
    ]);
    expectMirrorsDomain(model, log);
  });

  it("re-plans the numbers an update keeps, as the domain does, through every event", () => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: [{ number: BEN }, { number: DAVE }, { number: mobile(1) }],
    });
    log.outcome(BEN, 1, 6, at(10)); // retry 2, due at(25)
    log.outcome(DAVE, 1, 6, at(11));
    log.outcome(DAVE, 2, 6, at(30)); // retry 3
    const settings = {
      ...seedPostBody(),
      phoneNumbers: [{ number: BEN }, { number: DAVE }, { number: mobile(1) }],
    };
    const twoAttempts = [
      { attemptNumber: 1, interval: 15 },
      { attemptNumber: 2, interval: 60 },
    ];
    // Two attempts, a message on the first call: Dave's third attempt is gone, mobile(1)'s first
    // leaves a message.
    log.run("update-campaign", { ...settings, attempts: twoAttempts, answerMachineDetected: 1 });
    let model = detailOf(log)!;
    const nextOf = (m: DetailModel) => detailBody(m).phoneNumbers.map((p) => p.progress.next);
    expect(nextOf(model)).toEqual([
      { status: "retry", attemptNumber: 2, dueAt: at(25), leaveMessage: false },
      { status: "completed", result: "exhausted" },
      { ...pending, leaveMessage: true },
    ]);
    expect(detailBody(model).phoneNumbers[1]!.progress).toMatchObject({
      attemptsMade: 2,
      optedOut: false,
      lastOutcome: { attemptNumber: 2 },
    });
    // A message on the last call: Ben's retry is the last one now, mobile(1)'s first is not.
    log.run("update-campaign", { ...settings, attempts: twoAttempts, answerMachineDetected: 2 });
    model = detailOf(log)!;
    expect(nextOf(model)).toEqual([
      { status: "retry", attemptNumber: 2, dueAt: at(25), leaveMessage: true },
      { status: "completed", result: "exhausted" },
      pending,
    ]);
    log.outcome(BEN, 2, 6, at(40));
    log.outcome(mobile(1), 1, 6, at(41));

    let detail: DetailModel | undefined;
    let state = campaignDecider.initialState();
    for (const event of log.events) {
      detail = evolveDetail(detail, event);
      state = campaignDecider.evolve(state, event);
      expectMirrorsDomain(detail!, state);
    }
    expect(nextOf(detail!)).toEqual([
      { status: "completed", result: "exhausted" },
      { status: "completed", result: "exhausted" },
      { status: "retry", attemptNumber: 2, dueAt: at(56), leaveMessage: true },
    ]);
  });

  it("re-plans a kept retry's due time in the update's calling windows, as the domain does", () => {
    const log = new CampaignLog();
    log.create({ ...seedPostBody(), phoneNumbers: [{ number: BEN }, { number: DAVE }] });
    log.outcome(BEN, 1, 6, at(170)); // past the finish with its interval: due on the runover day
    log.outcome(DAVE, 1, 6, at(10));
    const settings = { ...seedPostBody(), phoneNumbers: [{ number: BEN }, { number: DAVE }] };
    log.run("update-campaign", {
      ...settings,
      runoverDays: [],
      attempts: [
        { attemptNumber: 1, interval: 30 },
        { attemptNumber: 2, interval: 30 },
      ],
    });
    const model = detailOf(log)!;
    expect(detailBody(model).phoneNumbers.map((p) => p.progress.next)).toEqual([
      { status: "completed", result: "exhausted" },
      { status: "retry", attemptNumber: 2, dueAt: at(40), leaveMessage: false },
    ]);
    expectMirrorsDomain(model, log);
  });

  it("follows pause and resume, and is gone once deleted", () => {
    const log = new CampaignLog();
    log.create();
    log.run("pause-campaign", {});
    expect(detailOf(log)!.summary.status).toBe("paused");
    log.run("resume-campaign", {});
    expect(detailOf(log)!.summary.status).toBe("active");
    log.run("delete-campaign", {});
    expect(detailOf(log)).toBeUndefined();
  });

  it("ignores a replayed event: one at or before its position changes nothing", () => {
    const log = new CampaignLog();
    log.create();
    log.outcome(BEN, 1, 6, at(10));
    const model = settleDetail(detailOf(log)!);
    for (const event of log.events) expect(evolveDetail(model, event)).toBe(model);
    const [again] = log.outcome(BEN, 2, 6, at(30));
    const once = evolveDetail(model, again!)!;
    expect(evolveDetail(once, again!)).toBe(once);
    expect(detailBody(once).phoneNumbers[0]!.progress.attemptsMade).toBe(2);
  });

  it("has JSON Schemas generated from its zod schemas", () => {
    for (const schema of [CampaignDetail, CampaignDetailHead]) {
      const json = z.toJSONSchema(schema) as { properties: Record<string, unknown> };
      expect(Object.keys(json.properties)).toContain("phoneNumberCount");
    }
  });
});

describe("campaign detail pages", () => {
  const withNumbers = (count: number) => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: Array.from({ length: count }, (_, i) => ({ number: mobile(i), name: `n${i}` })),
    });
    return log;
  };

  it("round-trips: assembleDetail(pageDetail(m)) is the GET body, whatever the page size", () => {
    const log = withNumbers(25);
    log.outcome(mobile(3), 1, 6, at(10));
    const model = detailOf(log)!;
    for (const pageSize of [1, 7, 10, 25, 1000]) {
      const { head, pages } = pageDetail(model, pageSize);
      expect(head.phoneNumberPages).toBe(Math.ceil(25 / pageSize));
      expect(head.phoneNumberCount).toBe(25);
      expect(head.phoneNumberPageSize).toBe(pageSize);
      expect(pages.every((page) => page.length <= pageSize)).toBe(true);
      expect(assembleDetail(head, pages)).toEqual(detailBody(model));
      // And through JSON, as the KV store holds them.
      expect(
        assembleDetail(JSON.parse(JSON.stringify(head)), JSON.parse(JSON.stringify(pages))),
      ).toEqual(detailBody(model));
      expect(CampaignDetailHead.parse(head)).toEqual(head);
    }
    const { head, pages } = pageDetail(model);
    expect(pages).toHaveLength(1);
    expect(head).toEqual({ ...detailHead(model), phoneNumberPages: 1 });
    expect(head).not.toHaveProperty("phoneNumbers");
  });

  it("has one page for the seed's two numbers", () => {
    const log = new CampaignLog();
    log.create();
    expect(pageDetail(detailOf(log)!).pages).toEqual([detailBody(detailOf(log)!).phoneNumbers]);
  });

  it("marks only the pages an event changed as dirty", () => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: Array.from({ length: 2500 }, (_, i) => ({ number: mobile(i) })),
    });
    let model = detailOf(log)!;
    expect(model.pageSize).toBe(1000);
    expect([...model.dirtyPages].sort()).toEqual([0, 1, 2]);
    model = settleDetail(model);
    expect(model.dirtyPages.size).toBe(0);

    const step = (events: ReturnType<CampaignLog["run"]>) =>
      (model = project(evolveDetail, events, model)!);
    step(log.outcome(mobile(1500), 1, 6, at(10)));
    expect([...model.dirtyPages]).toEqual([1]);
    step(log.stage(mobile(2400), 1, 14, at(11)));
    expect([...model.dirtyPages].sort()).toEqual([1, 2]);
    expect(detailPage(model, 2)[400]!.progress.optedOut).toBe(true);

    model = settleDetail(model);
    step(log.run("add-phone-numbers", { phoneNumbers: [{ number: mobile(5000) }] }));
    expect([...model.dirtyPages]).toEqual([2]);
    step(log.run("pause-campaign", {}));
    expect([...model.dirtyPages]).toEqual([2]);

    step(log.outcome(mobile(1100), 1, 2, at(12)));
    model = settleDetail(model);
    step(
      log.run("update-campaign", {
        ...seedPostBody(),
        phoneNumbers: Array.from({ length: 1200 }, (_, i) => ({ number: mobile(i) })),
      }),
    );
    expect([...model.dirtyPages].sort()).toEqual([0, 1]);
    expect(detailHead(model).phoneNumberPages).toBe(2);
    const secondPage = detailPage(model, 1);
    expect(secondPage).toHaveLength(200);
    expect(secondPage[100]).toMatchObject({
      number: mobile(1100),
      progress: { attemptsMade: 1, next: { status: "completed", result: "failed" } },
    });
    expect(secondPage.filter((phone) => phone.progress.attemptsMade > 0)).toHaveLength(1);
  });
});
