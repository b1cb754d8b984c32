/**
 * `npm run bench`: prints one table. A benchmark, never a test: figures go
 * in the README with the machine they came from.
 */
import { benchCommandHandling } from "./command-handling.js";
import { benchDomain } from "./domain.js";
import { benchDialQueue } from "./dial-queue.js";
import { benchEventStore } from "./event-store.js";
import { benchEventStoreDbDouble } from "./eventstoredb.js";
import { benchNats } from "./nats.js";
import { benchReporting } from "./reporting.js";
import { benchSoak } from "./soak.js";
import { machine, printRows } from "./print.js";
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
  // A short soak (npm run soak is the 10-minute one): BENCH_SOAK_MINUTES, rows of 20 s.
  [
    "soak",
    () => benchSoak({ minutes: Number(process.env.BENCH_SOAK_MINUTES ?? 2), intervalSeconds: 20 }),
  ],
];

console.log(machine());
for (const [name, run] of suites) {
  if (only && only !== name) continue;
  printRows(name, await run());
}
