/**
 * The typed client other services import: one method per command and query
 * of CONTRACT.md, request types inferred from the zod schemas, errors thrown
 * as `CampaignServiceError` with the contract's code and details.
 */
import { randomUUID } from "node:crypto";
import { headers as natsHeaders, type Msg, type NatsConnection } from "nats";
import type { z } from "zod";
import type { ErrorCode, ErrorDetail } from "../contract/errors.js";
import type { queries } from "../contract/queries.js";
import { commandSubject, querySubject } from "../contract/subjects.js";
import { toJson } from "../contract/wire.js";
import { type campaignCommands, type directoryCommands } from "../contract/commands.js";

type Commands = typeof campaignCommands & typeof directoryCommands;
export type CommandInput<N extends keyof Commands> = z.input<Commands[N]["schema"]>;
export type QueryInput<N extends keyof typeof queries> = Omit<z.input<(typeof queries)[N]>, "minPosition"> & { minPosition?: bigint | number | string };

export type RequestOptions = {
  /** Idempotency key; generated when absent, so a retry of the same call must pass the same one. */
  commandId?: string;
  correlationId?: string;
  traceparent?: string;
  timeoutMs?: number;
};

/** A reply with the log position of the command's events (the `Log-Position` header). */
export type CommandReply<T> = { reply: T; position: bigint; commandId: string };

export class CampaignServiceError extends Error {
  override readonly name = "CampaignServiceError";
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

export class CampaignsClient {
  constructor(
    private readonly nc: NatsConnection,
    readonly clientId: string,
    private readonly defaultTimeoutMs = 10_000,
  ) {}

  registerCallFlow = (body: CommandInput<"register-call-flow">, o?: RequestOptions) => this.command<{ callFlowId: number }>("register-call-flow", body, o);
  registerCli = (body: CommandInput<"register-cli">, o?: RequestOptions) => this.command<{ cliId: number }>("register-cli", body, o);
  createCampaign = (body: CommandInput<"create-campaign">, o?: RequestOptions) => this.command<CampaignBody & { duplicates?: unknown[]; ignoredPhoneNumbers?: unknown[] }>("create-campaign", body, o);
  updateCampaign = (body: CommandInput<"update-campaign">, o?: RequestOptions) => this.command<Revised>("update-campaign", body, o);
  deleteCampaign = (body: CommandInput<"delete-campaign">, o?: RequestOptions) => this.command<Revised>("delete-campaign", body, o);
  pauseCampaign = (body: CommandInput<"pause-campaign">, o?: RequestOptions) => this.command<Revised>("pause-campaign", body, o);
  resumeCampaign = (body: CommandInput<"resume-campaign">, o?: RequestOptions) => this.command<Revised>("resume-campaign", body, o);
  addPhoneNumbers = (body: CommandInput<"add-phone-numbers">, o?: RequestOptions) =>
    this.command<{ id: string; added: number; duplicates: { index: number; number: string; e164: string }[]; ignoredPhoneNumbers: { index: number; number: string; reason: string }[] }>("add-phone-numbers", body, o);
  recordAttemptOutcome = (body: CommandInput<"record-attempt-outcome">, o?: RequestOptions) => this.command<AttemptReply>("record-attempt-outcome", body, o);
  recordStageReached = (body: CommandInput<"record-stage-reached">, o?: RequestOptions) =>
    this.command<{ id: string; number: string; stage: number; stageName: string; attemptNumber: number }>("record-stage-reached", body, o);

  listCampaigns = (body: QueryInput<"list-campaigns"> = {}, o?: RequestOptions) => this.query<(Omit<CampaignBody, "phoneNumbers"> & { phoneNumberCount: number })[]>("list-campaigns", body, o);
  /** The seed's GET body; a campaign too big for one reply comes a page at a time (see `phoneNumbersPage`, or use getWholeCampaign). */
  getCampaign = (body: QueryInput<"get-campaign">, o?: RequestOptions) => this.query<CampaignBody & Paging>("get-campaign", body, o);

