/**
 * `GET /api/campaign/voice/:id/results.csv` and `.../attempts.csv`: the
 * export's pages (`get-campaign-export`, a page of 1,000 numbers at a time
 * from the read models) written as CSV as they come, so a large campaign
 * starts arriving at once and never sits whole in memory. csv-stringify
 * quotes what needs quoting (commas, quotes, line breaks in names).
 */
import { Readable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainError } from "../../domain/index.js";
import {
  type CampaignExportPage,
  type ExportCursor,
  ExportKind,
  exportPages,
} from "../../contract/reporting.js";
import { fromDomainError, sendProblem } from "./problem.js";
import type { RouteDeps } from "./routes.js";
import { sendUnauthorized } from "./unauthorized.js";

class ExportRefused extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

export function registerExportRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const exportCsv = (kind: ExportKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const clientId = deps.resolveClient(request.headers);
    if (clientId === undefined) return sendUnauthorized(request, reply);
    const { id } = request.params as { id: string };
    const minPosition =
      (request.query as Record<string, unknown>).minPosition ?? header(request, "min-position");
    const fetchPage = async (cursor: ExportCursor): Promise<CampaignExportPage> => {
      // Only the first page waits for minPosition: the later ones are read after it.
      const wait =
        cursor.page === 0 && cursor.offset === 0 && minPosition !== undefined
          ? { minPosition }
          : {};
      const outcome = await deps.handlers.query({
        name: "get-campaign-export",
        clientId,
        body: { id, kind, ...cursor, ...wait },
      });
      if (!outcome.ok) throw new ExportRefused(outcome.error);
      return outcome.reply as CampaignExportPage;
    };
    const pages = exportPages(fetchPage);
    let first: IteratorResult<CampaignExportPage>;
    try {
      first = await pages.next();
    } catch (error) {
      if (error instanceof ExportRefused) return sendProblem(reply, fromDomainError(error.error));
      throw error;
    }
    const logger = deps.logger;
    async function* csv(): AsyncGenerator<string> {
      let page = first;
      if (!page.done) yield stringify([page.value.columns]);
      try {
        while (!page.done) {
          if (page.value.rows.length > 0) yield stringify(page.value.rows);
          page = await pages.next();
        }
      } catch (err) {
        // Headers are gone: the connection is cut, so the caller sees an incomplete file rather
        // than a short one.
        logger.error({ err, clientId, id, kind }, "export stopped");
        throw err;
      }
    }
    return reply
      .code(200)
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="${id}-${kind}.csv"`)
      .send(Readable.from(csv()));
  };
  for (const kind of ExportKind.options) {
    for (const base of ["/api/campaign/voice/:id", "/api/campaigns/voice/:id"])
      app.get(`${base}/${kind}.csv`, exportCsv(kind));
  }
}
