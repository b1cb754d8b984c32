/**
 * The writer thread's entry: opens the events file, then commits whatever
 * appends have arrived since the last commit as one group, answers them, and
 * checkpoints when nothing is waiting. Messages that arrive during a commit
 * wait in the port and make up the next group.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { openEventsFile } from "./sqlite-schema.js";
import { SqliteWriter, type WireAppend } from "./sqlite-writer.js";

export type WriterRequest = { kind: "append"; appends: WireAppend[] } | { kind: "close" };
export type WriterData = { file: string; port: MessagePort };

const { file, port } = workerData as WriterData;
const db = openEventsFile(file);
const writer = new SqliteWriter(db);

const drain = (first: WriterRequest): void => {
  let request: WriterRequest | undefined = first;
  let closing = false;
  while (request !== undefined) {
    const group: WireAppend[] = [];
    for (
      ;
      request !== undefined;
      request = receiveMessageOnPort(port)?.message as WriterRequest | undefined
    ) {
      if (request.kind === "close") closing = true;
      else for (const append of request.appends) group.push(append);
    }
    if (group.length > 0) port.postMessage(writer.commit(group));
    request = receiveMessageOnPort(port)?.message as WriterRequest | undefined;
    writer.checkpointIfDue(request === undefined);
  }
  if (closing) {
    db.close();
    port.close();
  }
};

port.on("message", drain);
