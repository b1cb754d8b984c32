import { z } from "zod";
import { CallPolicy, IsoDate, PositiveInt, WallClockTime } from "../schema-parts.js";

/** A phone number as a client submits it (seed 000 "Phone Number"). */
export const PhoneParameter = z.strictObject({
  parameter: z
    .number()
    .int()
    .min(1, "parameters are numbered 1 to 9")
    .max(9, "parameters are numbered 1 to 9"),
  value: z.string().max(1000),
});
export const SubmittedPhoneNumber = z.strictObject({
  number: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  parameters: z.array(PhoneParameter).max(9).optional(),
  /** The number's own clock (IANA): its calling windows are read in it. */
  timeZone: z.string().min(1).max(64).optional(),
});
export type SubmittedPhoneNumber = z.infer<typeof SubmittedPhoneNumber>;

export const MAX_NUMBERS_PER_COMMAND = 10_000;
export const PhoneNumberList = z
  .array(SubmittedPhoneNumber)
  .max(
    MAX_NUMBERS_PER_COMMAND,
    `at most ${MAX_NUMBERS_PER_COMMAND} numbers per command; send larger lists in chunks`,
  );

export const RunoverDay = z.strictObject({
  date: IsoDate,
  startTime: WallClockTime,
  finishTime: WallClockTime,
});
export const Attempt = z.strictObject({ attemptNumber: PositiveInt, interval: PositiveInt });

const RetriedOutcome = z
  .number()
  .int()
  .min(1, "outcome codes are 1 to 13")
  .max(13, "outcome codes are 1 to 13");
/** Per outcome: the wait before the next attempt (minutes, instead of the attempt's interval), or no further attempt. */
export const RetryRule = z.union([
  z.strictObject({ outcome: RetriedOutcome, interval: PositiveInt }),
  z.strictObject({ outcome: RetriedOutcome, retry: z.literal(false) }),
]);
export type RetryRule = z.infer<typeof RetryRule>;

/** The campaign's settings, seed 000/001 field names, without its phone numbers. */
export const campaignSettingsShape = {
  name: z.string().trim().min(1).max(200),
  startDate: IsoDate,
  startTime: WallClockTime,
  finishTime: WallClockTime,
  runoverDays: z.array(RunoverDay).max(366).default([]),
  callflow_Id: PositiveInt,
  cli_Id: PositiveInt,
  attempts: z.array(Attempt).max(100).default([]),
  answerMachineDetected: CallPolicy.default(0),
  smsOnBusy: CallPolicy.default(0),
  timeZone: z.string().min(1).max(64).optional(),
  /** Local dates (on each number's clock) on which no attempt falls due: holidays. */
  excludedDates: z.array(IsoDate).max(366).optional(),
  retryRules: z.array(RetryRule).max(13).optional(),
};

/** Settings as stored in events: attempts sorted, time zone resolved. */
export const CampaignSettings = z.strictObject({
  ...campaignSettingsShape,
  timeZone: z.string(),
});
export type CampaignSettings = z.infer<typeof CampaignSettings>;
