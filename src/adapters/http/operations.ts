/**
 * The REST routes (CONTRACT.md "REST gateway"), each mapped to one command or
 * query of the shared handlers. Requests are only reshaped here (path id and
 * flags merged into the body); every rule and every validation stays in the
 * handlers. The same table feeds the router and the OpenAPI document.
 */
import type { z } from "zod";
import {
  AddPhoneNumbersBody,
  CreateCampaignBody,
  type DomainError,
  RecordAttemptOutcomeBody,
  RecordStageReachedBody,
  RegisterCallFlowBody,
  RegisterCliBody,
  UpdateCampaignBody,
  domainError,
} from "../../domain/index.js";
import type { QueryName } from "../../contract/queries.js";
import { type CommandName } from "../../contract/commands.js";
import { commandReplies, queryReplies } from "../../contract/replies.js";
import { reportingOperations } from "./reporting-operations.js";
import { diallingOperations } from "./dialling-operations.js";

export type RequestParts = {
  body: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
};

type Common = {
  operationId: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Fastify paths; the first is the canonical one, the others aliases (singular/plural forms). */
  paths: readonly string[];
  summary: string;
  /** Success status: 201 and 200 carry the reply as the body, 204 none. */
  status: 200 | 201 | 204;
  /** The handler's body from the HTTP request, or a 400 when the path or query cannot be read. */
  input(parts: RequestParts): unknown;
  /** For the OpenAPI document only (the handlers validate); the reply's schema is the contract's (responseOf). */
  request?: z.ZodType;
  queryParameters?: readonly {
    name: string;
    description: string;
    schema: Record<string, unknown>;
  }[];
  /** Another operation that serves this request instead (the seed's printed forms share a route with another). */
  dispatch?(parts: RequestParts): Operation | undefined;
  /** For the OpenAPI document: what the dispatch does. */
  note?: string;
};
export type Operation =
  | (Common & { kind: "command"; name: CommandName })
  | (Common & { kind: "query"; name: QueryName; readYourWrites: boolean });

