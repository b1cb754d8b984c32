import { once } from "node:events";
import { startModuleWorker } from "../lib/module-worker.js";
import type { Config } from "./config.js";

/** What the thread is given: the instance's configuration (it clones), NATS_URL naming the server the instance uses. */
export type ConsumersThreadData = { config: Config };
/** The thread's messages: `started` once it has joined the lease, `failed` with a message if it could not start. */
export type ConsumersThreadMessage =
  { kind: "started" } | { kind: "failed"; message: string } | { kind: "stopped" };

/**
 * CONSUMERS=thread: the projections and the relay in a worker thread of this
 * process, with a store connection and a NATS connection of their own, so that
 * folding events into read models never holds up a command's answer on the
 * main thread. The thread joins the lease like any instance would.
 */
export async function startConsumersThread(
  config: Config,
  natsUrl: string,
): Promise<{ stop(): Promise<void> }> {
  const data: ConsumersThreadData = {
    config: {
      ...config,
      NATS_URL: natsUrl,
      CONSUMERS: "here",
      HTTP_PORT: undefined,
      OPS_PORT: undefined,
    },
  };
  const worker = startModuleWorker(import.meta.url, "consumers-thread-main", { workerData: data });
  const [first] = (await once(worker, "message")) as [ConsumersThreadMessage];
  if (first.kind === "failed") {
    await worker.terminate();
    throw new Error(`the projections thread could not start: ${first.message}`);
  }
  return {
    /** Stops the consumers at a checkpoint and hands the lease on; a thread that does not end in 30 s is terminated. */
    async stop() {
      const exited = once(worker, "exit");
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
