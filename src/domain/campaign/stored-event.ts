import type { CampaignEvent, DuplicateNumber, IgnoredNumber, NumberEntry } from "./events.js";
import {
  type ColumnCodec,
  type Table,
  type TableSchema,
  asIs,
  fromTable,
  isTable,
  toTable,
} from "./table.js";

/**
 * Campaign events as the store holds them. Events that carry lists of numbers
 * (CampaignUpdated, PhoneNumbersAdded, InvalidPhoneNumbersIgnored) keep each
 * list as a table (./table.ts), so that any command whose request fits the
 * NATS max payload (1 MiB) fits one append (1 MiB on EventStoreDB):
 *
 *   "numbers":    { "columns": ["number", "e164", "name", "parameters"],
 *                   "rows": [["07700 900123", 447700900123, "Ann", [[1, "ref-1"]]], ...] }
 *   "duplicates": { "columns": ["index", "number", "e164"], "rows": [[4, "+447700900123", 447700900123]] }   (left out when empty)
 *   "ignored":    { "columns": ["index", "number", "reason"], "rows": [[7, "999", "too_short"]] }
 *
 * `e164` is written as its digits (a JSON number: 15 digits at most, exact),
 * `parameters` as `[parameter, value]` pairs, and an ignored number's reason
 * as a short code. Every other event is stored as the domain has it.
 * Decoding is the upcaster: events stored before tables (lists of objects)
 * read as they are, so old streams still replay.
 */
export type StoredCampaignEvent = { readonly type: string; readonly data: unknown };

const e164Digits: ColumnCodec = {
  encode: (value) => Number((value as string).slice(1)),
  decode: (value) => (typeof value === "number" ? `+${value}` : value),
};

const parameterPairs: ColumnCodec = {
  encode: (value) =>
    (value as { parameter: number; value: string }[]).map((p) => [p.parameter, p.value]),
  decode: (value) =>
    (value as [number, string][]).map(([parameter, value]) => ({ parameter, value })),
};

/** The reasons normalisePhoneNumber gives, by code; a reason without a code is stored as its text. */
const reasonTexts: Readonly<Record<string, string>> = {
  invalid_country: "no country code and no default region fits",
  not_a_number: "not a phone number",
  too_short: "too short",
  too_long: "too long",
  invalid_length: "invalid length",
  not_valid: "not a valid number for its region",
  not_possible: "not a possible number for its region",
};
const reasonCodes: ReadonlyMap<string, string> = new Map(
  Object.entries(reasonTexts).map(([code, text]) => [text, code]),
);
const reasonCode: ColumnCodec = {
  encode: (value) => reasonCodes.get(value as string) ?? value,
  decode: (value) => reasonTexts[value as string] ?? value,
};

export const numberColumns: TableSchema = {
  number: asIs,
  e164: e164Digits,
  name: asIs,
  parameters: parameterPairs,
  timeZone: asIs,
};
const exclusionColumns: TableSchema = {
  number: asIs,
  e164: e164Digits,
  reason: asIs,
  expiresAt: asIs,
};
const excludedColumns: TableSchema = { index: asIs, number: asIs, e164: e164Digits, list: asIs };
const duplicateColumns: TableSchema = { index: asIs, number: asIs, e164: e164Digits };
const ignoredColumns: TableSchema = { index: asIs, number: asIs, reason: reasonCode };

/** A stored list: a table, or (stored before tables) the records themselves. */
const readList = <Record_>(schema: TableSchema, stored: unknown): Record_[] =>
  isTable(stored) ? fromTable<Record_>(schema, stored) : ((stored as Record_[] | undefined) ?? []);

type Data = Record<string, unknown>;

const codecs: Readonly<
  Record<string, { encode: (data: Data) => Data; decode: (data: Data) => Data }>
> = {
  PhoneNumbersAdded: {
    encode: ({ numbers, duplicates, ...rest }) => ({
      ...rest,
      ...numbersTables(numbers as NumberEntry[], duplicates as DuplicateNumber[]),
    }),
    decode: ({ numbers, duplicates, ...rest }) => ({
      ...rest,
      ...numbersLists(numbers, duplicates),
    }),
  },
  CampaignUpdated: {
    encode: ({ numbers, duplicates, ...rest }) => ({
      ...rest,
      ...numbersTables(numbers as NumberEntry[], duplicates as DuplicateNumber[]),
    }),
    decode: ({ numbers, duplicates, ...rest }) => ({
      ...rest,
      ...numbersLists(numbers, duplicates),
    }),
  },
  // Also the events of a client's exclusion list (stream exclusions-<client>).
  ExclusionsAdded: {
    encode: ({ entries, invalid, ...rest }) => ({
      ...rest,
      entries: toTable(exclusionColumns, entries as object[]),
      invalid: toTable(ignoredColumns, invalid as IgnoredNumber[]),
    }),
    decode: ({ entries, invalid, ...rest }) => ({
      ...rest,
      entries: readList(exclusionColumns, entries),
      invalid: readList<IgnoredNumber>(ignoredColumns, invalid),
    }),
  },
  ExcludedPhoneNumbersSkipped: {
    encode: ({ excluded, ...rest }) => ({
      ...rest,
      excluded: toTable(excludedColumns, excluded as object[]),
    }),
    decode: ({ excluded, ...rest }) => ({ ...rest, excluded: readList(excludedColumns, excluded) }),
  },
  InvalidPhoneNumbersIgnored: {
    encode: ({ ignored, ...rest }) => ({
      ...rest,
      ignored: toTable(ignoredColumns, ignored as IgnoredNumber[]),
    }),
    decode: ({ ignored, ...rest }) => ({
      ...rest,
      ignored: readList<IgnoredNumber>(ignoredColumns, ignored),
    }),
  },
};

const numbersTables = (
  numbers: readonly NumberEntry[],
  duplicates: readonly DuplicateNumber[],
): Data => ({
  numbers: toTable(numberColumns, numbers),
  ...(duplicates.length === 0 ? {} : { duplicates: toTable(duplicateColumns, duplicates) }),
});

const numbersLists = (numbers: unknown, duplicates: unknown): Data => ({
  numbers: readList<NumberEntry>(numberColumns, numbers),
  duplicates: readList<DuplicateNumber>(duplicateColumns, duplicates),
});

/** The event as it is written to the store. */
export const encodeCampaignEvent = (event: CampaignEvent): StoredCampaignEvent => {
  const codec = codecs[event.type];
  return { type: event.type, data: codec ? codec.encode(event.data as Data) : event.data };
};

/** The domain event of a stored one, whichever shape it was stored in. */
export const decodeCampaignEvent = (event: StoredCampaignEvent): CampaignEvent => {
  const codec = codecs[event.type];
  return {
    type: event.type,
    data: codec ? codec.decode(event.data as Data) : event.data,
  } as CampaignEvent;
};

export type { Table };
