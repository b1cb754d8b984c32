/**
 * `GET /dashboard`: a page for people who run campaigns (the client's
 * campaigns with progress; for one campaign, its outcomes and timeline), and
 * `GET /dashboard/events`: server-sent events fed by the KV read models'
 * watch, so the page refreshes what changed without reloading. The page asks
 * for the API key, keeps it in sessionStorage and sends it in a header (the
 * events are read with fetch(), which can send one; EventSource cannot), so
 * it never appears in a URL. Everything is served from here: nothing is
 * fetched from the internet.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ReadModelWatch } from "../../ports/read-model-store.js";
import { dashboardHtml } from "./dashboard-page.js";
import { dashboardScript } from "./dashboard-script.js";
import type { RouteDeps } from "./routes.js";
import { sendUnauthorized } from "./unauthorized.js";

/** Changes are sent at most this often per connection (a busy campaign changes on every flush). */
const COALESCE_MS = 300;
const HEARTBEAT_MS = 15_000;
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerDashboardRoutes(
  app: FastifyInstance,
  deps: RouteDeps & { watch: ReadModelWatch | undefined },
): void {
  const open = new Set<ServerResponse>();
  // Event streams never end by themselves: end them so that closing the gateway does not wait for
  // the browsers.
  app.addHook("preClose", async () => {
    for (const response of open) response.end();
  });

  app.get("/dashboard", async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("Content-Security-Policy", CSP)
      .header("Cache-Control", "no-store")
      .send(dashboardHtml),
  );
  app.get("/dashboard/app.js", async (_request, reply) =>
    reply
      .type("text/javascript; charset=utf-8")
      .header("Cache-Control", "no-store")
      .send(dashboardScript),
  );

  app.get("/dashboard/events", async (request: FastifyRequest, reply: FastifyReply) => {
    const clientId = deps.resolveClient(request.headers);
    if (clientId === undefined) return sendUnauthorized(request, reply);
    if (deps.watch === undefined) return reply.code(404).send();
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    response.write(": connected\n\n");
    open.add(response);
    let pending = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const campaignIds = [...pending];
      pending = new Set();
      response.write(`event: change\ndata: ${JSON.stringify({ campaignIds })}\n\n`);
    };
    const watching = await deps.watch
      .watchClient(clientId, ["summaries", "statistics", "timelines"], ({ campaignId }) => {
        pending.add(campaignId);
        timer ??= setTimeout(flush, COALESCE_MS);
      })
      .catch((err: unknown) => {
        deps.logger.warn({ err, clientId }, "dashboard events: watch failed");
        return undefined;
      });
    const heartbeat = setInterval(() => response.write(": still here\n\n"), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      watching?.stop();
      open.delete(response);
    };
    if (watching === undefined) response.end();
    response.on("close", close);
  });
}
