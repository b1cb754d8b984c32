import type { DomainError } from "../domain/index.js";

/**
 * A command as it arrived, the app's edge: the tenant from the subject, ids
 * from the headers. Past the command handler only its origin travels on.
 */
export type CommandRequest = {
  name: string;
  clientId: string;
  body: unknown;
  /** Idempotency key (`Command-Id`): one command of this client, for good. */
  commandId?: string;
  correlationId?: string;
  traceparent?: string;
};
export type CommandOutcome =
  { ok: true; reply: unknown; position: bigint } | { ok: false; error: DomainError };
/** `maxReplyBytes`: the transport's limit (NATS max payload); a campaign bigger than that is answered a page at a time. */
export type QueryRequest = {
  name: string;
  clientId: string;
  body: unknown;
  maxReplyBytes?: number;
};
export type QueryOutcome = { ok: true; reply: unknown } | { ok: false; error: DomainError };

/** What the transports call: the NATS endpoints and the REST gateway serve the same handlers. */
export type CampaignHandlers = {
  command(request: CommandRequest): Promise<CommandOutcome>;
  query(request: QueryRequest): Promise<QueryOutcome>;
  queryNames: readonly string[];
  /** Extra data for `$SRV.STATS.campaigns` (projection lag, in-flight requests). */
  stats(): Promise<Record<string, unknown>>;
};
