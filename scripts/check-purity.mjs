// The functional core stays pure: nothing in src/domain, and no projection
// evolver, imports I/O, the clock's providers or a client library.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const forbidden =
  /from\s+["'](node:|nats|@eventstore|better-sqlite3|pino|\.\.\/\.\.\/adapters|\.\.\/adapters)/;
const roots = ["src/domain", "src/contract", "src/projections/evolvers"];
const offenders = [];
const walk = (dir) => {
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith(".ts")) {
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (forbidden.test(line) || /\b(Date\.now|Math\.random|new Date\(\))/.test(line))
            offenders.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
  }
};
roots.forEach(walk);
if (offenders.length > 0) {
  console.error(
    "The functional core must stay pure (no I/O, clock, randomness or client libraries):",
  );
  for (const o of offenders) console.error("  " + o);
  process.exit(1);
}
console.log(`purity: ${roots.join(", ")} import no I/O, clock or client library`);
