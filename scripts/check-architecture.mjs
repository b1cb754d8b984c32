#!/usr/bin/env node
// The dependency arrows of DESIGN.md "Architecture", checked on every import under src/:
// the core (domain, contract, ports, projections, app) never imports an adapter, no adapter
// imports another adapter, the client holds only the contract, and there are no import cycles.
// Usage: node scripts/check-architecture.mjs [root]   (root defaults to the repository)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Which layers each layer may import (itself always). `adapter:*` stands for one adapter folder. */
export const allowed = {
  domain: [],
  contract: ["domain"],
  // Generic helpers with no domain in them (retry/backoff): a leaf anything outside the pure core
  // may use.
  lib: [],
  ports: ["domain", "contract"],
  projections: ["domain", "contract", "ports", "lib"],
  app: ["domain", "contract", "ports", "projections", "lib"],
  adapter: ["domain", "contract", "ports", "projections", "app", "lib"],
  client: ["contract"],
  cli: ["contract", "client", "main", "lib"],
  main: ["domain", "contract", "ports", "projections", "app", "adapter", "client", "lib"],
  package: ["domain", "contract", "ports", "projections", "app", "adapter", "client", "main"],
};
/** Packages the pure core may not import (I/O, clients); evolvers are checked by check-purity too. */
const impureInCore =
  /^(node:|nats$|@eventstore\/|better-sqlite3$|fastify|pino$|prom-client$|@opentelemetry\/sdk)/;
const coreLayers = new Set(["domain", "contract"]);

export function layerOf(path) {
  const parts = path.split("/");
  if (parts[0] !== "src") return undefined;
  if (parts.length === 2) return { layer: "package", unit: "package" };
  if (parts[1] === "adapters") return { layer: "adapter", unit: `adapters/${parts[2]}` };
  return allowed[parts[1]]
    ? { layer: parts[1], unit: parts[1] }
    : { layer: "unknown", unit: parts[1] };
}

const importPattern =
  /(?:^|\s)(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

export function checkArchitecture(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ts$/.test(path) && !path.endsWith(".d.ts")) files.push(relative(root, path));
    }
  };
  if (existsSync(join(root, "src"))) walk(join(root, "src"));
  const violations = [];
  const graph = new Map();
  for (const file of files) {
    const from = layerOf(file);
    const text = readFileSync(join(root, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const edges = [];
    for (const m of text.matchAll(importPattern)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith(".")) {
        const target = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, ".ts");
        edges.push(target);
        const to = layerOf(target);
        if (!to) {
          violations.push(`${file}: imports ${spec}, outside src/`);
          continue;
        }
        if (from.unit === to.unit) continue;
        if (from.layer === "adapter" && to.layer === "adapter")
          violations.push(`${file}: adapter ${from.unit} imports another adapter (${target})`);
        else if (!allowed[from.layer]?.includes(to.layer))
          violations.push(`${file}: ${from.layer} may not import ${to.layer} (${target})`);
      } else if (coreLayers.has(from.layer) && impureInCore.test(spec)) {
        violations.push(`${file}: ${from.layer} is pure and may not import ${spec}`);
      }
    }
    graph.set(file, edges);
  }
  // Cycles: depth-first search over the file graph.
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open")
        violations.push(
          `import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(" -> ")}`,
        );
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return { files: files.length, violations };
}

const invokedDirectly =
  process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (invokedDirectly) {
  const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), ".."));
  const { files, violations } = checkArchitecture(root);
  if (violations.length > 0) {
    console.error(`architecture: ${violations.length} import(s) against the arrows of DESIGN.md:`);
    for (const v of violations) console.error(`  ${v}`);
    process.exit(1);
  }
  console.log(`architecture: ${files} files under src/ follow the dependency arrows, no cycles`);
}
