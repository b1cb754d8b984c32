import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { connect, type NatsConnection } from "nats";
import type { Logger } from "pino";
import { retry } from "../../lib/retry.js";

export type NatsLink = { nc: NatsConnection; localServer?: ChildProcess };

const findOnPath = (name: string): string | undefined =>
  [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"].map((dir) => join(dir, name)).find(existsSync);

/**
 * Connects to NATS_URL. When nothing answers there and `nats-server` is on
 * PATH, starts one with JetStream under `<dataDir>/nats` on that URL's port
 * (CONTRACT.md), so `npm start` works on a bare machine.
 */
export async function connectOrStartNats(url: string, dataDir: string, logger: Logger): Promise<NatsLink> {
  const link = await connectOrStart(url, dataDir, logger);
  try {
    await link.nc.jetstreamManager(); // asks the server for its JetStream account: fails at once without JetStream
  } catch (error) {
    await link.nc.close();
    link.localServer?.kill();
    throw new Error(`the NATS server at ${url} has no JetStream (the read models and the event relay need it): run nats-server with -js`, { cause: error });
  }
  return link;
}

async function connectOrStart(url: string, dataDir: string, logger: Logger): Promise<NatsLink> {
  // noAsyncTraces: no Error (and stack) captured per request; the service makes many.
  const options = { servers: url, name: "campaigns", maxReconnectAttempts: -1, noAsyncTraces: true };
  try {
    return { nc: await connect({ ...options, timeout: 2000 }) };
  } catch (error) {
    const binary = findOnPath("nats-server");
    if (!binary) throw new Error(`nothing answers at NATS_URL=${url} and nats-server is not on PATH`, { cause: error });
    const { hostname, port } = new URL(url.replace(/^nats:/, "http:"));
    const storeDir = join(dataDir, "nats");
    mkdirSync(storeDir, { recursive: true });
    logger.info({ url, storeDir }, "starting a local nats-server with JetStream");
    const localServer = spawn(binary, ["-a", hostname, "-p", port || "4222", "-js", "-sd", storeDir], { stdio: "ignore" });
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
      throw new Error(`could not start nats-server at ${url}`, { cause: retryError });
    }
  }
}
