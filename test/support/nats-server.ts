/**
 * Starts a real nats-server for a test file: a free port, JetStream in a
 * temporary directory, never the machine's own server on 4222.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";

export type RunningNatsServer = { url: string; port: number; storeDir: string; stop: () => Promise<void> };

export const natsServerBinary = (): string =>
  ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].find(existsSync) ?? "nats-server";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * The server picks its own port (`-p -1`) and writes it to a ports file: no
 * window between choosing a free port and binding it in which another test
 * file's server could take it (and this file connect to that one).
 */
export async function startNatsServer(): Promise<RunningNatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), "campaigns-nats-"));
  const args = ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", storeDir, "--ports_file_dir", storeDir];
  const child: ChildProcess = spawn(natsServerBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await waitUntilReady(join(storeDir, `nats-server_${child.pid}.ports`), child, () => stderr);
  return {
    url,
    port: Number(new URL(url.replace(/^nats:/, "http:")).port),
    storeDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** The server's URL once its ports file names it and it answers there. */
async function waitUntilReady(portsFile: string, child: ChildProcess, stderr: () => string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr()}`);
    try {
      const url = (JSON.parse(readFileSync(portsFile, "utf8")) as { nats: string[] }).nats[0]!;
      const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
      await nc.close();
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not start (no ports file ${portsFile}): ${stderr()}`);
}
