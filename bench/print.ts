import { cpus, totalmem } from "node:os";
import type { Row } from "./fixtures.js";

/** The machine line every bench output starts with. */
export const machine = () =>
  `machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;

/** A suite's rows as one table. */
export function printRows(suite: string, rows: readonly Row[]): void {
  console.log(`\n${suite}`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows)
    console.log(
      `  ${row.name.padEnd(width)}  ${row.value.toLocaleString("en-GB").padStart(12)} ${row.unit.padEnd(10)} ${row.note ?? ""}`,
    );
}
