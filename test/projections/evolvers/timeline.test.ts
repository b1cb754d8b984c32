/**
 * The campaign timeline: hour and day buckets on the campaign's local clock
 * (Europe/London), by the events' own times, across both DST changes of 2025
 * (30 March: 01:00 GMT -> 02:00 BST; 26 October: 02:00 BST -> 01:00 GMT).
 */
import { describe, expect, it } from "vitest";
import { CampaignTimeline } from "../../../src/contract/reporting.js";
import { outcomes as outcomeCodes, stages as stageNames } from "../../../src/domain/index.js";
import {
  evolveTimeline,
  timelineHead,
  timelineMonthPage,
  timelineView,
  type TimelineModel,
} from "../../../src/projections/evolvers/index.js";
import {
  readCampaignTimeline,
  timelineProjection,
} from "../../../src/projections/timeline-projection.js";
import { MemoryReadModels } from "../../support/memory-read-models.js";
import { CAMPAIGN, CLIENT, CampaignLog, mobile, project, seedPostBody } from "./campaign-log.js";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A campaign of `count` numbers (one attempt each, so any time is accepted), windows over both 2025 DST changes. */
const campaign = (count: number, extra: object = {}): CampaignLog => {
  const log = new CampaignLog();
  log.run(
    "create-campaign",
    {
      ...seedPostBody(),
      startDate: "2025-03-29",
      runoverDays: [],
      attempts: [],
      smsOnBusy: 1,
      phoneNumbers: Array.from({ length: count }, (_, i) => ({ number: mobile(i) })),
      ...extra,
    },
    "2025-03-01T00:00:00.000Z",
  );
  return log;
};

/** Records outcome `outcome` for number i at `occurredAt`, the command arriving `lateBy` ms later. */
const attempt = (log: CampaignLog, i: number, outcome: number, occurredAt: string, lateBy = 0) =>
  log.run(
    "record-attempt-outcome",
    { number: mobile(i), attemptNumber: 1, outcome, occurredAt },
    iso(Date.parse(occurredAt) + lateBy),
  );

const timelineOf = (log: CampaignLog) => project(evolveTimeline, log.events)!;
const view = (model: TimelineModel, bucket: "hour" | "day", from?: string, to?: string) =>
  timelineView(
    timelineHead(model),
    [...model.months.keys()].sort().flatMap((month) => timelineMonthPage(model, month)),
    bucket,
    from,
    to,
  );

