/**
 * `npm run soak [-- --minutes N --interval S]`: the soak alone (bench/soak.ts),
 * 10 minutes a row a minute unless told otherwise; prints its rows as the
 * bench does.
 */
import { parseArgs } from "node:util";
import { machine, printRows } from "./print.js";
import { benchSoak } from "./soak.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    interval: { type: "string", default: "60" },
  },
});
const rows = await benchSoak({
  minutes: Number(values.minutes),
  intervalSeconds: Number(values.interval),
});
console.log(machine());
printRows("soak", rows);
