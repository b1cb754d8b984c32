/**
 * Rows of the CSV exports from one page of the numbers read model and the
 * same page of the attempt log (pure: the columns are the contract's).
 */
import type { DetailPhoneNumber } from "../contract/read-models.js";
import type { ExportKind } from "../contract/reporting.js";
import type { AttemptEntry, NumberAttempts } from "./evolvers/index.js";

const text = (value: string | number | undefined | null): string =>
  value === undefined || value === null ? "" : String(value);
const joined = (stages: readonly string[]) => stages.join(";");

/**
 * A cell of text the client gave (a name, a parameter) as a spreadsheet reads
 * it safely: one beginning with = + - @, a tab or a carriage return would be
 * taken for a formula (CSV injection), so it gets a leading `'`, which
 * spreadsheets show as text and do not display.
 */
export const formulaSafe = (value: string): string =>
  /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

/** Distinct stages over the number's attempts, in the order first reached. */
const stagesOf = (attempts: readonly AttemptEntry[]): string[] => [
  ...new Set(attempts.flatMap((entry) => entry.stages)),
];

export const resultRow = (
  phone: DetailPhoneNumber,
  attempts: readonly AttemptEntry[],
): string[] => {
  const last = phone.progress.lastOutcome;
  const next = phone.progress.next;
  return [
    phone.number,
    phone.e164,
    formulaSafe(text(phone.name)),
    text(phone.progress.attemptsMade),
    text(last?.outcome),
    text(last?.outcomeName),
    next.status === "completed" ? next.result : "pending",
    joined(stagesOf(attempts)),
    text(last?.occurredAt),
  ];
};

/** One row per attempt whose outcome is recorded (stages of an attempt still in progress wait for it). */
export const attemptRows = (
  phone: DetailPhoneNumber,
  attempts: readonly AttemptEntry[],
): string[][] =>
  attempts
    .filter((entry) => entry.outcome !== undefined)
    .map((entry) => [
      phone.number,
      phone.e164,
      text(entry.attemptNumber),
      text(entry.outcome),
      text(entry.outcomeName),
      text(entry.occurredAt),
      joined(entry.stages),
    ]);

export const rowsOf = (
  kind: ExportKind,
  phone: DetailPhoneNumber,
  attempts: readonly AttemptEntry[],
): string[][] => (kind === "results" ? [resultRow(phone, attempts)] : attemptRows(phone, attempts));

/**
 * The attempts of each number on a page, by E.164: the two pages are written
 * in one flush, but a reader between two flushes of a reordering update may
 * see them apart, so numbers are matched by E.164 rather than by position.
 */
export const attemptsByNumber = (
  page: readonly NumberAttempts[],
): ReadonlyMap<string, readonly AttemptEntry[]> =>
  new Map(page.map((number) => [number.e164, number.attempts]));
