import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import {
  type ConnectionOptions,
  connect,
  ErrorCode,
  type NatsConnection,
  type NatsError,
} from "nats";
import type { Logger } from "pino";
import { retry } from "../../lib/retry.js";

export type NatsLink = { nc: NatsConnection; localServer?: ChildProcess };

/** Where to connect and as whom. `shownServers` is what messages print: the servers without credentials. */
export type NatsTarget = {
  servers: string[];
  shownServers: string;
  auth: Pick<ConnectionOptions, "user" | "pass" | "token" | "authenticator">;
};

/**
 * The service's own replies and JetStream deliveries come to inboxes under
 * this prefix, which is no tenant's (`_INBOX.<client>`): its NATS user needs
 * no right on `_INBOX.>`, so it cannot read tenants' replies either.
 */
export const SERVICE_INBOX_PREFIX = "_INBOX_campaigns";

/**
 * How every service connection connects (the serving one, the consumers thread's, the CLI's):
 * reconnecting for good, soon (a cluster's other servers are tried at once; a server that just
 * went away, every quarter second rather than nats.js' two), and with no Error and stack captured
 * per request (the service makes many).
 */
export const serviceConnectionOptions = (target: NatsTarget, name: string): ConnectionOptions => ({
  servers: target.servers,
  ...target.auth,
  inboxPrefix: SERVICE_INBOX_PREFIX,
  name,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  noAsyncTraces: true,
});

const findOnPath = (name: string): string | undefined =>
  [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"]
    .map((dir) => join(dir, name))
    .find(existsSync);

/**
 * Connects to NATS_URL. When nothing answers there and `nats-server` is on
 * PATH, starts one with JetStream under `<dataDir>/nats` on that URL's port
 * (CONTRACT.md), so `npm start` works on a bare machine.
 */
export async function connectOrStartNats(
  target: NatsTarget,
  dataDir: string,
  logger: Logger,
): Promise<NatsLink> {
  const link = await connectOrStart(target, dataDir, logger);
  try {
    await link.nc.jetstreamManager(); // asks the server for its JetStream account: fails at once without JetStream
  } catch (error) {
    await link.nc.close();
    link.localServer?.kill();
    throw new Error(
      `the NATS server at ${target.shownServers} has no JetStream (the read models and the event relay need it): run nats-server with -js`,
      { cause: error },
    );
  }
  return link;
}

/**
 * The local server must not outlive the service. On a normal exit or SIGTERM/SIGINT the service
 * stops it; against `kill -9` of the service, Linux's parent-death signal (setpriv --pdeathsig,
 * util-linux, present on Debian) has the kernel send it SIGTERM when the service dies.
 */
function spawnBoundToThisProcess(binary: string, args: string[]): ChildProcess {
  const setpriv = findOnPath("setpriv");
  const child = setpriv
    ? spawn(setpriv, ["--pdeathsig", "SIGTERM", "--", binary, ...args], { stdio: "ignore" })
    : spawn(binary, args, { stdio: "ignore" });
  const stop = () => child.kill("SIGTERM");
  process.once("exit", stop);
  child.once("exit", () => process.removeListener("exit", stop));
  return child;
}

async function connectOrStart(
  target: NatsTarget,
  dataDir: string,
  logger: Logger,
): Promise<NatsLink> {
  const options = serviceConnectionOptions(target, "campaigns");
  try {
    return { nc: await connect({ ...options, timeout: 2000 }) };
  } catch (error) {
    // Only a server that is not there is started here; one that refused us is reported as it is.
    if ((error as NatsError).code !== ErrorCode.ConnectionRefused) throw error;
    const binary = findOnPath("nats-server");
    if (!binary)
      throw new Error(
        `nothing answers at NATS_URL=${target.shownServers} and nats-server is not on PATH`,
      );
    const { hostname, port } = new URL(target.servers[0]!.replace(/^nats:/, "http:"));
    const storeDir = join(dataDir, "nats");
    mkdirSync(storeDir, { recursive: true });
    const localServer = spawnBoundToThisProcess(binary, [
      "-a",
      hostname,
      "-p",
      port || "4222",
      "-js",
      "-sd",
      storeDir,
    ]);
    logger.info(
      { url: target.servers[0], storeDir, pid: localServer.pid },
      "started a local nats-server with JetStream",
    );
    const deadline = Date.now() + 10_000;
    try {
      // Every 100 ms until it answers, it exits, or 10 s have passed.
      const nc = await retry(() => connect({ ...options, timeout: 500 }), {
        initialMs: 100,
        maxMs: 100,
        shouldRetry: () => localServer.exitCode === null && Date.now() <= deadline,
      });
      return { nc, localServer };
    } catch (retryError) {
      localServer.kill();
      throw new Error(
        `could not start nats-server at ${target.servers[0]}: ${(retryError as Error).message}`,
      );
    }
  }
}
