import { z } from "zod";
import { Identifier, Instant, PositiveInt } from "../schema-parts.js";
import { MAX_STAGE } from "../stages.js";
import { campaignSettingsShape, PhoneNumberList } from "./definition.js";

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
  outcome: z.number().int().min(1, "outcome codes are 1 to 13").max(13, "outcome codes are 1 to 13"),
  occurredAt: Instant,
});
export const RecordStageReachedBody = z.strictObject({
  id: Identifier,
  number: z.string().min(1).max(64),
  attemptNumber: PositiveInt,
  stage: z.number().int().min(0, `stage codes are 0 to ${MAX_STAGE}`).max(MAX_STAGE, `stage codes are 0 to ${MAX_STAGE}`),
  occurredAt: Instant,
});

export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;
export type UpdateCampaignBody = z.infer<typeof UpdateCampaignBody>;
export type AddPhoneNumbersBody = z.infer<typeof AddPhoneNumbersBody>;
export type RecordAttemptOutcomeBody = z.infer<typeof RecordAttemptOutcomeBody>;
export type RecordStageReachedBody = z.infer<typeof RecordStageReachedBody>;

/** A command as the decider sees it: the body with the tenant, and for a create the id chosen. */
type Addressed<Type extends string, Data> = { type: Type; clientId: string; campaignId: string; data: Data };

export type CampaignCommand =
  | Addressed<"CreateCampaign", CreateCampaignBody>
  | Addressed<"UpdateCampaign", UpdateCampaignBody>
  | Addressed<"DeleteCampaign", { id: string }>
  | Addressed<"PauseCampaign", { id: string }>
  | Addressed<"ResumeCampaign", { id: string }>
  | Addressed<"AddPhoneNumbers", AddPhoneNumbersBody>
  | Addressed<"RecordAttemptOutcome", RecordAttemptOutcomeBody>
  | Addressed<"RecordStageReached", RecordStageReachedBody>;
