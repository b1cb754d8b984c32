/**
 * `campaigns import <file.csv> --client <c> --campaign <id>`: sends the file's
 * numbers with add-phone-numbers (ignoreInvalidPhoneNumbers: true), a chunk
 * per command. Each chunk's Command-Id is derived from the client, the
 * campaign, the file's SHA-256 and the chunk's index and lines, so rerunning
 * the same import after a failure replays the chunks already written (the
 * service returns their first reply and writes nothing) and sends the rest.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { v5 as uuidv5 } from "uuid";
import { CampaignRequestError, type CampaignsClient } from "../client/campaigns-client.js";
import { retry } from "../lib/retry.js";
import { type Chunk, chunkRows, readRows } from "./csv-rows.js";
import { type Output, progressBar } from "./progress-bar.js";

/** Namespace of import Command-Ids (uuid v5). */
const IMPORT_NAMESPACE = "b7e0c1de-3f43-4c5e-9d0a-5a0c6f2b8e71";
const RETRIES = 5;
const CHUNK_TIMEOUT_MS = 60_000;

export type ImportSummary = {
  file: string;
  clientId: string;
  campaignId: string;
  sha256: string;
  rows: number;
  chunks: number;
  chunksSent: number;
  added: number;
  duplicates: { line: number; number: string; e164: string }[];
  invalid: { line: number; number: string; reason: string }[];
};

export class ImportFailed extends Error {
  override readonly name = "ImportFailed";
  constructor(
    readonly summary: ImportSummary,
    readonly chunk: number,
    readonly failure: unknown,
  ) {
    super(`chunk ${chunk + 1}/${summary.chunks} failed: ${describeFailure(failure)}`);
  }
}

const describeFailure = (failure: unknown): string =>
  failure instanceof CampaignRequestError
    ? `${failure.status} ${failure.code}: ${failure.message}`
    : failure instanceof Error
      ? failure.message
      : String(failure);

export const chunkCommandId = (
  clientId: string,
  campaignId: string,
  sha256: string,
  chunk: Chunk,
) =>
  uuidv5(
    `import:${clientId}:${campaignId}:${sha256}:${chunk.index}:${chunk.rows[0]!.line}-${chunk.rows.at(-1)!.line}`,
    IMPORT_NAMESPACE,
  );

export async function importNumbers(
  client: CampaignsClient,
  file: string,
  campaignId: string,
  err: Output,
): Promise<ImportSummary> {
  const content = await readFile(file);
  const sha256 = createHash("sha256").update(content).digest("hex");
  const { rows, rejected, dataRows } = readRows(content);
  const chunks = chunkRows(rows);
  const summary: ImportSummary = {
    file,
    clientId: client.clientId,
    campaignId,
    sha256,
    rows: dataRows,
    chunks: chunks.length,
    chunksSent: 0,
    added: 0,
    duplicates: [],
    invalid: [...rejected],
  };
  const bar = progressBar(err, "import", rows.length, "numbers", 0);
  let sent = 0;
  for (const chunk of chunks) {
    const commandId = chunkCommandId(client.clientId, campaignId, sha256, chunk);
    const reply = await withRetries(() =>
      client.addPhoneNumbers(
        {
          id: campaignId,
          phoneNumbers: chunk.rows.map((r) => r.phone),
          ignoreInvalidPhoneNumbers: true,
        },
        { commandId, timeoutMs: CHUNK_TIMEOUT_MS },
      ),
    ).catch((cause: unknown) => {
      throw new ImportFailed(summary, chunk.index, cause);
    });
    const lineOf = (index: number) => chunk.rows[index]?.line ?? -1;
    summary.added += reply.reply.added;
    summary.duplicates.push(
      ...reply.reply.duplicates.map((d) => ({
        line: lineOf(d.index),
        number: d.number,
        e164: d.e164,
      })),
    );
    summary.invalid.push(
      ...reply.reply.ignoredPhoneNumbers.map((i) => ({
        line: lineOf(i.index),
        number: i.number,
        reason: i.reason,
      })),
    );
    summary.chunksSent++;
    sent += chunk.rows.length;
    bar.update(sent, `chunk ${chunk.index + 1}/${chunks.length} acknowledged`);
  }
  bar.finish(`${chunks.length} chunk${chunks.length === 1 ? "" : "s"}`);
  summary.invalid.sort((a, b) => a.line - b.line);
  summary.duplicates.sort((a, b) => a.line - b.line);
  return summary;
}

/** Timeouts, no responders and 503s are retried with the same Command-Id (so at most once written); anything else is final. */
async function withRetries<T>(send: () => Promise<T>): Promise<T> {
  return retry(send, {
    initialMs: 500,
    maxMs: 8_000,
    retries: RETRIES - 1,
    shouldRetry: (error) =>
      error instanceof CampaignRequestError ? error.status === 503 : isNatsTransient(error),
  });
}

const isNatsTransient = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return (
    code === "TIMEOUT" || code === "503" || code === "CONNECTION_REFUSED" || code === "DISCONNECT"
  );
};

const LISTED = 100;

export function formatSummary(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString("en-GB");
  const lines = [
    `imported ${s.file} into campaign ${s.campaignId} (client ${s.clientId})`,
    `  rows:        ${n(s.rows)} in ${n(s.chunks)} chunk${s.chunks === 1 ? "" : "s"}`,
    `  added:       ${n(s.added)}`,
    `  duplicates:  ${n(s.duplicates.length)}`,
    ...s.duplicates.slice(0, LISTED).map((d) => `    line ${d.line}: ${d.number} (${d.e164})`),
    ...(s.duplicates.length > LISTED
      ? [`    ... and ${n(s.duplicates.length - LISTED)} more (--json lists all)`]
      : []),
    `  invalid:     ${n(s.invalid.length)}`,
    ...s.invalid
      .slice(0, LISTED)
      .map((i) => `    line ${i.line}: ${JSON.stringify(i.number)} ${i.reason}`),
    ...(s.invalid.length > LISTED
      ? [`    ... and ${n(s.invalid.length - LISTED)} more (--json lists all)`]
      : []),
  ];
  return `${lines.join("\n")}\n`;
}