describe("campaign timeline", () => {
  it("has 25 local hour buckets on the day the clocks go back, the repeated hour once per offset", () => {
    const log = campaign(25);
    // One attempt in every hour of local 26 October 2025 (23:00Z on the 25th to 00:00Z on the 27th:
    // 25 hours).
    for (let h = 0; h < 25; h++)
      attempt(log, h, 6, iso(Date.parse("2025-10-25T23:30:00Z") + h * HOUR));
    const hours = view(timelineOf(log), "hour").buckets;
    expect(hours).toHaveLength(25);
    expect(hours.slice(0, 4).map((b) => b.start)).toEqual([
      "2025-10-26T00:00:00+01:00",
      "2025-10-26T01:00:00+01:00",
      "2025-10-26T01:00:00+00:00",
      "2025-10-26T02:00:00+00:00",
    ]);
    expect(hours.every((b) => b.attempts === 1 && b.outcomes.NoAnswer === 1)).toBe(true);
    const days = view(timelineOf(log), "day").buckets;
    expect(days).toEqual([
      {
        start: "2025-10-26T00:00:00+01:00",
        attempts: 25,
        outcomes: { NoAnswer: 25 },
        stages: {},
        contacted: 0,
        smsRequested: 0,
      },
    ]);
    expect(CampaignTimeline.parse(view(timelineOf(log), "day"))).toBeTruthy();
  });

  it("has 23 local hour buckets on the day the clocks go forward, with no 01:00 bucket", () => {
    const log = campaign(23);
    // Local 30 March 2025 runs from 00:00Z to 23:00Z: 23 hours.
    for (let h = 0; h < 23; h++)
      attempt(log, h, 1, iso(Date.parse("2025-03-30T00:15:00Z") + h * HOUR));
    const hours = view(timelineOf(log), "hour").buckets;
    expect(hours.map((b) => b.start.slice(11))).toEqual([
      "00:00:00+00:00",
      ...Array.from({ length: 22 }, (_, i) => `${String(i + 2).padStart(2, "0")}:00:00+01:00`),
    ]);
    const [day] = view(timelineOf(log), "day").buckets;
    expect(day).toMatchObject({
      start: "2025-03-30T00:00:00+00:00",
      attempts: 23,
      outcomes: { Answered: 23 },
      contacted: 23,
    });
  });

  it("buckets by when the attempt and stage occurred, not when they were recorded", () => {
    const log = campaign(2);
    // 23:50 local on the 25th, recorded three hours later, on the 26th.
    attempt(log, 0, 3, "2025-10-25T22:50:00.000Z", 3 * HOUR);
    log.run(
      "record-stage-reached",
      { number: mobile(0), attemptNumber: 1, stage: 1, occurredAt: "2025-10-25T22:49:00.000Z" },
      "2025-10-26T09:00:00.000Z",
    );
    const model = timelineOf(log);
    expect(view(model, "hour").buckets).toEqual([
      {
        start: "2025-10-25T23:00:00+01:00",
        attempts: 1,
        outcomes: { Busy: 1 },
        stages: { CorrectCallee: 1 },
        contacted: 0,
        smsRequested: 1,
      },
    ]);
    expect(view(model, "day").buckets.map((b) => b.start)).toEqual(["2025-10-25T00:00:00+01:00"]);
  });

  it("selects buckets by start within [from, to), and follows a change of zone for later events", () => {
    const log = campaign(3);
    attempt(log, 0, 1, "2025-10-01T08:10:00.000Z");
    attempt(log, 1, 1, "2025-10-01T09:10:00.000Z");
    expect(
      view(timelineOf(log), "hour", "2025-10-01T09:00:00Z", "2025-10-01T10:00:00Z").buckets.map(
        (b) => b.start,
      ),
    ).toEqual(["2025-10-01T10:00:00+01:00"]);
    log.run(
      "update-campaign",
      {
        ...seedPostBody(),
        startDate: "2025-03-29",
        runoverDays: [],
        attempts: [],
        timeZone: "Asia/Kolkata",
        phoneNumbers: [0, 1, 2].map((i) => ({ number: mobile(i) })),
      },
      "2025-10-01T10:00:00.000Z",
    );
    attempt(log, 2, 2, "2025-10-01T10:10:00.000Z");
    const model = timelineOf(log);
    expect(model.timeZone).toBe("Asia/Kolkata");
    expect(view(model, "hour").buckets.map((b) => b.start)).toEqual([
      "2025-10-01T09:00:00+01:00",
      "2025-10-01T10:00:00+01:00",
      "2025-10-01T15:00:00+05:30",
    ]);
  });

  it("is gone once the campaign is deleted, and ignores replays", () => {
    const log = campaign(1);
    attempt(log, 0, 1, "2025-10-01T08:10:00.000Z");
    const model = timelineOf(log);
    expect(project(evolveTimeline, log.events, model)).toBe(model);
    log.run("delete-campaign", {});
    expect(timelineOf(log)).toBeUndefined();
  });

  it("is written a month at a time, and read back over NATS-sized replies or refused as too large", async () => {
    const log = campaign(3);
    attempt(log, 0, 1, "2025-03-30T10:00:00.000Z");
    attempt(log, 1, 3, "2025-10-26T10:00:00.000Z");
    const store = new MemoryReadModels();
    const model = timelineOf(log);
    await timelineProjection.write(store, CLIENT, CAMPAIGN, undefined, model);
    expect((await store.keys("timelines", `${CLIENT}.`)).sort()).toEqual([
      `${CLIENT}.${CAMPAIGN}`,
      `${CLIENT}.${CAMPAIGN}.2025-03`,
      `${CLIENT}.${CAMPAIGN}.2025-10`,
    ]);
    const october = await readCampaignTimeline(
      store,
      CLIENT,
      { id: CAMPAIGN, bucket: "day", from: "2025-10-01T00:00:00.000Z" },
      1024 * 1024,
    );
    expect(october).toMatchObject({
      id: CAMPAIGN,
      timeZone: "Europe/London",
      bucket: "day",
      buckets: [{ start: "2025-10-26T00:00:00+01:00", attempts: 1, smsRequested: 1 }],
    });
    expect(
      await readCampaignTimeline(
        store,
        "other-client",
        { id: CAMPAIGN, bucket: "day" },
        1024 * 1024,
      ),
    ).toMatchObject({ code: "not_found" });
    expect(
      await readCampaignTimeline(store, CLIENT, { id: CAMPAIGN, bucket: "hour" }, 4200),
    ).toMatchObject({ code: "rule_violated" });
    // Only the month that changed is rewritten.
    const settled = timelineProjection.settled!(model);
    const later = evolveTimeline(settled, {
      ...attempt(log, 2, 1, "2025-10-27T10:00:00.000Z")[0]!,
    })!;
    expect([...later.dirtyMonths]).toEqual(["2025-10"]);
    await timelineProjection.write(store, CLIENT, CAMPAIGN, settled, undefined);
    expect(await store.keys("timelines", `${CLIENT}.`)).toEqual([]);
  });

  it("keeps a month with every outcome and stage in every hour under one KV value", () => {
    const outcomes = Object.fromEntries(outcomeCodes.map(({ name }) => [name, 9_999_999]));
    const stages = Object.fromEntries(stageNames.map((name) => [name, 9_999_999]));
    const hour = {
      start: "2025-10-26T01:00:00+05:45",
      day: "2025-10-26",
      attempts: 9_999_999,
      outcomes,
      stages,
      contacted: 9_999_999,
      smsRequested: 9_999_999,
    };
    const month = Array.from({ length: 31 * 24 + 1 }, () => hour);
    expect(JSON.stringify(month).length).toBeLessThan(1024 * 1024 - 4096);
  });
});
