import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type ChildProcess = {
  /** The first line the child printed (what it serves at, or "ready"). */
  readonly first: string;
  /** Sends a line and waits for the child's one-line answer. */
  ask: (line: string) => Promise<string>;
  /** Closes the child's stdin (its signal to stop) and waits for it to exit. */
  stop: () => Promise<void>;
};

/**
 * A bench part (`bench/<script>.ts`) in a process of its own, so its CPU is
 * not the load generator's. `BENCH_CHILD_NODE_ARGS` goes to the child's node
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the service alone).
 */
export async function startChildProcess(
  script: string,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const nodeArgs = process.env.BENCH_CHILD_NODE_ARGS?.split(" ").filter((arg) => arg !== "") ?? [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", fileURLToPath(new URL(`./${script}.ts`, import.meta.url))],
    {
      env: { ...process.env, ...env, NODE_OPTIONS: "" },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = once(child, "exit");
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error(`bench/${script}.ts stopped (exit code ${child.exitCode})`);
    return line.value;
  };
  const first = await next();
  return {
    first,
    ask: async (line) => (child.stdin!.write(`${line}\n`), next()),
    stop: async () => void (child.stdin!.end(), await exited),
  };
}
