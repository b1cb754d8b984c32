/**
 * A 100,000-number campaign, each number with 9 parameters of 20 characters,
 * then 200,000 attempt outcomes and 100,000 stages: 300,000-odd genuine events. Evolving is
 * O(log n) per event (an O(n) evolver would not finish within the timeout),
 * and no page of the detail comes near NATS's 1 MB value limit.
 */
import { describe, expect, it } from "vitest";
import {
  type CampaignLogEvent,
  type DetailModel,
  type StatisticsModel,
  assembleDetail,
  detailBody,
  evolveDetail,
  evolveStatistics,
  evolveSummary,
  settleDetail,
  statisticsView,
} from "../../../src/projections/evolvers/index.js";
import type { CampaignSummary } from "../../../src/contract/read-models.js";
import { pageDetail } from "./page-detail.js";
import { CampaignLog, at, mobile, seedPostBody } from "./campaign-log.js";

const NUMBERS = 100_000;
const CHUNK = 1_500; // numbers per add-phone-numbers: one append stays under 1 MiB
const MB = 1024 * 1024;

const parameters = (i: number) =>
  Array.from({ length: 9 }, (_, p) => ({
    parameter: p + 1,
    value: `p${p + 1}-${String(i).padStart(17, "0")}`.slice(0, 20),
  }));

describe("a 100,000-number campaign", () => {
  it("is evolved over 300,000 events, and pages under 1 MB each", { timeout: 180_000 }, () => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: [{ number: mobile(0), name: "customer 0", parameters: parameters(0) }],
    });
    for (let start = 1; start < NUMBERS; start += CHUNK) {
      const phoneNumbers = [];
      for (let i = start; i < Math.min(start + CHUNK, NUMBERS); i++)
        phoneNumbers.push({ number: mobile(i), name: `customer ${i}`, parameters: parameters(i) });
      log.run("add-phone-numbers", { phoneNumbers });
    }
    for (let i = 0; i < NUMBERS; i++) log.outcome(mobile(i), 1, 6, at(1)); // NoAnswer: retry at(16)
    for (let i = 0; i < NUMBERS; i++) log.outcome(mobile(i), 2, i % 2 === 0 ? 1 : 6, at(20)); // half answered, half retry
    for (let i = 0; i < NUMBERS; i++) log.stage(mobile(i), 2, i % 2 === 0 ? 1 : 3, at(21)); // CorrectCallee or CallDeclined
    expect(log.events.length).toBeGreaterThanOrEqual(300_000);

    let summary: CampaignSummary | undefined;
    let detail: DetailModel | undefined;
    let statistics: StatisticsModel | undefined;
    const flushEvery = 5_000;
    let written = 0;
    log.events.forEach((event: CampaignLogEvent, n) => {
      summary = evolveSummary(summary, event);
      detail = evolveDetail(detail, event);
      statistics = evolveStatistics(statistics, event);
      if (n % flushEvery === flushEvery - 1) {
        written += detail!.dirtyPages.size;
        detail = settleDetail(detail!);
      }
    });
    // A flush writes only the pages its events touched, not all 100 of them each time.
    expect(written).toBeLessThan(((log.events.length / flushEvery) * 100) / 2);

    expect(summary).toMatchObject({
      phoneNumberCount: NUMBERS,
      position: log.events.at(-1)!.position.toString(),
    });
    expect(statisticsView(statistics!)).toMatchObject({
      numbers: {
        total: NUMBERS,
        pending: NUMBERS / 2,
        completed: NUMBERS / 2,
        exhausted: 0,
        optedOut: 0,
      },
      attemptsRecorded: 2 * NUMBERS,
      stages: expect.arrayContaining([
        { code: 1, name: "CorrectCallee", count: NUMBERS / 2 },
        { code: 3, name: "CallDeclined", count: NUMBERS / 2 },
      ]),
      answerRate: 0.25,
      contactRate: 0.5,
    });

    const { head, pages } = pageDetail(detail!);
    expect(head.phoneNumberPages).toBe(100);
    expect(pages).toHaveLength(100);
    const sizes = pages.map((page) => Buffer.byteLength(JSON.stringify(page)));
    expect(Math.max(...sizes)).toBeLessThan(MB);
    expect(Buffer.byteLength(JSON.stringify(head))).toBeLessThan(MB);
    const body = detailBody(detail!);
    expect(body.phoneNumbers[NUMBERS - 1]).toMatchObject({
      number: mobile(NUMBERS - 1),
      parameters: parameters(NUMBERS - 1),
      progress: { attemptsMade: 2, next: { status: "retry", attemptNumber: 3 } },
    });
    expect(body.phoneNumbers[0]!.parameters!.every((p) => p.value.length === 20)).toBe(true);
    expect(assembleDetail(head, pages)).toEqual(body);
  });
});
