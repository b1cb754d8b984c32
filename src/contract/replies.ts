/**
 * Every reply body of CONTRACT.md, written once: the app builds them
 * (src/app/campaign-reply.ts), the REST gateway documents them in OpenAPI,
 * and the typed client's return types are inferred from them.
 */
import { z } from "zod";
import { CampaignSettings, DuplicateNumber, IgnoredNumber, NumberEntry, campaignEventTypes } from "../domain/index.js";
import type { CampaignCommandName, CommandName } from "./commands.js";
import type { QueryName } from "./queries.js";
import { CampaignDetail, CampaignStatistics, CampaignSummary, NumberNextStep } from "./read-models.js";
import { WirePosition } from "./wire.js";
import { CampaignExportPage, CampaignTimeline } from "./reporting.js";

// Commands (CONTRACT.md "Commands").
export const RegisterCallFlowReply = z.object({ callFlowId: z.number().int() });
export const RegisterCliReply = z.object({ cliId: z.number().int() });
/** The seed's 201 body with its id; duplicates and ignored numbers only when there were any. */
export const CreateCampaignReply = z.object({
  id: z.string(),
  ...CampaignSettings.shape,
  phoneNumbers: z.array(NumberEntry),
  duplicates: z.array(DuplicateNumber).optional(),
  ignoredPhoneNumbers: z.array(IgnoredNumber).optional(),
});
/** Update, delete, pause and resume: the stream revision after the command. */
export const RevisedReply = z.object({ id: z.string(), revision: z.number().int() });
export const AddPhoneNumbersReply = z.object({
  id: z.string(),
  added: z.number().int(),
  duplicates: z.array(DuplicateNumber),
  ignoredPhoneNumbers: z.array(IgnoredNumber),
});
/**
 * `next` is the step the outcome set (a retry or the final result); a repeat
 * that wrote nothing answers with the number's current step, and `e164` and
 * `next` are absent only when its number has since left the campaign.
 */
export const RecordAttemptOutcomeReply = z.object({
  id: z.string(),
  number: z.string(),
  e164: z.string().optional(),
  attemptNumber: z.number().int(),
  next: NumberNextStep.optional(),
});
export const RecordStageReachedReply = z.object({
  id: z.string(),
  number: z.string(),
  e164: z.string().optional(),
  attemptNumber: z.number().int(),
  stage: z.number().int(),
  stageName: z.string(),
});

export const commandReplies = {
  "register-call-flow": RegisterCallFlowReply,
  "register-cli": RegisterCliReply,
  "create-campaign": CreateCampaignReply,
  "update-campaign": RevisedReply,
  "delete-campaign": RevisedReply,
  "pause-campaign": RevisedReply,
  "resume-campaign": RevisedReply,
  "add-phone-numbers": AddPhoneNumbersReply,
  "record-attempt-outcome": RecordAttemptOutcomeReply,
  "record-stage-reached": RecordStageReachedReply,
} as const satisfies Record<CommandName, z.ZodType>;
export type CommandReplyOf<N extends CommandName> = z.output<(typeof commandReplies)[N]>;
export type CampaignCommandReply = CommandReplyOf<CampaignCommandName>;

// Queries (CONTRACT.md "Queries").
/** A campaign too big for one reply comes a page of numbers at a time (query `phoneNumbersPage`). */
export const PagedCampaignDetail = CampaignDetail.extend({
  phoneNumbersPage: z.number().int().nonnegative().optional(),
  phoneNumberPages: z.number().int().nonnegative().optional(),
});
export const HistoryEntry = z.object({
  revision: z.number().int().nonnegative(),
  position: WirePosition,
  type: z.enum(campaignEventTypes),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
});
export const CampaignHistory = z.object({ events: z.array(HistoryEntry), nextRevision: z.number().int().nonnegative().nullable() });

export const queryReplies = {
  "list-campaigns": z.array(CampaignSummary),
  "get-campaign": PagedCampaignDetail,
  "get-campaign-statistics": CampaignStatistics,
  "get-campaign-history": CampaignHistory,
  "get-campaign-state-at": PagedCampaignDetail,
  "get-campaign-timeline": CampaignTimeline,
  "get-campaign-export": CampaignExportPage,
} as const satisfies Record<QueryName, z.ZodType>;
export type QueryReplyOf<N extends QueryName> = z.output<(typeof queryReplies)[N]>;

export type RevisedReply = z.output<typeof RevisedReply>;
export type CreateCampaignReply = z.output<typeof CreateCampaignReply>;
export type AddPhoneNumbersReply = z.output<typeof AddPhoneNumbersReply>;
export type RecordAttemptOutcomeReply = z.output<typeof RecordAttemptOutcomeReply>;
export type RecordStageReachedReply = z.output<typeof RecordStageReachedReply>;
export type PagedCampaignDetail = z.output<typeof PagedCampaignDetail>;
export type CampaignHistory = z.output<typeof CampaignHistory>;
