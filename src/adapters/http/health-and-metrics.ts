/**
 * Health, readiness and metrics (CONTRACT.md "Operations"): a small node:http
 * server on OPS_PORT, and the same three routes on the REST gateway.
 */
import { createServer, type Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";

export type Readiness = { ready: boolean; reasons: string[] };
export type OperationsProbe = {
  readiness(): Promise<Readiness>;
  metrics(): Promise<{ contentType: string; body: string }>;
};
type Answer = { status: number; contentType: string; body: string };

const json = (status: number, value: unknown): Answer => ({
  status,
  contentType: "application/json; charset=utf-8",
  body: JSON.stringify(value),
});

/** The answer for an operations path, or undefined for any other path. */
async function answer(path: string, probe: OperationsProbe): Promise<Answer | undefined> {
  switch (path) {
    case "/healthz":
      return json(200, { ok: true });
    case "/readyz": {
      const readiness = await probe.readiness();
      return json(readiness.ready ? 200 : 503, readiness);
    }
    case "/metrics": {
      const { contentType, body } = await probe.metrics();
      return { status: 200, contentType, body };
    }
    default:
      return undefined;
  }
}

export const OPERATIONS_PATHS = ["/healthz", "/readyz", "/metrics"] as const;

/** The three routes on the gateway, without an API key (as on OPS_PORT: probes and scrapers carry none). */
export function registerOperationsRoutes(app: FastifyInstance, probe: OperationsProbe): void {
  for (const path of OPERATIONS_PATHS) {
    app.get(path, async (_request, reply) => {
      const a = (await answer(path, probe))!;
      return reply.code(a.status).type(a.contentType).send(a.body);
    });
  }
}

export type RunningOpsServer = { port: number; close(): Promise<void> };

/** Listens on all interfaces (port 0: any free one); GET only. */
export async function startOpsServer(
  { port, host }: { port: number; host: string },
  probe: OperationsProbe,
  logger: Logger,
): Promise<RunningOpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const reply = (a: Answer) =>
      response
        .writeHead(a.status, { "content-type": a.contentType })
        .end(request.method === "HEAD" ? undefined : a.body);
    if (request.method !== "GET" && request.method !== "HEAD")
      return reply(json(405, { error: "GET only" }));
    answer(path, probe).then(
      (a) => reply(a ?? json(404, { error: `no route ${path}`, routes: OPERATIONS_PATHS })),
      (err: unknown) => {
        logger.error({ err, path }, "operations request failed");
        reply(json(500, { error: "failed" }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  logger.info({ host, port: bound }, "health and metrics listening (/healthz, /readyz, /metrics)");
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
