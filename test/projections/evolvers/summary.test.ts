import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CampaignSummary } from "../../../src/contract/read-models.js";
import { campaignProjections } from "../../../src/projections/campaign-projections.js";
import {
  evolveSummary,
  positionAfter,
  toCampaignLogEvent,
} from "../../../src/projections/evolvers/index.js";
import {
  CAMPAIGN,
  CLIENT,
  CampaignLog,
  at,
  mobile,
  project,
  seedListItem,
  seedPostBody,
} from "./campaign-log.js";

const summaryOf = (log: CampaignLog) => project(evolveSummary, log.events);

describe("campaign summary", () => {
  it("is the seed's GET list item after the seed's POST, with phoneNumberCount and the extras", () => {
    const log = new CampaignLog();
    log.create();
    const summary = summaryOf(log);
    const last = log.events.at(-1)!;
    expect(summary).toEqual({
      ...seedListItem(CAMPAIGN, 2),
      timeZone: "Europe/London",
      status: "active",
      position: last.position.toString(),
    });
    // In the seed's field order, as JSON shows it.
    expect(Object.keys(summary!).slice(0, 12)).toEqual(Object.keys(seedListItem(CAMPAIGN, 2)));
    expect(CampaignSummary.parse(summary)).toEqual(summary);
  });

  it("has no summary before the campaign is created", () => {
    const other = new CampaignLog();
    other.create();
    expect(project(evolveSummary, other.events.slice(1))).toBeUndefined();
  });

  it("follows pause and resume, its position the last event's", () => {
    const log = new CampaignLog();
    log.create();
    log.run("pause-campaign", {});
    const pausedModel = project(evolveSummary, log.events);
    expect(pausedModel).toMatchObject({
      status: "paused",
      position: log.events.at(-1)!.position.toString(),
    });
    log.run("resume-campaign", {});
    expect(summaryOf(log)).toMatchObject({
      status: "active",
      position: log.events.at(-1)!.position.toString(),
    });
  });

  it("counts numbers added, and skips duplicates the decider reported", () => {
    const log = new CampaignLog();
    log.create();
    log.run("add-phone-numbers", {
      phoneNumbers: [{ number: mobile(1) }, { number: "+447722123456" }, { number: mobile(2) }],
    });
    expect(summaryOf(log)).toMatchObject({ phoneNumberCount: 4 });
  });

  it("is replaced by an update: settings and number count", () => {
    const log = new CampaignLog();
    log.create();
    log.run("pause-campaign", {});
    log.run("update-campaign", {
      ...seedPostBody(),
      name: "Renamed",
      finishTime: "17:00",
      attempts: [{ attemptNumber: 1, interval: 30 }],
      smsOnBusy: 2,
      timeZone: "Europe/Paris",
      phoneNumbers: [{ number: mobile(1) }, { number: mobile(2) }, { number: mobile(3) }],
    });
    expect(summaryOf(log)).toEqual({
      ...seedListItem(CAMPAIGN, 3),
      name: "Renamed",
      finishTime: "17:00",
      attempts: [{ attemptNumber: 1, interval: 30 }],
      smsOnBusy: 2,
      timeZone: "Europe/Paris",
      status: "paused",
      position: log.events.at(-1)!.position.toString(),
    });
  });

  it("is gone once the campaign is deleted", () => {
    const log = new CampaignLog();
    log.create();
    log.run("delete-campaign", {});
    expect(summaryOf(log)).toBeUndefined();
  });

  it("moves only its position on attempt, stage and SMS events", () => {
    const log = new CampaignLog();
    log.create();
    const before = summaryOf(log)!;
    log.outcome("07722123456", 1, 3, at(5)); // Busy on the first call: an SMS request too
    log.stage("07722123456", 1, 14, at(6)); // opted out
    expect(log.events.slice(-4).map((e) => e.type)).toEqual([
      "AttemptOutcomeRecorded",
      "SmsRequested",
      "StageReached",
      "NumberOptedOut",
    ]);
    expect(summaryOf(log)).toEqual({ ...before, position: log.events.at(-1)!.position.toString() });
  });

  it("ignores a replayed event: one at or before its position changes nothing", () => {
    const log = new CampaignLog();
    log.create();
    log.run("pause-campaign", {});
    const model = summaryOf(log)!;
    for (const event of log.events) expect(evolveSummary(model, event)).toBe(model);
    // Even a delete, replayed, changes nothing.
    log.run("delete-campaign", {});
    const deleted = log.events.at(-1)!;
    expect(evolveSummary(model, { ...deleted, position: BigInt(model.position) })).toBe(model);
  });

  it("compares log positions as numbers, not as text", () => {
    expect(positionAfter("10", "9")).toBe(true);
    expect(positionAfter("9", "10")).toBe(false);
    expect(positionAfter("123", "123")).toBe(false);
    expect(positionAfter("18446744073709551615", "18446744073709551614")).toBe(true);
    const log = new CampaignLog(CAMPAIGN, CLIENT, 0n); // positions 3, 6 (create), 9, 12, 15
    log.create();
    log.run("pause-campaign", {});
    log.run("resume-campaign", {});
    log.run("pause-campaign", {});
    const model = summaryOf(log)!;
    expect(model).toMatchObject({ position: "15", status: "paused" });
    expect(evolveSummary(model, log.events[2]!)).toBe(model); // position 9 < 15, though "9" > "15" as text
  });

  it("has a JSON Schema generated from its zod schema", () => {
    const schema = z.toJSONSchema(CampaignSummary) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toContain("phoneNumberCount");
    expect(schema.required).toContain("position");
  });
});

describe("the campaign projections", () => {
  it("are the summary, detail, statistics, timeline and attempts, and take the runner's events", () => {
    expect(campaignProjections.map((projection) => projection.name)).toEqual([
      "summary",
      "detail",
      "statistics",
      "timeline",
      "attempts",
    ]);
    const log = new CampaignLog();
    const [created] = log.create();
    const projected = {
      type: created!.type,
      data: created!.data,
      position: 7n,
      revision: 0n,
      recordedAt: "2025-09-01T00:00:00.000Z",
      clientId: CLIENT,
      campaignId: CAMPAIGN,
    };
    expect(toCampaignLogEvent(projected)).toEqual({
      type: created!.type,
      data: created!.data,
      position: 7n,
      recordedAt: "2025-09-01T00:00:00.000Z",
      clientId: CLIENT,
      campaignId: CAMPAIGN,
    });
    expect(toCampaignLogEvent({ ...projected, type: "CallFlowRegistered" })).toBeUndefined();
  });
});
