import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { startModuleWorker } from "../../lib/module-worker.js";
import type { WireAppend, WireOutcome } from "./sqlite-writer.js";
import type { WriterData, WriterRequest } from "./sqlite-writer-thread.js";

/**
 * The store's end of its writer thread (sqlite-writer-thread.ts): appends go
 * out, outcomes come back. Only appends waiting for an answer keep the
 * process alive.
 */
export class WriterLink {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly exited: Promise<void>;

  constructor(
    file: string,
    onOutcomes: (outcomes: WireOutcome[]) => void,
    onFailure: (error: Error) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startModuleWorker(import.meta.url, "sqlite-writer-thread", {
      workerData: { file, port: port2 } satisfies WriterData,
      transferList: [port2],
    });
    this.port.on("message", onOutcomes);
    this.idle();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.once("error", onFailure);
    this.worker.once("exit", (code) =>
      onFailure(new Error(`the event store's writer thread stopped (exit code ${code})`)),
    );
  }

  send(appends: WireAppend[]): void {
    this.worker.ref();
    this.port.ref();
    this.port.postMessage({ kind: "append", appends } satisfies WriterRequest);
  }

  idle(): void {
    this.worker.unref();
    this.port.unref();
  }

  /**
   * Asks the writer to stop once it has committed what it was sent; resolves
   * when it has stopped and `answered` (the outcomes it sent, taken off this
   * port) has settled: the port stays open until then.
   */
  async close(answered: Promise<unknown>): Promise<void> {
    this.worker.ref();
    this.port.postMessage({ kind: "close" } satisfies WriterRequest);
    await answered;
    await this.exited;
    this.port.close();
  }
}
