/**
 * Runs the `campaigns` CLI as operators do, in a child process (the
 * TypeScript entry point under tsx), and writes import files.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
export const cliEntry = join(root, "src", "cli", "main.ts");

export type CliRun = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};

/**
 * Starts the CLI; `onStderr` sees stderr as it arrives (to kill the process at a given moment). One
 * process (`node --import tsx`, not the tsx wrapper, which would leave its child running when
 * killed).
 */
export function startCli(
  args: readonly string[],
  env: Record<string, string>,
  onStderr?: (text: string, child: ChildProcess) => void,
  /** A built bin (test/support/built-package.ts) instead of the TypeScript entry point. */
  bin?: string,
): Promise<CliRun> & { child: ChildProcess } {
  const entry = bin === undefined ? ["--import", "tsx", cliEntry] : [bin];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "warn", OPS_PORT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr, child);
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

export const runCli = (args: readonly string[], env: Record<string, string>) => startCli(args, env);

/** A CSV of `rows` numbers 07712000000 + i with names and a parameter, some rows replaced (1-based data row -> raw CSV line). */
export function writeNumbersCsv(
  path: string,
  rows: number,
  replace: ReadonlyMap<number, string> = new Map(),
): void {
  const lines = ["number,name,parameter1,parameter2"];
  for (let i = 1; i <= rows; i++)
    lines.push(
      replace.get(i) ??
        `0771${String(2_000_000 + i).padStart(7, "0")},Customer ${i},ref-${i},"Acme, Ltd"`,
    );
  writeFileSync(path, `${lines.join("\n")}\n`);
}
