import { z } from "zod";
import { CallPolicy } from "../schema-parts.js";
import { numberResults } from "../outcomes.js";
import { CampaignSettings, PhoneParameter } from "./definition.js";
import { ExclusionsAdded, ExclusionsRemoved } from "../exclusions/events.js";
import { ExclusionListName } from "../exclusions/list.js";

/** Campaign events, stored in stream `campaign-<id>`. Past tense, domain words. */
export const NumberEntry = z.object({
  /** As the client submitted it, echoed back in the GET body. */
  number: z.string(),
  e164: z.string(),
  name: z.string().optional(),
  parameters: z.array(PhoneParameter).optional(),
  /** The number's clock when it is not the campaign's (its own, or its country's only zone). */
  timeZone: z.string().optional(),
});
export type NumberEntry = z.infer<typeof NumberEntry>;

export const DuplicateNumber = z.object({
  index: z.number().int(),
  number: z.string(),
  e164: z.string(),
});
export const IgnoredNumber = z.object({
  index: z.number().int(),
  number: z.string(),
  reason: z.string(),
});
export type DuplicateNumber = z.infer<typeof DuplicateNumber>;
export type IgnoredNumber = z.infer<typeof IgnoredNumber>;

/** What happens to a number after an attempt: another attempt when due, or a final result. */
export const NextStep = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("retry"),
    attemptNumber: z.number().int().positive(),
    dueAt: z.string(),
    /** The AnswerPhoneMessage policy applied to that attempt. */
    leaveMessage: z.boolean(),
  }),
  z.object({ status: z.literal("completed"), result: z.enum(numberResults) }),
]);
export type NextStep = z.infer<typeof NextStep>;

/** A number's first attempt, before any outcome: due as soon as a calling window is open. */
export const FirstAttemptStep = z.object({
  status: z.literal("pending"),
  attemptNumber: z.literal(1),
  leaveMessage: z.boolean(),
});
/** A kept number's next step, re-planned by an update: its first attempt, a retry, or exhausted. */
export const ReplannedNumber = z.object({
  e164: z.string(),
  next: z.discriminatedUnion("status", [FirstAttemptStep, ...NextStep.options]),
});
export type ReplannedNumber = z.infer<typeof ReplannedNumber>;

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.object({ type: z.literal(type), data });

export const CampaignCreated = event(
  "CampaignCreated",
  z.object({ campaignId: z.string(), clientId: z.string(), settings: CampaignSettings }),
);
export const CampaignUpdated = event(
  "CampaignUpdated",
  z.object({
    settings: CampaignSettings,
    numbers: z.array(NumberEntry),
    duplicates: z.array(DuplicateNumber),
    /**
     * The kept numbers (same E.164 before and after) whose next step the new
     * settings change, decided once so that every evolver folds it rather
     * than re-running the rule. Absent from updates stored before it was
     * recorded: those are upcast when read (upcast.ts).
     */
    replanned: z.array(ReplannedNumber),
  }),
);
export const PhoneNumbersAdded = event(
  "PhoneNumbersAdded",
  z.object({ numbers: z.array(NumberEntry), duplicates: z.array(DuplicateNumber) }),
);
export const InvalidPhoneNumbersIgnored = event(
  "InvalidPhoneNumbersIgnored",
  z.object({ ignored: z.array(IgnoredNumber) }),
);
export const CampaignPaused = event("CampaignPaused", z.object({}));
export const CampaignResumed = event("CampaignResumed", z.object({}));
export const CampaignDeleted = event("CampaignDeleted", z.object({}));
export const AttemptOutcomeRecorded = event(
  "AttemptOutcomeRecorded",
  z.object({
    e164: z.string(),
    attemptNumber: z.number().int().positive(),
    outcome: z.number().int(),
    outcomeName: z.string(),
    occurredAt: z.string(),
    next: NextStep,
    /** The claim the call was made under, when the dialler named it. */
    claimId: z.string().optional(),
    /** The named claim was no longer the number's live claim (lapsed, released, taken by another). */
    claimWasNotHeld: z.literal(true).optional(),
  }),
);
export const SmsRequested = event(
  "SmsRequested",
  z.object({
    e164: z.string(),
    number: z.string(),
    name: z.string().optional(),
    parameters: z.array(PhoneParameter).optional(),
    attemptNumber: z.number().int().positive(),
    policy: CallPolicy,
    occurredAt: z.string(),
  }),
);
export const StageReached = event(
  "StageReached",
  z.object({
    e164: z.string(),
    attemptNumber: z.number().int().positive(),
    stage: z.number().int(),
    stageName: z.string(),
    occurredAt: z.string(),
  }),
);
export const NumberOptedOut = event(
  "NumberOptedOut",
  z.object({
    e164: z.string(),
    attemptNumber: z.number().int().positive(),
    occurredAt: z.string(),
  }),
);

/** Numbers not admitted because an exclusion in force covers them (kept for audit and for a repeat's reply). */
export const ExcludedNumber = z.object({
  index: z.number().int(),
  number: z.string(),
  e164: z.string(),
  list: ExclusionListName,
});
export type ExcludedNumber = z.infer<typeof ExcludedNumber>;
export const ExcludedPhoneNumbersSkipped = event(
  "ExcludedPhoneNumbersSkipped",
  z.object({ excluded: z.array(ExcludedNumber) }),
);
/** Numbers of the campaign completed with result `excluded`: never claimed again. */
export const NumbersExcluded = event(
  "NumbersExcluded",
  z.object({ list: ExclusionListName, numbers: z.array(z.string()) }),
);
/** The campaign has applied the client's exclusion list up to this version (see ClientExclusions). */
export const ClientExclusionsApplied = event(
  "ClientExclusionsApplied",
  z.object({ version: z.number().int().nonnegative() }),
);
export const ClaimedAttempt = z.object({
  e164: z.string(),
  attemptNumber: z.number().int().positive(),
  dueAt: z.string(),
  /** Absent from claims stored before claims had ids: replay derives the same id (claimIdOf). */
  claimId: z.string().optional(),
});
export const AttemptsClaimed = event(
  "AttemptsClaimed",
  z.object({ claimedAt: z.string(), claimedUntil: z.string(), claims: z.array(ClaimedAttempt) }),
);
/** `notHeld`: the numbers of the release (as given) whose claim was no longer live, kept for a repeat's reply. */
export const ClaimsReleased = event(
  "ClaimsReleased",
  z.object({ numbers: z.array(z.string()), notHeld: z.array(z.string()).optional() }),
);

export const CampaignEvent = z.discriminatedUnion("type", [
  CampaignCreated,
  CampaignUpdated,
  PhoneNumbersAdded,
  InvalidPhoneNumbersIgnored,
  CampaignPaused,
  CampaignResumed,
  CampaignDeleted,
  AttemptOutcomeRecorded,
  SmsRequested,
  StageReached,
  NumberOptedOut,
  ExclusionsAdded,
  ExclusionsRemoved,
  ExcludedPhoneNumbersSkipped,
  NumbersExcluded,
  ClientExclusionsApplied,
  AttemptsClaimed,
  ClaimsReleased,
]);
export type CampaignEvent = z.infer<typeof CampaignEvent>;
export type CampaignEventType = CampaignEvent["type"];
export type CampaignEventOf<T extends CampaignEventType> = Extract<CampaignEvent, { type: T }>;
export const campaignEventTypes = CampaignEvent.options.map((option) => option.shape.type.value);
