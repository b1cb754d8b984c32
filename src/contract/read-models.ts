/**
 * The read models as published (JetStream KV values and query replies):
 * the campaign summary (GET list item), the detail (GET single body, stored
 * as a head and pages) and the outcome statistics. The evolvers in
 * src/projections build these shapes; field meanings are documented there.
 */
import { z } from "zod";
import {
  Attempt,
  CallPolicy,
  NextStep,
  PhoneParameter,
  RetryRule,
  RunoverDay,
  numberResults,
  type NumberResult,
} from "../domain/index.js";

export const CampaignStatus = z.enum(["active", "paused"]);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/**
 * A log position, as a string of digits (JSON has no 64-bit integers): the one type `position`
 * has in every reply and read model (list, single, statistics, history), whatever its size.
 */
export const LogPositionString = z.string().regex(/^\d+$/);

/** The seed's GET list item, field for field, with `phoneNumberCount`, `timeZone`, `status` and the last event's `position`. */
export const CampaignSummary = z.object({
  id: z.string(),
  name: z.string(),
  startDate: z.string(),
  startTime: z.string(),
  finishTime: z.string(),
  runoverDays: z.array(RunoverDay),
  callflow_Id: z.number().int().positive(),
  cli_Id: z.number().int().positive(),
  attempts: z.array(Attempt),
  answerMachineDetected: CallPolicy,
  smsOnBusy: CallPolicy,
  phoneNumberCount: z.number().int().nonnegative(),
  timeZone: z.string(),
  /** Holidays and retry rules, when the campaign has them. */
  excludedDates: z.array(z.string()).optional(),
  retryRules: z.array(RetryRule).optional(),
  status: CampaignStatus,
  position: LogPositionString,
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

/** A number's first attempt, before any outcome: due as soon as a calling window is open. */
export const PendingFirstAttempt = z.object({
  status: z.literal("pending"),
  attemptNumber: z.literal(1),
  leaveMessage: z.boolean(),
});
/** What comes next for a number: its first attempt, a retry when due, or its final result. */
export const NumberNextStep = z.discriminatedUnion("status", [
  PendingFirstAttempt,
  ...NextStep.options,
]);
export type NumberNextStep = z.infer<typeof NumberNextStep>;

export const LastOutcome = z.object({
  attemptNumber: z.number().int().positive(),
  outcome: z.number().int(),
  outcomeName: z.string(),
  occurredAt: z.string(),
});
export type LastOutcome = z.infer<typeof LastOutcome>;

export const NumberProgressView = z.object({
  /** Attempts whose outcome has been recorded. */
  attemptsMade: z.number().int().nonnegative(),
  /** The latest NextStep of an AttemptOutcomeRecorded, or the pending first attempt. */
  next: NumberNextStep,
  /** The callee reached the OptOut stage (14): no further attempts. */
  optedOut: z.boolean(),
  /** The last recorded attempt's outcome; null before any. */
  lastOutcome: LastOutcome.nullable(),
  /** While a dialler holds the next attempt (claim-due-attempts): until when. */
  claimedUntil: z.string().optional(),
});
export type NumberProgressView = z.infer<typeof NumberProgressView>;

export const DetailPhoneNumber = z.object({
  number: z.string(),
  name: z.string().optional(),
  parameters: z.array(PhoneParameter).optional(),
  e164: z.string(),
  /** The number's clock when it is not the campaign's (its own, or its country's only zone). */
  timeZone: z.string().optional(),
  progress: NumberProgressView,
});
export type DetailPhoneNumber = z.infer<typeof DetailPhoneNumber>;

/** The GET single body. */
export const CampaignDetail = CampaignSummary.extend({ phoneNumbers: z.array(DetailPhoneNumber) });
export type CampaignDetail = z.infer<typeof CampaignDetail>;

/** The detail without its numbers, as stored beside its pages. */
export const CampaignDetailHead = CampaignSummary.extend({
  phoneNumberPages: z.number().int().nonnegative(),
  phoneNumberPageSize: z.number().int().positive(),
});
export type CampaignDetailHead = z.infer<typeof CampaignDetailHead>;

/** One stored page of the detail's numbers. */
export const CampaignDetailPage = z.array(DetailPhoneNumber);
export type CampaignDetailPage = z.infer<typeof CampaignDetailPage>;

export const CodeCount = z.object({
  code: z.number().int(),
  name: z.string(),
  count: z.number().int().nonnegative(),
});
export type CodeCount = z.infer<typeof CodeCount>;

const Count = z.number().int().nonnegative();
const Rate = z.number().min(0).max(1).nullable();

/** Outcome statistics of one campaign (DESIGN.md; src/projections/evolvers/statistics.ts says how each figure is counted). */
export const CampaignStatistics = z.object({
  id: z.string(),
  position: LogPositionString,
  outcomes: z.array(CodeCount),
  stages: z.array(CodeCount),
  perAttempt: z.array(
    z.object({
      attemptNumber: z.number().int().positive(),
      attempts: Count,
      byOutcome: z.array(CodeCount),
    }),
  ),
  numbers: z.object({
    total: Count,
    pending: Count,
    completed: Count,
    exhausted: Count,
    optedOut: Count,
  }),
  results: z.object(
    Object.fromEntries(numberResults.map((result) => [result, Count])) as Record<
      NumberResult,
      typeof Count
    >,
  ),
  attemptsRecorded: Count,
  smsRequested: Count,
  ignoredInvalidNumbers: Count,
  /** Attempts handed out by claim-due-attempts, and claims released before an outcome. */
  claimsMade: Count,
  claimsReleased: Count,
  /** Numbers not admitted to the campaign because an exclusion in force covered them. */
  excludedNumbersSkipped: Count,
  numbersAttempted: Count,
  numbersAnswered: Count,
  answerRate: Rate,
  contactRate: Rate,
});
export type CampaignStatistics = z.infer<typeof CampaignStatistics>;
