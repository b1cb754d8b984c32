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

/** `from` (inclusive) and `to` (exclusive) select buckets by their start. */
export const timelineQueryShape = {
  id: Identifier,
  bucket: TimelineBucketSize,
  from: Instant.optional(),
  to: Instant.optional(),
};
