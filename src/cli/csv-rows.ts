/**
 * The import file: a CSV with a header row naming `number`, `name` and
 * `parameter1`..`parameter9` (any order, any case). Parsed with csv-parse
 * (quoted fields, commas and newlines inside quotes, a BOM), each row checked
 * against the domain's own SubmittedPhoneNumber schema so a malformed row is
 * reported with its line instead of failing a whole chunk, then cut into
 * chunks that the service accepts as one command each.
 */
import { parse } from "csv-parse/sync";
import {
  APPEND_BUDGET_BYTES,
  MAX_NUMBERS_PER_COMMAND,
  SubmittedPhoneNumber,
} from "../contract/commands.js";
import { UsageError } from "./usage.js";

/** A row to send, with the file line it came from (1-based; the header is line 1). */
export type Row = { line: number; phone: SubmittedPhoneNumber; bytes: number };
export type RejectedRow = { line: number; number: string; reason: string };
export type Chunk = { index: number; rows: Row[] };

/** Request JSON per chunk stays under this, below NATS's 1 MiB max payload with room for headers. */
export const CHUNK_BYTES = 960_000;
/**
 * What one row may add to the stored events beyond its own request JSON: its
 * E.164 digits in a table row (less the field names the row drops), or a
 * duplicate or ignored-number row with its index and reason code. Keeps each
 * chunk's events inside the service's append budget as well.
 */
export const EVENT_OVERHEAD_PER_ROW = 16;

const PARAMETER = /^parameter([1-9])$/;
const encoder = new TextEncoder();

export function readRows(content: Buffer): {
  rows: Row[];
  rejected: RejectedRow[];
  dataRows: number;
} {
  const records = parse(content, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const [header, ...data] = records;
  if (!header)
    throw new UsageError(
      "the CSV file is empty; it needs a header row: number,name,parameter1..parameter9",
    );
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const numberColumn = columns.indexOf("number");
  if (numberColumn < 0)
    throw new UsageError(`the CSV header has no "number" column (found: ${columns.join(", ")})`);
  const nameColumn = columns.indexOf("name");
  const parameterColumns = columns.flatMap((name, column) => {
    const match = PARAMETER.exec(name);
    return match ? [{ column, parameter: Number(match[1]) }] : [];
  });

  const rows: Row[] = [];
  const rejected: RejectedRow[] = [];
  for (const { record, info } of data) {
    const cell = (column: number) => (record[column] ?? "").trim();
    const number = cell(numberColumn);
    const name = nameColumn < 0 ? "" : cell(nameColumn);
    const parameters = parameterColumns
      .filter(({ column }) => cell(column) !== "")
      .map(({ column, parameter }) => ({ parameter, value: cell(column) }));
    const candidate = {
      number,
      ...(name === "" ? {} : { name }),
      ...(parameters.length === 0 ? {} : { parameters }),
    };
    const checked = SubmittedPhoneNumber.safeParse(candidate);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      rejected.push({
        line: info.lines,
        number,
        reason: `${issue.path.join(".") || "row"}: ${issue.message}`,
      });
      continue;
    }
    rows.push({
      line: info.lines,
      phone: checked.data,
      bytes: encoder.encode(JSON.stringify(checked.data)).length + 1,
    });
  }
  return { rows, rejected, dataRows: data.length };
}

/** Consecutive chunks of at most 10,000 rows and CHUNK_BYTES (counting each row's request JSON and what it adds to the events): deterministic for the same file, so a rerun sends the same chunks. */
export function chunkRows(
  rows: readonly Row[],
  maxRows = MAX_NUMBERS_PER_COMMAND,
  maxBytes = Math.min(CHUNK_BYTES, APPEND_BUDGET_BYTES - 16 * 1024),
): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = row.bytes + EVENT_OVERHEAD_PER_ROW;
    if (current.length > 0 && (current.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push({ index: chunks.length, rows: current });
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ index: chunks.length, rows: current });
  return chunks;
}
