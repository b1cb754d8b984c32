/**
 * Reporting (CONTRACT.md "Reporting: timeline and exports"): the campaign
 * timeline query and its reply, and the export pages the CSV files are
 * written from.
 */
import { z } from "zod";
import { Identifier, Instant } from "../domain/index.js";

const Count = z.number().int().nonnegative();
const CountsByName = z.record(z.string(), Count);

export const TimelineBucketSize = z.enum(["hour", "day"]);
export type TimelineBucketSize = z.infer<typeof TimelineBucketSize>;

/**
 * One bucket of the timeline: what happened between `start` (ISO-8601 with the
 * campaign's local offset) and the next bucket's start, by the events' own
 * times (`occurredAt`). Only names that occurred are listed.
 */
export const TimelineBucket = z.object({
  start: z.string(),
  attempts: Count,
  outcomes: CountsByName,
  stages: CountsByName,
  /** Numbers completed as contacted (an Answered attempt that completed its number). */
  contacted: Count,
  smsRequested: Count,
});
export type TimelineBucket = z.infer<typeof TimelineBucket>;

export const CampaignTimeline = z.object({
  id: z.string(),
  timeZone: z.string(),
  bucket: TimelineBucketSize,
  buckets: z.array(TimelineBucket),
});
export type CampaignTimeline = z.infer<typeof CampaignTimeline>;

/** `from` (inclusive) and `to` (exclusive) select buckets by their start; `bucket` defaults to `hour`. */
export const timelineQueryShape = {
  id: Identifier,
  bucket: TimelineBucketSize.default("hour"),
  from: Instant.optional(),
  to: Instant.optional(),
};

/** The CSV exports (REST `results.csv`, `attempts.csv`; `campaigns export`), built from `get-campaign-export` pages. */
export const ExportKind = z.enum(["results", "attempts"]);
export type ExportKind = z.infer<typeof ExportKind>;

export const exportColumns = {
  /** One row per number. `result` is the final result, or `pending`; `stages` the distinct stages reached, `;`-separated. */
  results: [
    "number",
    "e164",
    "name",
    "attempts",
    "lastOutcome",
    "lastOutcomeName",
    "result",
    "stages",
    "lastAttemptAt",
  ],
  /** One row per recorded attempt, numbers in campaign order, attempts in order. */
  attempts: ["number", "e164", "attemptNumber", "outcome", "outcomeName", "occurredAt", "stages"],
} as const satisfies Record<ExportKind, readonly string[]>;

/** Where a page of export rows starts: a page of the campaign's numbers (1,000 a page) and a number within it. */
export const ExportCursor = z.object({
  page: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
});
export type ExportCursor = z.infer<typeof ExportCursor>;

export const exportQueryShape = {
  id: Identifier,
  kind: ExportKind,
  page: z.number().int().nonnegative().default(0),
  offset: z.number().int().nonnegative().default(0),
};

/** Rows of the export from the cursor; `next` is where the following rows start (null: done). */
export const CampaignExportPage = z.object({
  id: z.string(),
  kind: ExportKind,
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  /** Pages of numbers in the campaign. */
  pages: z.number().int().nonnegative(),
  next: ExportCursor.nullable(),
});
export type CampaignExportPage = z.infer<typeof CampaignExportPage>;

/** Follows `next` from the first page to the last: one page in memory at a time. */
export async function* exportPages(
  fetchPage: (cursor: ExportCursor) => Promise<CampaignExportPage>,
): AsyncGenerator<CampaignExportPage> {
  let cursor: ExportCursor | null = { page: 0, offset: 0 };
  while (cursor !== null) {
    const page: CampaignExportPage = await fetchPage(cursor);
    yield page;
    cursor = page.next;
  }
}
