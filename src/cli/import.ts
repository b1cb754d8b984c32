/**
 * `campaigns import <file.csv> --client <c> --campaign <id>`: sends the file's
 * numbers with add-phone-numbers (ignoreInvalidPhoneNumbers: true), a chunk
 * per command. Each chunk's Command-Id is derived from the client, the
 * campaign, the file's SHA-256 and the chunk's index and lines, so rerunning
 * the same import after a failure replays the chunks already written (the
 * service returns their first reply and writes nothing) and sends the rest. A
 * failure or an interruption (Ctrl-C) says what was stored and that rerunning
 * finishes it; a campaign that does not exist fails as such, with nothing sent.
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
    super(
      failure instanceof ImportInterrupted
        ? `interrupted while chunk ${chunk + 1}/${summary.chunks} was being sent`
        : `chunk ${chunk + 1}/${summary.chunks} failed: ${describeFailure(failure)}`,
    );
  }
}

/** Ctrl-C (the signal the caller aborts): stop at once, saying what was stored. */
export class ImportInterrupted extends Error {
  override readonly name = "ImportInterrupted";
}

/** The first chunk found no campaign: nothing was sent, and a rerun would not help. */
export class CampaignNotFound extends Error {
  override readonly name = "CampaignNotFound";
  constructor(
    readonly clientId: string,
    readonly campaignId: string,
  ) {
    super(`campaign ${campaignId} does not exist for client ${clientId}`);
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

export type ImportOptions = {
  /** Chunks before this one were sent another way (the create took the first). */
  fromChunk?: number;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
};

export async function importNumbers(
  client: CampaignsClient,
  file: string,
  campaignId: string,
  err: Output,
  { fromChunk = 0, signal }: ImportOptions = {},
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
  const skipped = chunks.slice(0, fromChunk).reduce((n, c) => n + c.rows.length, 0);
  const bar = progressBar(err, "import", rows.length - skipped, "numbers", 0);
  let sent = 0;
  for (const chunk of chunks.slice(fromChunk)) {
    const commandId = chunkCommandId(client.clientId, campaignId, sha256, chunk);
    const send = withRetries(() =>
      client.addPhoneNumbers(
        {
          id: campaignId,
          phoneNumbers: chunk.rows.map((r) => r.phone),
          ignoreInvalidPhoneNumbers: true,
        },
        { commandId, timeoutMs: CHUNK_TIMEOUT_MS },
      ),
    );
    const reply = await untilAborted(send, signal).catch((cause: unknown) => {
      bar.stop();
      if (summary.chunksSent === 0 && cause instanceof CampaignRequestError && cause.status === 404)
        throw new CampaignNotFound(client.clientId, campaignId);
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

/** The send, or ImportInterrupted as soon as the signal is aborted (the send may still land). */
function untilAborted<T>(send: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return send;
  if (signal.aborted) return Promise.reject(new ImportInterrupted());
  return Promise.race([
    send,
    new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new ImportInterrupted()), { once: true }),
    ),
  ]);
}

/** What a stopped import had stored, and how to finish it. */
export function formatStoredSoFar(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString("en-GB");
  return [
    `stored so far: ${n(s.chunksSent)} of ${n(s.chunks)} chunk${s.chunks === 1 ? "" : "s"} of ${s.file} in campaign ${s.campaignId} (${n(s.added)} numbers added by this run)`,
    "rerun the same command to finish: chunks already stored are recognised by their Command-Id and add nothing twice",
    "",
  ].join("\n");
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
