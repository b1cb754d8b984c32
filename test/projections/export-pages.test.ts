/**
 * The export pages (`get-campaign-export`) from the numbers and attempts read
 * models, written by the projections from genuine campaign events.
 */
import { describe, expect, it } from "vitest";
import { campaignProjections } from "../../src/projections/campaign-projections.js";
import type { CampaignLogEvent } from "../../src/projections/evolvers/index.js";
import { readExportPage } from "../../src/projections/export-pages.js";
import type { ProjectedEvent } from "../../src/projections/projection.js";
import { MemoryReadModels } from "../support/memory-read-models.js";
import {
  CAMPAIGN,
  CLIENT,
  CampaignLog,
  at,
  mobile,
  mobileE164,
  seedPostBody,
} from "./evolvers/campaign-log.js";

/** Folds the events through every projection and writes the read models once, as a runner's flush does. */
async function readModelsOf(events: readonly CampaignLogEvent[]): Promise<MemoryReadModels> {
  const store = new MemoryReadModels();
  let models: unknown[] = campaignProjections.map(() => undefined);
  events.forEach((event, revision) => {
    const projected: ProjectedEvent = { ...event, revision: BigInt(revision) };
    models = campaignProjections.map((p, i) => p.evolve(models[i], projected));
  });
  await Promise.all(
    campaignProjections.map((p, i) => p.write(store, CLIENT, CAMPAIGN, undefined, models[i])),
  );
  return store;
}

const page = (
  store: MemoryReadModels,
  kind: "results" | "attempts",
  cursor = { page: 0, offset: 0 },
  max = Infinity,
) => readExportPage(store, CLIENT, { id: CAMPAIGN, kind, ...cursor }, max);

describe("export pages", () => {
  it("give a results row per number and an attempt row per recorded attempt, with stages before and after the outcome", async () => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: [
        { number: mobile(1), name: 'Smith, "Jo"\nline two' },
        { number: mobile(2) },
        { number: mobile(3) },
      ],
    });
    log.stage(mobile(1), 1, 1, at(1)); // during the call
    log.outcome(mobile(1), 1, 6, at(2)); // NoAnswer: retry
    log.stage(mobile(1), 1, 3, at(3)); // after its outcome
    log.stage(mobile(1), 1, 3, at(4)); // again: listed once
    log.outcome(mobile(1), 2, 1, at(30)); // Answered
    log.stage(mobile(2), 1, 14, at(5)); // opted out, its outcome not yet recorded
    const store = await readModelsOf(log.events);

    const results = await page(store, "results");
    expect(results).toMatchObject({ id: CAMPAIGN, kind: "results", pages: 1, next: null });
    expect(results).toHaveProperty("columns", [
      "number",
      "e164",
      "name",
      "attempts",
      "lastOutcome",
      "lastOutcomeName",
      "result",
      "stages",
      "lastAttemptAt",
    ]);
    expect((results as { rows: string[][] }).rows).toEqual([
      [
        mobile(1),
        mobileE164(1),
        'Smith, "Jo"\nline two',
        "2",
        "1",
        "Answered",
        "contacted",
        "CorrectCallee;CallDeclined",
        at(30),
      ],
      [mobile(2), mobileE164(2), "", "0", "", "", "opted_out", "OptOut", ""],
      [mobile(3), mobileE164(3), "", "0", "", "", "pending", "", ""],
    ]);
    const attempts = await page(store, "attempts");
    expect((attempts as { rows: string[][] }).rows).toEqual([
      [mobile(1), mobileE164(1), "1", "6", "NoAnswer", at(2), "CorrectCallee;CallDeclined"],
      [mobile(1), mobileE164(1), "2", "1", "Answered", at(30), ""],
    ]);
  });

  it("page through 2,500 numbers, a page of 1,000 at a time, and stop early when a reply would be too large", async () => {
    const log = new CampaignLog();
    log.create({
      ...seedPostBody(),
      phoneNumbers: Array.from({ length: 2500 }, (_, i) => ({
        number: mobile(i),
        name: `customer ${i}`,
      })),
    });
    const store = await readModelsOf(log.events);
    const first = await page(store, "results");
    expect(first).toMatchObject({ pages: 3, next: { page: 1, offset: 0 } });
    expect((first as { rows: unknown[] }).rows).toHaveLength(1000);
    const last = await page(store, "results", { page: 2, offset: 0 });
    expect(last).toMatchObject({ next: null });
    expect((last as { rows: string[][] }).rows.map((r) => r[2])).toEqual(
      Array.from({ length: 500 }, (_, i) => `customer ${2000 + i}`),
    );
    // A small reply limit: as many rows as fit, then the number to go on from.
    const small = (await page(store, "results", { page: 1, offset: 0 }, 4096 + 2000)) as {
      rows: string[][];
      next: { page: number; offset: number };
    };
    expect(small.rows.length).toBeGreaterThan(5);
    expect(small.rows.length).toBeLessThan(1000);
    expect(small.next).toEqual({ page: 1, offset: small.rows.length });
    const rest = (await page(store, "results", small.next)) as { rows: string[][] };
    expect(rest.rows[0]![2]).toBe(`customer ${1000 + small.rows.length}`);
  });

  it("follow an update's order, keep kept numbers' attempts, and are gone with the campaign", async () => {
    const log = new CampaignLog();
    log.create({ ...seedPostBody(), phoneNumbers: [{ number: mobile(1) }, { number: mobile(2) }] });
    log.outcome(mobile(2), 1, 2, at(1)); // Unobtainable
    log.run("update-campaign", {
      ...seedPostBody(),
      phoneNumbers: [{ number: mobile(3) }, { number: mobile(2) }],
    });
    const store = await readModelsOf(log.events);
    expect(((await page(store, "attempts")) as { rows: string[][] }).rows).toEqual([
      [mobile(2), mobileE164(2), "1", "2", "Unobtainable", at(1), ""],
    ]);
    expect(((await page(store, "results")) as { rows: string[][] }).rows.map((r) => r[0])).toEqual([
      mobile(3),
      mobile(2),
    ]);
    log.run("delete-campaign", {});
    expect(await page(await readModelsOf(log.events), "results")).toMatchObject({
      code: "not_found",
    });
    expect(
      await readExportPage(
        store,
        "someone-else",
        { id: CAMPAIGN, kind: "results", page: 0, offset: 0 },
        Infinity,
      ),
    ).toMatchObject({ code: "not_found" });
  });
});
