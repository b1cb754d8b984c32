import { z } from "zod";
import { Identifier } from "../schema-parts.js";
import { MAX_EXCLUSIONS_PER_COMMAND, SubmittedExclusion } from "./list.js";

/** Without `campaignId` the client's list (all its campaigns); with it, that campaign's. */
export const AddExclusionsBody = z.strictObject({
  campaignId: Identifier.optional(),
  numbers: z
    .array(SubmittedExclusion)
    .min(1, "send one or more numbers")
    .max(
      MAX_EXCLUSIONS_PER_COMMAND,
      `at most ${MAX_EXCLUSIONS_PER_COMMAND} numbers per command; send larger lists in chunks`,
    ),
});
export const RemoveExclusionsBody = z.strictObject({
  campaignId: Identifier.optional(),
  numbers: z
    .array(z.string().min(1).max(64))
    .min(1, "send one or more numbers")
    .max(MAX_EXCLUSIONS_PER_COMMAND),
});
export type AddExclusionsBody = z.infer<typeof AddExclusionsBody>;
export type RemoveExclusionsBody = z.infer<typeof RemoveExclusionsBody>;

export type ClientExclusionsCommand =
  | { type: "AddExclusions"; clientId: string; data: AddExclusionsBody }
  | { type: "RemoveExclusions"; clientId: string; data: RemoveExclusionsBody };
