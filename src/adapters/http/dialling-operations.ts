/** The dial queue's routes (CONTRACT.md REST table): claims, the queue's counts, and the exclusion lists. */
import {
  AddExclusionsBody,
  ClaimDueAttemptsBody,
  ReleaseClaimsBody,
  RemoveExclusionsBody,
} from "../../domain/index.js";

type Parts = { body: unknown; params: Record<string, string>; query: Record<string, unknown> };

const sub = (suffix: string) =>
  ["/api/campaign/voice/:id", "/api/campaigns/voice/:id"].map((p) => `${p}/${suffix}`);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The body with `key` set from the path; a body that is not an object goes on as it is, for the handler's schema to refuse. */
const withPath = (body: unknown, key: string, value: string | undefined): unknown =>
  value === undefined
    ? body
    : body === undefined || body === null
      ? { [key]: value }
      : isObject(body)
        ? { ...body, [key]: value }
        : body;

/** `limit` from the query string as a number (anything else goes on as given, for the schema to refuse). */
const listQuery = (query: Record<string, unknown>, campaignId: string | undefined) => ({
  ...query,
  ...(typeof query.limit === "string" && /^\d{1,6}$/.test(query.limit)
    ? { limit: Number(query.limit) }
    : {}),
  ...(campaignId === undefined ? {} : { campaignId }),
});

const listParameters = [
  {
    name: "after",
    description: "the last E.164 number of the previous page (its `next`)",
    schema: { type: "string" },
  },
  {
    name: "limit",
    description: "entries per page",
    schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
  },
];

const exclusionRoutes = (
  paths: readonly string[],
  scope: string,
  campaignOf: (parts: Parts) => string | undefined,
) => [
  {
    operationId: `addExclusions${scope}`,
    kind: "command" as const,
    name: "add-exclusions" as const,
    method: "POST" as const,
    paths,
    summary: `Add numbers (up to 10,000) to the ${scope === "" ? "client's" : "campaign's"} exclusion list, each with an optional reason and expiry`,
    status: 200 as const,
    input: (parts: Parts) => withPath(parts.body, "campaignId", campaignOf(parts)),
    request: AddExclusionsBody,
  },
  {
    operationId: `removeExclusions${scope}`,
    kind: "command" as const,
    name: "remove-exclusions" as const,
    method: "DELETE" as const,
    paths,
    summary: `Take numbers off the ${scope === "" ? "client's" : "campaign's"} exclusion list`,
    status: 200 as const,
    input: (parts: Parts) => withPath(parts.body, "campaignId", campaignOf(parts)),
    request: RemoveExclusionsBody,
  },
  {
    operationId: `listExclusions${scope}`,
    kind: "query" as const,
    name: "list-exclusions" as const,
    readYourWrites: false,
    method: "GET" as const,
    paths,
    summary: `A page of the ${scope === "" ? "client's" : "campaign's"} exclusion list, in E.164 order`,
    status: 200 as const,
    input: (parts: Parts) => listQuery(parts.query, campaignOf(parts)),
    queryParameters: listParameters,
  },
];

export const diallingOperations = [
  {
    operationId: "claimDueAttempts",
    kind: "command" as const,
    name: "claim-due-attempts" as const,
    method: "POST" as const,
    paths: sub("claims"),
    summary:
      "Hand out up to `limit` attempts due now (oldest first), each held by the caller for `claimSeconds` (default 600)",
    status: 200 as const,
    input: ({ body, params }: Parts) => withPath(body, "id", params.id),
    request: ClaimDueAttemptsBody,
  },
  {
    operationId: "releaseClaims",
    kind: "command" as const,
    name: "release-claims" as const,
    method: "DELETE" as const,
    paths: sub("claims"),
    summary: "Hand claimed attempts back before their claim ends",
    status: 200 as const,
    input: ({ body, params }: Parts) => withPath(body, "id", params.id),
    request: ReleaseClaimsBody,
  },
  {
    operationId: "getDialQueue",
    kind: "query" as const,
    name: "get-dial-queue" as const,
    readYourWrites: false,
    method: "GET" as const,
    paths: sub("dial-queue"),
    summary:
      "The campaign's numbers by where they stand now: due, claimed, waiting for a window or a retry, excluded, completed",
    status: 200 as const,
    input: ({ params }: Parts) => ({ id: params.id }),
  },
  ...exclusionRoutes(["/api/exclusions"], "", () => undefined),
  ...exclusionRoutes(sub("exclusions"), "OfCampaign", ({ params }) => params.id),
];
