/**
 * The typed client other services import: one method per command and query
 * of CONTRACT.md, request and reply types inferred from the contract's zod
 * schemas (src/contract), errors thrown as `CampaignRequestError` with the
 * contract's code and details.
 */
import { randomUUID } from "node:crypto";
import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type RequestOptions as NatsRequestOptions,
} from "nats";
import type { z } from "zod";
import type { ErrorCode, ErrorDetail } from "../contract/errors.js";
import type { queries } from "../contract/queries.js";
import { commandSubject, querySubject } from "../contract/subjects.js";
import { toJson } from "../contract/wire.js";
import {
  type CommandName,
  type campaignCommands,
  type directoryCommands,
  type exclusionCommands,
} from "../contract/commands.js";
import type { CommandReplyOf, QueryReplyOf } from "../contract/replies.js";
import type { CampaignDetail } from "../contract/read-models.js";
import { type ExportKind, exportPages } from "../contract/reporting.js";

type Commands = typeof campaignCommands & typeof directoryCommands & typeof exclusionCommands;
export type CommandInput<N extends keyof Commands> = z.input<Commands[N]["schema"]>;
export type QueryInput<N extends keyof typeof queries> = Omit<
  z.input<(typeof queries)[N]>,
  "minPosition"
> & { minPosition?: bigint | number | string };
type QueryName = keyof typeof queries;

export type RequestOptions = {
  /** Idempotency key; generated when absent, so a retry of the same call must pass the same one. */
  commandId?: string;
  correlationId?: string;
  traceparent?: string;
  timeoutMs?: number;
};

/** A reply with the log position of the command's events (the `Log-Position` header). */
export type CommandReply<T> = { reply: T; position: bigint; commandId: string };

/** A request the service refused: the contract's status, error code and details. */
export class CampaignRequestError extends Error {
  override readonly name = "CampaignRequestError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly details: readonly ErrorDetail[],
  ) {
    super(message);
  }
}

const decoder = new TextDecoder();

/** A tenant's reply inboxes: `_INBOX.<client>` (CONTRACT.md "Tenants and NATS permissions"). */
export const tenantInboxPrefix = (clientId: string): string => `_INBOX.${clientId}`;

/**
 * Connection options a tenant connects with, besides servers and credentials:
 * in nats.js the inbox prefix is a connection option, and a tenant's NATS user
 * may subscribe only under `_INBOX.<client>.>`.
 *
 *   const nc = await connect({ servers, user, pass, ...tenantConnectionOptions("acme") });
 */
export const tenantConnectionOptions = (clientId: string) => ({
  inboxPrefix: tenantInboxPrefix(clientId),
});

export class CampaignsClient {
  /** Whether `nc` was connected with the tenant's inbox prefix; if not, each request gets its own inbox under it. */
  private readonly ownPrefix: boolean;

