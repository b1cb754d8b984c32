import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on the module `name` beside `from` (the caller's
 * import.meta.url): the compiled .js as it is, the TypeScript source (tests,
 * tsx) through tsx's loader, registered in the thread.
 */
export function startModuleWorker(from: string, name: string, options: WorkerOptions): Worker {
  const source = from.endsWith(".ts");
  const entry = new URL(`./${name}.${source ? "ts" : "js"}`, from);
  if (!source) return new Worker(entry, options);
  const boot = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
