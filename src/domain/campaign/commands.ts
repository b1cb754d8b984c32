import { z } from "zod";
import { Identifier, Instant, PositiveInt } from "../schema-parts.js";
import { MAX_STAGE } from "../stages.js";
import { campaignSettingsShape, PhoneNumberList } from "./definition.js";
import { AddExclusionsBody, RemoveExclusionsBody } from "../exclusions/commands.js";

/** A claim's id as claim-due-attempts handed it out. */
export const ClaimId = z.string().min(1).max(64);

/**
 * Campaign commands as they arrive on `campaigns.<client>.cmd.<name>` (CONTRACT.md).
 * The tenant is never in the body: the adapter adds it from the subject.
 */
export const CreateCampaignBody = z.strictObject({
  id: Identifier.optional(),
  ...campaignSettingsShape,
  phoneNumbers: PhoneNumberList.min(1, "a campaign needs one or more phone numbers"),
  ignoreInvalidPhoneNumbers: z.boolean().default(false),
});
export const UpdateCampaignBody = CreateCampaignBody.extend({ id: Identifier });
export const CampaignIdBody = z.strictObject({ id: Identifier });
export const AddPhoneNumbersBody = z.strictObject({
  id: Identifier,
  phoneNumbers: PhoneNumberList.min(1, "send one or more phone numbers"),
  ignoreInvalidPhoneNumbers: z.boolean().default(false),
});
export const RecordAttemptOutcomeBody = z.strictObject({
  id: Identifier,
  number: z.string().min(1).max(64),
  attemptNumber: PositiveInt,
  outcome: z
    .number()
    .int()
    .min(1, "outcome codes are 1 to 13")
    .max(13, "outcome codes are 1 to 13"),
  occurredAt: Instant,
  /** The claim the call was made under: its outcome is recorded whatever became of the claim. */
  claimId: ClaimId.optional(),
});
export const RecordStageReachedBody = z.strictObject({
  id: Identifier,
  number: z.string().min(1).max(64),
  attemptNumber: PositiveInt,
  stage: z
    .number()
    .int()
    .min(0, `stage codes are 0 to ${MAX_STAGE}`)
    .max(MAX_STAGE, `stage codes are 0 to ${MAX_STAGE}`),
  occurredAt: Instant,
});

/** Hands out attempts due now, each held by the caller until `claimSeconds` from now. */
export const ClaimDueAttemptsBody = z.strictObject({
  id: Identifier,
  limit: z.number().int().min(1, "limit is 1 to 1000").max(1000, "limit is 1 to 1000"),
  claimSeconds: z
    .number()
    .int()
    .min(30, "claimSeconds is 30 to 3600")
    .max(3600, "claimSeconds is 30 to 3600")
    .default(600),
});
/**
 * By claim (`claims`, each with the `claimId` it was handed out with), or the
 * older form by number (`numbers`: an operator's override, whatever claim each
 * number holds). One of the two.
 */
export const ReleaseClaimsBody = z
  .strictObject({
    id: Identifier,
    claims: z
      .array(z.strictObject({ number: z.string().min(1).max(64), claimId: ClaimId }))
      .min(1, "send one or more claims")
      .max(1000)
      .optional(),
    numbers: z
      .array(z.string().min(1).max(64))
      .min(1, "send one or more numbers")
      .max(1000)
      .optional(),
  })
  .refine((body) => (body.claims === undefined) !== (body.numbers === undefined), {
    message: "send claims (each with its claimId) or numbers, one of the two",
    path: ["claims"],
  });
export type ClaimDueAttemptsBody = z.infer<typeof ClaimDueAttemptsBody>;
export type ReleaseClaimsBody = z.infer<typeof ReleaseClaimsBody>;

export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;
export type UpdateCampaignBody = z.infer<typeof UpdateCampaignBody>;
export type AddPhoneNumbersBody = z.infer<typeof AddPhoneNumbersBody>;
export type RecordAttemptOutcomeBody = z.infer<typeof RecordAttemptOutcomeBody>;
export type RecordStageReachedBody = z.infer<typeof RecordStageReachedBody>;

/** A command as the decider sees it: the body with the tenant, and for a create the id chosen. */
type Addressed<Type extends string, Data> = {
  type: Type;
  clientId: string;
  campaignId: string;
  data: Data;
};

export type CampaignCommand =
  | Addressed<"CreateCampaign", CreateCampaignBody>
  | Addressed<"UpdateCampaign", UpdateCampaignBody>
  | Addressed<"DeleteCampaign", { id: string }>
  | Addressed<"PauseCampaign", { id: string }>
  | Addressed<"ResumeCampaign", { id: string }>
  | Addressed<"AddPhoneNumbers", AddPhoneNumbersBody>
  | Addressed<"RecordAttemptOutcome", RecordAttemptOutcomeBody>
  | Addressed<"RecordStageReached", RecordStageReachedBody>
  | Addressed<"ClaimDueAttempts", ClaimDueAttemptsBody>
  | Addressed<"ReleaseClaims", ReleaseClaimsBody>
  /** add-exclusions / remove-exclusions with a `campaignId`: that campaign's own list. */
  | Addressed<"AddCampaignExclusions", AddExclusionsBody>
  | Addressed<"RemoveCampaignExclusions", RemoveExclusionsBody>;