  constructor(
    private readonly nc: NatsConnection,
    readonly clientId: string,
    private readonly defaultTimeoutMs = 10_000,
  ) {
    // NatsConnection does not declare its options; the implementation keeps them here.
    this.ownPrefix =
      (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix ===
      tenantInboxPrefix(clientId);
  }

  /**
   * A request whose reply comes under the tenant's inbox prefix whatever the
   * connection's own prefix: a tenant user limited to `_INBOX.<client>.>` can
   * read it, and no other tenant can.
   */
  private request(subject: string, data: string, options: NatsRequestOptions): Promise<Msg> {
    if (this.ownPrefix) return this.nc.request(subject, data, options);
    return this.nc.request(subject, data, {
      ...options,
      noMux: true,
      reply: createInbox(tenantInboxPrefix(this.clientId)),
    });
  }

  registerCallFlow = (body: CommandInput<"register-call-flow">, o?: RequestOptions) =>
    this.command("register-call-flow", body, o);
  registerCli = (body: CommandInput<"register-cli">, o?: RequestOptions) =>
    this.command("register-cli", body, o);
  createCampaign = (body: CommandInput<"create-campaign">, o?: RequestOptions) =>
    this.command("create-campaign", body, o);
  updateCampaign = (body: CommandInput<"update-campaign">, o?: RequestOptions) =>
    this.command("update-campaign", body, o);
  deleteCampaign = (body: CommandInput<"delete-campaign">, o?: RequestOptions) =>
    this.command("delete-campaign", body, o);
  pauseCampaign = (body: CommandInput<"pause-campaign">, o?: RequestOptions) =>
    this.command("pause-campaign", body, o);
  resumeCampaign = (body: CommandInput<"resume-campaign">, o?: RequestOptions) =>
    this.command("resume-campaign", body, o);
  addPhoneNumbers = (body: CommandInput<"add-phone-numbers">, o?: RequestOptions) =>
    this.command("add-phone-numbers", body, o);
  recordAttemptOutcome = (body: CommandInput<"record-attempt-outcome">, o?: RequestOptions) =>
    this.command("record-attempt-outcome", body, o);
  recordStageReached = (body: CommandInput<"record-stage-reached">, o?: RequestOptions) =>
    this.command("record-stage-reached", body, o);
  /** Attempts due now, oldest first, each held for `claimSeconds`; pass the same Command-Id to retry and get the same claims back. */
  claimDueAttempts = (body: CommandInput<"claim-due-attempts">, o?: RequestOptions) =>
    this.command("claim-due-attempts", body, o);
  releaseClaims = (body: CommandInput<"release-claims">, o?: RequestOptions) =>
    this.command("release-claims", body, o);
  /** Without `campaignId` the client's list; with it, that campaign's. */
  addExclusions = (body: CommandInput<"add-exclusions">, o?: RequestOptions) =>
    this.command("add-exclusions", body, o);
  removeExclusions = (body: CommandInput<"remove-exclusions">, o?: RequestOptions) =>
    this.command("remove-exclusions", body, o);
  listExclusions = (body: QueryInput<"list-exclusions"> = {}, o?: RequestOptions) =>
    this.query("list-exclusions", body, o);
  getDialQueue = (body: QueryInput<"get-dial-queue">, o?: RequestOptions) =>
    this.query("get-dial-queue", body, o);

  listCampaigns = (body: QueryInput<"list-campaigns"> = {}, o?: RequestOptions) =>
    this.query("list-campaigns", body, o);
  /** The seed's GET body; a campaign too big for one reply comes a page at a time (see `phoneNumbersPage`, or use getWholeCampaign). */
  getCampaign = (body: QueryInput<"get-campaign">, o?: RequestOptions) =>
    this.query("get-campaign", body, o);

  /** Every page of a campaign's numbers, assembled into the seed's GET body. */
  async getWholeCampaign(
    body: QueryInput<"get-campaign">,
    o?: RequestOptions,
  ): Promise<CampaignDetail> {
    const first = await this.getCampaign(body, o);
    const { phoneNumbersPage: _page, phoneNumberPages: pages, ...whole } = first;
    if (pages === undefined) return whole;
    const rest = await Promise.all(
      Array.from({ length: pages - 1 }, (_, i) =>
        this.getCampaign({ ...body, phoneNumbersPage: i + 1 }, o),
      ),
    );
    return { ...whole, phoneNumbers: [first, ...rest].flatMap((page) => page.phoneNumbers) };
  }
  getCampaignStatistics = (body: QueryInput<"get-campaign-statistics">, o?: RequestOptions) =>
    this.query("get-campaign-statistics", body, o);
  getCampaignHistory = (body: QueryInput<"get-campaign-history">, o?: RequestOptions) =>
    this.query("get-campaign-history", body, o);
  getCampaignStateAt = (body: QueryInput<"get-campaign-state-at">, o?: RequestOptions) =>
    this.query("get-campaign-state-at", body, o);
  /** Hour or day buckets on the campaign's local clock, by the events' own times. */
  getCampaignTimeline = (body: QueryInput<"get-campaign-timeline">, o?: RequestOptions) =>
    this.query("get-campaign-timeline", body, o);
  /** One page of CSV export rows; `exportCampaign` follows them all. */
  getCampaignExport = (body: QueryInput<"get-campaign-export">, o?: RequestOptions) =>
    this.query("get-campaign-export", body, o);
  /** Every page of the export's rows, one page in memory at a time. */
  exportCampaign = (body: { id: string; kind: ExportKind }, o?: RequestOptions) =>
    exportPages((cursor) => this.getCampaignExport({ ...body, ...cursor }, o));

  async command<N extends CommandName>(
    name: N,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<CommandReply<CommandReplyOf<N>>> {
    const commandId = options.commandId ?? randomUUID();
    const h = natsHeaders();
    h.set("Command-Id", commandId);
    if (options.correlationId) h.set("Correlation-Id", options.correlationId);
    if (options.traceparent) h.set("traceparent", options.traceparent);
    const msg = await this.request(commandSubject(this.clientId, name), toJson(body), {
      timeout: options.timeoutMs ?? this.defaultTimeoutMs,
      headers: h,
    });
    const reply = parseReply<CommandReplyOf<N>>(msg);
    return { reply, position: BigInt(msg.headers?.get("Log-Position") || "0"), commandId };
  }

  async query<N extends QueryName>(
    name: N,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<QueryReplyOf<N>> {
    const h = natsHeaders();
    if (options.traceparent) h.set("traceparent", options.traceparent); // the query's span joins the caller's trace
    const msg = await this.request(querySubject(this.clientId, name), toJson(body), {
      timeout: options.timeoutMs ?? this.defaultTimeoutMs,
      headers: h,
    });
    return parseReply<QueryReplyOf<N>>(msg);
  }
}

function parseReply<T>(msg: Msg): T {
  const status = msg.headers?.get("Nats-Service-Error-Code");
  const text = decoder.decode(msg.data);
  if (status) {
    const body = (text ? JSON.parse(text) : {}) as {
      code?: string;
      message?: string;
      details?: ErrorDetail[];
    };
    throw new CampaignRequestError(
      Number(status),
      body.code ?? "unknown",
      body.message ?? msg.headers?.get("Nats-Service-Error") ?? "error",
      body.details ?? [],
    );
  }
  return JSON.parse(text) as T;
}
