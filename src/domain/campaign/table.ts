/**
 * A list of records stored as a table: the field names once, in `columns`,
 * then one row of values per record. A 10,000-number event then pays for each
 * field name once instead of 10,000 times, and still reads as a table.
 *
 * A row lists its values in column order; an absent value is `null`, and
 * absent values at the end of a row are left out. Columns no record uses are
 * left out of the table. A value may have a compact form (see `ColumnCodec`).
 */
export type Table = {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
};

/** How one field is written in a row and read back. */
export type ColumnCodec = {
  readonly encode: (value: unknown) => unknown;
  readonly decode: (value: unknown) => unknown;
};
export const asIs: ColumnCodec = { encode: (value) => value, decode: (value) => value };

/** The codecs of a table's columns, in the order its columns are written. */
export type TableSchema = Readonly<Record<string, ColumnCodec>>;

export const toTable = (schema: TableSchema, records: readonly object[]): Table => {
  const fields = Object.keys(schema).filter((field) =>
    records.some((record) => (record as Record<string, unknown>)[field] !== undefined),
  );
  const rows = records.map((record) => {
    const row = fields.map((field) => {
      const value = (record as Record<string, unknown>)[field];
      return value === undefined ? null : schema[field]!.encode(value);
    });
    while (row.length > 0 && row[row.length - 1] === null) row.pop();
    return row;
  });
  return { columns: fields, rows };
};

/** Reads rows by their table's own columns, so tables written with other columns (older or newer) still read. */
export const fromTable = <Record_>(schema: TableSchema, table: Table): Record_[] => {
  const codecs = table.columns.map((column) => schema[column] ?? asIs);
  return table.rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (value !== null && value !== undefined)
        record[table.columns[i]!] = codecs[i]!.decode(value);
    }
    return record as Record_;
  });
};

export const isTable = (value: unknown): value is Table =>
  typeof value === "object" &&
  value !== null &&
  Array.isArray((value as Table).columns) &&
  Array.isArray((value as Table).rows);
