/**
 * `campaigns export <id> --client <c> --kind results|attempts [-o file]`:
 * follows `get-campaign-export` page by page over NATS (each reply within the
 * max payload, `next` saying where to go on) and writes CSV as the pages
 * come, with a progress bar on stderr. Rows as the REST `.csv` routes give.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import type { CampaignsClient } from "../client/campaigns-client.js";
import type { ExportKind } from "../contract/reporting.js";
import { type Output, type ProgressBar, progressBar } from "./progress-bar.js";

export type ExportSummary = { rows: number; pages: number };

async function write(out: Writable | Output, text: string): Promise<void> {
  if (!out.write(text) && "once" in out) await once(out as Writable, "drain");
}

export async function exportCommand(
  client: CampaignsClient,
  id: string,
  kind: ExportKind,
  file: string | undefined,
  stdout: Output,
  stderr: Output,
): Promise<ExportSummary> {
  const out: Writable | Output = file === undefined ? stdout : createWriteStream(file);
  let progress: ProgressBar | undefined;
  let rows = 0;
  let pages = 0;
  try {
    for await (const page of client.exportCampaign({ id, kind })) {
      if (progress === undefined) {
        pages = page.pages;
        progress = progressBar(stderr, `export ${kind}`, Math.max(1, page.pages), "pages");
        await write(out, stringify([page.columns]));
      }
      if (page.rows.length > 0) await write(out, stringify(page.rows));
      rows += page.rows.length;
      progress.update(page.next?.page ?? page.pages, `${rows.toLocaleString("en-GB")} rows`);
    }
    progress?.finish(`${rows.toLocaleString("en-GB")} rows`);
  } finally {
    if (file !== undefined) {
      const stream = out as Writable;
      stream.end();
      await once(stream, "close");
    }
  }
  return { rows, pages };
}
