import { z } from "zod";
import { Identifier, Instant } from "../domain/index.js";
import { exportQueryShape, timelineQueryShape } from "./reporting.js";

/** A log position from a `Log-Position` header: a number or a string of digits. */
export const LogPosition = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d{1,40}$/, "a log position (digits)"),
  ])
  .transform((value) => BigInt(value));

const waitable = { minPosition: LogPosition.optional() };

/** Query bodies on `campaigns.<client>.query.<name>` (CONTRACT.md). */
export const ListCampaignsQuery = z.strictObject({ ...waitable });
/** A campaign too big for one reply is read a page of 1,000 numbers at a time (`phoneNumbersPage`, from 0). */
const paged = { phoneNumbersPage: z.number().int().nonnegative().optional() };
export const GetCampaignQuery = z.strictObject({ id: Identifier, ...paged, ...waitable });
export const GetCampaignStatisticsQuery = z.strictObject({ id: Identifier, ...waitable });
export const GetCampaignHistoryQuery = z.strictObject({
  id: Identifier,
  fromRevision: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(1000).default(100),
  ...waitable,
});
export const GetCampaignStateAtQuery = z
  .strictObject({
    id: Identifier,
    at: Instant.optional(),
    revision: z.number().int().nonnegative().optional(),
    ...paged,
    ...waitable,
  })
  .refine((q) => q.at !== undefined || q.revision !== undefined, {
    message: "give `at` or `revision`",
    path: ["at"],
  });

export const GetCampaignTimelineQuery = z.strictObject({ ...timelineQueryShape, ...waitable });
export const GetCampaignExportQuery = z.strictObject({ ...exportQueryShape, ...waitable });

/** A page of an exclusion list (the client's, or with `campaignId` that campaign's), in E.164 order after `after`. */
export const ListExclusionsQuery = z.strictObject({
  campaignId: Identifier.optional(),
  after: z.string().min(1).max(64).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  ...waitable,
});
/** Counted on the campaign's decided state, at the moment of asking (not from a read model: "due now" moves with the clock). */
export const GetDialQueueQuery = z.strictObject({ id: Identifier, ...waitable });

export const queries = {
  "list-campaigns": ListCampaignsQuery,
  "get-campaign": GetCampaignQuery,
  "get-campaign-statistics": GetCampaignStatisticsQuery,
  "get-campaign-history": GetCampaignHistoryQuery,
  "get-campaign-state-at": GetCampaignStateAtQuery,
  "get-campaign-timeline": GetCampaignTimelineQuery,
  "get-campaign-export": GetCampaignExportQuery,
  "list-exclusions": ListExclusionsQuery,
  "get-dial-queue": GetDialQueueQuery,
} as const;
export type QueryName = keyof typeof queries;
export const queryNames = Object.keys(queries) as QueryName[];
export const isQueryName = (name: string): name is QueryName => Object.hasOwn(queries, name);