const single = ["/api/campaign/voice/:id", "/api/campaigns/voice/:id"] as const;
const sub = (suffix: string) => single.map((p) => `${p}/${suffix}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `:ignoreInvalidPhoneNumbers` or `?ignoreInvalidPhoneNumbers=`: `true` or `false`. */
const flag = (raw: unknown, where: string): boolean | undefined | DomainError => {
  if (raw === undefined) return undefined;
  if (raw === "true" || raw === "false") return raw === "true";
  return domainError("invalid_request", "ignoreInvalidPhoneNumbers must be true or false", [
    { field: where, reason: `expected true or false, got ${JSON.stringify(raw)}` },
  ]);
};

/** The body with the path's id (a different id in the body is refused rather than silently overridden). */
const withId = (body: unknown, id: string, extra: Record<string, unknown> = {}): unknown => {
  if (body === undefined) return { id, ...extra };
  if (!isObject(body)) return body;
  if (body.id !== undefined && String(body.id) !== id)
    return domainError("invalid_request", "the body's id differs from the path's", [
      { field: "id", reason: `the path names ${id}` },
    ]);
  return { ...body, ...extra, id };
};

const withFlag = (
  body: unknown,
  value: boolean | undefined | DomainError,
  apply: (flag: boolean) => unknown,
): unknown => {
  if (value === undefined) return body;
  if (typeof value !== "boolean") return value;
  return apply(value);
};

/** Query-string values of numeric parameters as numbers (anything else goes on as given, for the schema to refuse). */
const numeric = (
  query: Record<string, unknown>,
  names: readonly string[],
): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(query).map(([k, v]) => [
      k,
      names.includes(k) && typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : v,
    ]),
  );

const idQuery = ({ params, query }: RequestParts, numericNames: readonly string[] = []) => ({
  ...numeric(query, numericNames),
  id: params.id,
});

const minPosition = {
  name: "minPosition",
  description:
    "wait (up to 5 s, then 503) until the read models include this Log-Position; also the Min-Position header",
  schema: { type: "string", pattern: "^\\d+$" },
};
const numbersPage = {
  name: "phoneNumbersPage",
  description: "one page of 1,000 numbers (from 0) instead of all of them",
  schema: { type: "integer", minimum: 0 },
};
const ignoreInvalid = {
  name: "ignoreInvalidPhoneNumbers",
  description: "true: invalid numbers are dropped and listed in the reply",
  schema: { type: "boolean" },
};

const deleteCampaign: Operation = {
  operationId: "deleteCampaign",
  kind: "command",
  name: "delete-campaign",
  method: "DELETE",
  paths: single,
  summary: "Delete a campaign (its history stays for audit)",
  status: 204,
  input: ({ params }) => ({ id: params.id }),
};

/** Seed 001 prints DELETE as `POST /api/campaign/voice/:Id`: with no body and an id (not true/false), that is what it does. */
const seedPrintedDelete = ({ body, params }: RequestParts): Operation | undefined =>
  body === undefined && params.id !== undefined && params.id !== "true" && params.id !== "false"
    ? deleteCampaign
    : undefined;

export const operations: readonly Operation[] = [
  {
    operationId: "createCampaign",
    kind: "command",
    name: "create-campaign",
    method: "POST",
    // `:id` is seed 000's `:ignoreInvalidPhoneNumbers` (one name for one path segment: the router and OpenAPI need it).
    paths: [
      "/api/campaigns/voice",
      "/api/campaigns/voice/:id",
      "/api/campaign/voice",
      "/api/campaign/voice/:id",
    ],
    summary:
      "Create a campaign (seed 000); `/{id}` is `true` or `false`: ignoreInvalidPhoneNumbers",
    note: "With no body and a campaign id as `{id}`, deletes that campaign (seed 001's printed DELETE): 204, 404.",
    status: 201,
    dispatch: seedPrintedDelete,
    input: ({ body, params }) =>
      withFlag(body, flag(params.id, "ignoreInvalidPhoneNumbers"), (f) =>
        isObject(body) ? { ...body, ignoreInvalidPhoneNumbers: f } : body,
      ),
    request: CreateCampaignBody,
  },
  {
    operationId: "listCampaigns",
    kind: "query",
    name: "list-campaigns",
    readYourWrites: true,
    method: "GET",
    paths: ["/api/campaign/voice", "/api/campaigns/voice"],
    summary: "List the client's campaigns (seed 001), each with phoneNumberCount",
    status: 200,
    input: ({ query }) => query,
    queryParameters: [minPosition],
  },
  {
    operationId: "getCampaign",
    kind: "query",
    name: "get-campaign",
    readYourWrites: true,
    method: "GET",
    paths: [...single, "/api/api/campaign/voice/:id"], // the last: seed 001's printed form
    summary: "One campaign with its phone numbers (seed 001)",
    status: 200,
    input: (parts) => idQuery(parts, ["phoneNumbersPage"]),
    queryParameters: [minPosition, numbersPage],
  },
  {
    operationId: "updateCampaign",
    kind: "command",
    name: "update-campaign",
    method: "PUT",
    paths: single,
    summary: "Replace a campaign's definition and numbers (seed 001)",
    status: 204,
    input: ({ body, params, query }) =>
      withFlag(
        withId(body, params.id!),
        flag(query.ignoreInvalidPhoneNumbers, "ignoreInvalidPhoneNumbers"),
        (f) => withId(body, params.id!, { ignoreInvalidPhoneNumbers: f }),
      ),
    request: UpdateCampaignBody.omit({ id: true }),
    queryParameters: [ignoreInvalid],
  },
  deleteCampaign,
  {
    operationId: "pauseCampaign",
    kind: "command",
    name: "pause-campaign",
    method: "POST",
    paths: sub("pause"),
    summary: "Pause a campaign",
    status: 200,
    input: ({ params }) => ({ id: params.id }),
  },
  {
    operationId: "resumeCampaign",
    kind: "command",
    name: "resume-campaign",
    method: "POST",
    paths: sub("resume"),
    summary: "Resume a paused campaign",
    status: 200,
    input: ({ params }) => ({ id: params.id }),
  },
  {
    operationId: "addPhoneNumbers",
    kind: "command",
    name: "add-phone-numbers",
    method: "POST",
    paths: sub("phone-numbers"),
    summary:
      "Add phone numbers (a bare array is taken as phoneNumbers); at most 10,000 per request",
    status: 200,
    input: ({ body, params, query }) => {
      const wrapped = Array.isArray(body) ? { phoneNumbers: body } : body;
      return withFlag(
        withId(wrapped, params.id!),
        flag(query.ignoreInvalidPhoneNumbers, "ignoreInvalidPhoneNumbers"),
        (f) => withId(wrapped, params.id!, { ignoreInvalidPhoneNumbers: f }),
      );
    },
    request: AddPhoneNumbersBody.omit({ id: true }),
    queryParameters: [ignoreInvalid],
  },
  {
    operationId: "recordAttemptOutcome",
    kind: "command",
    name: "record-attempt-outcome",
    method: "POST",
    paths: sub("attempts"),
    summary: "Record an attempt's outcome (codes 1..13); the reply says what comes next",
    status: 200,
    input: ({ body, params }) => withId(body, params.id!),
    request: RecordAttemptOutcomeBody.omit({ id: true }),
  },
  {
    operationId: "recordStageReached",
    kind: "command",
    name: "record-stage-reached",
    method: "POST",
    paths: sub("stages"),
    summary: "Record a call-flow stage (codes 0..20) against the number's current attempt",
    status: 200,
    input: ({ body, params }) => withId(body, params.id!),
    request: RecordStageReachedBody.omit({ id: true }),
  },
  {
    operationId: "getCampaignStatistics",
    kind: "query",
    name: "get-campaign-statistics",
    readYourWrites: true,
    method: "GET",
    paths: sub("statistics"),
    summary: "Outcome statistics: per outcome, stage and attempt, numbers by progress, rates",
    status: 200,
    input: (parts) => idQuery(parts),
    queryParameters: [minPosition],
  },
  {
    operationId: "getCampaignHistory",
    kind: "query",
    name: "get-campaign-history",
    readYourWrites: false,
    method: "GET",
    paths: sub("history"),
    summary: "The audit timeline, a page of events at a time (follow nextRevision)",
    status: 200,
    input: (parts) => idQuery(parts, ["fromRevision", "limit"]),
    queryParameters: [
      {
        name: "fromRevision",
        description: "first revision of the page",
        schema: { type: "integer", minimum: 0, default: 0 },
      },
      {
        name: "limit",
        description: "events per page",
        schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
      },
    ],
  },
  {
    operationId: "getCampaignStateAt",
    kind: "query",
    name: "get-campaign-state-at",
    readYourWrites: false,
    method: "GET",
    paths: sub("state"),
    summary: "The campaign's GET body as it stood at a time (`at`) or revision",
    status: 200,
    input: (parts) => idQuery(parts, ["revision", "phoneNumbersPage"]),
    queryParameters: [
      {
        name: "at",
        description: "ISO-8601 instant",
        schema: { type: "string", format: "date-time" },
      },
      { name: "revision", description: "stream revision", schema: { type: "integer", minimum: 0 } },
      numbersPage,
    ],
  },
  {
    operationId: "registerCallFlow",
    kind: "command",
    name: "register-call-flow",
    method: "POST",
    paths: ["/api/call-flows"],
    summary: "Register (or rename) a call flow, which campaigns name as callflow_Id",
    status: 200,
    input: ({ body }) => body,
    request: RegisterCallFlowBody,
  },
  {
    operationId: "registerCli",
    kind: "command",
    name: "register-cli",
    method: "POST",
    paths: ["/api/clis"],
    summary:
      "Register (or change) a CLI, the number campaigns call from, which campaigns name as cli_Id",
    status: 200,
    input: ({ body }) => body,
    request: RegisterCliBody,
  },
  ...reportingOperations,
  ...diallingOperations,
];

/** The success body's schema: the contract's reply to the operation's command or query (none for a 204). */
export const responseOf = (op: Operation): z.ZodType | undefined =>
  op.status === 204
    ? undefined
    : op.kind === "command"
      ? commandReplies[op.name]
      : queryReplies[op.name];
