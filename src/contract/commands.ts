import type { z } from "zod";
import {
  AddPhoneNumbersBody,
  CampaignIdBody,
  ClaimDueAttemptsBody,
  ReleaseClaimsBody,
  type CampaignCommand,
  CreateCampaignBody,
  RecordAttemptOutcomeBody,
  RecordStageReachedBody,
  UpdateCampaignBody,
} from "../domain/campaign/commands.js";
import {
  type DirectoryCommand,
  RegisterCallFlowBody,
  RegisterCliBody,
} from "../domain/client-directory/commands.js";
import {
  AddExclusionsBody,
  type ClientExclusionsCommand,
  RemoveExclusionsBody,
} from "../domain/exclusions/commands.js";

/**
 * The contract's command names (`campaigns.<client>.cmd.<name>`), each with
 * its body schema and the domain command it becomes.
 */
export const campaignCommands = {
  "create-campaign": { type: "CreateCampaign", schema: CreateCampaignBody },
  "update-campaign": { type: "UpdateCampaign", schema: UpdateCampaignBody },
  "delete-campaign": { type: "DeleteCampaign", schema: CampaignIdBody },
  "pause-campaign": { type: "PauseCampaign", schema: CampaignIdBody },
  "resume-campaign": { type: "ResumeCampaign", schema: CampaignIdBody },
  "add-phone-numbers": { type: "AddPhoneNumbers", schema: AddPhoneNumbersBody },
  "record-attempt-outcome": { type: "RecordAttemptOutcome", schema: RecordAttemptOutcomeBody },
  "record-stage-reached": { type: "RecordStageReached", schema: RecordStageReachedBody },
  "claim-due-attempts": { type: "ClaimDueAttempts", schema: ClaimDueAttemptsBody },
  "release-claims": { type: "ReleaseClaims", schema: ReleaseClaimsBody },
} as const satisfies Record<string, { type: CampaignCommand["type"]; schema: z.ZodType }>;

export const directoryCommands = {
  "register-call-flow": { type: "RegisterCallFlow", schema: RegisterCallFlowBody },
  "register-cli": { type: "RegisterCli", schema: RegisterCliBody },
} as const satisfies Record<string, { type: DirectoryCommand["type"]; schema: z.ZodType }>;

/**
 * Exclusion list commands: with a `campaignId`, that campaign's list (a
 * campaign command on its stream); without, the client's list (stream
 * `exclusions-<clientId>`).
 */
export const exclusionCommands = {
  "add-exclusions": {
    campaign: "AddCampaignExclusions",
    client: "AddExclusions",
    schema: AddExclusionsBody,
  },
  "remove-exclusions": {
    campaign: "RemoveCampaignExclusions",
    client: "RemoveExclusions",
    schema: RemoveExclusionsBody,
  },
} as const satisfies Record<
  string,
  { campaign: CampaignCommand["type"]; client: ClientExclusionsCommand["type"]; schema: z.ZodType }
>;

export type CampaignCommandName = keyof typeof campaignCommands;
export type ExclusionCommandName = keyof typeof exclusionCommands;
export type DirectoryCommandName = keyof typeof directoryCommands;
export type CommandName = CampaignCommandName | DirectoryCommandName | ExclusionCommandName;
export const commandNames = [
  ...Object.keys(campaignCommands),
  ...Object.keys(directoryCommands),
  ...Object.keys(exclusionCommands),
] as CommandName[];

export const isCampaignCommandName = (name: string): name is CampaignCommandName =>
  Object.hasOwn(campaignCommands, name);
export const isExclusionCommandName = (name: string): name is ExclusionCommandName =>
  Object.hasOwn(exclusionCommands, name);
export const isDirectoryCommandName = (name: string): name is DirectoryCommandName =>
  Object.hasOwn(directoryCommands, name);

// Limits and parts the client tools need to build commands (the CLI's import chunks by both).
export { MAX_NUMBERS_PER_COMMAND, SubmittedPhoneNumber } from "../domain/index.js";
export { APPEND_BUDGET_BYTES } from "../domain/campaign/append-size.js";
