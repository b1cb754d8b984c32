/**
 * `GET /dashboard`: a page for people who run campaigns (the client's
 * campaigns with progress and rates; for one campaign, its results, dial
 * queue, outcomes and timeline, pause and resume, the CSV exports), and
 * `GET /dashboard/events`: server-sent events fed by the KV read models'
 * watch, so the page refreshes what changed without reloading. The page asks
 * for the API key, keeps it in sessionStorage and sends it in a header (the
 * events are read with fetch(), which can send one; EventSource cannot), so
 * it never appears in a URL. The page itself is static files in web/dashboard
 * (HTML, CSS and a type-checked script), read once at start; nothing is
 * fetched from the internet.
 */
import { readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { outcomeTexts, resultTexts, stageTexts } from "../../contract/codes.js";
import type { ReadModelWatch } from "../../ports/read-model-store.js";
import type { RouteDeps } from "./routes.js";
import { sendUnauthorized } from "./unauthorized.js";

/** web/dashboard, from src/adapters/http as from dist/adapters/http. */
const WEB = new URL("../../../web/dashboard/", import.meta.url);
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
type Asset = { type: string; body: Buffer };

/**
 * Every page file by its route: `index.html` at /dashboard, the rest (the script's modules, the
 * style sheet, the icon) at /dashboard/<name>, the icon at /favicon.ico too, and the contract's
 * code table. Read when the gateway starts (not on import: the composition root is loaded
 * without serving).
 */
function readAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(WEB)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue; // web/tsconfig.json and the like are not the page's
    const body = readFileSync(new URL(name, WEB));
    assets.set(name === "index.html" ? "/dashboard" : `/dashboard/${name}`, { type, body });
    if (name === "favicon.svg") assets.set("/favicon.ico", { type, body });
  }
  const codes = { outcomes: outcomeTexts, stages: stageTexts, results: resultTexts };
  assets.set("/dashboard/codes.json", {
    type: "application/json; charset=utf-8",
    body: Buffer.from(JSON.stringify(codes)),
  });
  return assets;
}

/** Changes are sent at most this often per connection (a busy campaign changes on every flush). */
const COALESCE_MS = 300;
const HEARTBEAT_MS = 15_000;
// Styles come from the page's own file; the script sets styles through the CSSOM, which
// style-src does not govern, so no inline style or script is allowed.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

  for (const [route, { type, body }] of readAssets())
    app.get(route, async (_request, reply) =>
      reply
        .type(type)
        .header("Content-Security-Policy", CSP)
        .header("Cache-Control", "no-cache")
        .send(body),
    );
  // Who the key is: the page's heading names the client.
  app.get("/dashboard/me", async (request, reply) => {
    const clientId = deps.resolveClient(request.headers);
    if (clientId === undefined) return sendUnauthorized(request, reply);
    return reply.header("Cache-Control", "no-store").send({ client: clientId });
  });

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
