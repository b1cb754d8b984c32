/**
 * Starts a real nats-server for a test file: a free port, JetStream in a
 * temporary directory, never the machine's own server on 4222.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll } from "vitest";

export type RunningNatsServer = {
  url: string;
  port: number;
  storeDir: string;
  /** The server's process id (the benchmarks read its CPU time). */
  pid: number;
  stop: (options?: { keepStore: boolean }) => Promise<void>;
};

export const natsServerBinary = (): string =>
  ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].find(
    existsSync,
  ) ?? "nats-server";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/**
 * The server picks its own port (`-p -1`) and writes it to a ports file: no
 * window between choosing a free port and binding it in which another test
 * file's server could take it (and this file connect to that one).
 */
export type NatsServerOptions = {
  /** A configuration file (deploy/nats/nats-server.conf); address, port and store directory stay the test's. */
  config?: string;
  /** Environment for the server (the configuration's password variables). */
  env?: Record<string, string>;
  /** Credentials for the readiness probe, when the configuration requires them. */
  probe?: { user: string; pass: string };
  /** The same port and JetStream directory as a server stopped before (an outage, then recovery). */
  restart?: { port: number; storeDir: string };
};

export async function startNatsServer(options: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const storeDir = options.restart?.storeDir ?? mkdtempSync(join(tmpdir(), "campaigns-nats-"));
  const args = [
    ...(options.config ? ["-c", options.config] : []),
    "-a",
    "127.0.0.1",
    "-p",
    String(options.restart?.port ?? -1),
    "-js",
    "-sd",
    storeDir,
    "--ports_file_dir",
    storeDir,
  ];
  const child: ChildProcess = spawn(natsServerBinary(), args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...options.env },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await waitUntilReady(
    join(storeDir, `nats-server_${child.pid}.ports`),
    child,
    () => stderr,
    options.probe,
  );
  return {
    url,
    port: Number(new URL(url.replace(/^nats:/, "http:")).port),
    storeDir,
    pid: child.pid!,
    stop: async (options?: { keepStore: boolean }) => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      if (!options?.keepStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export type ConnectedNatsServer = RunningNatsServer & { readonly nc: NatsConnection };

/** startNatsServer and the test's own connection to it (KV, streams, subscriptions); `stop` closes the connection, then stops the server. */
async function startConnectedNatsServer(
  options: NatsServerOptions = {},
): Promise<ConnectedNatsServer> {
  const server = await startNatsServer(options);
  const nc = await connect({ servers: server.url }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  return {
    ...server,
    nc,
    stop: async (stopOptions?: { keepStore: boolean }) => {
      await nc.close();
      await server.stop(stopOptions);
    },
  };
}

/**
 * A connected nats-server for the calling test file: started before its first
 * test, stopped after its last (beforeAll / afterAll). The object is filled in
 * once the server is up, so read it inside tests and hooks.
 */
export function connectedNatsServerForFile(options: NatsServerOptions = {}): ConnectedNatsServer {
  const server = {} as ConnectedNatsServer;
  beforeAll(async () => {
    Object.assign(server, await startConnectedNatsServer(options));
  });
  afterAll(async () => {
    await server.stop?.();
  });
  return server;
}

/** The server's URL once its ports file names it and it answers there. */
async function waitUntilReady(
  portsFile: string,
  child: ChildProcess,
  stderr: () => string,
  probe: { user: string; pass: string } | undefined,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr()}`);
    try {
      const url = (JSON.parse(readFileSync(portsFile, "utf8")) as { nats: string[] }).nats[0]!;
      const nc = await connect({ servers: url, reconnect: false, timeout: 500, ...probe });
      await nc.close();
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not start (no ports file ${portsFile}): ${stderr()}`);
}
