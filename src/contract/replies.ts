/**
 * Every reply body of CONTRACT.md, written once: the app builds them
 * (src/app/campaign-reply.ts), the REST gateway documents them in OpenAPI,
 * and the typed client's return types are inferred from them.
 */
import { z } from "zod";
import {
  CampaignSettings,
  DuplicateNumber,
  ExclusionListName,
  IgnoredNumber,
  NumberEntry,
  PhoneParameter,
  campaignEventTypes,
} from "../domain/index.js";
import type { CampaignCommandName, CommandName } from "./commands.js";
import type { QueryName } from "./queries.js";
import {
  CampaignDetail,
  CampaignStatistics,
  CampaignSummary,
  LogPositionString,
  NumberNextStep,
} from "./read-models.js";
import { CampaignExportPage, CampaignTimeline } from "./reporting.js";

// Commands (CONTRACT.md "Commands").
export const RegisterCallFlowReply = z.object({ callFlowId: z.number().int() });
export const RegisterCliReply = z.object({ cliId: z.number().int() });
/** A number an exclusion in force kept out of the campaign, and which list. */
export const ExcludedPhoneNumber = z.object({
  index: z.number().int(),
  number: z.string(),
  list: ExclusionListName,
});
/** The seed's 201 body with its id; duplicates, ignored and excluded numbers only when there were any. */
export const CreateCampaignReply = z.object({
  id: z.string(),
  ...CampaignSettings.shape,
  phoneNumbers: z.array(NumberEntry),
  duplicates: z.array(DuplicateNumber).optional(),
  ignoredPhoneNumbers: z.array(IgnoredNumber).optional(),
  excluded: z.array(ExcludedPhoneNumber).optional(),
});
/** Update, delete, pause and resume: the stream revision after the command (an update lists numbers kept out by exclusions). */
export const RevisedReply = z.object({
  id: z.string(),
  revision: z.number().int(),
  excluded: z.array(ExcludedPhoneNumber).optional(),
});
export const AddPhoneNumbersReply = z.object({
  id: z.string(),
  added: z.number().int(),
  duplicates: z.array(DuplicateNumber),
  ignoredPhoneNumbers: z.array(IgnoredNumber),
  excluded: z.array(ExcludedPhoneNumber).optional(),
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
  /** The call named a claim that was no longer the number's live one; it is recorded all the same. */
  claimWasNotHeld: z.literal(true).optional(),
});
export const RecordStageReachedReply = z.object({
  id: z.string(),
  number: z.string(),
  e164: z.string().optional(),
  attemptNumber: z.number().int(),
  stage: z.number().int(),
  stageName: z.string(),
});
/** One attempt handed out: what the dialler needs to place the call, and how long it holds it. */
export const Claim = z.object({
  number: z.string(),
  e164: z.string(),
  attemptNumber: z.number().int().positive(),
  dueAt: z.string(),
  leaveMessage: z.boolean(),
  name: z.string().optional(),
  parameters: z.array(PhoneParameter).optional(),
  claimedUntil: z.string(),
  /** Names this claim in release-claims and record-attempt-outcome. */
  claimId: z.string(),
});
export const ClaimDueAttemptsReply = z.object({ id: z.string(), claims: z.array(Claim) });
/** `notHeld`: the numbers (as given) whose named claim was not their live one, or that held none: nothing of theirs was released. */
export const ReleaseClaimsReply = z.object({
  id: z.string(),
  released: z.number().int().nonnegative(),
  notHeld: z.array(z.string()),
});
export const AddExclusionsReply = z.object({
  added: z.number().int().nonnegative(),
  alreadyExcluded: z.number().int().nonnegative(),
  invalid: z.array(IgnoredNumber),
});
export const RemoveExclusionsReply = z.object({ removed: z.number().int().nonnegative() });

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
  "claim-due-attempts": ClaimDueAttemptsReply,
  "release-claims": ReleaseClaimsReply,
  "add-exclusions": AddExclusionsReply,
  "remove-exclusions": RemoveExclusionsReply,
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
  position: LogPositionString,
  type: z.enum(campaignEventTypes),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
});
export const CampaignHistory = z.object({
  events: z.array(HistoryEntry),
  nextRevision: z.number().int().nonnegative().nullable(),
});

export const ExclusionView = z.object({
  number: z.string(),
  e164: z.string(),
  reason: z.string().optional(),
  expiresAt: z.string().optional(),
  addedAt: z.string(),
});
/** A page of a list in E.164 order; `next` (when more follow) is the `after` of the next page. */
export const ListExclusionsReply = z.object({
  numbers: z.array(ExclusionView),
  next: z.string().optional(),
});
/** The campaign's numbers by where they stand in the dial queue now (the counts partition them). */
export const DialQueueReply = z.object({
  id: z.string(),
  status: z.enum(["active", "paused"]),
  dueNow: z.number().int().nonnegative(),
  claimed: z.number().int().nonnegative(),
  waitingForWindow: z.number().int().nonnegative(),
  waitingForRetry: z.number().int().nonnegative(),
  excluded: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  nextDueAt: z.string().nullable(),
});

export const queryReplies = {
  "list-campaigns": z.array(CampaignSummary),
  "get-campaign": PagedCampaignDetail,
  "get-campaign-statistics": CampaignStatistics,
  "get-campaign-history": CampaignHistory,
  "get-campaign-state-at": PagedCampaignDetail,
  "list-exclusions": ListExclusionsReply,
  "get-dial-queue": DialQueueReply,
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
