/**
 * `campaign-service/client`: the typed NATS client and the contract's names, for other services.
 * Its module graph is the contract, `nats` and `zod` only (no store, HTTP server or EventStoreDB
 * client): test/client/module-graph.test.ts holds it to that.
 */
export {
  CampaignsClient,
  CampaignRequestError,
  type CommandInput,
  type CommandReply,
  type QueryInput,
  type RequestOptions,
} from "./campaigns-client.js";
export { SUBJECT_ROOT, commandSubject, eventSubject, querySubject } from "../contract/subjects.js";
export { errorStatus, type ErrorCode, type ErrorDetail } from "../contract/errors.js";