  /** Every page of a campaign's numbers, assembled into the seed's GET body. */
  async getWholeCampaign(body: QueryInput<"get-campaign">, o?: RequestOptions): Promise<CampaignBody> {
    const first = await this.getCampaign(body, o);
    if (first.phoneNumberPages === undefined) return first;
    const rest = await Promise.all(Array.from({ length: first.phoneNumberPages - 1 }, (_, i) => this.getCampaign({ ...body, phoneNumbersPage: i + 1 }, o)));
    const { phoneNumbersPage: _page, phoneNumberPages: _pages, ...whole } = first;
    return { ...whole, phoneNumbers: [first, ...rest].flatMap((page) => page.phoneNumbers) };
  }
  getCampaignStatistics = (body: QueryInput<"get-campaign-statistics">, o?: RequestOptions) => this.query<Record<string, unknown>>("get-campaign-statistics", body, o);
  getCampaignHistory = (body: QueryInput<"get-campaign-history">, o?: RequestOptions) =>
    this.query<{ events: { revision: number; position: number; type: string; data: unknown; metadata: Record<string, unknown>; recordedAt: string }[]; nextRevision: number | null }>("get-campaign-history", body, o);
  getCampaignStateAt = (body: QueryInput<"get-campaign-state-at">, o?: RequestOptions) => this.query<CampaignBody>("get-campaign-state-at", body, o);

  async command<T>(name: keyof Commands, body: unknown, options: RequestOptions = {}): Promise<CommandReply<T>> {
    const commandId = options.commandId ?? randomUUID();
    const h = natsHeaders();
    h.set("Command-Id", commandId);
    if (options.correlationId) h.set("Correlation-Id", options.correlationId);
    if (options.traceparent) h.set("traceparent", options.traceparent);
    const msg = await this.nc.request(commandSubject(this.clientId, name), toJson(body), { timeout: options.timeoutMs ?? this.defaultTimeoutMs, headers: h });
    const reply = parseReply<T>(msg);
    return { reply, position: BigInt(msg.headers?.get("Log-Position") || "0"), commandId };
  }

  async query<T>(name: keyof typeof queries, body: unknown, options: RequestOptions = {}): Promise<T> {
    const msg = await this.nc.request(querySubject(this.clientId, name), toJson(body), { timeout: options.timeoutMs ?? this.defaultTimeoutMs });
    return parseReply<T>(msg);
  }
}

function parseReply<T>(msg: Msg): T {
  const status = msg.headers?.get("Nats-Service-Error-Code");
  const text = decoder.decode(msg.data);
  if (status) {
    const body = (text ? JSON.parse(text) : {}) as { code?: string; message?: string; details?: ErrorDetail[] };
    throw new CampaignServiceError(Number(status), body.code ?? "unknown", body.message ?? msg.headers?.get("Nats-Service-Error") ?? "error", body.details ?? []);
  }
  return JSON.parse(text) as T;
}

export type Revised = { id: string; revision: number };
/** Present when the reply holds one page of the numbers. */
export type Paging = { phoneNumberCount: number; phoneNumbersPage?: number; phoneNumberPages?: number };
export type PhoneNumber = { number: string; name?: string; parameters?: { parameter: number; value: string }[]; e164?: string };
export type CampaignBody = {
  id: string;
  name: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  runoverDays: { date: string; startTime: string; finishTime: string }[];
  callflow_Id: number;
  cli_Id: number;
  attempts: { attemptNumber: number; interval: number }[];
  answerMachineDetected: number;
  smsOnBusy: number;
  timeZone?: string;
  phoneNumbers: PhoneNumber[];
};
export type AttemptReply = {
  id: string;
  number: string;
  e164: string;
  attemptNumber: number;
  next: { status: "retry"; attemptNumber: number; dueAt: string; leaveMessage: boolean } | { status: "completed"; result: string };
};
