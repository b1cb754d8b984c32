/**
 * The REST gateway (on when HTTP_PORT is set): fastify in front of the same
 * command and query handlers as the NATS endpoints.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { CampaignHandlers } from "../../app/handler-types.js";
import { decodeJson } from "../../contract/wire.js";
import { keyResolver } from "./auth.js";
import { openApiDocument } from "./openapi.js";
import { codeForStatus, problem, sendJson, sendProblem } from "./problem.js";
import { registerRoutes, requestTraceIds } from "./routes.js";
import { registerExportRoutes } from "./exports.js";
import { registerDashboardRoutes } from "./dashboard.js";
import type { ReadModelWatch } from "../../ports/read-model-store.js";
import { type OperationsProbe, registerOperationsRoutes } from "./health-and-metrics.js";
import type { RequestMetrics } from "../../ports/request-metrics.js";

export type HttpGatewayOptions = {
  handlers: CampaignHandlers;
  apiKeys: ReadonlyMap<string, string>;
  logger: Logger;
  version: string;
  /** The read models' watch, for the dashboard's live updates. */
  watch?: ReadModelWatch;
  /** Requests by kind, name and code (Prometheus, from the composition root). */
  metrics?: RequestMetrics;
  /** /healthz, /readyz and /metrics on this port too. */
  operations?: OperationsProbe;
  /** Largest request body; a create of 10,000 numbers with 9 parameters each fits. */
  bodyLimit?: number;
};

export type RunningHttpGateway = { app: FastifyInstance; port: number; close(): Promise<void> };

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

class InvalidJson extends Error {
  readonly statusCode = 400;
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function buildHttpGateway(options: HttpGatewayOptions): FastifyInstance {
  const logger = options.logger.child({ component: "http" });
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // No fastify logger: one line per request is written by the onResponse hook below, through
    // pino.
    routerOptions: { ignoreDuplicateSlashes: true },
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });

  // Any content type is read as JSON (curl -d sends form encoding by default), with the NATS
  // endpoints' decoder and messages.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, raw: Buffer, done) => {
    if (raw.length === 0) return done(null, undefined);
    const decoded = decodeJson(raw);
    return decoded.ok
      ? done(null, decoded.value)
      : done(new InvalidJson(decoded.reason), undefined);
  });

  app.setErrorHandler((error: FastifyError | InvalidJson, request, reply) => {
    if (error instanceof InvalidJson)
      return sendProblem(
        reply,
        problem(400, "invalid_request", error.reason, [{ field: "(body)", reason: error.reason }]),
      );
    const status =
      typeof error.statusCode === "number" && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) logger.error({ err: error, url: request.url }, "request failed");
    const detail = status >= 500 ? "the request could not be completed" : error.message;
    return sendProblem(reply, problem(status, codeForStatus(status), detail, [{ reason: detail }]));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`, [
        { field: "(path)", reason: "see /openapi.json" },
      ]),
    ),
  );
  // One line per request: info when refused (4xx, 503), debug when accepted, warn on a failure of
  // the service itself.
  app.addHook("onResponse", async (request, reply) => {
    const entry = {
      transport: "http",
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      reqId: request.id,
      trace_id: requestTraceIds.get(request),
    };
    if (reply.statusCode >= 500 && reply.statusCode !== 503) logger.warn(entry, "request failed");
    else if (reply.statusCode >= 400) logger.info(entry, "request refused");
    else logger.debug(entry, "request accepted");
  });

  const document = openApiDocument(options.version);
  app.get("/openapi.json", async (_request, reply) => sendJson(reply, 200, document));
  if (options.operations) registerOperationsRoutes(app, options.operations);
  const deps = {
    handlers: options.handlers,
    resolveClient: keyResolver(options.apiKeys),
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  registerRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerDashboardRoutes(app, { ...deps, watch: options.watch });
  return app;
}

/** Listens on `host` (BIND_ADDRESS); `close()` stops taking requests and waits for those in flight. */
export async function startHttpGateway(
  { port, host }: { port: number; host: string },
  options: HttpGatewayOptions,
): Promise<RunningHttpGateway> {
  const app = buildHttpGateway(options);
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  options.logger.info({ host, port: bound }, "REST gateway listening");
  return { app, port: bound, close: () => app.close() };
}
