/**
 * `campaigns exclusions import <file.csv> --client <c> [--campaign <id>]`:
 * sends the file's numbers (header: number, reason, expiresAt) with
 * add-exclusions, 5,000 a command, to the client's list or (with --campaign)
 * the campaign's. Each chunk's Command-Id is derived from the client, the
 * list, the file's SHA-256 and the chunk, so a rerun after a failure replays
 * the chunks already written (their first reply, nothing written) and sends
 * the rest, as `campaigns import` does.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { v5 as uuidv5 } from "uuid";
import { CampaignRequestError, type CampaignsClient } from "../client/campaigns-client.js";
import { retry } from "../lib/retry.js";
import { type Output, progressBar } from "./progress-bar.js";
import { UsageError } from "./usage.js";

const NAMESPACE = "0d6f3c1e-8a4b-4f6e-9b1d-2c7e5a9f4b30";
const CHUNK_ROWS = 5_000;

type Row = { line: number; number: string; reason?: string; expiresAt?: string };
export type ExclusionsImportSummary = {
  file: string;
  clientId: string;
  list: string;
  rows: number;
  chunks: number;
  added: number;
  alreadyExcluded: number;
  invalid: { line: number; number: string; reason: string }[];
};

const readExclusionRows = (content: Buffer): Row[] => {
  const records = parse(content, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const [header, ...data] = records;
  if (!header)
    throw new UsageError("the CSV file is empty; it needs a header row: number,reason,expiresAt");
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const at = (name: string) => columns.indexOf(name.toLowerCase());
  if (at("number") < 0)
    throw new UsageError(`the CSV header has no "number" column (found: ${columns.join(", ")})`);
  return data.map(({ record, info }) => {
    const cell = (column: number) => (column < 0 ? "" : (record[column] ?? "").trim());
    const [reason, expiresAt] = [cell(at("reason")), cell(at("expiresAt"))];
    return {
      line: info.lines,
      number: cell(at("number")),
      ...(reason === "" ? {} : { reason }),
      ...(expiresAt === "" ? {} : { expiresAt }),
    };
  });
};

export async function importExclusions(
  client: CampaignsClient,
  file: string,
  campaignId: string | undefined,
  err: Output,
): Promise<ExclusionsImportSummary> {
  const content = await readFile(file);
  const sha256 = createHash("sha256").update(content).digest("hex");
  const rows = readExclusionRows(content);
  const list = campaignId === undefined ? "client" : `campaign ${campaignId}`;
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) chunks.push(rows.slice(i, i + CHUNK_ROWS));
  const summary: ExclusionsImportSummary = {
    file,
    clientId: client.clientId,
    list,
    rows: rows.length,
    chunks: chunks.length,
    added: 0,
    alreadyExcluded: 0,
    invalid: [],
  };
  const bar = progressBar(err, "exclusions", rows.length, "numbers", 0);
  let sent = 0;
  for (const [index, chunk] of chunks.entries()) {
    const commandId = uuidv5(
      `exclusions:${client.clientId}:${campaignId ?? "*"}:${sha256}:${index}`,
      NAMESPACE,
    );
    const numbers = chunk.map(({ line: _line, ...entry }) => entry);
    const { reply } = await retry(
      () =>
        client.addExclusions(
          { ...(campaignId === undefined ? {} : { campaignId }), numbers },
          { commandId, timeoutMs: 60_000 },
        ),
      {
        initialMs: 500,
        maxMs: 8_000,
        retries: 4,
        shouldRetry: (error) =>
          error instanceof CampaignRequestError
            ? error.status === 503
            : ["TIMEOUT", "503"].includes(String((error as { code?: unknown }).code)),
      },
    );
    summary.added += reply.added;
    summary.alreadyExcluded += reply.alreadyExcluded;
    summary.invalid.push(
      ...reply.invalid.map((i) => ({
        line: chunk[i.index]?.line ?? -1,
        number: i.number,
        reason: i.reason,
      })),
    );
    sent += chunk.length;
    bar.update(sent, `chunk ${index + 1}/${chunks.length} acknowledged`);
  }
  bar.finish(`${chunks.length} chunk${chunks.length === 1 ? "" : "s"}`);
  return summary;
}

export const formatExclusionsSummary = (s: ExclusionsImportSummary): string =>
  [
    `imported ${s.file} into the ${s.list} exclusion list (client ${s.clientId})`,
    `  rows:             ${s.rows.toLocaleString("en-GB")} in ${s.chunks} chunk${s.chunks === 1 ? "" : "s"}`,
    `  added:            ${s.added.toLocaleString("en-GB")}`,
    `  already excluded: ${s.alreadyExcluded.toLocaleString("en-GB")}`,
    `  invalid:          ${s.invalid.length.toLocaleString("en-GB")}`,
    ...s.invalid
      .slice(0, 100)
      .map((i) => `    line ${i.line}: ${JSON.stringify(i.number)} ${i.reason}`),
  ].join("\n") + "\n";
