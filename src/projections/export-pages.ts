import { type DomainError, notFound } from "../domain/index.js";
import {
  type CampaignExportPage,
  type ExportCursor,
  type ExportKind,
  exportColumns,
} from "../contract/reporting.js";
import { pageKey, type ReadModelStore } from "../ports/read-model-store.js";
import { readCampaignDetail } from "./campaign-projections.js";
import { DETAIL_PAGE_SIZE, type NumberAttempts } from "./evolvers/index.js";
import { attemptsByNumber, rowsOf } from "./export-rows.js";
import { readPage } from "./paged-values.js";

/** Room left in a reply for its wrapper and headers. */
const REPLY_OVERHEAD_BYTES = 4096;

/**
 * `get-campaign-export`: the rows of one page of the campaign's numbers (from
 * `offset` within it), read from the numbers and attempts read models. Over
 * NATS a page whose rows would not fit one reply stops early, `next` naming
 * the number to go on from; without a limit (REST) it is the whole page.
 */
export async function readExportPage(
  store: ReadModelStore,
  clientId: string,
  query: { id: string; kind: ExportKind } & ExportCursor,
  maxReplyBytes: number,
): Promise<CampaignExportPage | DomainError> {
  const detail = await readCampaignDetail(store, clientId, query.id, query.page);
  if (detail === undefined) return notFound("campaign", query.id);
  const pages = Math.ceil(detail.phoneNumberCount / DETAIL_PAGE_SIZE);
  const attempts = attemptsByNumber(
    await readPage<NumberAttempts>(store, "attempts", pageKey(clientId, query.id, query.page)),
  );
  const rows: string[][] = [];
  let bytes = REPLY_OVERHEAD_BYTES;
  let next: ExportCursor | null =
    query.page + 1 < pages ? { page: query.page + 1, offset: 0 } : null;
  for (let i = query.offset; i < detail.phoneNumbers.length; i++) {
    const phone = detail.phoneNumbers[i]!;
    const numberRows = rowsOf(query.kind, phone, attempts.get(phone.e164) ?? []);
    if (maxReplyBytes !== Infinity) {
      bytes += Buffer.byteLength(JSON.stringify(numberRows));
      if (bytes > maxReplyBytes && rows.length > 0) {
        next = { page: query.page, offset: i };
        break;
      }
    }
    rows.push(...numberRows);
  }
  return {
    id: query.id,
    kind: query.kind,
    columns: [...exportColumns[query.kind]],
    rows,
    pages,
    next,
  };
}
