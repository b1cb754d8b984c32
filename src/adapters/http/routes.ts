/**
 * Registers every operation of the table on the router: authenticate, reshape
 * the request, call the shared command or query handler, answer with the
 * seed's status and body or a problem.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { domainError, isDomainError } from "../../domain/index.js";
import type { CampaignHandlers } from "../../app/handler-types.js";
import type { KeyResolver } from "./auth.js";
import { type Operation, operations, type RequestParts } from "./operations.js";
import { answerToFailure, isRetryable } from "../../app/failure.js";
import { readRequestHeaders } from "../../contract/request-headers.js";
import { codeForStatus, fromDomainError, sendJson, sendProblem } from "./problem.js";
import { sendUnauthorized } from "./unauthorized.js";
import {
  currentTraceId,
  currentTraceparent,
  inRequestSpan,
  markAnswer,
} from "../../app/tracing.js";
import { noRequestMetrics, type RequestMetrics } from "../../ports/request-metrics.js";

export type RouteDeps = {
  handlers: CampaignHandlers;
  resolveClient: KeyResolver;
  logger: Logger;
  metrics?: RequestMetrics;
};

const partsOf = (request: FastifyRequest): RequestParts => ({
  body: request.body,
  params: { ...(request.params as Record<string, string>) },
  query: { ...(request.query as Record<string, unknown>) },
});

/** The trace id of each request's span, for the gateway's one log line per request (written after the span ends). */
export const requestTraceIds = new WeakMap<FastifyRequest, string>();

/**
 * Read-your-writes through the gateway: a read after a write by the same
 * client waits (bounded, as `minPosition` does) until the read models hold
 * that write. Callers on other gateway instances pass `Min-Position`.
 */
class LastPositions {
  private readonly byClient = new Map<string, bigint>();
  note(clientId: string, position: bigint): void {
    if (position > (this.byClient.get(clientId) ?? 0n)) this.byClient.set(clientId, position);
  }
  get(clientId: string): bigint | undefined {
    return this.byClient.get(clientId);
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === "" ? undefined : first.trim();
};

const optional = (key: string, value: string | undefined) =>
  value === undefined ? {} : { [key]: value };

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const clients = new WeakMap<FastifyRequest, string>();
  const positions = new LastPositions();

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const clientId = deps.resolveClient(request.headers);
    if (clientId === undefined) return sendUnauthorized(request, reply);
    clients.set(request, clientId);
  };

  const metrics = deps.metrics ?? noRequestMetrics;
  /** Each operation in its span (child of an incoming `traceparent`), counted and timed by its answer's code. */
  const handle = (routed: Operation) => async (request: FastifyRequest, reply: FastifyReply) => {
    const operation = routed.dispatch?.(partsOf(request)) ?? routed;
    const answered = metrics.started(operation.kind, operation.name, "http");
    const clientId = clients.get(request)!;
    const attributes = {
      "http.request.method": request.method,
      "http.route": request.routeOptions.url ?? "",
      "campaigns.client": clientId,
    };
    return inRequestSpan(
      `${operation.kind} ${operation.name}`,
      header(request, "traceparent"),
      attributes,
      async (span) => {
        const traceId = currentTraceId();
        if (traceId !== undefined) requestTraceIds.set(request, traceId);
        const answer = await run(operation, clientId, request, reply);
        const code = reply.statusCode < 400 ? "ok" : codeForStatus(reply.statusCode);
        markAnswer(span, code);
        answered(code);
        return answer;
      },
    );
  };

  const run = async (
    operation: Operation,
    clientId: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    const input = operation.input(partsOf(request));
    if (isDomainError(input)) return sendProblem(reply, fromDomainError(input));

    try {
      if (operation.kind === "command") {
        const headers = readRequestHeaders((name) =>
          name === "Command-Id"
            ? (header(request, "command-id") ?? header(request, "idempotency-key"))
            : header(request, name.toLowerCase()),
        );
        if (isDomainError(headers)) return sendProblem(reply, fromDomainError(headers));
        const outcome = await deps.handlers.command({
          name: operation.name,
          clientId,
          body: input,
          ...headers,
          ...(headers.correlationId === undefined ? optional("correlationId", request.id) : {}),
          ...optional("traceparent", currentTraceparent() ?? headers.traceparent),
        });
        if (!outcome.ok) return sendProblem(reply, fromDomainError(outcome.error));
        positions.note(clientId, outcome.position);
        reply.header("Log-Position", outcome.position.toString());
        if (operation.status === 204) return reply.code(204).send();
        if (operation.status === 201)
          reply.header(
            "Location",
            `/api/campaign/voice/${encodeURIComponent(String((outcome.reply as { id: unknown }).id))}`,
          );
        return sendJson(reply, operation.status, outcome.reply);
      }
      const body = operation.readYourWrites
        ? withMinPosition(
            input,
            header(request, "min-position") ?? positions.get(clientId)?.toString(),
          )
        : input;
      const outcome = await deps.handlers.query({ name: operation.name, clientId, body });
      if (!outcome.ok) {
        if (outcome.error.code === "unavailable") reply.header("Retry-After", "1");
        return sendProblem(reply, fromDomainError(outcome.error));
      }
      return sendJson(reply, operation.status, outcome.reply);
    } catch (err) {
      // As on NATS: a store's refusal is its 4xx; anything else a 503 to retry with the same
      // Command-Id, never a hang or a 500 with internals.
      const answer = answerToFailure(err);
      deps.logger[isRetryable(answer) ? "error" : "warn"](
        { err, clientId, operation: operation.operationId },
        "request failed",
      );
      if (isRetryable(answer)) reply.header("Retry-After", "1");
      return sendProblem(reply, fromDomainError(answer));
    }
  };

  for (const operation of operations) {
    for (const url of operation.paths) {
      app.route({
        method: operation.method,
        url,
        onRequest: authenticate,
        handler: handle(operation),
      });
    }
  }
}

/** A caller's own `minPosition` (query string) wins; otherwise the header's, or this gateway's last write for the client. */
const withMinPosition = (input: unknown, position: string | undefined): unknown =>
  position === undefined || typeof input !== "object" || input === null || "minPosition" in input
    ? input
    : { ...input, minPosition: position };
