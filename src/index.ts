/**
 * The package entry point for other services: the typed NATS client, the
 * contract's subjects, and the zod schemas every message is defined by
 * (commands, queries, events, read models), with their inferred types.
 */
// All that `campaign-service/client` exports (the typed client, subjects, error codes), and more of
// the client.
export * from "./client/index.js";
export { tenantConnectionOptions, tenantInboxPrefix } from "./client/campaigns-client.js";

// Commands (CONTRACT.md "Commands") and their parts.
export {
  AddPhoneNumbersBody,
  Attempt,
  CallPolicy,
  CampaignIdBody,
  CreateCampaignBody,
  Identifier,
  MAX_NUMBERS_PER_COMMAND,
  PhoneParameter,
  RecordAttemptOutcomeBody,
  RecordStageReachedBody,
  RegisterCallFlowBody,
  RegisterCliBody,
  RunoverDay,
  SubmittedPhoneNumber,
  UpdateCampaignBody,
} from "./domain/index.js";
export {
  campaignCommands,
  commandNames,
  directoryCommands,
  type CommandName,
} from "./contract/commands.js";

// Events (published on `campaigns.<client>.events.<campaignId>.<EventType>`).
export {
  CampaignEvent,
  CampaignSettings,
  DirectoryEvent,
  DuplicateNumber,
  IgnoredNumber,
  NextStep,
  NumberEntry,
  campaignEventTypes,
  type CampaignEventOf,
  type CampaignEventType,
} from "./domain/index.js";

// Codes (the error codes come with the client, above).
export { numberResults, outcomes, stages, type NumberResult } from "./domain/index.js";

// Queries and read models (CONTRACT.md "Queries"; JetStream KV buckets).
export {
  GetCampaignHistoryQuery,
  GetCampaignQuery,
  GetCampaignStateAtQuery,
  GetCampaignStatisticsQuery,
  ListCampaignsQuery,
  queries,
  queryNames,
  type QueryName,
} from "./contract/queries.js";
export { readModelBuckets } from "./ports/read-model-store.js";

// Replies (CONTRACT.md "Commands" and "Queries"), the schemas the client's return types come from.
export {
  AddPhoneNumbersReply,
  CampaignHistory,
  CreateCampaignReply,
  PagedCampaignDetail,
  RecordAttemptOutcomeReply,
  RecordStageReachedReply,
  RegisterCallFlowReply,
  RegisterCliReply,
  RevisedReply,
  commandReplies,
  queryReplies,
  type CommandReplyOf,
  type QueryReplyOf,
} from "./contract/replies.js";
export { CampaignDetail, CampaignStatistics, CampaignSummary } from "./contract/read-models.js";
