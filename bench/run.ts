/**
 * `npm run bench`: prints one table. A benchmark, never a test: figures go
 * in the README with the machine they came from.
 */
import { cpus, totalmem } from "node:os";
import { benchCommandHandling } from "./command-handling.js";
import { benchDomain } from "./domain.js";
import { benchDialQueue } from "./dial-queue.js";
import { benchEventStore } from "./event-store.js";
import { benchEventStoreDbDouble } from "./eventstoredb.js";
import { benchNats } from "./nats.js";
import { benchReporting } from "./reporting.js";
import type { Row } from "./fixtures.js";

const only = process.argv[2];
const suites: [string, () => Row[] | Promise<Row[]>][] = [
  ["domain", benchDomain],
  ["dial-queue", benchDialQueue],
  ["event-store", benchEventStore],
  ["command-handling", benchCommandHandling],
  ["nats", benchNats],
  ["eventstoredb-double", benchEventStoreDbDouble],
  ["reporting", benchReporting],
];

const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
console.log(
  `machine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`,
);
for (const [name, run] of suites) {
  if (only && only !== name) continue;
  const rows = await run();
  console.log(`\n${name}`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows)
    console.log(
      `  ${row.name.padEnd(width)}  ${row.value.toLocaleString("en-GB").padStart(12)} ${row.unit.padEnd(10)} ${row.note ?? ""}`,
    );
}
