/** The entry of CONSUMERS=thread's worker (see consumers-thread.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { startConsumers } from "./compose.js";
import { createLogger } from "./logger.js";
import type { ConsumersThreadData, ConsumersThreadMessage } from "./consumers-thread.js";

const { config } = workerData as ConsumersThreadData;
const port = parentPort!;
const post = (message: ConsumersThreadMessage) => port.postMessage(message);
try {
  const consumers = await startConsumers(
    config,
    createLogger(config.LOG_LEVEL).child({ thread: "consumers" }),
  );
  port.once("message", () => void consumers.stop().then(() => port.close()));
  post({ kind: "started" });
} catch (error) {
  post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  port.close();
}
