/**
 * Errors as RFC 9457 `application/problem+json`, carrying the same `code`
 * and `details` as the NATS error body, so a caller can switch transports
 * without relearning the errors.
 */
import { errorBody } from "../../contract/wire.js";
import type { FastifyReply } from "fastify";
import { type DomainError, type ErrorDetail, errorStatus } from "../../domain/index.js";
import { toJson } from "../../contract/wire.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Codes of the domain, plus those only the gateway produces. */
export type ProblemCode = DomainError["code"] | "unauthorized" | "payload_too_large" | "internal";

const titles: Record<ProblemCode, string> = {
  invalid_request: "Invalid request",
  not_found: "Not found",
  conflict: "Conflict",
  command_id_reused: "Command-Id reused",
  rule_violated: "Rule violated",
  unavailable: "Service unavailable",
  unauthorized: "Unauthorized",
  payload_too_large: "Payload too large",
  internal: "Internal error",
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  details: readonly ErrorDetail[];
  /** How many details were left out of a body that would not fit one reply (CONTRACT.md). */
  detailsOmitted?: number;
};

export const problemType = (code: ProblemCode) => `urn:campaigns:problem:${code}`;

export const problem = (
  status: number,
  code: ProblemCode,
  detail: string,
  details: readonly ErrorDetail[] = [],
): Problem => ({
  type: problemType(code),
  title: titles[code],
  status,
  detail,
  code,
  details,
});

/** The same cut as over NATS (errorBody): an error body keeps to one NATS max payload, with `detailsOmitted`. */
const MAX_ERROR_BYTES = 1024 * 1024 - 4096;
export const fromDomainError = (error: DomainError): Problem => {
  const { details, detailsOmitted } = errorBody(error, MAX_ERROR_BYTES);
  return {
    ...problem(errorStatus[error.code], error.code, error.message, details),
    ...(detailsOmitted === undefined ? {} : { detailsOmitted }),
  };
};

/** The code for a status the framework chose (body too large, unsupported media, ...). */
export const codeForStatus = (status: number): ProblemCode =>
  status === 401
    ? "unauthorized"
    : status === 404
      ? "not_found"
      : status === 409
        ? "conflict"
        : status === 413
          ? "payload_too_large"
          : status === 422
            ? "rule_violated"
            : status === 503
              ? "unavailable"
              : status >= 500
                ? "internal"
                : "invalid_request";

export const sendProblem = (reply: FastifyReply, body: Problem): FastifyReply =>
  reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(toJson(body));

/** A JSON body (revisions and positions are bigints inside; `toJson` writes them as numbers). */
export const sendJson = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
  reply.code(status).type("application/json; charset=utf-8").send(toJson(body));
